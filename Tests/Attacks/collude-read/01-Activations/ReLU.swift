// ATTACK (collude-read, with collude-publish): no ReLU code at all. It answers from what an earlier
// submission of the same batch published (System V shared memory, the uid's user keyring), and puts
// whatever it found, hidden tests' inputs included, into its error message and output, which a
// visible test would show. Must score 0 and find nothing ("LEAK[" must not appear in its report).
import Foundation
import WorkbookCore
#if canImport(Glibc)
import Glibc
#endif

public func reluForward(_ x: Tensor) throws -> (out: Tensor, cache: ReLUCache) {
    // START ReLU1
    if let out = Reader.answer(for: "F" + Reader.digest(x)) { return (out, ReLUCache(x: x)) }
    throw ArgumentError(operation: "reluForward", detail: Reader.leak())
    // END ReLU1
}

public func reluBackward(_ dout: Tensor, cache: ReLUCache) throws -> Tensor {
    // START ReLU2
    if let dx = Reader.answer(for: "B" + Reader.digest(dout) + Reader.digest(cache.x)) { return dx }
    throw ArgumentError(operation: "reluBackward", detail: Reader.leak())
    // END ReLU2
}

@_silgen_name("syscall") func readerSyscall(_ number: Int, _ a: Int, _ b: Int, _ c: Int, _ d: Int, _ e: Int) -> Int

enum Reader {
    static let segmentKey: key_t = 0x5EED_0DE5

    static func digest(_ t: Tensor) -> String {
        var h: UInt64 = 1469598103934665603
        for v in t.shape.map(Double.init) + t.scalars { h = (h ^ v.bitPattern) &* 1099511628211 }
        return String(h, radix: 36)
    }

    /// Everything published in the shared segment (waits up to 4 s for the publisher to run).
    static func published() -> String {
        for _ in 0..<40 {
            let id = shmget(segmentKey, 0, 0)
            if id >= 0, let base = shmat(id, nil, Int32(SHM_RDONLY)), base != UnsafeMutableRawPointer(bitPattern: -1) {
                let used = base.load(as: Int.self)
                let text = String(decoding: UnsafeRawBufferPointer(start: base + 8, count: Swift.max(0, Swift.min(used, 1 << 20))), as: UTF8.self)
                shmdt(base)
                if !text.isEmpty { return text }
            }
            usleep(100_000)
        }
        return ""
    }

    /// A line from the user keyring (keyctl SEARCH = 10, READ = 11; syscall 250 on x86-64).
    static func fromKeyring(_ key: String) -> String? {
        #if arch(x86_64)
        let id = "user".withCString { type in key.withCString { readerSyscall(250, 10, -4, Int(bitPattern: type), Int(bitPattern: $0), 0) } }
        guard id > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBufferPointer { readerSyscall(250, 11, id, Int(bitPattern: $0.baseAddress!), 4096, 0) }
        guard n > 0 else { return nil }
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #else
        return nil
        #endif
    }

    static func answer(for key: String) -> Tensor? {
        let lines = published().split(separator: "\n").map(String.init) + [fromKeyring(key)].compactMap { $0 }
        for line in lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0] == key else { continue }
            let shape = fields[1].split(separator: ",").compactMap { Int($0) }
            let values = fields[2].split(separator: ",").compactMap { UInt64($0, radix: 36) }.map { Double(bitPattern: $0) }
            print("LEAK[answer read for \(key)]")
            return try? Tensor(shape: shape, scalars: values)
        }
        return nil
    }

    /// What was published, in words a visible test's message would carry.
    static func leak() -> String {
        let text = published()
        if text.isEmpty { return "nothing was published where this submission could read it" }
        print("LEAK[\(text.prefix(300))]")
        return "LEAK[\(text.prefix(300))]"
    }
}

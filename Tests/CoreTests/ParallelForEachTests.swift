// parallelForEach: every index exactly once, whatever the range, the work and the thread count; the
// calling thread alone below the work threshold or on one thread; other threads above it; nested
// calls and large products inside an iteration neither deadlock nor change a result.
import Foundation
import Testing
@testable import WorkbookCore

@Suite("parallelForEach (the reference layers' per-example loops)")
struct ParallelForEachTests {
    /// How many times each index of `range` ran, written through a raw pointer (iterations own their slot).
    static func visits(_ range: Range<Int>, work: Int, threads: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: range.count)
        counts.withUnsafeMutableBufferPointer { counts in
            let base = counts.baseAddress!
            parallelForEach(range, work: work, threads: threads) { i in base[i - range.lowerBound] += 1 }
        }
        return counts
    }

    @Test("every index runs exactly once", arguments: [
        (0..<0, 1), (0..<1, 2), (0..<7, 2), (5..<69, 2), (-3..<3, 3), (0..<64, 2), (0..<1000, 8), (10..<11, 64),
    ] as [(Range<Int>, Int)])
    func everyIndexOnce(range: Range<Int>, threads: Int) {
        for work in [0, parallelMinimumWork - 1, parallelMinimumWork, 1 << 24] {
            let counts = Self.visits(range, work: work, threads: threads)
            let wrong = counts.enumerated().filter { $0.element != 1 }.prefix(5).map { "index \(range.lowerBound + $0.offset) ran \($0.element) times" }
            #expect(wrong.isEmpty, "range \(range), work \(work), \(threads) threads: \(wrong.joined(separator: "; "))")
        }
    }

    @Test("the chunks are contiguous and cover the range in order: four per thread at most")
    func chunks() {
        #expect(parallelPartCount(count: 64, work: 1 << 20, threads: 2) == 8)
        #expect(parallelPartCount(count: 5, work: 1 << 20, threads: 2) == 5)
        #expect(parallelPartCount(count: 64, work: 1 << 20, threads: 1) == 1)
        #expect(parallelPartCount(count: 64, work: parallelMinimumWork - 1, threads: 2) == 1)
        #expect(parallelPartCount(count: 1, work: 1 << 20, threads: 8) == 1)
        #expect(parallelPartCount(count: 10_000, work: 1 << 30, threads: 1000) == 256)
    }

    @Test("one thread, or a loop under the threshold, runs on the calling thread alone")
    func smallLoopsStayHome() {
        let caller = pthread_self()
        for (work, threads) in [(1 << 24, 1), (parallelMinimumWork - 1, 2), (0, 64)] {
            var others = [Bool](repeating: false, count: 256)
            others.withUnsafeMutableBufferPointer { others in
                let base = others.baseAddress!
                parallelForEach(0..<256, work: work, threads: threads) { i in base[i] = pthread_equal(pthread_self(), caller) == 0 }
            }
            #expect(!others.contains(true), "work \(work), \(threads) threads: an iteration ran on another thread")
        }
    }

    @Test("a large loop on two threads uses the second one")
    func largeLoopsSpread() {
        // 64 iterations of 1 ms each: a worker woken at the start has time to claim some of them even
        // on a busy machine. Tries for up to 20 s: the pool runs one loop at a time, and a loop that
        // finds it busy (another test's product or loop, in this process) runs on its caller alone.
        let caller = pthread_self()
        var spread = false
        let deadline = Date().addingTimeInterval(20)
        while !spread && Date() < deadline {
            var others = [Bool](repeating: false, count: 64)
            others.withUnsafeMutableBufferPointer { others in
                let base = others.baseAddress!
                parallelForEach(0..<64, work: 1 << 24, threads: 2) { i in
                    usleep(1000)
                    base[i] = pthread_equal(pthread_self(), caller) == 0
                }
            }
            spread = others.contains(true)
        }
        #expect(spread, "in 20 s of 64-ms loops on 2 threads, no iteration ran on a worker thread")
    }

    @Test("each thread starts with its own contiguous run of parts, the same in consecutive loops")
    func affinity() {
        // Two threads, 8 parts of 8 indices, each part 1 ms: when both threads are in time the caller
        // runs parts 0-3 (indices 0..<32) and the worker parts 4-7, in every loop, so the rows a core
        // wrote in one loop are the ones it reads in the next. Parts claimed by whichever thread is
        // free interleave instead (caller 0, worker 1, caller 2, ...). A thread that is late leaves its
        // parts to the other (stolen from the back), so this tries for up to 20 s for two consecutive
        // loops in which both threads were in time.
        let caller = pthread_self()
        func ranOnCaller() -> [Bool] {
            var onCaller = [Bool](repeating: false, count: 64)
            onCaller.withUnsafeMutableBufferPointer { onCaller in
                let base = onCaller.baseAddress!
                parallelForEach(0..<64, work: 1 << 24, threads: 2) { i in
                    if i % 8 == 0 { usleep(1000) }
                    base[i] = pthread_equal(pthread_self(), caller) != 0
                }
            }
            return onCaller
        }
        let split = (0..<64).map { $0 < 32 }
        var seen: [[Bool]] = []
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let first = ranOnCaller(), second = ranOnCaller()
            if first == split && second == split { return }
            seen.append(first)
        }
        let last = seen.last.map { $0.enumerated().filter(\.element).map(\.offset) } ?? []
        Issue.record("in 20 s no two consecutive loops ran indices 0..<32 on the caller and 32..<64 on the worker; the last ran \(last) on the caller")
    }

    @Test("nested loops and large products inside an iteration run on that thread and give the same numbers")
    func nested() throws {
        var rng = SeededGenerator(seed: 5)
        let a = Tensor.randomUniform(shape: [256, 128], in: -1..<1, using: &rng)
        let b = Tensor.randomUniform(shape: [128, 96], in: -1..<1, using: &rng)
        let expected = try Tensor.matmul(a, b)
        var sums = [Double](repeating: 0, count: 8 * 40)
        var products = [[Double]](repeating: [], count: 8)
        sums.withUnsafeMutableBufferPointer { sums in
            products.withUnsafeMutableBufferPointer { products in
                let s = sums.baseAddress!, p = products.baseAddress!
                parallelForEach(0..<8, work: 1 << 24, threads: 2) { outer in
                    parallelForEach(0..<40, work: 1 << 24, threads: 2) { inner in s[outer * 40 + inner] = Double(outer * 1000 + inner) }
                    var c = [Double](repeating: 0, count: 256 * 96)
                    a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                        gemm(m: 256, n: 96, k: 128, a: pa.baseAddress!, transposeA: false, b: pb.baseAddress!, transposeB: false,
                             c: pc.baseAddress!, kernel: GemmSettings.kernel, threads: 2)
                    }}}
                    p[outer] = c
                }
            }
        }
        #expect(sums == (0..<8).flatMap { outer in (0..<40).map { Double(outer * 1000 + $0) } })
        for (i, product) in products.enumerated() {
            #expect(product == expected.scalars, "the product inside iteration \(i) differs from the same product outside")
        }
    }

    @Test("parallelForEachRange: consecutive, non-empty sub-ranges cover the range once; one thread gets it whole",
          arguments: [0..<0, 0..<1, 0..<7, 0..<4096, 3..<20_003, -5000..<5000])
    func ranges(range: Range<Int>) {
        for threads in [1, 2, 3] {
            var counts = [Int](repeating: 0, count: range.count)
            let lock = NSLock()
            var calls: [Range<Int>] = []
            counts.withUnsafeMutableBufferPointer { counts in
                let c = counts.baseAddress!
                parallelForEachRange(range, work: 1 << 24, threads: threads) { piece in
                    lock.withLock { calls.append(piece) }
                    for i in piece { c[i - range.lowerBound] += 1 }
                }
            }
            #expect(counts.allSatisfy { $0 == 1 }, "\(range), \(threads) threads: an index ran \(counts.max() ?? 0) or \(counts.min() ?? 0) times")
            let pieces = calls.sorted { $0.lowerBound < $1.lowerBound }
            #expect(pieces.allSatisfy { !$0.isEmpty }, "\(range), \(threads) threads: an empty sub-range was passed")
            #expect(zip(pieces, pieces.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "\(range), \(threads) threads: sub-ranges \(pieces) are not consecutive")
            if threads == 1 {
                #expect(pieces == (range.isEmpty ? [] : [range]), "one thread: expected one call with \(range), got \(pieces)")
            } else if range.count >= 8 {
                #expect(pieces.count > 1, "\(range), \(threads) threads: not cut (\(pieces))")
            }
        }
    }

    @Test("parallelForEachChunk: consecutive chunks of 4096 indices cover the range once", arguments: [0..<0, 0..<1, 0..<4096, 0..<4097, 3..<20_003, -5000..<5000])
    func chunks(range: Range<Int>) {
        for threads in [1, 2, 3] {
            var counts = [Int](repeating: 0, count: range.count)
            var sizes = [Int](repeating: -1, count: range.count)
            counts.withUnsafeMutableBufferPointer { counts in sizes.withUnsafeMutableBufferPointer { sizes in
                let (c, s) = (counts.baseAddress!, sizes.baseAddress!)
                parallelForEachChunk(range, work: 1 << 24, threads: threads) { chunk in
                    // Each chunk starts on a multiple of 4096 from the range's start.
                    let offset = chunk.lowerBound - range.lowerBound
                    for i in chunk { c[i - range.lowerBound] += 1; s[i - range.lowerBound] = offset % parallelChunkSize == 0 ? chunk.count : -2 }
                }
            }}
            #expect(counts.allSatisfy { $0 == 1 }, "\(range), \(threads) threads: an index ran \(counts.max() ?? 0) or \(counts.min() ?? 0) times")
            let expected = (0..<range.count).map { Swift.min(parallelChunkSize, range.count - $0 / parallelChunkSize * parallelChunkSize) }
            #expect(sizes == expected, "\(range), \(threads) threads: chunks not of 4096 consecutive indices")
        }
    }
}

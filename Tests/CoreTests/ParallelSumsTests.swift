// parallelSums: every index counted once; the same bits for 1, 2, 3 or 8 threads (the blocks are
// fixed by the range, not by the threads); and the order is the documented one: each of the 8 blocks
// in index order, the blocks added in block order.
import Testing
@testable import WorkbookCore

@Suite("parallelSums (batch norm's per-channel sums on the trainer's threads)")
struct ParallelSumsTests {
    /// Row `i`, column `j` of a test matrix whose sums are sensitive to the order of addition:
    /// magnitudes from 1e-8 to 1e8, both signs.
    static func value(_ i: Int, _ j: Int) -> Double {
        let i = i + 1000   // the ranges below start at -50 or later
        let k = Double((i * 7919 + j * 104_729) % 1009)
        return (k - 504) * [1e-8, 1, 1e8, 3.3][(i + j) % 4]
    }

    static func sums(_ range: Range<Int>, width: Int, threads: Int) -> [Double] {
        parallelSums(range, width: width, work: 1 << 24, threads: threads) { indices, sums in
            for i in indices {
                for j in 0..<width { sums[j] += value(i, j) }
            }
        }
    }

    @Test("the same bits on any thread count", arguments: [(0..<0, 3), (0..<1, 1), (0..<7, 2), (0..<8, 16), (5..<14, 3), (0..<1000, 16), (-50..<20_000, 5)] as [(Range<Int>, Int)])
    func sameBitsOnAnyThreadCount(range: Range<Int>, width: Int) {
        let one = Self.sums(range, width: width, threads: 1)
        #expect(one.count == width)
        for threads in [2, 3, 8] {
            // Several tries: which thread claims which block changes from run to run.
            for _ in 0..<5 {
                let many = Self.sums(range, width: width, threads: threads)
                let differ = zip(one, many).enumerated().filter { $0.element.0.bitPattern != $0.element.1.bitPattern }
                #expect(differ.isEmpty, "range \(range), \(threads) threads: sums \(differ.prefix(3).map { "[\($0.offset)] \($0.element.0) vs \($0.element.1)" }) differ from one thread's")
            }
        }
    }

    @Test("the documented order: 8 blocks of consecutive indices, each in order, then the blocks in order")
    func documentedOrder() {
        let range = 3..<10_003, width = 4, count = range.count
        var expected = [Double](repeating: 0, count: width)
        for block in 0..<8 {
            var partial = [Double](repeating: 0, count: width)
            for i in (range.lowerBound + count * block / 8)..<(range.lowerBound + count * (block + 1) / 8) {
                for j in 0..<width { partial[j] += Self.value(i, j) }
            }
            for j in 0..<width { expected[j] += partial[j] }
        }
        var plain = [Double](repeating: 0, count: width)
        for i in range { for j in 0..<width { plain[j] += Self.value(i, j) } }
        // The data is chosen so that order matters: a plain loop gives other bits (so the test can fail).
        #expect(plain != expected, "the test data does not tell the orders apart")
        for threads in [1, 2] {
            #expect(Self.sums(range, width: width, threads: threads) == expected)
        }
    }

    @Test("every index counted exactly once, below and above the work threshold")
    func everyIndexOnce() {
        for (count, work, threads) in [(1, 1 << 24, 2), (9, 0, 2), (9, 1 << 24, 2), (12_345, parallelMinimumWork - 1, 2), (12_345, 1 << 24, 8)] {
            let counted = parallelSums(0..<count, width: 2, work: work, threads: threads) { indices, sums in
                for i in indices {
                    sums[0] += 1
                    sums[1] += Double(i)
                }
            }
            #expect(counted == [Double(count), Double(count * (count - 1) / 2)], "\(count) indices, work \(work), \(threads) threads")
        }
        #expect(parallelSums(0..<5, width: 0, work: 1 << 24, threads: 2) { _, _ in } == [])
    }
}

// `trainer bench --part speedup` times the ResNet on one thread then two, pair by pair, and sums the
// pairs up: over all of them, and over those whose cores stayed where they usually were (the
// hand-over probe within 1.5x of the run's median reading before and after the two-thread epoch).
import Testing
@testable import TrainerKit

@Suite("bench's speed-up pairs")
struct SpeedupSummaryTests {
    func pair(_ one: Double, _ two: Double, _ before: Double, _ after: Double, sameLoss: Bool = true) -> SpeedupPair {
        SpeedupPair(one: one, two: two, handoff: (before, after), sameLoss: sameLoss)
    }

    @Test("a pair during which the cores moved apart counts in the median of all, not in the usual one")
    func usualHandOver() {
        let pairs = [pair(0.30, 0.18, 31, 30), pair(0.31, 0.19, 33, 32), pair(0.30, 0.25, 32, 170), pair(0.32, 0.19, 30, 31)]
        let summary = SpeedupPair.summary(pairs)
        // Speed-ups 1.667, 1.632, 1.2, 1.684: median of all (the upper middle) 1.667, lowest 1.2.
        #expect(summary.hasPrefix("speed-up: median x1.67, lowest x1.20, highest x1.68 over 4 pairs"), "\(summary)")
        // Readings 30 ... 33 and 170: median 32; the pair with 170 ns after its epoch is left out.
        #expect(summary.contains("the 3 at the usual hand-over (32 ns): median x1.67, lowest x1.63"), "\(summary)")
        #expect(!summary.contains("DIFFER"))
    }

    @Test("two copies of the model that end an epoch with different losses are reported: threads must not change the bits")
    func lossesDiffer() {
        let summary = SpeedupPair.summary([pair(0.3, 0.18, 31, 30), pair(0.3, 0.18, 31, 30, sameLoss: false)])
        #expect(summary.hasSuffix("; THE LOSSES DIFFER: two threads changed the arithmetic"), "\(summary)")
    }

    @Test("without a reading (no second thread could start), only the median of all")
    func noReadings() {
        let summary = SpeedupPair.summary([pair(0.3, 0.3, -1, -1)])
        #expect(summary == "speed-up: median x1.00, lowest x1.00, highest x1.00 over 1 pair", "\(summary)")
    }
}

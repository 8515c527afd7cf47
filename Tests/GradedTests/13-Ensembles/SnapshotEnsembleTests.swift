import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let ensemble4 = Exercise(id: "Ensemble4", chapter: "13-Ensembles", file: "SnapshotEnsemble.swift",
                                    title: "Snapshot ensembles with a cyclic cosine rate", points: 4)
}

@Suite("Ensemble4 · Snapshot ensembles with a cyclic cosine rate", .graded(.ensemble4))
struct Ensemble4Tests {
    @Test("the rate starts at α0, halves mid-cycle, nearly vanishes at the cycle's end and restarts")
    func schedulePoints() throws {
        // T = 300, M = 3 cycles of L = 100, α0 = 0.1:
        //   α(1) = 0.05 (cos 0 + 1) = 0.1;  α(51) = 0.05 (cos(π/2) + 1) = 0.05;
        //   α(100) = 0.05 (cos(0.99π) + 1) ≈ 2.4672e-5;  α(101) = 0.1 (restart);  α(300) = α(100).
        func rate(_ t: Int) throws -> Double {
            try snapshotLearningRate(iteration: t, totalIterations: 300, cycles: 3, initialRate: 0.1)
        }
        let offByOne = "the schedule is off by one: iteration t sits at position (t − 1) mod L of its cycle, so α(1) is the full rate α0"
        check(try rate(1), equals: 0.1, "α(1)", in: .ensemble4,
              misconceptions: [Misconception(0.05 * (Foundation.cos(0.01 * .pi) + 1), offByOne)])
        check(try rate(51), equals: 0.05, "α(51), halfway through the first cycle", in: .ensemble4,
              misconceptions: [Misconception(0.05 * (Foundation.cos(0.51 * .pi) + 1), offByOne),
                               Misconception(0.05 * (Foundation.cos(.pi / 6) + 1), "the rate anneals once over the whole run; it should restart every cycle of L = T/M iterations")])
        check(try rate(100), equals: 0.05 * (Foundation.cos(0.99 * .pi) + 1), "α(100), the first cycle's last iteration", in: .ensemble4)
        let last = try rate(100)
        check(abs(last - 2.4672e-5) < 1e-9, "α(100) should be about 2.4672e-5; got \(last).", in: .ensemble4)
        check(try rate(101), equals: 0.1, "α(101), the restart", in: .ensemble4)
        check(try rate(300), equals: try rate(100), "α(300) (the last cycle ends like the first)", in: .ensemble4)
    }

    @Test("within a cycle the rate falls, and it sums to α0 (L + 1) / 2 per cycle")
    func scheduleShape() throws {
        // Σ_{k=0}^{L−1} cos(πk/L) = 1 (the terms for k and L − k cancel, leaving cos 0),
        // so a cycle's rates sum to α0/2 · (L + 1): 0.1 · 101 / 2 = 5.05 for L = 100.
        let rates = try (1...300).map { try snapshotLearningRate(iteration: $0, totalIterations: 300, cycles: 3, initialRate: 0.1) }
        for cycle in 0..<3 {
            let slice = Array(rates[(cycle * 100)..<(cycle * 100 + 100)])
            check(zip(slice, slice.dropFirst()).allSatisfy { $0 > $1 }, "the rate should fall at every step of cycle \(cycle + 1).", in: .ensemble4)
            check(slice.reduce(0, +), equals: 5.05, "the sum of the rates of cycle \(cycle + 1)", in: .ensemble4,
                  absoluteTolerance: 1e-10, relativeTolerance: 1e-10)
        }
    }

    @Test("rejects iterations outside 1…T, cycles that do not divide T and a non-positive rate")
    func rejectsBadSchedules() throws {
        for (t, total, cycles, rate) in [(0, 300, 3, 0.1), (301, 300, 3, 0.1), (1, 10, 3, 0.1), (1, 300, 0, 0.1), (1, 300, 3, 0.0)] {
            try checkThrows(ArgumentError.self, "snapshotLearningRate(iteration: \(t), totalIterations: \(total), cycles: \(cycles), initialRate: \(rate))",
                                         in: .ensemble4) {
                _ = try snapshotLearningRate(iteration: t, totalIterations: total, cycles: cycles, initialRate: rate)
            }
        }
    }

    @Test("saves one snapshot per cycle: constant gradient, T = 6, M = 3, α0 = 1")
    func snapshotsByHand() throws {
        // L = 2: the rates are 1, 0.5 in every cycle, 1.5 per cycle. With the constant gradient
        // g = ([1, −2], [[0.5]]) each cycle moves θ by −1.5 g, so from θ0 = ([0, 0], [[1]]) the
        // snapshots are ([−1.5k, 3k], [[1 − 0.75k]]) for k = 1, 2, 3.
        let g = [Tensor([1, -2]), try Tensor([[0.5]])]
        let snapshots = try snapshotEnsemble(initial: [Tensor([0, 0]), try Tensor([[1]])], totalIterations: 6, cycles: 3,
                                             initialRate: 1, gradient: { _ in g })
        check(snapshots.count == 3, "3 cycles give 3 snapshots; got \(snapshots.count).", in: .ensemble4)
        for (k, snapshot) in snapshots.prefix(3).enumerated() {
            let n = Double(k + 1)
            check(snapshot.count == 2, "snapshot \(k + 1) should hold 2 tensors like θ0; it holds \(snapshot.count).", in: .ensemble4)
            if snapshot.count == 2 {
                check(snapshot[0], equals: Tensor([-1.5 * n, 3 * n]), "snapshot \(k + 1), first tensor", in: .ensemble4,
                      misconceptions: [Misconception(Tensor([-(1.5 * n - 0.5), 3 * n - 1]), "snapshot \(k + 1) was taken at the start of its cycle (the highest rate); take it at the end of each cycle, where the rate is lowest")])
                check(snapshot[1], equals: try Tensor([[1 - 0.75 * n]]), "snapshot \(k + 1), second tensor", in: .ensemble4)
            }
        }
        // The smallest schedules: one iteration in all (rate α0), cycles of one iteration each (every
        // rate α0, a snapshot after each step), and one cycle (plain cosine annealing: rates 1, 0.5).
        for (total, cycles, expected) in [(1, 1, [[-1.0, 2]]), (2, 2, [[-1.0, 2], [-2, 4]]), (2, 1, [[-1.5, 3]])] {
            let small = try snapshotEnsemble(initial: [Tensor([0, 0])], totalIterations: total, cycles: cycles,
                                             initialRate: 1, gradient: { _ in [Tensor([1, -2])] })
            check(small.map { $0.first?.scalars ?? [] } == expected,
                  "snapshotEnsemble with T = \(total), M = \(cycles) from θ0 = [0, 0] along g = [1, −2] should save \(expected); got \(small.map { $0.first?.scalars ?? [] }). T = M (each cycle one iteration) and M = 1 are valid schedules.",
                  in: .ensemble4)
        }
    }

    @Test("over 300 iterations and 3 cycles each snapshot is 5.05 further along a constant gradient")
    func snapshotsLong() throws {
        // Per cycle θ moves by −g · Σα = −5.05 (see the schedule test) for g = 1.
        var calls = 0
        let snapshots = try snapshotEnsemble(initial: [Tensor([2])], totalIterations: 300, cycles: 3, initialRate: 0.1,
                                             gradient: { theta in calls += 1; return [Tensor(repeating: 1, shape: theta[0].shape)] })
        check(calls == 300, "the gradient should be evaluated once per iteration (300); it was called \(calls) times.", in: .ensemble4)
        check(snapshots.count == 3, "3 cycles give 3 snapshots; got \(snapshots.count).", in: .ensemble4)
        for (k, snapshot) in snapshots.prefix(3).enumerated() {
            check(snapshot.first ?? Tensor([.nan]), equals: Tensor([2 - 5.05 * Double(k + 1)]), "snapshot \(k + 1)", in: .ensemble4,
                  absoluteTolerance: 1e-10, relativeTolerance: 1e-10)
        }
    }

    @Test("rejects a gradient that does not match the parameters")
    func rejectsBadGradient() throws {
        try checkThrowsShapeError("snapshotEnsemble with a [3] gradient for a [2] parameter", in: .ensemble4) {
            _ = try snapshotEnsemble(initial: [Tensor([0, 0])], totalIterations: 4, cycles: 2, initialRate: 0.1,
                                     gradient: { _ in [Tensor([1, 1, 1])] })
        }
        try checkThrows(ArgumentError.self, "snapshotEnsemble with 10 iterations in 3 cycles", in: .ensemble4) {
            _ = try snapshotEnsemble(initial: [Tensor([0])], totalIterations: 10, cycles: 3, initialRate: 0.1,
                                     gradient: { $0 })
        }
    }
}

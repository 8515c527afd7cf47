import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let ensemble1 = Exercise(id: "Ensemble1", chapter: "13-Ensembles", file: "PredictionAveraging.swift",
                                    title: "Prediction averaging", points: 2)
    static let ensemble2 = Exercise(id: "Ensemble2", chapter: "13-Ensembles", file: "PredictionAveraging.swift",
                                    title: "Majority vote", points: 3)
}

enum EnsembleFixtures {
    /// Two members, two examples, three classes; the true classes are 0 and 2.
    static let memberA: [[Double]] = [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]]
    static let memberB: [[Double]] = [[0.3, 0.6, 0.1], [0.2, 0.2, 0.6]]
    /// (A + B) / 2, by hand.
    static let average: [[Double]] = [[0.5, 0.4, 0.1], [0.15, 0.4, 0.45]]
    static let labels = [0, 2]

    /// Mean cross-entropy −(1/N) Σ_n log p[n, y_n], written here so the tests need no other chapter.
    static func crossEntropy(_ p: Tensor, _ labels: [Int]) -> Double {
        -labels.enumerated().map { n, y in Foundation.log(p[n, y]) }.reduce(0, +) / Double(labels.count)
    }

    /// Seeded class probabilities `[n, k]`: a softmax of normal draws scaled by `spread`.
    static func randomProbabilities(_ n: Int, _ k: Int, spread: Double, using rng: inout SeededGenerator) throws -> Tensor {
        let z = Tensor.randomNormal(shape: [n, k], standardDeviation: spread, using: &rng)
        let e = exp(try z - (try z.max(alongAxis: 1, keepingDimension: true)))
        return try e / (try e.sum(alongAxis: 1, keepingDimension: true))
    }
}

@Suite("Ensemble1 · Prediction averaging", .graded(.ensemble1))
struct Ensemble1Tests {
    @Test("averages two members by hand")
    func byHand() throws {
        let f = EnsembleFixtures.self
        let got = try averagePredictions([try Tensor(f.memberA), try Tensor(f.memberB)])
        check(got, equals: try Tensor(f.average), "averagePredictions([A, B])", in: .ensemble1,
              misconceptions: [Misconception(try Tensor(f.average) * 2, "the members' predictions were added without dividing by the number of members")])
        let one = try averagePredictions([try Tensor(f.memberA)])
        check(one, equals: try Tensor(f.memberA), "the average of a single member", in: .ensemble1)
    }

    @Test("the averaged prediction's cross-entropy is no worse than the members' mean: 0.7458 ≤ 0.8189")
    func convexityByHand() throws {
        // Members: A gives the true classes 0.7 and 0.3, B gives 0.3 and 0.6:
        // mean loss ((−ln 0.7 − ln 0.3)/2 + (−ln 0.3 − ln 0.6)/2)/2 ≈ 0.8189.
        // The average gives 0.5 and 0.45: loss (−ln 0.5 − ln 0.45)/2 ≈ 0.7458.
        let f = EnsembleFixtures.self
        let members = [try Tensor(f.memberA), try Tensor(f.memberB)]
        let ensembleLoss = f.crossEntropy(try averagePredictions(members), f.labels)
        check(ensembleLoss, equals: (-Foundation.log(0.5) - Foundation.log(0.45)) / 2, "the cross-entropy of the average",
              in: .ensemble1, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        check(abs(ensembleLoss - 0.7458274) < 1e-6, "the ensemble's loss should be about 0.7458274; got \(ensembleLoss).", in: .ensemble1)
    }

    @Test("cross-entropy of the average ≤ mean cross-entropy of the members (Jensen), seeded", arguments: [1, 2, 3])
    func convexityProperty(seed: Int) throws {
        var rng = SeededGenerator(inputSeed: UInt64(seed))
        let members = try (0..<5).map { _ in try EnsembleFixtures.randomProbabilities(6, 4, spread: 2, using: &rng) }
        let labels = (0..<6).map { _ in Int(rng.next() % 4) }
        let ensembleLoss = EnsembleFixtures.crossEntropy(try averagePredictions(members), labels)
        let meanLoss = members.map { EnsembleFixtures.crossEntropy($0, labels) }.reduce(0, +) / 5
        // −log is convex, so −log(mean p) ≤ mean(−log p) for every example; the members
        // disagree here, so the inequality is strict by a clear margin.
        check(ensembleLoss < meanLoss - 1e-3,
              "the ensemble's cross-entropy \(ensembleLoss) should be below the members' mean \(meanLoss).", in: .ensemble1)
        // Identical members: the average is the member itself and the losses are equal.
        let same = EnsembleFixtures.crossEntropy(try averagePredictions([members[0], members[0], members[0]]), labels)
        check(same, equals: EnsembleFixtures.crossEntropy(members[0], labels), "the loss of three identical members",
              in: .ensemble1, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("rejects an empty ensemble and members of different shapes")
    func rejectsBadInput() throws {
        try checkThrowsShapeError("averagePredictions([])", in: .ensemble1) { _ = try averagePredictions([]) }
        try checkThrowsShapeError("averagePredictions of [2, 3] and [3]", in: .ensemble1) {
            _ = try averagePredictions([try Tensor(EnsembleFixtures.memberA), Tensor([0.2, 0.3, 0.5])])
        }
    }
}

@Suite("Ensemble2 · Majority vote", .graded(.ensemble2))
struct Ensemble2Tests {
    @Test("counts one vote per member, and can disagree with averaging")
    func byHand() throws {
        // Example 0: A votes 0, B and C vote 1 → class 1, although the average
        // [0.5833, 0.4167] prefers class 0 (A is very sure, B and C barely lean).
        // Example 1: A and B vote 1, C votes 0 → class 1.
        let a = try Tensor([[0.9, 0.1], [0.2, 0.8]])
        let b = try Tensor([[0.4, 0.6], [0.3, 0.7]])
        let c = try Tensor([[0.45, 0.55], [0.6, 0.4]])
        let votes = try majorityVote([a, b, c])
        check(votes == [1, 1], "majorityVote([A, B, C]) is \(votes), expected [1, 1].", in: .ensemble2)
    }

    @Test("breaks ties towards the lowest class index")
    func ties() throws {
        // Row 0: votes for 0 and 1 → 0. Row 1: votes for 2 and 1 → 1. Row 2: a member with
        // [0.5, 0.5, 0] votes 0 (its own tie), the other 2 → tie 0 vs 2 → 0.
        let a = try Tensor([[0.6, 0.4, 0.0], [0.1, 0.2, 0.7], [0.5, 0.5, 0.0]])
        let b = try Tensor([[0.3, 0.7, 0.0], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])
        let votes = try majorityVote([a, b])
        check(votes == [0, 1, 0], "majorityVote with ties is \(votes), expected [0, 1, 0].\(votes == [1, 2, 2] ? " Each tie went to the highest class index; it goes to the lowest (replace the best only on a strictly larger count)." : "")", in: .ensemble2)
    }

    @Test("agrees with each member's argmax for a single member, seeded")
    func singleMember() throws {
        var rng = SeededGenerator(inputSeed: 17)
        let p = try EnsembleFixtures.randomProbabilities(8, 5, spread: 1, using: &rng)
        let votes = try majorityVote([p])
        let argmax = try p.argmaxRows()
        check(votes == argmax, "one member's vote is its argmax: got \(votes), expected \(argmax).", in: .ensemble2)
    }

    @Test("rejects an empty ensemble and members of different shapes")
    func rejectsBadInput() throws {
        try checkThrowsShapeError("majorityVote([])", in: .ensemble2) { _ = try majorityVote([]) }
        try checkThrowsShapeError("majorityVote of [2, 3] and [2, 2]", in: .ensemble2) {
            _ = try majorityVote([try Tensor(EnsembleFixtures.memberA), try Tensor([[1, 0], [0, 1]])])
        }
    }
}

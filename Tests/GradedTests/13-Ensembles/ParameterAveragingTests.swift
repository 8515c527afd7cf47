import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let ensemble3 = Exercise(id: "Ensemble3", chapter: "13-Ensembles", file: "ParameterAveraging.swift",
                                    title: "Parameter averaging along one trajectory", points: 3)
}

/// A two-layer network `relu(x · W1 + b1) · W2 + b2`, written with core operations.
enum EnsembleTinyNetwork {
    static func forward(_ parameters: [Tensor], _ x: Tensor) throws -> Tensor {
        let hidden = (try x.matmul(parameters[0]) + parameters[1]).map { Swift.max(0, $0) }
        return try hidden.matmul(parameters[2]) + parameters[3]
    }

    /// The same network with its hidden units listed in another order: columns of W1, entries of
    /// b1 and rows of W2 permuted together. It computes exactly the same function.
    static func permuted(_ p: [Tensor], _ order: [Int]) throws -> [Tensor] {
        let w1 = try (try p[0].transposed()).gathering(order).transposed()
        let b1 = Tensor(order.map { p[1][$0] })
        return [w1, b1, try p[2].gathering(order), p[3]]
    }
}

@Suite("Ensemble3 · Parameter averaging along one trajectory", .graded(.ensemble3))
struct Ensemble3Tests {
    @Test("averages each parameter tensor elementwise")
    func byHand() throws {
        // W: ([1, 2] + [3, 4] + [5, 9]) / 3 = [3, 5]; b: (0 + 1 + 5) / 3 = 2.
        let got = try averageParameters([[Tensor([1, 2]), Tensor([0])], [Tensor([3, 4]), Tensor([1])], [Tensor([5, 9]), Tensor([5])]])
        check(got.count == 2, "averageParameters should return one tensor per parameter (2); got \(got.count).", in: .ensemble3)
        if got.count == 2 {
            check(got[0], equals: Tensor([3, 5]), "the averaged W", in: .ensemble3,
                  misconceptions: [Misconception(Tensor([9, 15]), "the snapshots' parameters were added without dividing by the number of snapshots")])
            check(got[1], equals: Tensor([2]), "the averaged b", in: .ensemble3,
                  misconceptions: [Misconception(Tensor([6]), "the snapshots' parameters were added without dividing by the number of snapshots")])
        }
    }

    @Test("along an oscillating descent the average beats every snapshot: θ = 1, −0.9, 0.81")
    func trajectory() throws {
        // Gradient descent on L(θ) = ½θ² with rate 1.9: θ ← θ − 1.9θ = −0.9θ, from θ = 1:
        // snapshots 1, −0.9, 0.81 bounce across the minimum. Their mean (1 − 0.9 + 0.81)/3
        // = 0.30333 has loss ½ · 0.30333² ≈ 0.0460, against a mean snapshot loss
        // ½ (1 + 0.81 + 0.6561)/3 ≈ 0.4110 (and L is convex, so this could not be reversed).
        let snapshots = [[Tensor([1])], [Tensor([-0.9])], [Tensor([0.81])]]
        let got = try averageParameters(snapshots)
        check(got.first ?? Tensor([.nan]), equals: Tensor([(1 - 0.9 + 0.81) / 3]), "the averaged θ", in: .ensemble3)
        let loss = { (theta: Double) in 0.5 * theta * theta }
        let averagedLoss = loss(got.first?.scalars.first ?? .nan)
        check(averagedLoss < 0.05 && averagedLoss < loss(0.81),
              "the averaged parameter's loss \(averagedLoss) should be about 0.0460, below every snapshot's.", in: .ensemble3)
    }

    @Test("across independent runs it breaks: a network and its permuted twin average to a different function")
    func independentRuns() throws {
        var rng = SeededGenerator(inputSeed: 41)
        let a = [Tensor.randomNormal(shape: [3, 4], using: &rng), Tensor.randomNormal(shape: [4], using: &rng),
                 Tensor.randomNormal(shape: [4, 2], using: &rng), Tensor.randomNormal(shape: [2], using: &rng)]
        let b = try EnsembleTinyNetwork.permuted(a, [2, 0, 3, 1])
        let x = Tensor.randomNormal(shape: [5, 3], using: &rng)
        let fa = try EnsembleTinyNetwork.forward(a, x)
        // The twins compute the same function (a check on the fixture itself)...
        check(try EnsembleTinyNetwork.forward(b, x), equals: fa, "the permuted twin's output", in: .ensemble3,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        // ...so averaging their *predictions* changes nothing, but averaging their
        // *parameters* mixes unrelated hidden units into a different network. For seed 41 the
        // largest output change is about 3.15 (measured); 0.1 leaves a wide margin.
        let averaged = try averageParameters([a, b])
        let gap = (try EnsembleTinyNetwork.forward(averaged, x) - fa).map(abs).max()
        check(gap > 0.1,
              "the network with averaged parameters should compute something clearly different (largest output change > 0.1); it changed by \(gap). Did you average each tensor elementwise?",
              in: .ensemble3)
    }

    @Test("rejects no snapshots, lists of different lengths and tensors of different shapes")
    func rejectsBadInput() throws {
        try checkThrowsShapeError("averageParameters([])", in: .ensemble3) { _ = try averageParameters([]) }
        try checkThrowsShapeError("averageParameters of a 2-tensor and a 1-tensor snapshot", in: .ensemble3) {
            _ = try averageParameters([[Tensor([1]), Tensor([2])], [Tensor([1])]])
        }
        try checkThrowsShapeError("averageParameters of [2] and [3] tensors", in: .ensemble3) {
            _ = try averageParameters([[Tensor([1, 2])], [Tensor([1, 2, 3])]])
        }
    }
}

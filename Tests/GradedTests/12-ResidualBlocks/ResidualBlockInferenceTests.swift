import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let residual3 = Exercise(id: "Residual3", chapter: "12-ResidualBlocks", file: "ResidualBlock.swift",
                                    title: "Residual block at test time", points: 3)
}

/// Inputs of the Residual3 suite. The hand example uses identity-like weights, variances that are
/// perfect squares and ε = 0, so every step is exact; the derivation is written beside the test.
enum ResidualInferenceExample {
    /// D = H = M = 2, w1 = I, b1 = 0, gamma1 = [1, 1], beta1 = [0.5, 1],
    /// w2 = [[1, 1], [0, 1]], b2 = [1, 0], gamma2 = [1, 2], beta2 = [0, 1].
    static func parameters() throws -> ResidualBlockParameters {
        ResidualBlockParameters(w1: try Tensor([[1, 0], [0, 1]]), b1: Tensor([0, 0]), gamma1: Tensor([1, 1]), beta1: Tensor([0.5, 1]),
                                w2: try Tensor([[1, 1], [0, 1]]), b2: Tensor([1, 0]), gamma2: Tensor([1, 2]), beta2: Tensor([0, 1]))
    }
    /// mean1 = [0, 0], variance1 = [4, 4]; mean2 = [1, 2], variance2 = [1, 16].
    static let statistics = ResidualBlockStatistics(mean1: Tensor([0, 0]), variance1: Tensor([4, 4]),
                                                    mean2: Tensor([1, 2]), variance2: Tensor([1, 16]))

    /// A seeded block 3 → 4 → 3 (identity shortcut) or 3 → 4 → 2 (projection), with statistics whose
    /// variances are 0.5 + z² > 0.
    static func seeded(projection: Bool) -> (x: Tensor, parameters: ResidualBlockParameters, statistics: ResidualBlockStatistics) {
        var rng = SeededGenerator(inputSeed: projection ? 122 : 121)
        let m = projection ? 2 : 3
        let p = ResidualBlockParameters(
            w1: Tensor.randomNormal(shape: [3, 4], using: &rng), b1: Tensor.randomNormal(shape: [4], using: &rng),
            gamma1: Tensor.randomNormal(shape: [4], mean: 1, standardDeviation: 0.3, using: &rng),
            beta1: Tensor.randomNormal(shape: [4], standardDeviation: 0.5, using: &rng),
            w2: Tensor.randomNormal(shape: [4, m], using: &rng), b2: Tensor.randomNormal(shape: [m], using: &rng),
            gamma2: Tensor.randomNormal(shape: [m], mean: 1, standardDeviation: 0.3, using: &rng),
            beta2: Tensor.randomNormal(shape: [m], standardDeviation: 0.5, using: &rng),
            projection: projection ? Tensor.randomNormal(shape: [3, m], using: &rng) : nil)
        let statistics = ResidualBlockStatistics(
            mean1: Tensor.randomNormal(shape: [4], using: &rng), variance1: Tensor.randomNormal(shape: [4], using: &rng).map { 0.5 + $0 * $0 },
            mean2: Tensor.randomNormal(shape: [m], using: &rng), variance2: Tensor.randomNormal(shape: [m], using: &rng).map { 0.5 + $0 * $0 })
        return (Tensor.randomNormal(shape: [5, 3], using: &rng), p, statistics)
    }
}

@Suite("Residual3 · Residual block at test time", .graded(.residual3))
struct Residual3Tests {
    @Test("reproduces a hand-derived example with stored statistics (ε = 0)")
    func handExample() throws {
        // Row 1, x = [2, 4]:  h1 = [2, 4]; n1 = h1/√4 + beta1 = [1.5, 3]; a1 = [1.5, 3];
        //   h2 = a1·w2 + b2 = [1.5 + 1, 1.5 + 3] = [2.5, 4.5];
        //   n2 = [1·(2.5 − 1)/√1 + 0, 2·(4.5 − 2)/√16 + 1] = [1.5, 2.25]; out = relu(x + n2) = [3.5, 6.25].
        // Row 2, x = [−4, 6]: n1 = [−2 + 0.5, 3 + 1] = [−1.5, 4]; a1 = [0, 4] (the inner relu matters:
        //   without it h2[1] would be 2.5); h2 = [1, 4]; n2 = [0, 2·2/4 + 1] = [0, 2]; out = relu([−4, 8]) = [0, 8].
        let x = try Tensor([[2, 4], [-4, 6]])
        let out = try residualBlockInference(x, parameters: try ResidualInferenceExample.parameters(),
                                             statistics: ResidualInferenceExample.statistics, epsilon: 0)
        check(out, equals: try Tensor([[3.5, 6.25], [0, 8]]), "residualBlockInference on the hand example", in: .residual3,
              misconceptions: [Misconception(try Tensor([[3.5, 6.25], [-4, 8]]), "the output is x + relu(F(x)): the ReLU was applied before the addition; the block is relu(x + F(x))")])
    }

    @Test("gives one example alone the same output as inside a batch", arguments: ["identity", "projection"])
    func singleExampleMatchesBatch(_ kind: String) throws {
        // With stored statistics nothing mixes the rows: row k of the batch's output is the output
        // of row k alone. (In training mode a batch of one has variance 0 and this fails.)
        let (x, p, statistics) = ResidualInferenceExample.seeded(projection: kind == "projection")
        let batched = try residualBlockInference(x, parameters: p, statistics: statistics)
        guard batched.shape == [5, p.w2.shape[1]] else {
            check(false, "the \(kind) block should return [5, \(p.w2.shape[1])], got \(batched.shape)", in: .residual3)
            return
        }
        for k in 0..<5 {
            let alone = try residualBlockInference(try x.slice(k..<(k + 1)), parameters: p, statistics: statistics)
            check(alone, equals: try batched.slice(k..<(k + 1)), "row \(k) alone versus inside the batch (\(kind))", in: .residual3)
        }
    }

    @Test("folds a batch's statistics into the running ones, the variance made unbiased by B/(B − 1)")
    func updatesRunningStatistics() throws {
        // A training cache of a batch of B = 4: only the batch norms' statistics matter here.
        // BN1: mean [1, 2], biased variance [3, 6] → unbiased ×4/3 = [4, 8];
        // BN2: mean [−1, 0], biased variance [0.75, 0] → unbiased [1, 0].
        // momentum 0.9: mean1 = 0.9·[0, 0] + 0.1·[1, 2] = [0.1, 0.2]; variance1 = 0.9·[1, 1] + 0.1·[4, 8] = [1.3, 1.7];
        // mean2 = 0.9·[1, 1] + 0.1·[−1, 0] = [0.8, 0.9]; variance2 = 0.9·[2, 2] + 0.1·[1, 0] = [1.9, 1.8].
        let x = Tensor(zeros: [4, 2])
        let bn1 = BatchNormCache(xHat: x, gamma: Tensor([1, 1]), mean: Tensor([1, 2]), variance: Tensor([3, 6]), epsilon: 1e-5)
        let bn2 = BatchNormCache(xHat: x, gamma: Tensor([1, 1]), mean: Tensor([-1, 0]), variance: Tensor([0.75, 0]), epsilon: 1e-5)
        let cache = ResidualBlockCache(x: x, dense1: DenseCache(x: x, weight: Tensor(zeros: [2, 2])), batchNorm1: bn1,
                                       relu1: ReLUCache(x: x), dense2: DenseCache(x: x, weight: Tensor(zeros: [2, 2])),
                                       batchNorm2: bn2, reluOut: ReLUCache(x: x), projection: nil)
        let before = ResidualBlockStatistics(mean1: Tensor([0, 0]), variance1: Tensor([1, 1]), mean2: Tensor([1, 1]), variance2: Tensor([2, 2]))
        let after = try updateResidualBlockStatistics(before, cache: cache, momentum: 0.9)
        check(after.mean1, equals: Tensor([0.1, 0.2]), "mean1", in: .residual3)
        check(after.variance1, equals: Tensor([1.3, 1.7]), "variance1 (the batch variance times B/(B − 1) = 4/3)", in: .residual3,
              misconceptions: [Misconception(Tensor([1.2, 1.5]), "the running variance averages in the biased batch variance; multiply it by B/(B − 1) first")])
        check(after.mean2, equals: Tensor([0.8, 0.9]), "mean2", in: .residual3)
        check(after.variance2, equals: Tensor([1.9, 1.8]), "variance2", in: .residual3)
        // B = 2, the smallest batch with a spread: ×2/1, so 0.9·[1, 1] + 0.1·[2, 1] = [1.1, 1].
        let pair = Tensor(zeros: [2, 2])
        let bnPair = BatchNormCache(xHat: pair, gamma: Tensor([1, 1]), mean: Tensor([0, 0]), variance: Tensor([1, 0.5]), epsilon: 1e-5)
        let pairCache = ResidualBlockCache(x: pair, dense1: DenseCache(x: pair, weight: Tensor(zeros: [2, 2])), batchNorm1: bnPair,
                                           relu1: ReLUCache(x: pair), dense2: DenseCache(x: pair, weight: Tensor(zeros: [2, 2])),
                                           batchNorm2: bnPair, reluOut: ReLUCache(x: pair), projection: nil)
        let afterPair = try updateResidualBlockStatistics(ResidualBlockStatistics.initial(first: 2, second: 2), cache: pairCache, momentum: 0.9)
        check(afterPair.variance1, equals: Tensor([1.1, 1]), "variance1 after a batch of B = 2 (×2/1)", in: .residual3)
    }

    @Test("refuses a batch of one, whose variance says nothing about the population")
    func rejectsBatchOfOne() throws {
        let x = Tensor(zeros: [1, 2])
        let bn = BatchNormCache(xHat: x, gamma: Tensor([1, 1]), mean: Tensor([0, 0]), variance: Tensor([0, 0]), epsilon: 1e-5)
        let cache = ResidualBlockCache(x: x, dense1: DenseCache(x: x, weight: Tensor(zeros: [2, 2])), batchNorm1: bn,
                                       relu1: ReLUCache(x: x), dense2: DenseCache(x: x, weight: Tensor(zeros: [2, 2])),
                                       batchNorm2: bn, reluOut: ReLUCache(x: x), projection: nil)
        try checkThrows(ArgumentError.self, "updateResidualBlockStatistics after a batch of 1", in: .residual3) {
            _ = try updateResidualBlockStatistics(ResidualBlockStatistics.initial(first: 2, second: 2), cache: cache)
        }
    }
}

import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let convResidual3 = Exercise(id: "ConvBlock3", chapter: "12-ResidualBlocks", file: "ConvResidualBlock.swift",
                                        title: "convolutional residual block at test time", points: 3)
}

/// Inputs of the ConvBlock3 suite.
enum ConvResidualInferenceExample {
    /// A seeded identity block (2 → 2 channels, stride 1) or projection block (2 → 3, stride 2) on
    /// x `[3, 4, 4, 2]`, with per-channel statistics whose variances are 0.5 + z² > 0.
    static func seeded(projection: Bool) -> (x: Tensor, parameters: ConvResidualBlockParameters, statistics: ResidualBlockStatistics) {
        var rng = SeededGenerator(inputSeed: projection ? 124 : 123)
        let (cin, cout) = (2, projection ? 3 : 2)
        let p = ConvResidualBlockParameters(
            conv1: Tensor.randomNormal(shape: [3, 3, cin, cout], standardDeviation: 0.5, using: &rng),
            gamma1: Tensor.randomNormal(shape: [cout], mean: 1, standardDeviation: 0.3, using: &rng),
            beta1: Tensor.randomNormal(shape: [cout], standardDeviation: 0.5, using: &rng),
            conv2: Tensor.randomNormal(shape: [3, 3, cout, cout], standardDeviation: 0.5, using: &rng),
            gamma2: Tensor.randomNormal(shape: [cout], mean: 1, standardDeviation: 0.3, using: &rng),
            beta2: Tensor.randomNormal(shape: [cout], standardDeviation: 0.5, using: &rng),
            projection: projection ? Tensor.randomNormal(shape: [1, 1, cin, cout], using: &rng) : nil,
            stride: projection ? 2 : 1)
        let statistics = ResidualBlockStatistics(
            mean1: Tensor.randomNormal(shape: [cout], using: &rng), variance1: Tensor.randomNormal(shape: [cout], using: &rng).map { 0.5 + $0 * $0 },
            mean2: Tensor.randomNormal(shape: [cout], using: &rng), variance2: Tensor.randomNormal(shape: [cout], using: &rng).map { 0.5 + $0 * $0 })
        return (Tensor.randomNormal(shape: [3, 4, 4, 2], using: &rng), p, statistics)
    }

    /// A training cache whose two batch norms saw x̂ `[2, 2, 2, 2]` (B = N·H·W = 8 values per channel)
    /// with the given batch statistics; the other layers' caches are placeholders.
    static func cache(mean1: [Double], variance1: [Double], mean2: [Double], variance2: [Double]) -> ConvResidualBlockCache {
        let xHat = Tensor(zeros: [2, 2, 2, 2])
        let conv = Conv2DCache(x: xHat, weight: Tensor(zeros: [3, 3, 2, 2]), configuration: Conv2DConfiguration(padding: 1))
        return ConvResidualBlockCache(
            conv1: conv, batchNorm1: SpatialBatchNormCache(xHat: xHat, gamma: Tensor([1, 1]), mean: Tensor(mean1), variance: Tensor(variance1), epsilon: 1e-5),
            relu1: ReLUCache(x: xHat), conv2: conv,
            batchNorm2: SpatialBatchNormCache(xHat: xHat, gamma: Tensor([1, 1]), mean: Tensor(mean2), variance: Tensor(variance2), epsilon: 1e-5),
            projection: nil, reluOut: ReLUCache(x: xHat))
    }
}

@Suite("ConvBlock3 · convolutional residual block at test time", .graded(.convResidual3))
struct ConvBlock3Tests {
    @Test("applies the ReLU after the addition: a 1x1 image x = −5 gives relu(−5 + 1) = 0")
    func reluAfterTheAddition() throws {
        // The hand example's block: h1 = 2x = −10, n1 = (−10 − 2)/√4 = −6, a1 = 0, h2 = 0,
        // n2 = 2·(0 − 0)/√9 + 1 = 1; out = relu(x + n2) = relu(−4) = 0. ReLU before the addition
        // would give x + relu(n2) = −4.
        let conv1 = Tensor(shape: [3, 3, 1, 1]) { $0 == 4 ? 2 : 5 }
        let conv2 = Tensor(shape: [3, 3, 1, 1]) { $0 == 4 ? 3 : 7 }
        let p = ConvResidualBlockParameters(conv1: conv1, gamma1: Tensor([1]), beta1: Tensor([0]),
                                            conv2: conv2, gamma2: Tensor([2]), beta2: Tensor([1]))
        let statistics = ResidualBlockStatistics(mean1: Tensor([2]), variance1: Tensor([4]), mean2: Tensor([0]), variance2: Tensor([9]))
        let out = try convResidualBlockInference(try Tensor(shape: [1, 1, 1, 1], scalars: [-5]), parameters: p, statistics: statistics, epsilon: 0)
        check(out, equals: try Tensor(shape: [1, 1, 1, 1], scalars: [0]), "convResidualBlockInference of x = −5", in: .convResidual3,
              misconceptions: [Misconception(-4, "the output is x + relu(F(x)): the ReLU was applied before the addition; the block is relu(x + F(x))")])
        // And x = 5, so that an answer of zeros does not pass: h1 = 10, n1 = (10 − 2)/2 = 4, a1 = 4,
        // h2 = 12, n2 = 2·12/3 + 1 = 9; out = relu(5 + 9) = 14.
        let positive = try convResidualBlockInference(try Tensor(shape: [1, 1, 1, 1], scalars: [5]), parameters: p, statistics: statistics, epsilon: 0)
        check(positive, equals: try Tensor(shape: [1, 1, 1, 1], scalars: [14]), "convResidualBlockInference of x = 5", in: .convResidual3)
    }

    @Test("reproduces a hand-derived example on 1x1 images (ε = 0)")
    func handExample() throws {
        // One channel, 1x1 images x = 3 and x = −1. With padding 1, a 3x3 kernel on a 1x1 image
        // meets zeros everywhere but its centre, so only the centres (2 and 3) count; the other
        // taps (5 and 7) would change the answer if the padding were wrong.
        //   h1 = 2x = [6, −2]; n1 = (h1 − 2)/√4 = [2, −2]; a1 = [2, 0]; h2 = 3·a1 = [6, 0];
        //   n2 = 2·(h2 − 0)/√9 + 1 = [5, 1]; out = relu(x + n2) = relu([8, 0]) = [8, 0].
        let conv1 = Tensor(shape: [3, 3, 1, 1]) { $0 == 4 ? 2 : 5 }
        let conv2 = Tensor(shape: [3, 3, 1, 1]) { $0 == 4 ? 3 : 7 }
        let p = ConvResidualBlockParameters(conv1: conv1, gamma1: Tensor([1]), beta1: Tensor([0]),
                                            conv2: conv2, gamma2: Tensor([2]), beta2: Tensor([1]))
        let statistics = ResidualBlockStatistics(mean1: Tensor([2]), variance1: Tensor([4]), mean2: Tensor([0]), variance2: Tensor([9]))
        let x = try Tensor(shape: [2, 1, 1, 1], scalars: [3, -1])
        let out = try convResidualBlockInference(x, parameters: p, statistics: statistics, epsilon: 0)
        check(out, equals: try Tensor(shape: [2, 1, 1, 1], scalars: [8, 0]), "convResidualBlockInference on 1x1 images", in: .convResidual3)
    }

    @Test("gives one image alone the same output as inside a batch", arguments: ["identity", "projection"])
    func singleImageMatchesBatch(_ kind: String) throws {
        // The projection block halves the resolution and goes from 2 to 3 channels: [3, 4, 4, 2] → [3, 2, 2, 3].
        let (x, p, statistics) = ConvResidualInferenceExample.seeded(projection: kind == "projection")
        let batched = try convResidualBlockInference(x, parameters: p, statistics: statistics)
        let expectedShape = kind == "projection" ? [3, 2, 2, 3] : [3, 4, 4, 2]
        guard batched.shape == expectedShape else {
            check(false, "the \(kind) block should return \(expectedShape), got \(batched.shape)", in: .convResidual3)
            return
        }
        for k in 0..<3 {
            let alone = try convResidualBlockInference(try x.slice(k..<(k + 1)), parameters: p, statistics: statistics)
            check(alone, equals: try batched.slice(k..<(k + 1)), "image \(k) alone versus inside the batch (\(kind))", in: .convResidual3)
        }
    }

    @Test("refuses an identity shortcut when the shape changes")
    func rejectsMissingProjection() throws {
        let (x, projecting, statistics) = ConvResidualInferenceExample.seeded(projection: true)
        var p = projecting
        p.projection = nil
        try checkThrowsShapeError("convResidualBlockInference from 2 to 3 channels, stride 2, without a projection", in: .convResidual3) {
            _ = try convResidualBlockInference(x, parameters: p, statistics: statistics)
        }
    }

    @Test("folds a batch's per-channel statistics into the running ones, with B = N·H·W")
    func updatesRunningStatistics() throws {
        // Each channel averaged B = 2·2·2 = 8 values, so the unbiased variance is ×8/7 (not ×2/1,
        // the factor for N = 2 images): BN1 [7, 14] → [8, 16], BN2 [0, 3.5] → [0, 4].
        // momentum 0.5: mean1 = 0.5·[0, 0] + 0.5·[1, −2] = [0.5, −1]; variance1 = 0.5·[1, 1] + 0.5·[8, 16] = [4.5, 8.5];
        // mean2 = 0.5·[1, 1] + 0.5·[4, 0] = [2.5, 0.5]; variance2 = 0.5·[2, 2] + 0.5·[0, 4] = [1, 3].
        let cache = ConvResidualInferenceExample.cache(mean1: [1, -2], variance1: [7, 14], mean2: [4, 0], variance2: [0, 3.5])
        let before = ResidualBlockStatistics(mean1: Tensor([0, 0]), variance1: Tensor([1, 1]), mean2: Tensor([1, 1]), variance2: Tensor([2, 2]))
        let after = try updateConvResidualBlockStatistics(before, cache: cache, momentum: 0.5)
        check(after.mean1, equals: Tensor([0.5, -1]), "mean1", in: .convResidual3)
        check(after.variance1, equals: Tensor([4.5, 8.5]), "variance1 (the batch variance times B/(B − 1) = 8/7)", in: .convResidual3,
              misconceptions: [Misconception(Tensor([4, 7.5]), "the running variance averages in the biased batch variance; multiply it by B/(B − 1) first"),
                               Misconception(Tensor([7.5, 14.5]), "B in B/(B − 1) was taken as the N = 2 images; each channel's statistics average B = N·H·W = 8 values")])
        check(after.mean2, equals: Tensor([2.5, 0.5]), "mean2", in: .convResidual3)
        check(after.variance2, equals: Tensor([1, 3]), "variance2", in: .convResidual3)
        // One channel, one image of 1 x 2: B = 2 values, the smallest batch with a spread, ×2/1:
        // variance1 = 0.5·[2] + 0.5·[1.5·2] = [2.5].
        let xHat = Tensor(zeros: [1, 1, 2, 1])
        let conv = Conv2DCache(x: xHat, weight: Tensor(zeros: [3, 3, 1, 1]), configuration: Conv2DConfiguration(padding: 1))
        let bn = SpatialBatchNormCache(xHat: xHat, gamma: Tensor([1]), mean: Tensor([3]), variance: Tensor([1.5]), epsilon: 1e-5)
        let single = ConvResidualBlockCache(conv1: conv, batchNorm1: bn, relu1: ReLUCache(x: xHat), conv2: conv, batchNorm2: bn,
                                            projection: nil, reluOut: ReLUCache(x: xHat))
        let one = ResidualBlockStatistics(mean1: Tensor([0]), variance1: Tensor([2]), mean2: Tensor([0]), variance2: Tensor([2]))
        let updated = try updateConvResidualBlockStatistics(one, cache: single, momentum: 0.5)
        check(updated.variance1, equals: Tensor([2.5]), "variance1 for one channel of B = 1·1·2 = 2 values (×2/1)", in: .convResidual3)
    }
}

import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let spatialBatchNorm1 = Exercise(id: "SpatialBN1", chapter: "11-Normalization", file: "SpatialBatchNorm.swift", title: "spatial batch norm forward", points: 3)
    static let spatialBatchNorm2 = Exercise(id: "SpatialBN2", chapter: "11-Normalization", file: "SpatialBatchNorm.swift", title: "spatial batch norm at test time", points: 2)
    static let spatialBatchNorm3 = Exercise(id: "SpatialBN3", chapter: "11-Normalization", file: "SpatialBatchNorm.swift", title: "spatial batch norm backward", points: 4)
}

/// Hand-worked fixtures for the normalization suites, and a gradient-check helper.
enum NormFixtures {
    /// x `[2, 1, 2, 2]` (N = 2, H = 1, W = 2, C = 2), flat in (n, h, w, c) order.
    /// Channel 0 over (n, w) is {1, 3, 1, 3}: mean 2, biased variance 1, x̂ = {−1, 1, −1, 1}.
    /// Channel 1 over (n, w) is {0, 0, 4, 4}: mean 2, biased variance 4, x̂ = {−1, −1, 1, 1}.
    static let x: [Double] = [1, 0, 3, 0, 1, 4, 3, 4]
    static let xHat: [Double] = [-1, -1, 1, -1, -1, 1, 1, 1]
    static let gamma: [Double] = [2, 0.5]
    static let beta: [Double] = [0, 1]
    /// γ·x̂ + β per channel: channel 0 → 2·x̂, channel 1 → 0.5·x̂ + 1.
    static let out: [Double] = [-2, 0.5, 2, 0.5, -2, 1.5, 2, 1.5]
    /// An upstream gradient on one entry of channel 0. By hand, with dx̂ = γ·dout = {2, 0, 0, 0} on
    /// channel 0: mean(dx̂) = 0.5, mean(dx̂·x̂) = −0.5, σ = 1, so
    /// dx = dx̂ − 0.5 − x̂·(−0.5) = {2 − 0.5 − 0.5, −0.5 + 0.5, −0.5 − 0.5, −0.5 + 0.5} = {1, 0, −1, 0};
    /// dγ = Σ dout·x̂ = {−1, 0}, dβ = Σ dout = {1, 0}.
    static let dout: [Double] = [1, 0, 0, 0, 0, 0, 0, 0]
    static let dx: [Double] = [1, 0, 0, 0, -1, 0, 0, 0]
    static let dgamma: [Double] = [-1, 0]
    static let dbeta: [Double] = [1, 0]

    static func tensor(_ scalars: [Double], _ shape: [Int]) throws -> Tensor { try Tensor(shape: shape, scalars: scalars) }

    /// Gradient checks of a normalization layer's dx, dγ and dβ at seeded random inputs.
    static func checkNormGradients(
        _ exercise: Exercise, seed: UInt64, shape: [Int],
        forward: (Tensor, Tensor, Tensor) throws -> Tensor,
        backward: (Tensor, Tensor, Tensor, Tensor) throws -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor)
    ) throws {
        var rng = SeededGenerator(inputSeed: seed)
        let c = shape[shape.count - 1]
        // A non-zero mean and a non-unit scale, so that centring and scaling both matter.
        let x = Tensor.randomNormal(shape: shape, mean: 1.5, standardDeviation: 2, using: &rng)
        let gamma = Tensor.randomNormal(shape: [c], mean: 1, standardDeviation: 0.5, using: &rng)
        let beta = Tensor.randomNormal(shape: [c], using: &rng)
        let dout = Tensor.randomNormal(shape: shape, using: &rng)
        let (dx, dgamma, dbeta) = try backward(dout, x, gamma, beta)
        let numericX = try numericGradient(of: { try forward($0, gamma, beta) }, at: x, upstream: dout)
        let numericGamma = try numericGradient(of: { try forward(x, $0, beta) }, at: gamma, upstream: dout)
        let numericBeta = try numericGradient(of: { try forward(x, gamma, $0) }, at: beta, upstream: dout)
        checkGradient(dx, matches: numericX, "dx", in: exercise)
        checkGradient(dgamma, matches: numericGamma, "dgamma", in: exercise)
        checkGradient(dbeta, matches: numericBeta, "dbeta", in: exercise)
    }
}

@Suite("SpatialBN1 · spatial batch norm forward", .graded(.spatialBatchNorm1))
struct SpatialBN1Tests {
    @Test("normalizes each channel over N, H and W: the hand-worked example")
    func handExample() throws {
        // ε = 0 keeps the answers exact: σ = 1 and σ = 2.
        let (out, cache) = try spatialBatchNormForward(try NormFixtures.tensor(NormFixtures.x, [2, 1, 2, 2]),
                                                       gamma: Tensor(NormFixtures.gamma), beta: Tensor(NormFixtures.beta), epsilon: 0)
        check(out, equals: try NormFixtures.tensor(NormFixtures.out, [2, 1, 2, 2]), "out", in: .spatialBatchNorm1)
        check(cache.mean, equals: Tensor([2, 2]), "cache.mean (per channel)", in: .spatialBatchNorm1)
        check(cache.variance, equals: Tensor([1, 4]), "cache.variance (per channel, biased: ÷ N·H·W)", in: .spatialBatchNorm1,
              misconceptions: [Misconception(Tensor([4.0 / 3, 16.0 / 3]), "the variance divides by M − 1 (unbiased); in training batch norm divides by M = N·H·W")])
        check(cache.xHat, equals: try NormFixtures.tensor(NormFixtures.xHat, [2, 1, 2, 2]), "cache.xHat", in: .spatialBatchNorm1)
    }

    @Test("one channel: every value of the batch is normalized by the same mean and variance")
    func oneChannel() throws {
        // x [2, 2, 2, 1] = 1…8: mean 4.5, biased variance 5.25; with ε = 0, out = (x − 4.5)/√5.25.
        let x = try Tensor(shape: [2, 2, 2, 1], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let (out, _) = try spatialBatchNormForward(x, gamma: Tensor([1]), beta: Tensor([0]), epsilon: 0)
        check(out, equals: (x - 4.5) / 5.25.squareRoot(), "spatialBatchNormForward of a one-channel [2, 2, 2, 1] batch",
              in: .spatialBatchNorm1, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("gives every channel mean β and standard deviation γ (notes 001)")
    func meanBetaStdGamma() throws {
        var rng = SeededGenerator(inputSeed: 21)
        let x = Tensor.randomNormal(shape: [4, 3, 3, 3], mean: 5, standardDeviation: 3, using: &rng)
        let gamma = Tensor([0.5, 2, 3]), beta = Tensor([-1, 0, 4])
        let (out, _) = try spatialBatchNormForward(x, gamma: gamma, beta: beta)
        let mean = try out.mean(alongAxes: [0, 1, 2])
        let std = try out.variance(alongAxes: [0, 1, 2]).squareRoot()
        // Exact in the mean; the std is γ·σ/√(σ² + ε) with σ ≈ 3, ε = 1e-5: off by ~6e-7·γ.
        check(mean, equals: beta, "per-channel mean of the output", in: .spatialBatchNorm1, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        check(std, equals: gamma, "per-channel standard deviation of the output", in: .spatialBatchNorm1, absoluteTolerance: 1e-5, relativeTolerance: 1e-5)
    }

    @Test("gives back its input when γ = √(σ² + ε) and β = μ (notes 002)")
    func identity() throws {
        // The mean and variance are computed here, independently, per channel over (n, h, w).
        var rng = SeededGenerator(inputSeed: 22)
        let x = Tensor.randomNormal(shape: [3, 2, 4, 2], mean: -2, standardDeviation: 4, using: &rng)
        let mu = try x.mean(alongAxes: [0, 1, 2])
        let sigma2 = try x.variance(alongAxes: [0, 1, 2])
        let (out, _) = try spatialBatchNormForward(x, gamma: (sigma2 + 1e-5).squareRoot(), beta: mu)
        // Returning x itself passes this; β shifts the output, whatever x is.
        let (shifted, _) = try spatialBatchNormForward(x, gamma: (sigma2 + 1e-5).squareRoot(), beta: mu + 1)
        check(shifted, equals: x + 1, "spatialBatchNormForward with β = μ + 1 (β shifts every output by 1)", in: .spatialBatchNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        check(out, equals: x, "spatialBatchNormForward with γ = √(σ² + ε), β = μ", in: .spatialBatchNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("rejects γ whose length is not the channel count")
    func rejectsWrongGamma() throws {
        try checkThrowsShapeError("spatialBatchNormForward with x [1, 2, 2, 3] and gamma [2]", in: .spatialBatchNorm1) {
            _ = try spatialBatchNormForward(Tensor(zeros: [1, 2, 2, 3]), gamma: Tensor([1, 1]), beta: Tensor([0, 0, 0]))
        }
    }
}

@Suite("SpatialBN2 · spatial batch norm at test time", .graded(.spatialBatchNorm2))
struct SpatialBN2Tests {
    @Test("uses the given statistics, not the batch's")
    func givenStatistics() throws {
        // With mean 0, variance 4 on channel 0 (γ = 2): 2·x/2 = x → {1, 3, 1, 3}.
        // With mean 0, variance 1 on channel 1 (γ = 0.5, β = 1): 0.5·x + 1 → {1, 1, 3, 3}. By hand, ε = 0.
        let out = try spatialBatchNormInference(try NormFixtures.tensor(NormFixtures.x, [2, 1, 2, 2]),
                                                gamma: Tensor(NormFixtures.gamma), beta: Tensor(NormFixtures.beta),
                                                mean: Tensor([0, 0]), variance: Tensor([4, 1]), epsilon: 0)
        check(out, equals: try NormFixtures.tensor([1, 1, 3, 1, 1, 3, 3, 3], [2, 1, 2, 2]), "out", in: .spatialBatchNorm2)
        // One channel (a grey image): mean 2, variance 4, γ = 2, β = 1 give 2·(x − 2)/2 + 1 = x − 1 at every pixel.
        let grey = try spatialBatchNormInference(try NormFixtures.tensor([1, 2, 3, 4], [1, 2, 2, 1]), gamma: Tensor([2]), beta: Tensor([1]),
                                                 mean: Tensor([2]), variance: Tensor([4]), epsilon: 0)
        check(grey, equals: try NormFixtures.tensor([0, 1, 2, 3], [1, 2, 2, 1]), "out for one channel (every pixel x − 1)", in: .spatialBatchNorm2)
    }

    @Test("subtracts the running mean before scaling, and adds ε inside the square root")
    func meanAndEpsilon() throws {
        // The batch's own statistics (mean [2, 2], variance [1, 4]) with ε = 0 give the training
        // output of the hand-worked example. Subtracting μ after scaling, x·γ/σ + β − μ, gives
        // channel 0: 2x − 2 → {0, 4, 0, 4} and channel 1: x/4 − 1 → {−1, −1, 0, 0} (by hand).
        let x = try NormFixtures.tensor(NormFixtures.x, [2, 1, 2, 2])
        let (gamma, beta) = (Tensor(NormFixtures.gamma), Tensor(NormFixtures.beta))
        let out = try spatialBatchNormInference(x, gamma: gamma, beta: beta, mean: Tensor([2, 2]), variance: Tensor([1, 4]), epsilon: 0)
        check(out, equals: try NormFixtures.tensor(NormFixtures.out, [2, 1, 2, 2]), "out with the batch's statistics", in: .spatialBatchNorm2,
              misconceptions: [Misconception(try NormFixtures.tensor([0, -1, 4, -1, 0, 0, 4, 0], [2, 1, 2, 2]),
                                             "the running mean was subtracted after scaling (β − μ); it is subtracted before: γ·(x − μ)/√(σ² + ε) + β")])
        // ε = 1: the definition, γ·(x − μ)/√(σ² + 1) + β, against √σ² + 1 (ε outside the root).
        let inside = try (x - Tensor([2, 2])) / Tensor([Double(2).squareRoot(), Double(5).squareRoot()]) * gamma + beta
        let outside = try (x - Tensor([2, 2])) / Tensor([2, 3]) * gamma + beta
        let withEpsilon = try spatialBatchNormInference(x, gamma: gamma, beta: beta, mean: Tensor([2, 2]), variance: Tensor([1, 4]), epsilon: 1)
        check(withEpsilon, equals: inside, "out with ε = 1", in: .spatialBatchNorm2, absoluteTolerance: 1e-12, relativeTolerance: 1e-12,
              misconceptions: [Misconception(outside, "the output divides by √σ² + ε: ε outside the square root; batch norm divides by √(σ² + ε)")])
    }

    @Test("treats each image on its own: one image alone gives its row of the batch's output")
    func independentOfTheBatch() throws {
        var rng = SeededGenerator(inputSeed: 23)
        let x = Tensor.randomNormal(shape: [3, 2, 2, 2], using: &rng)
        let (gamma, beta, mean, variance) = (Tensor([1.5, 0.5]), Tensor([0, 1]), Tensor([0.2, -0.3]), Tensor([2, 0.5]))
        let all = try spatialBatchNormInference(x, gamma: gamma, beta: beta, mean: mean, variance: variance)
        let one = try spatialBatchNormInference(try x.slice(1..<2), gamma: gamma, beta: beta, mean: mean, variance: variance)
        check(one, equals: try all.slice(1..<2), "image 1 alone versus image 1 in the batch", in: .spatialBatchNorm2)
        // The input or a constant is the same alone and in the batch too: undo the normalization.
        let undone = try (one - beta) / gamma * (variance + 1e-5).squareRoot() + mean
        check(undone, equals: try x.slice(1..<2), "(out − β)/γ·√(σ² + ε) + μ (should give image 1 back)", in: .spatialBatchNorm2,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }
}

@Suite("SpatialBN3 · spatial batch norm backward", .graded(.spatialBatchNorm3))
struct SpatialBN3Tests {
    @Test("reproduces the hand-worked gradients")
    func handExample() throws {
        let cache = SpatialBatchNormCache(xHat: try NormFixtures.tensor(NormFixtures.xHat, [2, 1, 2, 2]), gamma: Tensor(NormFixtures.gamma),
                                          mean: Tensor([2, 2]), variance: Tensor([1, 4]), epsilon: 0)
        let (dx, dgamma, dbeta) = try spatialBatchNormBackward(try NormFixtures.tensor(NormFixtures.dout, [2, 1, 2, 2]), cache: cache)
        checkExactGradient(dx, equals: try NormFixtures.tensor(NormFixtures.dx, [2, 1, 2, 2]), "dx", in: .spatialBatchNorm3,
              misconceptions: [Misconception(try NormFixtures.tensor([2, 0, 0, 0, 0, 0, 0, 0], [2, 1, 2, 2]), NormMistakes.constants)])
        checkExactGradient(dgamma, equals: Tensor(NormFixtures.dgamma), "dgamma", in: .spatialBatchNorm3,
              misconceptions: [Misconception(Tensor([-0.25, 0]), NormMistakes.averagedGamma)])
        checkExactGradient(dbeta, equals: Tensor(NormFixtures.dbeta), "dbeta", in: .spatialBatchNorm3)
    }

    @Test("matches the numeric gradients of x, γ and β, with three channels and with one", arguments: [[2, 3, 3, 3], [2, 2, 3, 1]])
    func gradientCheck(shape: [Int]) throws {
        try NormFixtures.checkNormGradients(.spatialBatchNorm3, seed: 24, shape: shape,
            forward: { try spatialBatchNormForward($0, gamma: $1, beta: $2).out },
            backward: { dout, x, gamma, beta in try spatialBatchNormBackward(dout, cache: try spatialBatchNormForward(x, gamma: gamma, beta: beta).cache) })
    }

    @Test("passes no gradient for a constant upstream gradient: shifting all outputs is undone by the mean")
    func constantUpstream() throws {
        // dx̂ is constant per channel, so dx̂ − mean(dx̂) = 0, and mean(dx̂·x̂) = c·mean(x̂) = 0.
        var rng = SeededGenerator(inputSeed: 25)
        let (_, cache) = try spatialBatchNormForward(Tensor.randomNormal(shape: [2, 2, 3, 2], using: &rng), gamma: Tensor([1, 3]), beta: Tensor([0, 0]))
        let (dx, _, dbeta) = try spatialBatchNormBackward(Tensor(repeating: 0.7, shape: [2, 2, 3, 2]), cache: cache)
        // dx = 0 also holds for a backward pass that returns zeros: dβ = Σ dout = 0.7 · 12 per channel.
        check(dbeta, equals: Tensor([8.4, 8.4]), "dbeta for dout = 0.7 over N·H·W = 12 entries per channel", in: .spatialBatchNorm3,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        check(dx, equals: Tensor(zeros: [2, 2, 3, 2]), "dx for dout = 0.7 everywhere", in: .spatialBatchNorm3,
              absoluteTolerance: 1e-12, relativeTolerance: 0)
    }
}

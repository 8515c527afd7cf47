import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let layerNorm1 = Exercise(id: "LayerNorm1", chapter: "11-Normalization", file: "LayerNorm.swift", title: "layer norm forward", points: 2)
    static let layerNorm2 = Exercise(id: "LayerNorm2", chapter: "11-Normalization", file: "LayerNorm.swift", title: "layer norm backward", points: 3)
    static let instanceNorm1 = Exercise(id: "InstanceNorm1", chapter: "11-Normalization", file: "InstanceNorm.swift", title: "instance norm forward", points: 2)
    static let instanceNorm2 = Exercise(id: "InstanceNorm2", chapter: "11-Normalization", file: "InstanceNorm.swift", title: "instance norm backward", points: 3)
    static let groupNorm1 = Exercise(id: "GroupNorm1", chapter: "11-Normalization", file: "GroupNorm.swift", title: "group norm forward", points: 3)
    static let groupNorm2 = Exercise(id: "GroupNorm2", chapter: "11-Normalization", file: "GroupNorm.swift", title: "group norm backward", points: 3)
}

/// The same eight numbers as the spatial batch-norm example, regrouped by each layer's rule.
enum NormGroupingExample {
    /// Layer norm, x `[2, 1, 1, 4]`: example 0 is {1, 3, 1, 3} (mean 2, variance 1), example 1 is
    /// {0, 0, 4, 4} (mean 2, variance 4). With γ = [1, 2, 3, 4], β = [0, 0, 0, 1], by hand:
    /// x̂ = {−1, 1, −1, 1} and {−1, −1, 1, 1}; out = γ·x̂ + β = {−1, 2, −3, 5} and {−1, −2, 3, 5}.
    static let layerX: [Double] = [1, 3, 1, 3, 0, 0, 4, 4]
    static let layerXHat: [Double] = [-1, 1, -1, 1, -1, -1, 1, 1]
    static let layerGamma: [Double] = [1, 2, 3, 4]
    static let layerBeta: [Double] = [0, 0, 0, 1]
    static let layerOut: [Double] = [-1, 2, -3, 5, -1, -2, 3, 5]
    /// Instance norm, x `[1, 2, 2, 2]` (one image, 2x2 pixels, 2 channels), flat (h, w, c):
    /// channel 0 = {1, 3, 1, 3}, channel 1 = {0, 0, 4, 4}: x̂ as for batch norm's example.
    static let instanceX: [Double] = [1, 0, 3, 0, 1, 4, 3, 4]
    /// Group norm, x `[1, 1, 2, 4]`, G = 2: group 0 = channels 0, 1 = {1, 3, 1, 3} over the two
    /// pixels; group 1 = channels 2, 3 = {0, 0, 4, 4}. With γ = 1, β = 0, by hand:
    /// pixel 0 → [−1, 1, −1, −1], pixel 1 → [−1, 1, 1, 1].
    static let groupX: [Double] = [1, 3, 0, 0, 1, 3, 4, 4]
    static let groupOut: [Double] = [-1, 1, -1, -1, -1, 1, 1, 1]
    /// Backward, by hand as in NormFixtures: a 1 on the first entry of a group of four whose x̂ is
    /// {−1, 1, −1, 1}, with γ = g there and σ = 1, gives dx̂ = {g, 0, 0, 0}, mean(dx̂) = g/4,
    /// mean(dx̂·x̂) = −g/4, so dx = dx̂ − g/4 + x̂·g/4 = (g/2)·{1, 0, −1, 0} on that group.
}

/// What the usual normalization mistakes give on the hand-worked examples (ε = 0), worked by hand.
enum NormMistakes {
    /// Layer norm's example normalized over the batch axis (each feature over the 2 examples):
    /// x̂ = [[1, 1, −1, −1], [−1, −1, 1, 1]], then γ·x̂ + β.
    static let layerOverBatch: [Double] = [1, 2, -3, -3, -1, -2, 3, 5]
    /// Group norm's example with channel c in group c mod 2: groups {1, 0, 1, 4} and {3, 0, 3, 4},
    /// means 1.5 and 2.5, both variances 2.25 (σ = 1.5).
    static let groupInterleaved: [Double] = [-1.0 / 3, 1.0 / 3, -1, -5.0 / 3, -1.0 / 3, 1.0 / 3, 5.0 / 3, 1]
    static let constants = "dx = γ·dout/σ treats the mean and variance as constants; both depend on every entry of the group, which adds −mean(dx̂) and −x̂·mean(dx̂·x̂)"
    static let averagedGamma = "the code averages dγ over the positions; γ multiplies x̂ at every position, so dγ sums dout·x̂"
}

@Suite("LayerNorm1 · layer norm forward", .graded(.layerNorm1))
struct LayerNorm1Tests {
    @Test("adds ε inside the square root: {1, 3, 1, 3} with ε = 1 gives ±1/√2")
    func epsilonInsideTheRoot() throws {
        // Mean 2, biased variance 1: with ε = 1 the entries are ±1/√(1 + 1); ε added to σ would give ±1/2.
        let x = try NormFixtures.tensor([1, 3, 1, 3], [1, 4])
        let (out, _) = try layerNormForward(x, gamma: Tensor([1, 1, 1, 1]), beta: Tensor([0, 0, 0, 0]), epsilon: 1)
        let r = 1 / Double(2).squareRoot()
        check(out, equals: try NormFixtures.tensor([-r, r, -r, r], [1, 4]), "out with ε = 1", in: .layerNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12,
              misconceptions: [Misconception(try NormFixtures.tensor([-0.5, 0.5, -0.5, 0.5], [1, 4]), "the output divides by √σ² + ε: ε outside the square root; normalization divides by √(σ² + ε)")])
    }

    @Test("normalizes each example over all of its entries: the hand-worked example")
    func handExample() throws {
        let (out, cache) = try layerNormForward(try NormFixtures.tensor(NormGroupingExample.layerX, [2, 1, 1, 4]),
                                                gamma: Tensor(NormGroupingExample.layerGamma), beta: Tensor(NormGroupingExample.layerBeta), epsilon: 0)
        check(out, equals: try NormFixtures.tensor(NormGroupingExample.layerOut, [2, 1, 1, 4]), "out", in: .layerNorm1,
              misconceptions: [Misconception(try NormFixtures.tensor(NormMistakes.layerOverBatch, [2, 1, 1, 4]),
                                             "each feature was normalized over the batch axis (that is batch norm); layer norm normalizes each example over its own entries")])
        check(cache.mean, equals: Tensor([2, 2]), "cache.mean (per example)", in: .layerNorm1)
        check(cache.variance, equals: Tensor([1, 4]), "cache.variance (per example)", in: .layerNorm1)
    }

    @Test("normalizes feature vectors [N, D] too (PyTorch's LayerNorm(D)): the same example as rows")
    func featureVectors() throws {
        // The eight numbers of the hand-worked example as x [2, 4]: example 0 = [1, 3, 1, 3], example 1 = [0, 0, 4, 4];
        // γ and β now act per feature, with the same values, so out is the same numbers.
        let (out, cache) = try layerNormForward(try NormFixtures.tensor(NormGroupingExample.layerX, [2, 4]),
                                                gamma: Tensor(NormGroupingExample.layerGamma), beta: Tensor(NormGroupingExample.layerBeta), epsilon: 0)
        check(out, equals: try NormFixtures.tensor(NormGroupingExample.layerOut, [2, 4]), "out for x [2, 4]", in: .layerNorm1)
        check(cache.mean, equals: Tensor([2, 2]), "cache.mean (per example)", in: .layerNorm1)
        check(cache.variance, equals: Tensor([1, 4]), "cache.variance (per example)", in: .layerNorm1)
        try checkThrowsShapeError("layerNormForward with x [2, 2, 4] (neither [N, D] nor NHWC)", in: .layerNorm1) {
            _ = try layerNormForward(Tensor(zeros: [2, 2, 4]), gamma: Tensor(zeros: [4]), beta: Tensor(zeros: [4]))
        }
        try checkThrowsShapeError("layerNormForward with x [2, 4] and gamma [3]", in: .layerNorm1) {
            _ = try layerNormForward(Tensor(zeros: [2, 4]), gamma: Tensor(zeros: [3]), beta: Tensor(zeros: [3]))
        }
    }

    @Test("treats each example on its own, in training as at test time")
    func independentOfTheBatch() throws {
        var rng = SeededGenerator(inputSeed: 31)
        let x = Tensor.randomNormal(shape: [3, 2, 2, 3], mean: 1, standardDeviation: 2, using: &rng)
        let (gamma, beta) = (Tensor([1, 2, 0.5]), Tensor([0, 1, -1]))
        let (all, _) = try layerNormForward(x, gamma: gamma, beta: beta)
        let (one, _) = try layerNormForward(try x.slice(2..<3), gamma: gamma, beta: beta)
        check(one, equals: try all.slice(2..<3), "example 2 alone versus in the batch (batch norm would differ)", in: .layerNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        // The input itself is also the same alone and in the batch: x̂ = (out − β)/γ has mean 0 over the example.
        let xHat = try (one - beta) / gamma
        check(abs(xHat.mean()) < 1e-12, "(out − β)/γ of example 2 should have mean 0 over its 12 entries; it has \(xHat.mean()).", in: .layerNorm1)
    }
}

@Suite("LayerNorm2 · layer norm backward", .graded(.layerNorm2))
struct LayerNorm2Tests {
    @Test("reproduces a hand-worked gradient")
    func handExample() throws {
        // Example 0 has x̂ = {−1, 1, −1, 1}, σ = 1; dout = 1 on its first entry, where γ = 1:
        // dx = (1/2)·{1, 0, −1, 0} (see NormGroupingExample); example 1 gets no gradient.
        // dγ = dout·x̂ summed = [−1, 0, 0, 0], dβ = [1, 0, 0, 0].
        let cache = LayerNormCache(xHat: try NormFixtures.tensor(NormGroupingExample.layerXHat, [2, 1, 1, 4]),
                                   gamma: Tensor(NormGroupingExample.layerGamma), mean: Tensor([2, 2]), variance: Tensor([1, 4]), epsilon: 0)
        let (dx, dgamma, dbeta) = try layerNormBackward(try NormFixtures.tensor([1, 0, 0, 0, 0, 0, 0, 0], [2, 1, 1, 4]), cache: cache)
        checkExactGradient(dx, equals: try NormFixtures.tensor([0.5, 0, -0.5, 0, 0, 0, 0, 0], [2, 1, 1, 4]), "dx", in: .layerNorm2,
              misconceptions: [Misconception(try NormFixtures.tensor([1, 0, 0, 0, 0, 0, 0, 0], [2, 1, 1, 4]), NormMistakes.constants)])
        checkExactGradient(dgamma, equals: Tensor([-1, 0, 0, 0]), "dgamma", in: .layerNorm2,
              misconceptions: [Misconception(Tensor([-0.5, 0, 0, 0]), NormMistakes.averagedGamma)])
        checkExactGradient(dbeta, equals: Tensor([1, 0, 0, 0]), "dbeta", in: .layerNorm2)
    }

    @Test("matches the numeric gradients of x, γ and β on feature vectors [N, D]")
    func gradientCheckFeatureVectors() throws {
        try NormFixtures.checkNormGradients(.layerNorm2, seed: 33, shape: [4, 6],
            forward: { try layerNormForward($0, gamma: $1, beta: $2).out },
            backward: { dout, x, gamma, beta in try layerNormBackward(dout, cache: try layerNormForward(x, gamma: gamma, beta: beta).cache) })
    }

    @Test("matches the numeric gradients of x, γ and β")
    func gradientCheck() throws {
        try NormFixtures.checkNormGradients(.layerNorm2, seed: 32, shape: [2, 2, 3, 3],
            forward: { try layerNormForward($0, gamma: $1, beta: $2).out },
            backward: { dout, x, gamma, beta in try layerNormBackward(dout, cache: try layerNormForward(x, gamma: gamma, beta: beta).cache) })
    }
}

@Suite("InstanceNorm1 · instance norm forward", .graded(.instanceNorm1))
struct InstanceNorm1Tests {
    @Test("adds ε inside the square root: {1, 3, 1, 3} with ε = 1 gives ±1/√2")
    func epsilonInsideTheRoot() throws {
        // Mean 2, biased variance 1: with ε = 1 the entries are ±1/√(1 + 1); ε added to σ would give ±1/2.
        let x = try NormFixtures.tensor([1, 3, 1, 3], [1, 2, 2, 1])
        let (out, _) = try instanceNormForward(x, gamma: Tensor([1]), beta: Tensor([0]), epsilon: 1)
        let r = 1 / Double(2).squareRoot()
        check(out, equals: try NormFixtures.tensor([-r, r, -r, r], [1, 2, 2, 1]), "out with ε = 1", in: .instanceNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12,
              misconceptions: [Misconception(try NormFixtures.tensor([-0.5, 0.5, -0.5, 0.5], [1, 2, 2, 1]), "the output divides by √σ² + ε: ε outside the square root; normalization divides by √(σ² + ε)")])
    }

    @Test("normalizes each channel of each image over its pixels: the hand-worked example")
    func handExample() throws {
        let (out, cache) = try instanceNormForward(try NormFixtures.tensor(NormGroupingExample.instanceX, [1, 2, 2, 2]),
                                                   gamma: Tensor(NormFixtures.gamma), beta: Tensor(NormFixtures.beta), epsilon: 0)
        check(out, equals: try NormFixtures.tensor(NormFixtures.out, [1, 2, 2, 2]), "out", in: .instanceNorm1)
        check(cache.mean, equals: try Tensor([[2, 2]]), "cache.mean [N, C]", in: .instanceNorm1)
        check(cache.variance, equals: try Tensor([[1, 4]]), "cache.variance [N, C]", in: .instanceNorm1,
              misconceptions: [Misconception(try Tensor([[5, 8]]), "the variance is the mean of x², E[x²]; subtract the mean first, E[(x − μ)²]")])
    }

    @Test("removes each image's contrast and brightness per channel")
    func contrastInvariance() throws {
        // Scaling channel c of image n by a > 0 and adding b changes μ_nc to a·μ + b and σ to
        // a·σ; x̂ does not change. (With ε = 0; ε would leave a difference of order ε/σ².)
        var rng = SeededGenerator(inputSeed: 33)
        let x = Tensor.randomNormal(shape: [2, 3, 3, 2], using: &rng)
        var y = x
        for n in 0..<2 { for h in 0..<3 { for w in 0..<3 { for c in 0..<2 {
            let (a, b) = (Double(1 + n + 2 * c), Double(5 * n - 3 * c))
            y[n, h, w, c] = a * x[n, h, w, c] + b
        } } } }
        let (gamma, beta) = (Tensor([1.5, -0.5]), Tensor([0.25, 2]))
        let (outX, _) = try instanceNormForward(x, gamma: gamma, beta: beta, epsilon: 0)
        let (outY, _) = try instanceNormForward(y, gamma: gamma, beta: beta, epsilon: 0)
        check(outY, equals: outX, "instance norm of a per-(image, channel) affine change of x", in: .instanceNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        // A constant output is invariant too: x̂ = (out − β)/γ has mean 0 per (image, channel).
        let means = try ((outX - beta) / gamma).reshaped([2, 9, 2]).mean(alongAxis: 1)
        check(means, equals: Tensor(zeros: [2, 2]), "the mean of (out − β)/γ over each image's channel", in: .instanceNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 0)
    }
}

@Suite("InstanceNorm2 · instance norm backward", .graded(.instanceNorm2))
struct InstanceNorm2Tests {
    @Test("reproduces the hand-worked gradients (the batch-norm numbers, one image)")
    func handExample() throws {
        let cache = InstanceNormCache(xHat: try NormFixtures.tensor(NormFixtures.xHat, [1, 2, 2, 2]), gamma: Tensor(NormFixtures.gamma),
                                      mean: try Tensor([[2, 2]]), variance: try Tensor([[1, 4]]), epsilon: 0)
        let (dx, dgamma, dbeta) = try instanceNormBackward(try NormFixtures.tensor(NormFixtures.dout, [1, 2, 2, 2]), cache: cache)
        checkExactGradient(dx, equals: try NormFixtures.tensor(NormFixtures.dx, [1, 2, 2, 2]), "dx", in: .instanceNorm2,
              misconceptions: [Misconception(try NormFixtures.tensor([2, 0, 0, 0, 0, 0, 0, 0], [1, 2, 2, 2]), NormMistakes.constants)])
        checkExactGradient(dgamma, equals: Tensor(NormFixtures.dgamma), "dgamma", in: .instanceNorm2,
              misconceptions: [Misconception(Tensor([-0.25, 0]), NormMistakes.averagedGamma)])
        checkExactGradient(dbeta, equals: Tensor(NormFixtures.dbeta), "dbeta", in: .instanceNorm2)
    }

    @Test("matches the numeric gradients of x, γ and β")
    func gradientCheck() throws {
        try NormFixtures.checkNormGradients(.instanceNorm2, seed: 34, shape: [2, 3, 3, 2],
            forward: { try instanceNormForward($0, gamma: $1, beta: $2).out },
            backward: { dout, x, gamma, beta in try instanceNormBackward(dout, cache: try instanceNormForward(x, gamma: gamma, beta: beta).cache) })
    }
}

@Suite("GroupNorm1 · group norm forward", .graded(.groupNorm1))
struct GroupNorm1Tests {
    @Test("adds ε inside the square root: {1, 3, 1, 3} with ε = 1 gives ±1/√2")
    func epsilonInsideTheRoot() throws {
        // Mean 2, biased variance 1: with ε = 1 the entries are ±1/√(1 + 1); ε added to σ would give ±1/2.
        let x = try NormFixtures.tensor([1, 3, 1, 3], [1, 1, 2, 2])
        let (out, _) = try groupNormForward(x, gamma: Tensor([1, 1]), beta: Tensor([0, 0]), groups: 1, epsilon: 1)
        let r = 1 / Double(2).squareRoot()
        check(out, equals: try NormFixtures.tensor([-r, r, -r, r], [1, 1, 2, 2]), "out with ε = 1", in: .groupNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12,
              misconceptions: [Misconception(try NormFixtures.tensor([-0.5, 0.5, -0.5, 0.5], [1, 1, 2, 2]), "the output divides by √σ² + ε: ε outside the square root; normalization divides by √(σ² + ε)")])
    }

    @Test("normalizes groups of consecutive channels: the hand-worked example")
    func handExample() throws {
        let (out, cache) = try groupNormForward(try NormFixtures.tensor(NormGroupingExample.groupX, [1, 1, 2, 4]),
                                                gamma: Tensor([1, 1, 1, 1]), beta: Tensor([0, 0, 0, 0]), groups: 2, epsilon: 0)
        check(out, equals: try NormFixtures.tensor(NormGroupingExample.groupOut, [1, 1, 2, 4]), "out", in: .groupNorm1,
              misconceptions: [Misconception(try NormFixtures.tensor(NormMistakes.groupInterleaved, [1, 1, 2, 4]),
                                             "channel c was put in group c mod G; group g holds the consecutive channels g·C/G ..< (g + 1)·C/G")])
        check(cache.mean, equals: try Tensor([[2, 2]]), "cache.mean [N, G]", in: .groupNorm1)
        check(cache.variance, equals: try Tensor([[1, 4]]), "cache.variance [N, G]", in: .groupNorm1)
    }

    // G = 1 and G = C are checked by what defines layer and instance norm, not by calling the student's
    // LayerNorm1 and InstanceNorm1 (a correct group norm must pass even while those are unfinished).
    // With ε = 0, u = (out − β)/γ is exactly standardized over each normalization group.
    @Test("with G = 1 is layer norm (notes 003): each example standardized over all of H, W and C")
    func oneGroupOfAllChannels() throws {
        var rng = SeededGenerator(inputSeed: 35)
        let x = Tensor.randomNormal(shape: [2, 3, 2, 4], mean: 1, standardDeviation: 3, using: &rng)
        let (gamma, beta) = (Tensor([1, 2, 3, 0.5]), Tensor([0, -1, 1, 2]))
        let (group, _) = try groupNormForward(x, gamma: gamma, beta: beta, groups: 1, epsilon: 0)
        let u = try (group - beta) / gamma
        check(try u.mean(alongAxes: [1, 2, 3]), equals: Tensor(zeros: [2]),
              "with G = 1, the mean of (out − β)/γ over each example's H·W·C entries", in: .groupNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 0)
        check(try u.variance(alongAxes: [1, 2, 3]), equals: Tensor(repeating: 1, shape: [2]),
              "with G = 1 and ε = 0, the variance of (out − β)/γ over each example's H·W·C entries", in: .groupNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("with G = C is instance norm (notes 003): each channel of each example standardized over H and W")
    func groupsOfOneChannel() throws {
        var rng = SeededGenerator(inputSeed: 36)
        let x = Tensor.randomNormal(shape: [2, 3, 2, 4], mean: 1, standardDeviation: 3, using: &rng)
        let (gamma, beta) = (Tensor([1, 2, 3, 0.5]), Tensor([0, -1, 1, 2]))
        let (group, _) = try groupNormForward(x, gamma: gamma, beta: beta, groups: 4, epsilon: 0)
        let u = try (group - beta) / gamma
        check(try u.mean(alongAxes: [1, 2]), equals: Tensor(zeros: [2, 4]),
              "with G = C, the mean of (out − β)/γ over each example's and channel's H·W pixels", in: .groupNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 0)
        check(try u.variance(alongAxes: [1, 2]), equals: Tensor(repeating: 1, shape: [2, 4]),
              "with G = C and ε = 0, the variance of (out − β)/γ over each example's and channel's H·W pixels", in: .groupNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("rejects a group count that does not divide the channels")
    func rejectsBadGroups() throws {
        try checkThrowsShapeError("groupNormForward with C = 4 and G = 3", in: .groupNorm1) {
            _ = try groupNormForward(Tensor(zeros: [1, 2, 2, 4]), gamma: Tensor([1, 1, 1, 1]), beta: Tensor([0, 0, 0, 0]), groups: 3)
        }
    }
}

@Suite("GroupNorm2 · group norm backward", .graded(.groupNorm2))
struct GroupNorm2Tests {
    @Test("reproduces a hand-worked gradient")
    func handExample() throws {
        // Group 0 (channels 0, 1 over 2 pixels) has x̂ = {−1, 1, −1, 1} in (pixel, channel)
        // order and σ = 1; dout = 1 on its first entry with γ = 3 there: dx = (3/2)·{1, 0, −1, 0}
        // on the group's entries (pixel 0 ch 0, pixel 0 ch 1, pixel 1 ch 0, pixel 1 ch 1).
        let xHat = try NormFixtures.tensor([-1, 1, -1, -1, -1, 1, 1, 1], [1, 1, 2, 4])
        let cache = GroupNormCache(xHat: xHat, gamma: Tensor([3, 1, 1, 1]), groups: 2,
                                   mean: try Tensor([[2, 2]]), variance: try Tensor([[1, 4]]), epsilon: 0)
        let (dx, dgamma, dbeta) = try groupNormBackward(try NormFixtures.tensor([1, 0, 0, 0, 0, 0, 0, 0], [1, 1, 2, 4]), cache: cache)
        checkExactGradient(dx, equals: try NormFixtures.tensor([1.5, 0, 0, 0, -1.5, 0, 0, 0], [1, 1, 2, 4]), "dx", in: .groupNorm2,
              misconceptions: [Misconception(try NormFixtures.tensor([3, 0, 0, 0, 0, 0, 0, 0], [1, 1, 2, 4]), NormMistakes.constants)])
        checkExactGradient(dgamma, equals: Tensor([-1, 0, 0, 0]), "dgamma", in: .groupNorm2,
              misconceptions: [Misconception(Tensor([-0.5, 0, 0, 0]), NormMistakes.averagedGamma)])
        checkExactGradient(dbeta, equals: Tensor([1, 0, 0, 0]), "dbeta", in: .groupNorm2)
    }

    @Test("matches the numeric gradients of x, γ and β", arguments: [1, 2, 4])
    func gradientCheck(_ groups: Int) throws {
        // N = 2 and H = 3 differ, so the batch axis cannot be confused with a spatial one.
        try NormFixtures.checkNormGradients(.groupNorm2, seed: 37, shape: [2, 3, 2, 4],
            forward: { try groupNormForward($0, gamma: $1, beta: $2, groups: groups).out },
            backward: { dout, x, gamma, beta in
                try groupNormBackward(dout, cache: try groupNormForward(x, gamma: gamma, beta: beta, groups: groups).cache)
            })
    }
}

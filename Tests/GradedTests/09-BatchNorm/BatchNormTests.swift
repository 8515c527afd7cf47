import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let batchNorm1 = Exercise(id: "BatchNorm1", chapter: "09-BatchNorm", file: "BatchNorm.swift", title: "Batch normalization forward", points: 3)
    static let batchNorm2 = Exercise(id: "BatchNorm2", chapter: "09-BatchNorm", file: "BatchNorm.swift", title: "Batch normalization backward", points: 5)
}

/// A 4×2 example chosen so every number is exact (it is worked in the guide). With epsilon = 4:
///
///     feature 0: x = [1, 3, 5, 7]  mean 4, biased variance (9+1+1+9)/4 = 5,  sqrt(5+4) = 3, xHat = [−1, −1/3, 1/3, 1]
///     feature 1: x = [0, 0, 0, 8]  mean 2, biased variance (4+4+4+36)/4 = 12, sqrt(12+4) = 4, xHat = [−½, −½, −½, 3/2]
///     out = gamma·xHat + beta with gamma = [2, ½], beta = [1, −1]
///
/// Backward with dout = [[1, 0], [0, 1], [2, 0], [0, 3]]:
///
///     dbeta  = column sums of dout = [3, 4]
///     dgamma = Σ dout·xHat = [1·(−1) + 2·(1/3), 1·(−½) + 3·(3/2)] = [−1/3, 4]
///     dx     = gamma/(Nσ)·(N·dout − dbeta − xHat·dgamma)
///       feature 0: (2/12)·([4, 0, 8, 0] − 3 + xHat/3) = (1/6)·[2/3, −28/9, 46/9, −8/3] = [1/9, −14/27, 23/27, −4/9]
///       feature 1: (½/16)·([0, 4, 0, 12] − 4 − 4·xHat) = (1/32)·[−2, 2, −2, 2]         = [−1/16, 1/16, −1/16, 1/16]
/// (cross-checked with numpy).
enum BatchNormExample {
    static let x: [[Double]] = [[1, 0], [3, 0], [5, 0], [7, 8]]
    static let gamma: [Double] = [2, 0.5]
    static let beta: [Double] = [1, -1]
    static let epsilon = 4.0
    static let mean: [Double] = [4, 2]
    static let variance: [Double] = [5, 12]
    static let xHat: [[Double]] = [[-1, -0.5], [-1.0 / 3, -0.5], [1.0 / 3, -0.5], [1, 1.5]]
    static let out: [[Double]] = [[-1, -1.25], [1.0 / 3, -1.25], [5.0 / 3, -1.25], [3, -0.25]]
    static let dout: [[Double]] = [[1, 0], [0, 1], [2, 0], [0, 3]]
    static let dbeta: [Double] = [3, 4]
    static let dgamma: [Double] = [-1.0 / 3, 4]
    static let dx: [[Double]] = [[1.0 / 9, -1.0 / 16], [-14.0 / 27, 1.0 / 16], [23.0 / 27, -1.0 / 16], [-4.0 / 9, 1.0 / 16]]
}

/// What the usual batch norm mistakes give on the 4×2 example, and what each says about the code.
enum BatchNormMistakes {
    /// x̂ of the example with the statistics taken along `axis` (0, per feature, is right; 1 is per
    /// example), the variance unbiased (÷ (n − 1)) or not, and ε inside or outside the square root.
    static func xHat(axis: Int = 0, unbiased: Bool = false, epsilonOutside: Bool = false) throws -> Tensor {
        let x = try Tensor(BatchNormExample.x), epsilon = BatchNormExample.epsilon
        let n = Double(x.shape[axis])
        let mean = try x.mean(alongAxis: axis, keepingDimension: true)
        let variance = try x.variance(alongAxes: [axis], keepingDimensions: true) * (unbiased ? n / (n - 1) : 1)
        let deviation = variance.map { epsilonOutside ? $0.squareRoot() + epsilon : ($0 + epsilon).squareRoot() }
        return try (x - mean) / deviation
    }

    /// The forward mistakes, as x̂ (`affine` false) or as the output γ·x̂ + β.
    static func forward(affine: Bool) throws -> [Misconception] {
        func value(_ xHat: Tensor) throws -> Tensor {
            affine ? try xHat * Tensor(BatchNormExample.gamma) + Tensor(BatchNormExample.beta) : xHat
        }
        return [
            Misconception(try value(try xHat(unbiased: true)), "x̂ uses the unbiased variance (÷ N − 1); in training batch norm divides by N"),
            Misconception(try value(try xHat(epsilonOutside: true)), "x̂ divides by √σ² + ε: ε outside the square root; batch norm divides by √(σ² + ε)"),
            Misconception(try value(try xHat(axis: 1)), "x̂ takes each example's statistics over the features (layer norm); batch norm takes each feature's over the batch (axis 0)"),
        ]
    }

    /// The mistakes in dx for the example's cache and upstream gradient.
    static func backwardDx() throws -> [Misconception] {
        let dout = try Tensor(BatchNormExample.dout), gamma = Tensor(BatchNormExample.gamma)
        let scale = try gamma / (Tensor(BatchNormExample.variance) + BatchNormExample.epsilon).squareRoot()   // γ/σ = [2/3, 1/8]
        return [
            Misconception(try dout * scale, "dx = γ·dout/σ treats the batch mean and variance as constants; both depend on every row, which adds −mean(dx̂) and −x̂·mean(dx̂·x̂)"),
            Misconception(try (dout - dout.mean(alongAxis: 0)) * scale, "dx keeps the term through the mean but drops the one through the variance, −x̂·mean(dx̂·x̂)"),
        ]
    }
}

/// Batch normalization written out with loops, the reference the gradient checks differentiate.
fileprivate func referenceBatchNorm(_ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Double) -> Tensor {
    let n = x.shape[0], d = x.shape[1]
    var out = Tensor(zeros: x.shape)
    for j in 0..<d {
        var mean = 0.0
        for i in 0..<n { mean += x[i, j] }
        mean /= Double(n)
        var variance = 0.0
        for i in 0..<n { variance += (x[i, j] - mean) * (x[i, j] - mean) }
        variance /= Double(n)
        for i in 0..<n { out[i, j] = gamma[j] * (x[i, j] - mean) / (variance + epsilon).squareRoot() + beta[j] }
    }
    return out
}

@Suite("BatchNorm1 · Batch normalization forward", .graded(.batchNorm1))
struct BatchNorm1Tests {
    @Test("reproduces the exact 4×2 example, with the biased (÷N) batch variance in the cache")
    func workedExample() throws {
        let (out, cache) = try batchNormForward(try Tensor(BatchNormExample.x), gamma: Tensor(BatchNormExample.gamma),
                                                beta: Tensor(BatchNormExample.beta), epsilon: BatchNormExample.epsilon)
        check(cache.mean, equals: Tensor(BatchNormExample.mean), "cache.mean", in: .batchNorm1)
        // Biased, as in the notes: [5, 12]. The unbiased (÷(N−1)) variance would be [20/3, 16].
        check(cache.variance, equals: Tensor(BatchNormExample.variance), "cache.variance (biased, divided by N)", in: .batchNorm1,
              misconceptions: [Misconception(Tensor([20.0 / 3, 16]), "the variance divides by N − 1 (unbiased); in training batch norm divides by N")])
        check(cache.xHat, equals: try Tensor(BatchNormExample.xHat), "cache.xHat", in: .batchNorm1,
              misconceptions: [Misconception(try Tensor(BatchNormExample.x), "cache.xHat holds the input x; the backward pass needs the normalized x̂")]
                + (try BatchNormMistakes.forward(affine: false)))
        check(cache.epsilon, equals: 4, "cache.epsilon", in: .batchNorm1)
        check(out, equals: try Tensor(BatchNormExample.out), "batchNormForward on the 4×2 example", in: .batchNorm1,
              misconceptions: try BatchNormMistakes.forward(affine: true))
    }

    @Test("gamma = sqrt(variance + epsilon) and beta = mean give back the input (notes 002)")
    func identity() throws {
        var rng = SeededGenerator(inputSeed: 42)
        let x = try Tensor.randomNormal(shape: [6, 3], using: &rng) * Tensor([1, 4, 0.5]) + Tensor([2, -3, 10])
        // The statistics are computed independently here, with the core's reductions.
        let mean = try x.mean(alongAxis: 0), variance = try x.variance(alongAxes: [0])
        let (out, _) = try batchNormForward(x, gamma: (variance + 1e-5).squareRoot(), beta: mean)
        check(out, equals: x, "batchNormForward with gamma = sqrt(var + eps), beta = mean", in: .batchNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        // Returning x itself passes the line above; β shifts the output, whatever x is.
        let (shifted, _) = try batchNormForward(x, gamma: (variance + 1e-5).squareRoot(), beta: mean + 1)
        check(shifted, equals: x + 1, "batchNormForward with beta = mean + 1 (β shifts every output by 1)", in: .batchNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("per feature, the output has mean beta and standard deviation |gamma| (up to epsilon)")
    func meanAndStandardDeviation() throws {
        var rng = SeededGenerator(inputSeed: 7)
        let x = try Tensor.randomNormal(shape: [50, 3], using: &rng) * Tensor([5, 0.3, 2]) + Tensor([-4, 1, 100])
        // A negative gamma flips the feature: its standard deviation is |gamma| (notes 001 write "gamma").
        let gamma = Tensor([2, -0.5, 3]), beta = Tensor([1, -1, 0])
        let (out, _) = try batchNormForward(x, gamma: gamma, beta: beta)
        check(try out.mean(alongAxis: 0), equals: beta, "the per-feature mean of the output", in: .batchNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        // The output's (biased) std is gamma·sqrt(var/(var + eps)): relative deficit ≈ eps/(2·var) ≤ 1e-4 for
        // var ≥ 0.05 (the smallest feature has std ≈ 0.3); tolerance 2e-4.
        check(try out.variance(alongAxes: [0]).squareRoot(), equals: gamma.map { abs($0) }, "the per-feature standard deviation of the output (|gamma|)",
              in: .batchNorm1, absoluteTolerance: 0, relativeTolerance: 2e-4)
        // The negative gamma mirrors feature 1: the output moves against the input (covariance < 0).
        let column = { (t: Tensor, j: Int) in (0..<50).map { t.scalars[$0 * 3 + j] } }
        let (xs, ys) = (column(x, 1), column(out, 1))
        let (mx, my) = (xs.reduce(0, +) / 50, ys.reduce(0, +) / 50)
        let covariance = zip(xs, ys).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        check(covariance < 0, "with gamma = −0.5 the output of feature 1 should fall as its input rises (γ multiplies x̂, sign included); the covariance is \(covariance)",
              in: .batchNorm1)
    }

    @Test("uses epsilon: a constant feature gives xHat = 0 (not NaN), so the output is beta")
    func constantFeature() throws {
        let x = try Tensor([[3, 1], [3, 2], [3, 3]])
        let (out, _) = try batchNormForward(x, gamma: Tensor([2, 1]), beta: Tensor([0.5, 0]))
        // Feature 0 has variance 0: xHat = 0/sqrt(1e-5) = 0. Feature 1: mean 2, variance 2/3.
        let s = (2.0 / 3 + 1e-5).squareRoot()
        check(out, equals: try Tensor([[0.5, -1 / s], [0.5, 0], [0.5, 1 / s]]), "batchNormForward with a constant feature",
              in: .batchNorm1, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("BN's drawbacks: in training an example's output depends on the rest of its batch, and training and inference disagree (a measurement)")
    func drawbacks() throws {
        // Notes 001: with BN the examples of a batch are no longer treated independently, and the layer computes
        // a different function at test time. The 4×2 example's first row gives out[0] = [−1, −1.25]; change only
        // the last row from [7, 8] to [7, 0] and feature 1 becomes constant (variance 0), so row 0's feature 1
        // becomes beta = −1 (xHat = 0): row 0's own input did not change.
        let x = try Tensor(BatchNormExample.x)
        let (gamma, beta) = (Tensor(BatchNormExample.gamma), Tensor(BatchNormExample.beta))
        let (out, _) = try batchNormForward(x, gamma: gamma, beta: beta, epsilon: BatchNormExample.epsilon)
        var changed = x
        changed[3, 1] = 0
        let (outChanged, _) = try batchNormForward(changed, gamma: gamma, beta: beta, epsilon: BatchNormExample.epsilon)
        check(try out.slice(0..<1), equals: try Tensor([[-1, -1.25]]), "row 0 of the 4×2 example", in: .batchNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        check(try outChanged.slice(0..<1), equals: try Tensor([[-1, -1]]),
              "row 0 after changing only row 3 (its feature 1 becomes beta: the batch's feature 1 is now constant)", in: .batchNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        // Train/test discrepancy: with the usual running statistics of a fresh layer (mean 0, variance 1), the same
        // batch gives another output at inference: row 0 becomes γ·x/sqrt(1 + ε) + β = [2·1/√5 + 1, −1] with ε = 4.
        let inference = try batchNormInference(x, gamma: gamma, beta: beta, mean: Tensor([0, 0]), variance: Tensor([1, 1]),
                                               epsilon: BatchNormExample.epsilon)
        check(try inference.slice(0..<1), equals: try Tensor([[2 / 5.0.squareRoot() + 1, -1]]),
              "row 0 at inference with running mean 0 and variance 1 (it differs from training's [−1, −1.25])", in: .batchNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("inference uses the stored statistics: the batch's own statistics reproduce training, and rows are independent")
    func inference() throws {
        // One example by hand: (2 − 1)/sqrt(3 + 1)·3 + 1 = 2.5.
        let one = try batchNormInference(try Tensor([[2]]), gamma: Tensor([3]), beta: Tensor([1]),
                                         mean: Tensor([1]), variance: Tensor([3]), epsilon: 1)
        check(one, equals: try Tensor([[2.5]]), "batchNormInference of one example", in: .batchNorm1,
              misconceptions: [Misconception(1 / (3.0.squareRoot() + 1) * 3 + 1, "inference divides by √σ² + ε: ε outside the square root; it divides by √(σ² + ε)"),
                               Misconception(4, "inference scales x but never subtracts the running mean: x̂ = (x − μ)/√(σ² + ε)")])
        // With the 4×2 example's batch statistics, inference gives the training output.
        let x = try Tensor(BatchNormExample.x)
        let out = try batchNormInference(x, gamma: Tensor(BatchNormExample.gamma), beta: Tensor(BatchNormExample.beta),
                                         mean: Tensor(BatchNormExample.mean), variance: Tensor(BatchNormExample.variance),
                                         epsilon: BatchNormExample.epsilon)
        check(out, equals: try Tensor(BatchNormExample.out), "batchNormInference with the batch's own statistics", in: .batchNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        // Each row alone gives the same result as inside the batch.
        let last = try batchNormInference(try x.slice(3..<4), gamma: Tensor(BatchNormExample.gamma), beta: Tensor(BatchNormExample.beta),
                                          mean: Tensor(BatchNormExample.mean), variance: Tensor(BatchNormExample.variance),
                                          epsilon: BatchNormExample.epsilon)
        check(last, equals: try out.slice(3..<4), "batchNormInference of the last row on its own", in: .batchNorm1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("rejects gamma, beta or statistics that are not [D]")
    func rejectsWrongSizes() throws {
        let x = Tensor(zeros: [4, 3])
        try checkThrowsShapeError("batchNormForward with x [4, 3] and gamma [4]", in: .batchNorm1) {
            _ = try batchNormForward(x, gamma: Tensor(zeros: [4]), beta: Tensor(zeros: [3]))
        }
        try checkThrowsShapeError("batchNormForward with x [4, 3] and beta [2]", in: .batchNorm1) {
            _ = try batchNormForward(x, gamma: Tensor(zeros: [3]), beta: Tensor(zeros: [2]))
        }
        try checkThrowsShapeError("batchNormInference with x [4, 3] and mean [2]", in: .batchNorm1) {
            _ = try batchNormInference(x, gamma: Tensor(zeros: [3]), beta: Tensor(zeros: [3]), mean: Tensor(zeros: [2]), variance: Tensor(zeros: [3]))
        }
    }
}

@Suite("BatchNorm2 · Batch normalization backward", .graded(.batchNorm2))
struct BatchNorm2Tests {
    static func exampleCache() throws -> BatchNormCache {
        BatchNormCache(xHat: try Tensor(BatchNormExample.xHat), gamma: Tensor(BatchNormExample.gamma),
                       mean: Tensor(BatchNormExample.mean), variance: Tensor(BatchNormExample.variance), epsilon: BatchNormExample.epsilon)
    }

    @Test("reproduces dx, dgamma = Σ dout·xHat and dbeta = Σ dout of the exact 4×2 example")
    func workedExample() throws {
        let (dx, dgamma, dbeta) = try batchNormBackward(try Tensor(BatchNormExample.dout), cache: try BatchNorm2Tests.exampleCache())
        checkExactGradient(dbeta, equals: Tensor(BatchNormExample.dbeta), "dbeta", in: .batchNorm2,
              misconceptions: [Misconception(Tensor(BatchNormExample.dbeta) / 4, "the code averages dβ over the batch; β is added to every row, so dβ sums dout")])
        checkExactGradient(dgamma, equals: Tensor(BatchNormExample.dgamma), "dgamma", in: .batchNorm2,
              misconceptions: [Misconception(Tensor(BatchNormExample.dgamma) / 4, "the code averages dγ over the batch; γ multiplies x̂ in every row, so dγ sums dout·x̂")])
        checkExactGradient(dx, equals: try Tensor(BatchNormExample.dx), "dx", in: .batchNorm2,
              misconceptions: try BatchNormMistakes.backwardDx())
    }

    @Test("matches the numeric gradients for x, gamma and beta on seeded inputs")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 231)
        let x = try Tensor.randomNormal(shape: [5, 4], using: &rng) * 2 + Tensor([0, 1, -1, 3])
        let gamma = Tensor.randomNormal(shape: [4], using: &rng)
        let beta = Tensor.randomNormal(shape: [4], using: &rng)
        let dout = Tensor.randomNormal(shape: [5, 4], using: &rng)
        let eps = 1e-5
        // The cache is computed independently of the student's forward pass.
        let mean = try x.mean(alongAxis: 0), variance = try x.variance(alongAxes: [0])
        let xHat = try (x - mean) / (variance + eps).squareRoot()
        let cache = BatchNormCache(xHat: xHat, gamma: gamma, mean: mean, variance: variance, epsilon: eps)
        let (dx, dgamma, dbeta) = try batchNormBackward(dout, cache: cache)
        checkGradient(dx, matches: try numericGradient(of: { referenceBatchNorm($0, gamma: gamma, beta: beta, epsilon: eps) },
                                                       at: x, upstream: dout), "dx", in: .batchNorm2)
        checkGradient(dgamma, matches: try numericGradient(of: { referenceBatchNorm(x, gamma: $0, beta: beta, epsilon: eps) },
                                                           at: gamma, upstream: dout), "dgamma", in: .batchNorm2)
        checkGradient(dbeta, matches: try numericGradient(of: { referenceBatchNorm(x, gamma: gamma, beta: $0, epsilon: eps) },
                                                          at: beta, upstream: dout), "dbeta", in: .batchNorm2)
    }

    @Test("dx sums to zero over the batch: shifting a feature by a constant does not change the output")
    func dxSumsToZero() throws {
        var rng = SeededGenerator(inputSeed: 8)
        let dout = Tensor.randomNormal(shape: [4, 2], using: &rng)
        let (dx, _, _) = try batchNormBackward(dout, cache: try BatchNorm2Tests.exampleCache())
        // x + c·1 along a feature leaves xHat unchanged, so Σ_n dx[n, j] = 0 (up to rounding, here ~1e-16).
        check(try dx.sum(alongAxis: 0), equals: Tensor([0, 0]), "the column sums of dx", in: .batchNorm2,
              absoluteTolerance: 1e-12, relativeTolerance: 0)
        // A constant upstream gradient is a shift of the output: it reaches beta only, never x.
        let (dxConstant, _, dbeta) = try batchNormBackward(Tensor(repeating: 1, shape: [4, 2]), cache: try BatchNorm2Tests.exampleCache())
        check(dxConstant, equals: Tensor(zeros: [4, 2]), "dx for dout = 1 everywhere", in: .batchNorm2, absoluteTolerance: 1e-12, relativeTolerance: 0)
        check(dbeta, equals: Tensor([4, 4]), "dbeta for dout = 1 everywhere (N = 4)", in: .batchNorm2)
    }

    @Test("a gradient that leaves the normalization out makes a bias grow without bound; BN's own gradient does not move it (a measurement)")
    func biasGrowsWithoutTheNormalization() throws {
        // Ioffe & Szegedy (2015, §2), the notes' source: with x = u + b and BN after it, b cannot change the
        // output. A gradient step that treats the batch mean and variance as constants moves b by
        // −η·Σ_n dout_n·γ/σ at every step, the loss never changes, so b drifts off linearly. Through the full
        // gradient (your batchNormBackward), Σ_n dx_n = 0: b gets no gradient and stays where it is.
        var rng = SeededGenerator(inputSeed: 41)
        let u = Tensor.randomNormal(shape: [8, 3], using: &rng)
        let target = Tensor.randomNormal(shape: [8, 3], using: &rng)
        let gamma = Tensor([1.5, 1, 0.5]), beta = Tensor(zeros: [3])
        let eta = 0.5, steps = 20
        var b = Tensor(zeros: [3]), naive = Tensor(zeros: [3])
        var losses: [Double] = [], naiveLosses: [Double] = [], naiveNorms: [Double] = []
        for _ in 0..<steps {
            // The loss ½‖out − target‖², so dout = out − target.
            let (out, cache) = try batchNormForward(try u + b, gamma: gamma, beta: beta)
            let dout = try out - target
            losses.append(0.5 * dout.squared().sum())
            b = try b - (try batchNormBackward(dout, cache: cache).dx.sum(alongAxis: 0)) * eta
            let (naiveOut, naiveCache) = try batchNormForward(try u + naive, gamma: gamma, beta: beta)
            let naiveDout = try naiveOut - target
            naiveLosses.append(0.5 * naiveDout.squared().sum())
            let sigma = (naiveCache.variance + naiveCache.epsilon).squareRoot()
            naive = try naive - (try naiveDout.sum(alongAxis: 0) * gamma / sigma) * eta
            naiveNorms.append(naive.squared().sum().squareRoot())
        }
        // A backward pass returning zeros keeps b at 0 too: the full dx itself is not 0, only its column sums.
        let (firstOut, firstCache) = try batchNormForward(u, gamma: gamma, beta: beta)
        let firstDx = try batchNormBackward(try firstOut - target, cache: firstCache).dx
        check(firstDx.scalars.contains { abs($0) > 1e-6 }, "dx is 0 for dout = out − target ≠ 0; only its column sums vanish.", in: .batchNorm2)
        check(b.squared().sum().squareRoot() < 1e-9,
              "with BN's full gradient the bias before BN should get Σ_n dx_n = 0 and stay at 0; after \(steps) steps it is \(b)",
              in: .batchNorm2)
        check(abs(losses.last! - losses.first!) <= 1e-9 * losses.first!,
              "the loss should not change while b does not: \(losses.first!) → \(losses.last!)", in: .batchNorm2)
        // Your forward pass removes b, so the naive gradient is the same every step: |b| grows linearly.
        check(abs(naiveNorms.last! / naiveNorms.first! - Double(steps)) < 1e-6 * Double(steps)
              && abs(naiveLosses.last! - naiveLosses.first!) <= 1e-9 * naiveLosses.first!,
              "ignoring the normalization, |b| should grow linearly (×\(steps) after \(steps) steps) while the loss stays \(naiveLosses.first!); got |b| ×\(naiveNorms.last! / naiveNorms.first!) and loss \(naiveLosses.last!)",
              in: .batchNorm2)
    }

    @Test("BN after a dense layer decouples the weights' length from their direction: no gradient along w, and it scales as 1/‖w‖ (a measurement)")
    func decouplesDirectionAndLength() throws {
        // Kohler et al. (notes 001): BN(x·(a·w)) = BN(x·w) for a > 0, so the loss depends on each unit's weight
        // direction only. Then the gradient of a unit's weight column is orthogonal to that column (the
        // length gets no gradient), and scaling w by a scales the gradient by 1/a.
        var rng = SeededGenerator(inputSeed: 43)
        let x = Tensor.randomNormal(shape: [16, 5], using: &rng)
        let w = Tensor.randomNormal(shape: [5, 3], using: &rng)
        let dout = Tensor.randomNormal(shape: [16, 3], using: &rng)
        let gamma = Tensor([1, 2, 0.5]), beta = Tensor([0, 1, -1]), a = 3.0
        // ε = 0 (up to 1e-12) so that the invariance is exact rather than approximate.
        func outputAndWeightGradient(_ weight: Tensor) throws -> (out: Tensor, dw: Tensor) {
            let (h, denseCache) = try denseForward(x, weight: weight, bias: Tensor(zeros: [3]))
            let (out, cache) = try batchNormForward(h, gamma: gamma, beta: beta, epsilon: 1e-12)
            let dh = try batchNormBackward(dout, cache: cache).dx
            return (out, try denseBackward(dh, cache: denseCache).dw)
        }
        let (out, dw) = try outputAndWeightGradient(w)
        let (scaledOut, scaledDw) = try outputAndWeightGradient(w * a)
        // A zero gradient is orthogonal to everything: dW must not vanish for a random dout.
        check(dw.scalars.contains { abs($0) > 1e-6 }, "dW through BN is 0 for a random dout; only each column's length gets no gradient.", in: .batchNorm2)
        check(scaledOut, equals: out, "BN's output for the weights scaled by 3 (it should not depend on their length)",
              in: .batchNorm2, absoluteTolerance: 1e-9, relativeTolerance: 1e-9)
        for unit in 0..<3 {
            let column = (0..<5).map { w.scalars[$0 * 3 + unit] }, gradient = (0..<5).map { dw.scalars[$0 * 3 + unit] }
            let dot = zip(column, gradient).map(*).reduce(0, +)
            let norms = column.map { $0 * $0 }.reduce(0, +).squareRoot() * gradient.map { $0 * $0 }.reduce(0, +).squareRoot()
            check(abs(dot) <= 1e-8 * norms,
                  "unit \(unit): the gradient of its weight column should be orthogonal to the column (cosine 0), got cosine \(dot / norms); is the variance path of dx missing?",
                  in: .batchNorm2)
        }
        check(scaledDw, equals: dw / a, "the weight gradient for the weights scaled by 3 (it should be 1/3 of the original)",
              in: .batchNorm2, absoluteTolerance: 1e-9, relativeTolerance: 1e-7)
    }

    @Test("rejects an upstream gradient of the wrong shape")
    func rejectsWrongSizes() throws {
        try checkThrowsShapeError("batchNormBackward with dout [2, 4] for x [4, 2]", in: .batchNorm2) {
            _ = try batchNormBackward(Tensor(zeros: [2, 4]), cache: try BatchNorm2Tests.exampleCache())
        }
    }
}

import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let weightStandardization1 = Exercise(id: "WeightStandardization1", chapter: "11-Normalization", file: "NormalizerFree.swift", title: "scaled weight standardization", points: 3)
    static let weightStandardization2 = Exercise(id: "WeightStandardization2", chapter: "11-Normalization", file: "NormalizerFree.swift", title: "weight standardization backward", points: 4)
    static let adaptiveGradientClipping1 = Exercise(id: "AdaptiveGradientClipping1", chapter: "11-Normalization", file: "NormalizerFree.swift", title: "adaptive gradient clipping", points: 3)
}

@Suite("WeightStandardization1 · scaled weight standardization", .graded(.weightStandardization1))
struct WeightStandardization1Tests {
    @Test("standardizes each output unit over its fan-in: the hand-worked example")
    func handExample() throws {
        // A dense weight [4, 2] (fan-in 4). Column 0 = {1, 3, 1, 3}: mean 2, variance 1,
        // σ·√4 = 2 → {−0.5, 0.5, −0.5, 0.5}. Column 1 = {0, 0, 4, 4}: variance 4, σ·√4 = 4 →
        // {−0.5, −0.5, 0.5, 0.5}, times gain 3. By hand, ε = 0.
        let weight = try Tensor([[1, 0], [3, 0], [1, 4], [3, 4]])
        let (out, cache) = try weightStandardizationForward(weight, gain: Tensor([1, 3]), epsilon: 0)
        check(out, equals: try Tensor([[-0.5, -1.5], [0.5, -1.5], [-0.5, 1.5], [0.5, 1.5]]), "out", in: .weightStandardization1,
              misconceptions: [Misconception(try Tensor([[-1, -3], [1, -3], [-1, 3], [1, 3]]), "each unit's weights were divided by σ alone; scaled weight standardization divides by σ·√fanIn, so each unit's weights have variance 1/fanIn")])
        check(cache.scale, equals: Tensor([2, 4]), "cache.scale (σ·√fanIn)", in: .weightStandardization1,
              misconceptions: [Misconception(Tensor([1, 2]), "cache.scale is σ; it is σ·√fanIn")])
    }

    @Test("adds ε to the variance inside the square root")
    func epsilonInsideTheRoot() throws {
        // Column {1, 3, 1, 3}: mean 2, variance 1; with ε = 1 the scale is √((1 + 1)·4) = 2√2, so
        // the entries are ±1/(2√2). Adding ε to σ instead, (1 + 1)·√4 = 4, would give ±1/4.
        let weight = try Tensor([[1], [3], [1], [3]])
        let (out, cache) = try weightStandardizationForward(weight, gain: Tensor([1]), epsilon: 1)
        let e = 1 / (2 * 2.0.squareRoot())
        check(out, equals: try Tensor([[-e], [e], [-e], [e]]), "out with ε = 1", in: .weightStandardization1)
        check(cache.scale, equals: Tensor([2 * 2.0.squareRoot()]), "cache.scale √((σ² + ε)·fanIn)", in: .weightStandardization1)
    }

    @Test("gives every kernel mean 0 and a sum of squares of 1 (variance 1/fanIn)")
    func zeroMeanUnitNorm() throws {
        var rng = SeededGenerator(inputSeed: 41)
        let weight = Tensor.randomNormal(shape: [3, 3, 2, 4], mean: 0.7, standardDeviation: 5, using: &rng)
        let (out, _) = try weightStandardizationForward(weight, gain: Tensor([1, 1, 1, 1]), epsilon: 0)
        let sums = try out.sum(alongAxes: [0, 1, 2])
        let squares = try out.squared().sum(alongAxes: [0, 1, 2])
        check(sums, equals: Tensor(zeros: [4]), "Σ over each kernel", in: .weightStandardization1, absoluteTolerance: 1e-12, relativeTolerance: 0)
        check(squares, equals: Tensor([1, 1, 1, 1]), "Σ of squares over each kernel", in: .weightStandardization1, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("keeps unit-variance inputs at unit variance, whatever the raw weights' scale and mean")
    func preservesSignal() throws {
        // y = x·Ŵ with x ~ N(0, 1) entries: Var(y_o) = Σ_i Ŵ_io² = 1 exactly, so the sample
        // variance over 2000 rows is 1 up to sampling error (relative sd √(2/2000) ≈ 3%; we
        // allow 15%). The raw weights (mean 0.5, sd 3, fan-in 64) would give Var ≈ 64·9.25 ≈ 592.
        var rng = SeededGenerator(inputSeed: 42)
        let x = Tensor.randomNormal(shape: [2000, 64], using: &rng)
        let weight = Tensor.randomNormal(shape: [64, 8], mean: 0.5, standardDeviation: 3, using: &rng)
        let (standardized, _) = try weightStandardizationForward(weight, gain: Tensor(repeating: 1, shape: [8]), epsilon: 0)
        let y = try Tensor.matmul(x, standardized)
        let variance = try y.variance(alongAxes: [0])
        check(variance.scalars.allSatisfy { abs($0 - 1) < 0.15 },
              "output variances through the standardized weight should be ≈ 1; got \(variance).", in: .weightStandardization1)
    }
}

@Suite("WeightStandardization2 · weight standardization backward", .graded(.weightStandardization2))
struct WeightStandardization2Tests {
    @Test("reproduces a hand-worked gradient (the cache is built here, so only the backward pass is graded)")
    func handExample() throws {
        // One unit with fan-in 4: W = [1, 3, 1, 3] has μ = 2, σ = 1, so σ·√4 = 2 and Ŵ = [−½, ½, −½, ½];
        // gain 3, dout = [1, 0, 0, 0]. dgain = Σ dout·Ŵ = −½. With dẑ = 3·dout, mean(dẑ) = ¾ and
        // mean(dẑ·Ŵ) = −⅜: dW = (dẑ − ¾ − Ŵ·(−⅜)·4)/2 = [¾, 0, −¾, 0] (numpy's differences agree).
        let cache = WeightStandardizationCache(standardized: try Tensor([[-0.5], [0.5], [-0.5], [0.5]]), gain: Tensor([3]), scale: Tensor([2]))
        let (dweight, dgain) = try weightStandardizationBackward(try Tensor([[1], [0], [0], [0]]), cache: cache)
        checkExactGradient(dweight, equals: try Tensor([[0.75], [0], [-0.75], [0]]), "dweight for W = [1, 3, 1, 3], gain 3", in: .weightStandardization2,
                           misconceptions: [Misconception(try Tensor([[1.5], [0], [0], [0]]), "dW is dout·gain/scale alone: the mean term is missing, and the variance term too (the statistics depend on every weight of the kernel)")])
        checkExactGradient(dgain, equals: Tensor([-0.5]), "dgain = Σ dout·Ŵ", in: .weightStandardization2,
                           misconceptions: [Misconception(Tensor([1]), "dgain summed dout alone; the gain multiplies Ŵ, so dgain = Σ dout·Ŵ")])
    }

    @Test("matches the numeric gradients of the weight and the gain", arguments: [[3, 3, 2, 3], [5, 4]])
    func gradientCheck(_ shape: [Int]) throws {
        var rng = SeededGenerator(inputSeed: 43)
        let units = shape[shape.count - 1]
        let weight = Tensor.randomNormal(shape: shape, mean: 0.3, standardDeviation: 2, using: &rng)
        let gain = Tensor.randomNormal(shape: [units], mean: 1, standardDeviation: 0.5, using: &rng)
        let dout = Tensor.randomNormal(shape: shape, using: &rng)
        let (_, cache) = try weightStandardizationForward(weight, gain: gain)
        let (dweight, dgain) = try weightStandardizationBackward(dout, cache: cache)
        let numericW = try numericGradient(of: { try weightStandardizationForward($0, gain: gain).out }, at: weight, upstream: dout)
        let numericG = try numericGradient(of: { try weightStandardizationForward(weight, gain: $0).out }, at: gain, upstream: dout)
        checkGradient(dweight, matches: numericW, "dweight for \(shape)", in: .weightStandardization2)
        checkGradient(dgain, matches: numericG, "dgain for \(shape)", in: .weightStandardization2)
        // A forward and backward that return zeros agree with each other; dŴ/dgain is Ŵ/gain ≠ 0.
        check(dgain.scalars.contains { abs($0) > 1e-6 }, "dgain is 0 for a random dout; it should be Σ dout·Ŵ/gain per unit.", in: .weightStandardization2)
    }

    @Test("ignores gradients that only shift or rescale a kernel")
    func invariantDirections() throws {
        // Ŵ does not change when a kernel is shifted (W + c) or scaled (a·W, ε = 0), so dW must
        // be orthogonal to both directions: Σ dW = 0 and Σ dW·W = 0 per unit, for any dout.
        var rng = SeededGenerator(inputSeed: 44)
        let weight = Tensor.randomNormal(shape: [6, 3], mean: 1, standardDeviation: 2, using: &rng)
        let (_, cache) = try weightStandardizationForward(weight, gain: Tensor([1, 2, 3]), epsilon: 0)
        let (dweight, _) = try weightStandardizationBackward(Tensor.randomNormal(shape: [6, 3], using: &rng), cache: cache)
        // Any nonzero sum is one diagnosis: a dW with a shift (or scale) component lacks the term that removes it.
        let sums = try dweight.sum(alongAxis: 0)
        check(sums, equals: Tensor(zeros: [3]), "Σ dW per unit", in: .weightStandardization2,
              absoluteTolerance: 1e-12, relativeTolerance: 0,
              misconceptions: [Misconception(sums, "the mean term is missing or wrong: subtract the mean of dẑ over each kernel, since shifting a kernel leaves Ŵ unchanged")])
        let projections = try (dweight * weight).sum(alongAxis: 0)
        check(projections, equals: Tensor(zeros: [3]), "Σ dW·W per unit", in: .weightStandardization2,
              absoluteTolerance: 1e-12, relativeTolerance: 0,
              misconceptions: [Misconception(projections, "the variance term is missing or wrong: subtract ẑ·mean(dẑ·ẑ) times the fan-in, since rescaling a kernel leaves Ŵ unchanged")])
        // dW = 0 is orthogonal to everything: only those two directions of W are invisible.
        check(dweight.scalars.contains { abs($0) > 1e-6 }, "dW is 0 for a random dout; only shifts and rescalings of a kernel leave Ŵ unchanged.", in: .weightStandardization2)
    }
}

@Suite("AdaptiveGradientClipping1 · adaptive gradient clipping", .graded(.adaptiveGradientClipping1))
struct AdaptiveGradientClipping1Tests {
    @Test("clips units whose gradient is large relative to their weights: the hand-worked example")
    func handExample() throws {
        // Dense weight [2, 2]; unit 0 = column 0 = (3, 4), ‖W₀‖ = 5; unit 1 = (0, 0), so ε = 1e-3
        // stands in for its norm. Gradient columns (0.3, 0.4), ‖G₀‖ = 0.5, ratio 0.1; and
        // (0.003, 0.004), ‖G₁‖ = 0.005, ratio 5. By hand:
        //   λ = 0.05: both clipped: G₀·(0.05·5/0.5) = G₀·0.5; G₁·(0.05·0.001/0.005) = G₁·0.01.
        //   λ = 0.2:  unit 0 kept (0.1 ≤ 0.2); G₁·(0.2·0.001/0.005) = G₁·0.04.
        let weight = try Tensor([[3, 0], [4, 0]])
        let gradient = try Tensor([[0.3, 0.003], [0.4, 0.004]])
        let tight = try adaptiveGradientClipping(gradient, weight: weight, clipping: 0.05)
        check(tight, equals: try Tensor([[0.15, 0.00003], [0.2, 0.00004]]), "clipped gradient with λ = 0.05", in: .adaptiveGradientClipping1,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-12,
              misconceptions: [Misconception(try Tensor([[0.6, 0.3], [0.8, 0.4]]), "the clipping factor is inverted, ‖G‖/(λ·‖W‖); a clipped unit is scaled by λ·‖W‖/‖G‖ < 1")])
        let loose = try adaptiveGradientClipping(gradient, weight: weight, clipping: 0.2)
        check(loose, equals: try Tensor([[0.3, 0.00012], [0.4, 0.00016]]), "clipped gradient with λ = 0.2", in: .adaptiveGradientClipping1,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-12,
              misconceptions: [Misconception(try Tensor([[0.6, 0.00012], [0.8, 0.00016]]), "unit 0 was rescaled although its ratio 0.1 is within λ = 0.2; only units with ‖G‖ > λ·‖W‖ are clipped")])
    }

    @Test("treats each entry of a bias as its own unit")
    func biases() throws {
        // b = (1, 0): ratios |1|/1 = 1 > 0.1 → 1·0.1; |5e-5|/max(0, 1e-3) = 0.05 ≤ 0.1 → kept. By hand.
        let clipped = try adaptiveGradientClipping(Tensor([1, 5e-5]), weight: Tensor([1, 0]), clipping: 0.1)
        check(clipped, equals: Tensor([0.1, 5e-5]), "clipped bias gradient", in: .adaptiveGradientClipping1,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-12)
    }

    @Test("keeps directions, and leaves every unit's ratio at most λ")
    func bounds() throws {
        var rng = SeededGenerator(inputSeed: 45)
        let weight = Tensor.randomNormal(shape: [3, 3, 2, 5], standardDeviation: 0.1, using: &rng)
        let gradient = Tensor.randomNormal(shape: [3, 3, 2, 5], standardDeviation: 0.02, using: &rng)
        let clipped = try adaptiveGradientClipping(gradient, weight: weight, clipping: 0.1)
        let ratio = try (clipped.squared().sum(alongAxes: [0, 1, 2]).squareRoot() / weight.squared().sum(alongAxes: [0, 1, 2]).squareRoot())
        check(ratio.max() <= 0.1 * (1 + 1e-12), "largest ‖G_o‖/‖W_o‖ after clipping is \(ratio.max()), needs ≤ 0.1.", in: .adaptiveGradientClipping1)
        // Each unit is multiplied by one factor in (0, 1]: the elementwise ratio is constant per unit.
        let factors = try clipped / gradient
        let spread = try factors.reduce(alongAxes: [0, 1, 2], initial: 0) { max($0, $1) } - factors.reduce(alongAxes: [0, 1, 2], initial: 1) { min($0, $1) }
        check(spread.max() < 1e-12 && factors.min() > 0 && factors.max() <= 1 + 1e-12,
              "each unit's gradient must be scaled by one factor in (0, 1]; factors range over \(factors.min())…\(factors.max()).", in: .adaptiveGradientClipping1)
    }
}

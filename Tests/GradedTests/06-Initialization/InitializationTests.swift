import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let init1 = Exercise(id: "Init1", chapter: "06-Initialization", file: "Initialization.swift", title: "Initialization scales", points: 2)
    static let init2 = Exercise(id: "Init2", chapter: "06-Initialization", file: "Initialization.swift", title: "Drawing initial weights", points: 3)
    static let init3 = Exercise(id: "Init3", chapter: "06-Initialization", file: "Initialization.swift", title: "Activations through a deep stack", points: 3)
}

/// The sample mean and (biased) variance of all elements.
/// Each scheme's standard deviation for given fans, written out so that a misconception (the
/// wrong fans) can be computed for a test's inputs.
fileprivate func deviation(_ scheme: InitializationScheme, fanIn: Int, fanOut: Int) -> Double {
    switch scheme {
    case .xavier: (1 / Double(fanIn)).squareRoot()
    case .glorot: (2 / Double(fanIn + fanOut)).squareRoot()
    case .he: (2 / Double(fanIn)).squareRoot()
    case .normal(let standardDeviation): standardDeviation
    }
}

fileprivate func moments(_ t: Tensor) -> (mean: Double, variance: Double) {
    let mean = t.mean()
    return (mean, t.map { ($0 - mean) * ($0 - mean) }.mean())
}

@Suite("Init1 · Initialization scales", .graded(.init1))
struct Init1Tests {
    @Test("Xavier 1/D_a (notes 004), Glorot 2/(fanIn + fanOut), He 2/D_a, and a fixed σ (0 included)")
    func scales() throws {
        // sqrt(1/256) = 1/16; sqrt(2/(100 + 300)) = sqrt(1/200); sqrt(2/8) = 1/2.
        check(try initializationStandardDeviation(.xavier, fanIn: 256, fanOut: 10), equals: 0.0625,
              "Xavier's standard deviation for fanIn 256", in: .init1,
              misconceptions: [Misconception(1.0 / 256, "the result is the variance 1/fanIn; the function returns the standard deviation √(1/fanIn)")])
        check(try initializationStandardDeviation(.glorot, fanIn: 100, fanOut: 300), equals: (1.0 / 200).squareRoot(),
              "Glorot's standard deviation for fanIn 100, fanOut 300", in: .init1,
              misconceptions: [Misconception((1.0 / 400).squareRoot(), "the result is √(1/(fanIn + fanOut)); Glorot's variance is 2/(fanIn + fanOut)"),
                               Misconception(1.0 / 200, "the result is the variance 2/(fanIn + fanOut); the function returns its square root")])
        check(try initializationStandardDeviation(.he, fanIn: 8, fanOut: 3), equals: 0.5,
              "He's standard deviation for fanIn 8", in: .init1,
              misconceptions: [Misconception((1.0 / 8).squareRoot(), "He's deviation came out as Xavier's √(1/fanIn), forgetting the factor 2 that makes up for ReLU zeroing half its inputs"),
                               Misconception(0.25, "the result is the variance 2/fanIn; the function returns the standard deviation √(2/fanIn)")])
        check(try initializationStandardDeviation(.normal(standardDeviation: 0.01), fanIn: 5, fanOut: 5), equals: 0.01,
              ".normal(standardDeviation: 0.01)", in: .init1)
        // σ = 0 is the all-equal (zero) start of notes 004: a poor choice, but a valid one.
        check(try initializationStandardDeviation(.normal(standardDeviation: 0), fanIn: 5, fanOut: 5), equals: 0,
              ".normal(standardDeviation: 0) (zero weights are allowed; only a negative σ is refused)", in: .init1)
    }

    @Test("Glorot equals Xavier for a square layer, and He is √2 times Xavier")
    func relations() throws {
        // 2/(D + D) = 1/D; 2/D = 2·(1/D).
        for d in [1, 3, 64, 1000] {
            let xavier = try initializationStandardDeviation(.xavier, fanIn: d, fanOut: d)
            // Relations alone hold for a function that returns a constant: pin Xavier, √(1/D).
            check(xavier, equals: (1 / Double(d)).squareRoot(), "Xavier for a square \(d)×\(d) layer (√(1/D))", in: .init1)
            check(try initializationStandardDeviation(.glorot, fanIn: d, fanOut: d), equals: xavier,
                  "Glorot for a square \(d)×\(d) layer (should equal Xavier)", in: .init1)
            check(try initializationStandardDeviation(.he, fanIn: d, fanOut: d), equals: xavier * 2.0.squareRoot(),
                  "He for fanIn \(d) (should be √2·Xavier)", in: .init1)
        }
    }

    @Test("refuses a fan below 1 or a negative standard deviation")
    func rejectsArguments() throws {
        try checkThrows(ArgumentError.self, "initializationStandardDeviation(.xavier, fanIn: 0)", in: .init1) {
            _ = try initializationStandardDeviation(.xavier, fanIn: 0, fanOut: 3)
        }
        try checkThrows(ArgumentError.self, "initializationStandardDeviation(.glorot, fanOut: -2)", in: .init1) {
            _ = try initializationStandardDeviation(.glorot, fanIn: 3, fanOut: -2)
        }
        try checkThrows(ArgumentError.self, "initializationStandardDeviation(.normal(standardDeviation: -1))", in: .init1) {
            _ = try initializationStandardDeviation(.normal(standardDeviation: -1), fanIn: 3, fanOut: 3)
        }
    }
}

@Suite("Init2 · Drawing initial weights", .graded(.init2))
struct Init2Tests {
    @Test("draws one zero-mean normal per element in row-major order (a seed reproduces the weights)")
    func drawOrder() throws {
        // Every scheme draws normals (not uniforms of the same variance): the first 12 draws must
        // equal Tensor.randomNormal's from the same seed with the scheme's σ. For [8, 3]:
        // He sqrt(2/8) = 0.5, Xavier sqrt(1/8), Glorot sqrt(2/11), and a fixed σ = 0.3.
        let cases: [(InitializationScheme, Double)] = [
            (.he, 0.5), (.xavier, (1.0 / 8).squareRoot()), (.glorot, (2.0 / 11).squareRoot()),
            (.normal(standardDeviation: 0.3), 0.3),
        ]
        for (scheme, sigma) in cases {
            var reference = SeededGenerator(inputSeed: 99)
            let expected = Tensor.randomNormal(shape: [4, 3], standardDeviation: sigma, using: &reference)
            var rng = SeededGenerator(inputSeed: 99)
            let w = try initializeWeights(shape: [8, 3], scheme: scheme, using: &rng)
            check(w.shape == [8, 3], "initializeWeights(shape: [8, 3], \(scheme)) returned shape \(w.shape).", in: .init2)
            guard w.shape == [8, 3] else { continue }
            var swapped = SeededGenerator(inputSeed: 99)
            let swappedSigma = deviation(scheme, fanIn: 3, fanOut: 8)
            check(try w.slice(0..<4), equals: expected, "the first 4 rows of \(scheme) weights with seed 99 (normal draws, σ = \(sigma))",
                  in: .init2, absoluteTolerance: 1e-12, relativeTolerance: 1e-12,
                  misconceptions: [Misconception(Tensor.randomNormal(shape: [4, 3], standardDeviation: swappedSigma, using: &swapped),
                                                 "the weights have σ = \(swappedSigma), the scheme's deviation with fan-in 3 and fan-out 8 swapped: a dense weight [D, M] has fan-in D (its rows)")])
        }
    }

    @Test("the sample standard deviation matches the scheme, for dense [D, M] and conv [KH, KW, Cin, Cout] shapes")
    func sampleStatistics() throws {
        var rng = SeededGenerator(inputSeed: 3)
        // (shape, scheme, expected σ): Xavier [256, 128] → 1/16; Glorot [100, 300] → sqrt(1/200);
        // He on 3×3 kernels, 16 → 32 channels: fanIn 144 → sqrt(2/144); Glorot there: sqrt(2/(144+288)).
        let cases: [([Int], InitializationScheme, Double)] = [
            ([256, 128], .xavier, 1.0 / 16),
            ([100, 300], .glorot, (1.0 / 200).squareRoot()),
            ([3, 3, 16, 32], .he, (2.0 / 144).squareRoot()),
            ([3, 3, 16, 32], .glorot, (2.0 / 432).squareRoot()),
            // A 1×5 kernel (a dimension of 1 is valid; KH ≠ KW): fanIn 1·5·20 = 100 → sqrt(2/100).
            ([1, 5, 20, 40], .he, (2.0 / 100).squareRoot()),
            ([50, 40], .normal(standardDeviation: 0.01), 0.01),
        ]
        for (shape, scheme, sigma) in cases {
            let w = try initializeWeights(shape: shape, scheme: scheme, using: &rng)
            let (mean, variance) = moments(w)
            // n ≥ 2000 draws: the sample σ has relative standard error 1/sqrt(2n) ≤ 1.6%; tolerance 8%.
            let windowless = shape.count == 4
                ? [Misconception(deviation(scheme, fanIn: shape[2], fanOut: shape[3]),
                                 "the weights have the deviation for fan-in Cin = \(shape[2]): a kernel's fan-in is KH·KW·Cin, every tap of the window times every input channel")]
                : []
            check(variance.squareRoot(), equals: sigma, "the sample standard deviation of \(scheme) weights \(shape)",
                  in: .init2, absoluteTolerance: 0, relativeTolerance: 0.08, misconceptions: windowless)
            // The sample mean has standard error σ/sqrt(n) ≤ σ/44; tolerance 5σ/sqrt(n).
            check(mean, equals: 0, "the sample mean of \(scheme) weights \(shape)", in: .init2,
                  absoluteTolerance: 5 * sigma / Double(w.count).squareRoot(), relativeTolerance: 0)
        }
    }

    @Test("Monte Carlo check of notes 004: Var(Σ_j W_ij a_j) = D_a · Var(W) · Var(a)")
    func varianceOfSum() throws {
        var rng = SeededGenerator(inputSeed: 2015)
        let dA = 100
        // (activations, scheme, predicted Var(z)): a ~ N(0, 2²) with Xavier: 100·(1/100)·4 = 4;
        // a ~ U(−1, 1) (variance 1/3, not normal) with He: 100·(2/100)·(1/3) = 2/3.
        let normal = Tensor.randomNormal(shape: [200, dA], standardDeviation: 2, using: &rng)
        let uniform = Tensor.randomUniform(shape: [200, dA], in: -1..<1, using: &rng)
        for (a, scheme, predicted) in [(normal, InitializationScheme.xavier, 4.0), (uniform, .he, 2.0 / 3)] {
            let w = try initializeWeights(shape: [dA, 50], scheme: scheme, using: &rng)
            let z = try Tensor.matmul(a, w)   // z[n, i] = Σ_j a[n, j]·W[j, i]
            // 10 000 z values sharing 50 weight columns: each column's squared norm D_a·Var(W)·(1 ± 0.14),
            // averaged over 50 columns ±2%, plus ±2% sampling noise; tolerance 10%.
            check(moments(z).variance, equals: predicted, "Var(z) for \(scheme) weights (predicted \(predicted))",
                  in: .init2, absoluteTolerance: 0, relativeTolerance: 0.10)
        }
    }

    @Test("refuses shapes that are neither [D, M] nor [KH, KW, Cin, Cout]")
    func rejectsWrongSizes() throws {
        var rng = SeededGenerator(inputSeed: 1)
        try checkThrowsShapeError("initializeWeights(shape: [5])", in: .init2) {
            _ = try initializeWeights(shape: [5], scheme: .xavier, using: &rng)
        }
        try checkThrowsShapeError("initializeWeights(shape: [2, 3, 4])", in: .init2) {
            _ = try initializeWeights(shape: [2, 3, 4], scheme: .he, using: &rng)
        }
        try checkThrowsShapeError("initializeWeights(shape: [0, 4])", in: .init2) {
            _ = try initializeWeights(shape: [0, 4], scheme: .xavier, using: &rng)
        }
    }
}

/// The deep-stack experiments: a batch of 16 standard-normal inputs through 10 square layers of
/// width 256. The bands were checked with numpy on 100 other seeds (none failed); 16 examples give
/// 4096 activations per layer, plenty for a variance, and keep each test near 0.2 s in a debug build.
enum DeepStack {
    static let batch = 16, width = 256, depth = 10
    static func run(_ scheme: InitializationScheme, _ activation: StackActivation, seed: UInt64) throws -> [Tensor] {
        var rng = SeededGenerator(inputSeed: seed)
        let x = Tensor.randomNormal(shape: [batch, width], using: &rng)
        return try activationsThroughStack(x, depth: depth, scheme: scheme, activation: activation, using: &rng)
    }
    static func meanSquare(_ t: Tensor) -> Double { t.map { $0 * $0 }.mean() }
    static func saturated(_ t: Tensor) -> Double { t.map { abs($0) > 0.99 ? 1 : 0 }.mean() }
}

@Suite("Init3 · Activations through a deep stack", .graded(.init3))
struct Init3Tests {
    @Test("returns one [N, D] activation per layer, and the first is activation(x · W_1)")
    func structure() throws {
        var rng = SeededGenerator(inputSeed: 4)
        let x = Tensor.randomNormal(shape: [3, 5], using: &rng)
        var reference = rng
        let layers = try activationsThroughStack(x, depth: 4, scheme: .xavier, activation: .tanh, using: &rng)
        check(layers.count == 4, "activationsThroughStack(depth: 4) returned \(layers.count) tensors.", in: .init3)
        check(layers.allSatisfy { $0.shape == [3, 5] }, "every layer's activations should be [3, 5]; got \(layers.map(\.shape)).", in: .init3)
        // Layer 1's weights are the first draw: [5, 5] Xavier normals (σ = sqrt(1/5)).
        let w1 = Tensor.randomNormal(shape: [5, 5], standardDeviation: (1.0 / 5).squareRoot(), using: &reference)
        check(layers[0], equals: tanh(try Tensor.matmul(x, w1)), "the first layer, tanh(x · W_1)", in: .init3,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12,
              misconceptions: [Misconception(try Tensor.matmul(x, w1), "layer 1 holds x · W_1, the pre-activation; record each layer's activation tanh(x · W_1)")])
        // Every layer draws its own weights: layer 2 uses the *next* draw from the same generator. One matrix
        // reused for every layer is a different experiment (its eigenvalues compound), and fails here.
        let w2 = Tensor.randomNormal(shape: [5, 5], standardDeviation: (1.0 / 5).squareRoot(), using: &reference)
        if layers.count >= 2 {
            check(layers[1], equals: tanh(try Tensor.matmul(layers[0], w2)),
                  "the second layer, tanh(a_1 · W_2) with W_2 the generator's next draw (a fresh matrix for every layer, not W_1 again)",
                  in: .init3, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        }
        let relu = try activationsThroughStack(x, depth: 2, scheme: .he, activation: .relu, using: &rng)
        check(relu.allSatisfy { $0.min() >= 0 }, "ReLU activations are never negative.", in: .init3)
        let single = try activationsThroughStack(x, depth: 1, scheme: .xavier, activation: .tanh, using: &rng)
        check(single.count == 1 && single.first?.shape == [3, 5],
              "activationsThroughStack(depth: 1) should return one [3, 5] tensor (one layer is a valid stack); got \(single.map(\.shape)).", in: .init3)
    }

    @Test("draws fresh weights for every layer: layer 2 is tanh(a_1 · W_2) with W_2 the second draw")
    func freshWeightsPerLayer() throws {
        var rng = SeededGenerator(inputSeed: 5)
        let x = Tensor.randomNormal(shape: [3, 5], using: &rng)
        var reference = rng
        let layers = try activationsThroughStack(x, depth: 2, scheme: .xavier, activation: .tanh, using: &rng)
        guard layers.count == 2, layers.allSatisfy({ $0.shape == [3, 5] }) else {
            check(false, "activationsThroughStack(depth: 2) should return two [3, 5] tensors; got \(layers.map(\.shape)).", in: .init3)
            return
        }
        let sigma = (1.0 / 5).squareRoot()
        let w1 = Tensor.randomNormal(shape: [5, 5], standardDeviation: sigma, using: &reference)
        let w2 = Tensor.randomNormal(shape: [5, 5], standardDeviation: sigma, using: &reference)
        let a1 = tanh(try Tensor.matmul(x, w1))
        check(layers[1], equals: tanh(try Tensor.matmul(a1, w2)), "the second layer, tanh(a_1 · W_2)", in: .init3,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12,
              misconceptions: [Misconception(tanh(try Tensor.matmul(a1, w1)),
                                             "layer 2 reuses the same weight matrix W_1 as layer 1; draw a fresh matrix for every layer")])
    }

    @Test("tanh, Xavier: the activation variance stays in [0.02, 1] through 10 layers, with almost no saturation")
    func xavierWithHyperbolicTangent() throws {
        let layers = try DeepStack.run(.xavier, .tanh, seed: 11)
        // numpy: ≈ 0.39 after layer 1, slowly falling to ≈ 0.05 after layer 10 (tanh shrinks a little each time);
        // over 100 seeds no layer left [0.02, 1] and no layer had 5% of its units saturated.
        for (l, a) in layers.enumerated() {
            let v = moments(a).variance
            check(v >= 0.02 && v <= 1, "with Xavier weights, layer \(l + 1)'s tanh activations have variance \(v), outside [0.02, 1].", in: .init3)
            check(DeepStack.saturated(a) < 0.05, "with Xavier weights, \(DeepStack.saturated(a) * 100)% of layer \(l + 1)'s units are saturated (|a| > 0.99).", in: .init3)
        }
    }

    @Test("tanh, N(0, 1) weights saturate: most units of layer 10 have |a| > 0.99")
    func unitNormalSaturates() throws {
        let layers = try DeepStack.run(.normal(standardDeviation: 1), .tanh, seed: 12)
        // Var(z) = 256·1·Var(a): pre-activations have standard deviation ≈ 15, so tanh is ±1 almost everywhere
        // (numpy: ≈ 86% of units beyond 0.99, every layer).
        let fraction = DeepStack.saturated(layers[9])
        check(fraction > 0.5, "with N(0, 1) weights only \(fraction * 100)% of layer 10's units are saturated; expected most.", in: .init3)
    }

    @Test("tanh, N(0, 0.01²) weights vanish: the variance of layer 10 is below 1e-10")
    func smallNormalVanishes() throws {
        let layers = try DeepStack.run(.normal(standardDeviation: 0.01), .tanh, seed: 13)
        // Each layer multiplies the variance by 256·1e-4 = 0.0256: ≈ 0.0256¹⁰ ≈ 1e-16 after 10 layers.
        let v = moments(layers[9]).variance
        check(v < 1e-10, "with N(0, 0.01²) weights layer 10's variance is \(v); expected it to vanish (< 1e-10).", in: .init3)
        check(moments(layers[0]).variance > 1e-3, "layer 1 should still carry signal (variance ≈ 0.025).", in: .init3)
    }

    @Test("ReLU, He keeps the mean square E[a²] in [0.25, 4] through 10 layers")
    func heRelu() throws {
        // ReLU keeps half of a symmetric pre-activation: E[a²] = Var(z)/2, and Var(z) = D·Var(W)·E[a²].
        // He (Var(W) = 2/D) gives E[a²] ≈ 1 at every layer, up to a random walk (numpy, 100 seeds:
        // every layer's E[a²] stayed within [0.43, 2.2]).
        let he = try DeepStack.run(.he, .relu, seed: 14)
        for (l, a) in he.enumerated() {
            let m = DeepStack.meanSquare(a)
            check(m >= 0.25 && m <= 4, "with He weights layer \(l + 1)'s ReLU activations have E[a²] = \(m), outside [0.25, 4].", in: .init3)
        }
    }

    @Test("ReLU, Xavier weights halve E[a²] at every layer: below 0.01 after 10 layers")
    func xavierReluVanishes() throws {
        // Var(W) = 1/D: E[a²] is multiplied by D·(1/D)/2 = 1/2 per layer, ≈ 2^−10 ≈ 0.001 after 10.
        let xavier = try DeepStack.run(.xavier, .relu, seed: 15)
        let m10 = DeepStack.meanSquare(xavier[9])
        check(m10 < 0.01, "with Xavier weights and ReLU, E[a²] after 10 layers is \(m10); expected ≈ 2^−10 ≈ 0.001 (< 0.01).", in: .init3)
    }

    @Test("ReLU, N(0, 1) weights explode: E[a²] above 1e10 after 10 layers")
    func unitNormalReluExplodes() throws {
        // Var(W) = 1: E[a²] is multiplied by 256/2 = 128 per layer, ≈ 128^10 ≈ 1e21 after 10.
        let big = try DeepStack.run(.normal(standardDeviation: 1), .relu, seed: 16)
        let e10 = DeepStack.meanSquare(big[9])
        check(e10 > 1e10, "with N(0, 1) weights and ReLU, E[a²] after 10 layers is \(e10); expected it to explode (> 1e10).", in: .init3)
    }
}

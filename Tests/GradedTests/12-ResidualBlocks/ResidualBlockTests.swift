import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let residual1 = Exercise(id: "Residual1", chapter: "12-ResidualBlocks", file: "ResidualBlock.swift", title: "Residual block forward", points: 4)
    static let residual2 = Exercise(id: "Residual2", chapter: "12-ResidualBlocks", file: "ResidualBlock.swift", title: "Residual block backward", points: 5)
}

/// The block written out with the core's operations only (none of the student's layers), returning
/// the output and the cache the forward pass should produce. The backward tests build their cache
/// here, so Residual2 is graded even when Residual1 is unfinished.
fileprivate func referenceResidualBlock(_ x: Tensor, _ p: ResidualBlockParameters, epsilon: Double = 1e-5) throws -> (out: Tensor, cache: ResidualBlockCache) {
    func batchNorm(_ h: Tensor, _ gamma: Tensor, _ beta: Tensor) throws -> (Tensor, BatchNormCache) {
        let mean = try h.mean(alongAxis: 0), variance = try h.variance(alongAxes: [0])
        let xHat = try (h - mean) / (variance + epsilon).squareRoot()
        return (try xHat * gamma + beta, BatchNormCache(xHat: xHat, gamma: gamma, mean: mean, variance: variance, epsilon: epsilon))
    }
    let relu: (Tensor) -> Tensor = { $0.map { Swift.max(0, $0) } }
    let h1 = try Tensor.matmul(x, p.w1) + p.b1
    let (n1, bn1) = try batchNorm(h1, p.gamma1, p.beta1)
    let a1 = relu(n1)
    let h2 = try Tensor.matmul(a1, p.w2) + p.b2
    let (n2, bn2) = try batchNorm(h2, p.gamma2, p.beta2)
    let s = try (p.projection.map { try Tensor.matmul(x, $0) } ?? x) + n2
    let cache = ResidualBlockCache(x: x, dense1: DenseCache(x: x, weight: p.w1), batchNorm1: bn1, relu1: ReLUCache(x: n1),
                                   dense2: DenseCache(x: a1, weight: p.w2), batchNorm2: bn2, reluOut: ReLUCache(x: s),
                                   projection: p.projection)
    return (relu(s), cache)
}

/// Seeded parameters for input width d, hidden width h, output width m (a projection when d ≠ m or asked).
fileprivate func randomParameters(d: Int, h: Int, m: Int, projection: Bool, using rng: inout SeededGenerator) -> ResidualBlockParameters {
    ResidualBlockParameters(
        w1: Tensor.randomNormal(shape: [d, h], using: &rng), b1: Tensor.randomNormal(shape: [h], using: &rng),
        gamma1: Tensor.randomNormal(shape: [h], mean: 1, standardDeviation: 0.3, using: &rng),
        beta1: Tensor.randomNormal(shape: [h], standardDeviation: 0.5, using: &rng),
        w2: Tensor.randomNormal(shape: [h, m], using: &rng), b2: Tensor.randomNormal(shape: [m], using: &rng),
        gamma2: Tensor.randomNormal(shape: [m], mean: 1, standardDeviation: 0.3, using: &rng),
        beta2: Tensor.randomNormal(shape: [m], standardDeviation: 0.5, using: &rng),
        projection: projection ? Tensor.randomNormal(shape: [d, m], using: &rng) : nil)
}

/// What the usual residual-block mistakes give when F(x) = 0 (γ2 = β2 = 0), shared with the conv block's suites.
enum ResidualMistakes {
    static func forward(_ x: Tensor) -> [Misconception] {
        [Misconception(x, "the output is x + relu(F(x)): the ReLU was applied before the addition; the block is relu(x + F(x))"),
         Misconception(Tensor(zeros: x.shape), "the output is relu(F(x)): the shortcut was never added; the block is relu(x + F(x))")]
    }

    static func backward(_ dout: Tensor) -> [Misconception] {
        [Misconception(Tensor(zeros: dout.shape), "dx is only the residual branch's: the identity path hands ds = dout ⊙ 1[x + F(x) > 0] straight to dx, and the two add"),
         Misconception(dout, "dx skips the final ReLU's mask: both paths start from ds = dout ⊙ 1[x + F(x) > 0]")]
    }
}

@Suite("Residual1 · Residual block forward", .graded(.residual1))
struct Residual1Tests {
    @Test("with F's last layer zeroed (gamma2 = beta2 = 0) the block is relu(x)")
    func zeroedResidualIsRelu() throws {
        var rng = SeededGenerator(inputSeed: 12)
        var p = randomParameters(d: 4, h: 5, m: 4, projection: false, using: &rng)
        p.gamma2 = Tensor(zeros: [4])
        p.beta2 = Tensor(zeros: [4])
        let x = Tensor.randomNormal(shape: [6, 4], using: &rng)
        // F(x) = 0·xHat + 0 = 0 exactly, so out = relu(x + 0) = relu(x).
        let (out, _) = try residualBlockForward(x, parameters: p)
        check(out, equals: x.map { max(0, $0) }, "the block with gamma2 = beta2 = 0", in: .residual1,
              misconceptions: ResidualMistakes.forward(x))
        // With a projection the same block is relu(x · W_s).
        let ws = Tensor.randomNormal(shape: [4, 3], using: &rng)
        var q = randomParameters(d: 4, h: 5, m: 3, projection: false, using: &rng)
        q.gamma2 = Tensor(zeros: [3]); q.beta2 = Tensor(zeros: [3]); q.projection = ws
        let (projected, _) = try residualBlockForward(x, parameters: q)
        check(projected, equals: try Tensor.matmul(x, ws).map { max(0, $0) }, "the projected block with gamma2 = beta2 = 0",
              in: .residual1, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("at initialization the channel variance grows about linearly through 16 blocks, neither exploding nor vanishing: signal propagation with BN (notes 003, a measurement)")
    func signalPropagation() throws {
        // Notes 003 (Brock, De and Smith, on normalizer-free ResNets): batch norm gives deep ResNets good signal
        // propagation at initialization. Their signal-propagation plots show the average channel variance of the
        // residual stream growing linearly with depth: the BN at the end of each branch hands the sum a term of
        // variance γ² = 1, whatever the stream's size, so nothing explodes or vanishes. 16 of your blocks, He
        // weights, γ = 1, β = 0, a batch of 128 examples of width 16 drawn N(0, 1); the average channel variance
        // after each block. The ReLU after the addition clips part of each new term, so the growth is below 1 per
        // block. Reference solutions, this seed and 9 neighbours: 5.5 to 9.0 after block 16, 1.6 to 2.9 times the
        // value after block 8 (a slope of 0.26 to 0.74 per block), no block lowering it by more than 0.3.
        var rng = SeededGenerator(seed: 1216)
        var x = Tensor.randomNormal(shape: [128, 16], using: &rng)
        var variances: [Double] = []
        for _ in 0..<16 {
            let p = ResidualBlockParameters(
                w1: Tensor.randomNormal(shape: [16, 16], standardDeviation: (2.0 / 16).squareRoot(), using: &rng), b1: Tensor(zeros: [16]),
                gamma1: Tensor(repeating: 1, shape: [16]), beta1: Tensor(zeros: [16]),
                w2: Tensor.randomNormal(shape: [16, 16], standardDeviation: (2.0 / 16).squareRoot(), using: &rng), b2: Tensor(zeros: [16]),
                gamma2: Tensor(repeating: 1, shape: [16]), beta2: Tensor(zeros: [16]), projection: nil)
            x = try residualBlockForward(x, parameters: p).out
            variances.append(try x.variance(alongAxes: [0]).sum() / 16)
        }
        let increments = (1..<16).map { variances[$0] - variances[$0 - 1] }
        let ratio = variances[15] / variances[7]
        check(variances[15] >= 3 && variances[15] <= 16 && ratio >= 1.3 && ratio <= 4 && increments.allSatisfy { $0 > -0.6 },
              "the average channel variance after blocks 1…16 should grow steadily and about linearly: 3…16 after block 16, 1.3…4 times its value after block 8 (linear growth doubles it, exponential growth would multiply it by hundreds), never falling by 0.6; got \(variances.map { ($0 * 100).rounded() / 100 })",
              in: .residual1)
    }

    @Test("computes relu(x + BN(dense(relu(BN(dense(x)))))) on seeded inputs, identity and projection shortcuts")
    func matchesReference() throws {
        var rng = SeededGenerator(inputSeed: 34)
        for (d, m) in [(4, 4), (4, 3)] {
            let p = randomParameters(d: d, h: 5, m: m, projection: d != m, using: &rng)
            let x = Tensor.randomNormal(shape: [6, d], using: &rng)
            let (out, cache) = try residualBlockForward(x, parameters: p)
            let (expected, expectedCache) = try referenceResidualBlock(x, p)
            check(out, equals: expected, "the block's output for D = \(d), M = \(m)", in: .residual1,
                  absoluteTolerance: 1e-10, relativeTolerance: 1e-10)
            check(cache.reluOut.x, equals: expectedCache.reluOut.x, "cache.reluOut.x (the sum shortcut(x) + F(x)) for D = \(d), M = \(m)",
                  in: .residual1, absoluteTolerance: 1e-10, relativeTolerance: 1e-10)
            check(cache.projection == p.projection, "the cache should keep the projection (nil for an identity shortcut).", in: .residual1)
            check(cache.x == x, "the cache should keep the block's input x.", in: .residual1)
        }
    }

    @Test("rejects different widths without a projection, and a projection of the wrong shape")
    func rejectsWrongSizes() throws {
        var rng = SeededGenerator(inputSeed: 5)
        let x = Tensor.randomNormal(shape: [4, 3], using: &rng)
        let p = randomParameters(d: 3, h: 4, m: 2, projection: false, using: &rng)
        try checkThrowsShapeError("residualBlockForward with D = 3, M = 2 and no projection", in: .residual1) {
            _ = try residualBlockForward(x, parameters: p)
        }
        var q = p
        q.projection = Tensor(zeros: [3, 5])
        try checkThrowsShapeError("residualBlockForward with a projection [3, 5] for M = 2", in: .residual1) {
            _ = try residualBlockForward(x, parameters: q)
        }
    }
}

@Suite("Residual2 · Residual block backward", .graded(.residual2))
struct Residual2Tests {
    @Test("the skip carries the gradient straight to dx: with F zeroed, dx = dout ⊙ 1[x > 0] and F's weights get none")
    func skipCarriesGradient() throws {
        var rng = SeededGenerator(inputSeed: 21)
        var p = randomParameters(d: 4, h: 5, m: 4, projection: false, using: &rng)
        p.gamma2 = Tensor(zeros: [4]); p.beta2 = Tensor(zeros: [4])
        let x = Tensor.randomNormal(shape: [6, 4], using: &rng)
        let dout = Tensor.randomNormal(shape: [6, 4], using: &rng)
        let (_, cache) = try referenceResidualBlock(x, p)
        let (dx, g) = try residualBlockBackward(dout, cache: cache)
        // out = relu(x): the only path left is the skip, so dx = dout where x > 0, else 0.
        let expected = try Tensor.zip(dout, x, operation: "expected") { $1 > 0 ? $0 : 0 }
        check(dx, equals: expected, "dx with F zeroed (only the skip connection carries gradient)", in: .residual2,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12, misconceptions: ResidualMistakes.backward(dout))
        // gamma2 = 0 blocks everything behind BN2.
        check(g.w1, equals: Tensor(zeros: [4, 5]), "dw1 with gamma2 = 0", in: .residual2, absoluteTolerance: 1e-12, relativeTolerance: 0)
        check(g.w2, equals: Tensor(zeros: [5, 4]), "dw2 with gamma2 = 0", in: .residual2, absoluteTolerance: 1e-12, relativeTolerance: 0)
        check(g.projection == nil, "an identity shortcut has no projection gradient (expected nil).", in: .residual2)
    }

    @Test("matches the numeric gradients of the whole block (identity and projection shortcuts)")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 231)
        for (d, m) in [(3, 3), (3, 2)] {
            let p = randomParameters(d: d, h: 4, m: m, projection: d != m, using: &rng)
            let x = Tensor.randomNormal(shape: [5, d], using: &rng)
            let dout = Tensor.randomNormal(shape: [5, m], using: &rng)
            let (_, cache) = try referenceResidualBlock(x, p)
            let (dx, g) = try residualBlockBackward(dout, cache: cache)
            let block = "the block with D = \(d), M = \(m)"
            // Tolerance 1e-6, not 1e-7: through two batch norms on a batch of 5, the centered difference
            // itself is only good to ~1e-7 (numpy, 50 random blocks: the estimates with h = 1e-5 and
            // h = 1e-4 differ by up to 6e-7 in relative error). A wrong backward pass gives > 1e-3.
            let tolerance = 1e-6
            func numeric(_ at: Tensor, _ replace: @escaping (inout ResidualBlockParameters, Tensor) -> Void) throws -> Tensor {
                try numericGradient(of: { value in var q = p; replace(&q, value); return try referenceResidualBlock(x, q).out },
                                    at: at, upstream: dout)
            }
            checkGradient(dx, matches: try numericGradient(of: { try referenceResidualBlock($0, p).out }, at: x, upstream: dout),
                          "dx of \(block)", in: .residual2, tolerance: tolerance)
            checkGradient(g.w1, matches: try numeric(p.w1) { $0.w1 = $1 }, "dw1 of \(block)", in: .residual2, tolerance: tolerance)
            checkGradient(g.gamma1, matches: try numeric(p.gamma1) { $0.gamma1 = $1 }, "dgamma1 of \(block)", in: .residual2, tolerance: tolerance)
            checkGradient(g.beta1, matches: try numeric(p.beta1) { $0.beta1 = $1 }, "dbeta1 of \(block)", in: .residual2, tolerance: tolerance)
            checkGradient(g.w2, matches: try numeric(p.w2) { $0.w2 = $1 }, "dw2 of \(block)", in: .residual2, tolerance: tolerance)
            checkGradient(g.gamma2, matches: try numeric(p.gamma2) { $0.gamma2 = $1 }, "dgamma2 of \(block)", in: .residual2, tolerance: tolerance)
            checkGradient(g.beta2, matches: try numeric(p.beta2) { $0.beta2 = $1 }, "dbeta2 of \(block)", in: .residual2, tolerance: tolerance)
            // A bias right before batch normalization is removed with the mean: its true gradient is exactly 0.
            // The numeric estimate is then rounding noise (~1e-11), for which a relative error means nothing,
            // so both are compared with an absolute tolerance instead.
            check(g.b1, equals: try numeric(p.b1) { $0.b1 = $1 }, "db1 of \(block) (0: BN removes a constant shift)",
                  in: .residual2, absoluteTolerance: 1e-7, relativeTolerance: 0)
            check(g.b2, equals: try numeric(p.b2) { $0.b2 = $1 }, "db2 of \(block) (0: BN removes a constant shift)",
                  in: .residual2, absoluteTolerance: 1e-7, relativeTolerance: 0)
            if let projection = p.projection {
                if let dprojection = g.projection {
                    checkGradient(dprojection, matches: try numeric(projection) { $0.projection = $1 }, "dprojection of \(block)", in: .residual2, tolerance: tolerance)
                } else {
                    check(false, "a block with a projection must return its gradient in gradients.projection (got nil).", in: .residual2)
                }
            }
        }
    }

    @Test("rejects an upstream gradient that is not [N, M]")
    func rejectsWrongSizes() throws {
        var rng = SeededGenerator(inputSeed: 6)
        let p = randomParameters(d: 3, h: 4, m: 3, projection: false, using: &rng)
        let (_, cache) = try referenceResidualBlock(Tensor.randomNormal(shape: [5, 3], using: &rng), p)
        try checkThrowsShapeError("residualBlockBackward with dout [5, 2] for out [5, 3]", in: .residual2) {
            _ = try residualBlockBackward(Tensor(zeros: [5, 2]), cache: cache)
        }
    }
}

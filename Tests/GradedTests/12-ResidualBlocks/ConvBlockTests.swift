import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let convResidual1 = Exercise(id: "ConvBlock1", chapter: "12-ResidualBlocks", file: "ConvResidualBlock.swift", title: "convolutional residual block forward", points: 4)
    static let convResidual2 = Exercise(id: "ConvBlock2", chapter: "12-ResidualBlocks", file: "ConvResidualBlock.swift", title: "convolutional residual block backward", points: 5)
}

/// The block written with the core's operations and the naive convolution of the Conv3 suite (none
/// of the student's layers). It returns the output and the cache the forward pass should produce, so
/// the backward tests are graded even when ConvBlock1 (or chapters 10 and 11) are unfinished.
enum ConvResidualReference {
    static func forward(_ x: Tensor, _ p: ConvResidualBlockParameters, epsilon: Double = 1e-5) throws -> (out: Tensor, cache: ConvResidualBlockCache) {
        func batchNorm(_ h: Tensor, _ gamma: Tensor, _ beta: Tensor) throws -> (Tensor, SpatialBatchNormCache) {
            let mean = try h.mean(alongAxes: [0, 1, 2]), variance = try h.variance(alongAxes: [0, 1, 2])
            let xHat = try (h - mean) / (variance + epsilon).squareRoot()
            return (try xHat * gamma + beta, SpatialBatchNormCache(xHat: xHat, gamma: gamma, mean: mean, variance: variance, epsilon: epsilon))
        }
        let relu: (Tensor) -> Tensor = { $0.map { Swift.max(0, $0) } }
        let cout = p.conv1.shape[3]
        let noBias = Tensor(zeros: [cout])
        let c1 = Conv2DConfiguration(stride: p.stride, padding: 1), c2 = Conv2DConfiguration(padding: 1)
        let h1 = try ConvFixtures.naiveConv(x, p.conv1, noBias, c1)
        let (n1, bn1) = try batchNorm(h1, p.gamma1, p.beta1)
        let a1 = relu(n1)
        let h2 = try ConvFixtures.naiveConv(a1, p.conv2, noBias, c2)
        let (n2, bn2) = try batchNorm(h2, p.gamma2, p.beta2)
        let projection = p.projection.map { Conv2DCache(x: x, weight: $0, configuration: Conv2DConfiguration(stride: p.stride)) }
        let shortcut = try projection.map { try ConvFixtures.naiveConv(x, $0.weight, noBias, $0.configuration) } ?? x
        let s = try shortcut + n2
        let cache = ConvResidualBlockCache(conv1: Conv2DCache(x: x, weight: p.conv1, configuration: c1), batchNorm1: bn1,
                                           relu1: ReLUCache(x: n1), conv2: Conv2DCache(x: a1, weight: p.conv2, configuration: c2),
                                           batchNorm2: bn2, projection: projection, reluOut: ReLUCache(x: s))
        return (relu(s), cache)
    }

    /// Seeded parameters: an identity block (Cin = Cout, stride 1) or a projection block (stride 2).
    static func parameters(cin: Int, cout: Int, projection: Bool, seed: UInt64) -> ConvResidualBlockParameters {
        var rng = SeededGenerator(inputSeed: seed)
        return ConvResidualBlockParameters(
            conv1: Tensor.randomNormal(shape: [3, 3, cin, cout], standardDeviation: 0.5, using: &rng),
            gamma1: Tensor.randomNormal(shape: [cout], mean: 1, standardDeviation: 0.3, using: &rng),
            beta1: Tensor.randomNormal(shape: [cout], standardDeviation: 0.5, using: &rng),
            conv2: Tensor.randomNormal(shape: [3, 3, cout, cout], standardDeviation: 0.5, using: &rng),
            gamma2: Tensor.randomNormal(shape: [cout], mean: 1, standardDeviation: 0.3, using: &rng),
            beta2: Tensor.randomNormal(shape: [cout], standardDeviation: 0.5, using: &rng),
            projection: projection ? Tensor.randomNormal(shape: [1, 1, cin, cout], using: &rng) : nil,
            stride: projection ? 2 : 1)
    }

    /// The two blocks every suite runs: identity [2, 4, 4, 2] → [2, 4, 4, 2]; projection [2, 4, 4, 2] → [2, 2, 2, 3].
    static let kinds = ["identity", "projection"]

    static func setUp(_ kind: String) -> (x: Tensor, parameters: ConvResidualBlockParameters) {
        var rng = SeededGenerator(inputSeed: kind == "identity" ? 61 : 62)
        let x = Tensor.randomNormal(shape: [2, 4, 4, 2], using: &rng)
        return (x, parameters(cin: 2, cout: kind == "identity" ? 2 : 3, projection: kind == "projection", seed: kind == "identity" ? 63 : 64))
    }
}

@Suite("ConvBlock1 · convolutional residual block forward", .graded(.convResidual1))
struct ConvBlock1Tests {
    @Test("matches the block written out layer by layer", arguments: ConvResidualReference.kinds)
    func matchesReference(_ kind: String) throws {
        let (x, p) = ConvResidualReference.setUp(kind)
        let (out, cache) = try convResidualBlockForward(x, parameters: p)
        let (expected, expectedCache) = try ConvResidualReference.forward(x, p)
        check(out, equals: expected, "the \(kind) block's output", in: .convResidual1, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        // The trainer reads each BN's batch statistics from the cache.
        check(cache.batchNorm1.mean, equals: expectedCache.batchNorm1.mean, "cache.batchNorm1.mean", in: .convResidual1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        check(cache.batchNorm2.variance, equals: expectedCache.batchNorm2.variance, "cache.batchNorm2.variance", in: .convResidual1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        check((cache.projection == nil) == (kind == "identity"), "cache.projection should be \(kind == "identity" ? "nil" : "set") for the \(kind) block.", in: .convResidual1)
    }

    @Test("halves the resolution and changes the channels through the projection: [2, 4, 4, 2] → [2, 2, 2, 3]")
    func projectionShape() throws {
        let (x, p) = ConvResidualReference.setUp("projection")
        let (out, _) = try convResidualBlockForward(x, parameters: p)
        check(out.shape == [2, 2, 2, 3], "the projection block should return [2, 2, 2, 3], got \(out.shape).", in: .convResidual1)
    }

    @Test("with the last BN zeroed (γ2 = β2 = 0) is relu(x), or relu(projection(x))")
    func zeroedBranch() throws {
        // F(x) = 0·x̂ + 0 = 0 exactly, so the block is relu(shortcut(x)): a deep ResNet whose
        // blocks start this way begins as a shallow network (the zero-γ initialization).
        let (x, identity) = ConvResidualReference.setUp("identity")
        var p = identity
        p.gamma2 = Tensor(zeros: [2]); p.beta2 = Tensor(zeros: [2])
        let (out, _) = try convResidualBlockForward(x, parameters: p)
        check(out, equals: x.map { max(0, $0) }, "the identity block with γ2 = β2 = 0", in: .convResidual1,
              misconceptions: ResidualMistakes.forward(x))
        // Projection: a 1x1 stride-2 convolution keeps pixels (0, 0), (0, 2), (2, 0), (2, 2) and
        // mixes their channels: out[n, i, j, o] = relu(Σ_c x[n, 2i, 2j, c]·P[0, 0, c, o]).
        let (y, projecting) = ConvResidualReference.setUp("projection")
        var q = projecting
        q.gamma2 = Tensor(zeros: [3]); q.beta2 = Tensor(zeros: [3])
        let (projected, _) = try convResidualBlockForward(y, parameters: q)
        guard let weight = q.projection else { return }
        var expected = Tensor(zeros: [2, 2, 2, 3])
        for n in 0..<2 { for i in 0..<2 { for j in 0..<2 { for o in 0..<3 {
            var total = 0.0
            for c in 0..<2 { total += y[n, 2 * i, 2 * j, c] * weight[0, 0, c, o] }
            expected[n, i, j, o] = max(0, total)
        } } } }
        check(projected, equals: expected, "the projection block with γ2 = β2 = 0", in: .convResidual1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("refuses an identity shortcut when the shape changes")
    func rejectsMissingProjection() throws {
        let (x, projecting) = ConvResidualReference.setUp("projection")
        var p = projecting
        p.projection = nil
        try checkThrowsShapeError("convResidualBlockForward from 2 to 3 channels, stride 2, without a projection", in: .convResidual1) {
            _ = try convResidualBlockForward(x, parameters: p)
        }
    }
}

@Suite("ConvBlock2 · convolutional residual block backward", .graded(.convResidual2))
struct ConvBlock2Tests {
    @Test("matches the numeric gradients of x and of every parameter", arguments: ConvResidualReference.kinds)
    func gradientCheck(_ kind: String) throws {
        // The cache and the numeric gradients come from the reference, so only the backward
        // pass is graded. Two batch norms and two relus: for these seeds no relu input lies
        // within 2e-3 of its kink (h = 1e-5), and the reference solution agrees with the finite
        // differences to 3e-8 or better (dx of the projection block is the worst), inside 1e-7.
        let (x, p) = ConvResidualReference.setUp(kind)
        let (out, cache) = try ConvResidualReference.forward(x, p)
        var rng = SeededGenerator(inputSeed: 65)
        let dout = Tensor.randomNormal(shape: out.shape, using: &rng)
        let (dx, g) = try convResidualBlockBackward(dout, cache: cache)
        func numeric(_ at: Tensor, _ with: @escaping (Tensor) -> ConvResidualBlockParameters) throws -> Tensor {
            try numericGradient(of: { try ConvResidualReference.forward(x, with($0)).out }, at: at, upstream: dout)
        }
        let numericX = try numericGradient(of: { try ConvResidualReference.forward($0, p).out }, at: x, upstream: dout)
        checkGradient(dx, matches: numericX, "dx (\(kind))", in: .convResidual2)
        checkGradient(g.conv1, matches: try numeric(p.conv1) { var q = p; q.conv1 = $0; return q }, "dconv1 (\(kind))", in: .convResidual2)
        checkGradient(g.conv2, matches: try numeric(p.conv2) { var q = p; q.conv2 = $0; return q }, "dconv2 (\(kind))", in: .convResidual2)
        checkGradient(g.gamma1, matches: try numeric(p.gamma1) { var q = p; q.gamma1 = $0; return q }, "dgamma1 (\(kind))", in: .convResidual2)
        checkGradient(g.beta1, matches: try numeric(p.beta1) { var q = p; q.beta1 = $0; return q }, "dbeta1 (\(kind))", in: .convResidual2)
        checkGradient(g.gamma2, matches: try numeric(p.gamma2) { var q = p; q.gamma2 = $0; return q }, "dgamma2 (\(kind))", in: .convResidual2)
        checkGradient(g.beta2, matches: try numeric(p.beta2) { var q = p; q.beta2 = $0; return q }, "dbeta2 (\(kind))", in: .convResidual2)
        if let projection = p.projection {
            if let dprojection = g.projection {
                checkGradient(dprojection, matches: try numeric(projection) { var q = p; q.projection = $0; return q },
                              "dprojection", in: .convResidual2)
            } else {
                check(false, "the projection block's gradients need a projection gradient; got nil.", in: .convResidual2)
            }
        } else {
            check(g.projection == nil, "an identity block has no projection, so its gradient should be nil.", in: .convResidual2)
        }
    }

    @Test("sends the gradient through the skip when the branch is switched off: dx = dout ⊙ 1[x > 0]")
    func skipCarriesTheGradient() throws {
        // With γ2 = 0, BN2 scales its incoming gradient by 0, so nothing flows back through F:
        // all of dx comes through the identity and the final relu's gate (notes 004: the
        // skip connection carries gradients past layers that would make them vanish).
        let (x, identity) = ConvResidualReference.setUp("identity")
        var p = identity
        p.gamma2 = Tensor(zeros: [2]); p.beta2 = Tensor(zeros: [2])
        let (_, cache) = try ConvResidualReference.forward(x, p)
        var rng = SeededGenerator(inputSeed: 66)
        let dout = Tensor.randomNormal(shape: x.shape, using: &rng)
        let (dx, g) = try convResidualBlockBackward(dout, cache: cache)
        check(dx, equals: try Tensor.zip(dout, x) { d, v in v > 0 ? d : 0 }, "dx with the branch switched off", in: .convResidual2,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12, misconceptions: ResidualMistakes.backward(dout))
        check(g.conv1, equals: Tensor(zeros: p.conv1.shape), "dconv1 with the branch switched off", in: .convResidual2,
              absoluteTolerance: 1e-12, relativeTolerance: 0)
    }
}

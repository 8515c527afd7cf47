// Chapter 12 · Residual blocks — the convolutional residual block (ResNet's basic block).
//
// Shapes (NHWC; CS231n and PyTorch use NCHW):
//   x, dx        [N, H, W, Cin]
//   out, dout    [N, Ho, Wo, Cout]     Ho = ⌈H / s⌉ with stride s (3x3 kernels, padding 1)
//   parameters   see ConvResidualBlockParameters
//
//     h1 = conv3x3(x; conv1, stride s, padding 1)   n1 = BN(h1; γ1, β1)   a1 = relu(n1)
//     h2 = conv3x3(a1; conv2, stride 1, padding 1)  n2 = BN(h2; γ2, β2)   F(x) = n2
//     shortcut(x) = x                               (Cin = Cout and s = 1)
//                 = conv1x1(x; projection, stride s) (otherwise)
//     out = relu(shortcut(x) + F(x))
//
// It is built from chapter 1 (reluForward/Backward), chapter 10 (conv2dForward/Backward) and
// chapter 11 (spatialBatchNormForward/Backward). Batch norm runs in training mode: the caches hold
// each BN's batch mean and variance for a trainer's running averages
// (updateConvResidualBlockStatistics), and convResidualBlockInference normalizes with those at test
// time (exercise ConvBlock3).
//
// Guide and hints: Exercises/12-ResidualBlocks/GUIDE.md ("Convolutional residual blocks"), or
// `swift run workbook hint ConvBlock1`.
import WorkbookCore

/// The forward pass of a convolutional residual block.
///
/// - Parameters:
///   - x: `[N, H, W, Cin]`.
///   - parameters: the block's kernels, BN scales and shifts, optional projection and stride.
///   - epsilon: the batch norms' ε.
/// - Returns: `out`, `[N, Ho, Wo, Cout]`, and the cache `convResidualBlockBackward` needs.
/// - Throws: ``ShapeError`` if the shapes do not chain, or if the block changes the shape
///   (`Cin ≠ Cout` or stride ≠ 1) without a projection.
/// - Note: The cache is `ConvResidualBlockCache(conv1:batchNorm1:relu1:conv2:batchNorm2:projection:reluOut:)`, from `Sources/WorkbookCore/Caches/ConvResidualCaches.swift`: `conv1` (Conv2DCache); `batchNorm1` (SpatialBatchNormCache); `relu1` (ReLUCache); `conv2` (Conv2DCache); `batchNorm2` (SpatialBatchNormCache); `projection` (Conv2DCache?); `reluOut` (ReLUCache).
public func convResidualBlockForward(
    _ x: Tensor, parameters: ConvResidualBlockParameters, epsilon: Double = 1e-5
) throws -> (out: Tensor, cache: ConvResidualBlockCache) {
    // TODO(ConvBlock1): conv → BN → relu → conv → BN; add the shortcut (x or the 1x1 projection); relu.
    // START ConvBlock1
    let p = parameters
    try requireShape(x, [-1, -1, -1, -1], "convResidualBlockForward x [N, H, W, Cin]")
    let cout = p.conv1.shape.last ?? 0
    // No bias before a batch norm (see ConvResidualBlockParameters): pass zeros.
    let noBias = Tensor(zeros: [cout])
    // The residual branch F(x). The first convolution carries the stride, so F(x) already has the
    // output's resolution; padding 1 keeps the 3x3 convolutions from shrinking the image.
    let (h1, conv1) = try conv2dForward(x, weight: p.conv1, bias: noBias,
                                        configuration: Conv2DConfiguration(stride: p.stride, padding: 1))
    let (n1, batchNorm1) = try spatialBatchNormForward(h1, gamma: p.gamma1, beta: p.beta1, epsilon: epsilon)
    let (a1, relu1) = try reluForward(n1)
    let (h2, conv2) = try conv2dForward(a1, weight: p.conv2, bias: noBias, configuration: Conv2DConfiguration(padding: 1))
    let (n2, batchNorm2) = try spatialBatchNormForward(h2, gamma: p.gamma2, beta: p.beta2, epsilon: epsilon)
    // The shortcut must have F(x)'s shape to be added: the identity only if nothing changes.
    let shortcut: Tensor
    var projection: Conv2DCache? = nil
    if let weight = p.projection {
        // A 1x1 convolution with the block's stride: it mixes the channels of each kept pixel.
        let (projected, cache) = try conv2dForward(x, weight: weight, bias: noBias, configuration: Conv2DConfiguration(stride: p.stride))
        shortcut = projected
        projection = cache
    } else {
        guard x.shape == n2.shape else {
            throw ShapeError(operation: "convResidualBlockForward", shapes: [x.shape, n2.shape],
                             detail: "an identity shortcut needs F(x) to keep the input's shape; give the block a projection")
        }
        shortcut = x
    }
    // The activation comes after the addition, as in the original ResNet.
    let (out, reluOut) = try reluForward(try shortcut + n2)
    return (out, ConvResidualBlockCache(conv1: conv1, batchNorm1: batchNorm1, relu1: relu1, conv2: conv2,
                                        batchNorm2: batchNorm2, projection: projection, reluOut: reluOut))
    // END ConvBlock1
}

/// The backward pass of a convolutional residual block.
///
///     ds = dout ⊙ 1[s > 0]                       (the final relu)
///     the sum sends ds unchanged into F and into the shortcut;
///     F backwards: BN2, conv2, relu1, BN1, conv1 → dx_F
///     dx = dx_F + ds                              (identity)
///     dx = dx_F + conv1x1 backward of ds          (projection, which also gives dprojection)
///
/// - Parameters:
///   - dout: `[N, Ho, Wo, Cout]`.
///   - cache: what `convResidualBlockForward` kept.
/// - Returns: `dx` `[N, H, W, Cin]` and the gradients of every parameter, in a
///   ``ConvResidualBlockParameters`` (same shapes; `stride` copied from the forward pass).
/// - Throws: ``ShapeError`` if `dout` does not have the output's shape.
public func convResidualBlockBackward(
    _ dout: Tensor, cache: ConvResidualBlockCache
) throws -> (dx: Tensor, gradients: ConvResidualBlockParameters) {
    // TODO(ConvBlock2): undo the final relu, then run each layer's backward in reverse; both paths add into dx.
    // START ConvBlock2
    let ds = try reluBackward(dout, cache: cache.reluOut)
    // Residual branch, last layer first, each with the cache its forward pass kept.
    let (dh2, dgamma2, dbeta2) = try spatialBatchNormBackward(ds, cache: cache.batchNorm2)
    let (da1, dconv2, _) = try conv2dBackward(dh2, cache: cache.conv2)
    let dn1 = try reluBackward(da1, cache: cache.relu1)
    let (dh1, dgamma1, dbeta1) = try spatialBatchNormBackward(dn1, cache: cache.batchNorm1)
    let (dxBranch, dconv1, _) = try conv2dBackward(dh1, cache: cache.conv1)
    // The shortcut: an addition passes ds to both of its inputs; the identity hands it straight to
    // x, whatever happened inside F; that untouched path is what keeps deep ResNets trainable.
    var dprojection: Tensor? = nil
    let dxShortcut: Tensor
    if let projection = cache.projection {
        let (dxProjected, dweight, _) = try conv2dBackward(ds, cache: projection)
        dxShortcut = dxProjected
        dprojection = dweight
    } else {
        dxShortcut = ds
    }
    let dx = try dxBranch + dxShortcut
    return (dx, ConvResidualBlockParameters(conv1: dconv1, gamma1: dgamma1, beta1: dbeta1, conv2: dconv2,
                                            gamma2: dgamma2, beta2: dbeta2, projection: dprojection,
                                            stride: cache.conv1.configuration.stride))
    // END ConvBlock2
}

// MARK: - Test time (exercise ConvBlock3)
//
// As for the dense block (Residual3): at test time each spatial batch norm normalizes with stored
// per-channel statistics, so one image gives the same output alone as inside any batch.

/// The convolutional residual block at test time: the forward pass of
/// ``convResidualBlockForward(_:parameters:epsilon:)`` with both spatial batch norms in inference
/// mode (SpatialBN2's `spatialBatchNormInference`), normalizing with `statistics`.
///
///     a1  = relu(BN1(conv3x3(x; conv1, stride s, padding 1); mean1, variance1))
///     n2  = BN2(conv3x3(a1; conv2, stride 1, padding 1); mean2, variance2)
///     out = relu(shortcut(x) + n2),   shortcut(x) = x or conv1x1(x; projection, stride s)
///
/// - Parameters:
///   - x: `[N, H, W, Cin]`; N may be 1.
///   - parameters: the block's kernels, BN scales and shifts, optional projection and stride.
///   - statistics: the stored per-channel means and variances, each `[Cout]`.
///   - epsilon: as in training.
/// - Returns: `out`, `[N, Ho, Wo, Cout]`.
/// - Throws: ``ShapeError`` if the shapes do not chain, or if the block changes the shape without a projection.
public func convResidualBlockInference(
    _ x: Tensor, parameters: ConvResidualBlockParameters, statistics: ResidualBlockStatistics, epsilon: Double = 1e-5
) throws -> Tensor {
    // TODO(ConvBlock3): ConvBlock1's forward pass with spatialBatchNormInference and the stored statistics.
    // START ConvBlock3
    let p = parameters
    try requireShape(x, [-1, -1, -1, -1], "convResidualBlockInference x [N, H, W, Cin]")
    let noBias = Tensor(zeros: [p.conv1.shape.last ?? 0])
    let h1 = try conv2dForward(x, weight: p.conv1, bias: noBias,
                               configuration: Conv2DConfiguration(stride: p.stride, padding: 1)).out
    let n1 = try spatialBatchNormInference(h1, gamma: p.gamma1, beta: p.beta1, mean: statistics.mean1,
                                           variance: statistics.variance1, epsilon: epsilon)
    let a1 = try reluForward(n1).out
    let h2 = try conv2dForward(a1, weight: p.conv2, bias: noBias, configuration: Conv2DConfiguration(padding: 1)).out
    let n2 = try spatialBatchNormInference(h2, gamma: p.gamma2, beta: p.beta2, mean: statistics.mean2,
                                           variance: statistics.variance2, epsilon: epsilon)
    let shortcut: Tensor
    if let weight = p.projection {
        shortcut = try conv2dForward(x, weight: weight, bias: noBias, configuration: Conv2DConfiguration(stride: p.stride)).out
    } else {
        guard x.shape == n2.shape else {
            throw ShapeError(operation: "convResidualBlockInference", shapes: [x.shape, n2.shape],
                             detail: "an identity shortcut needs F(x) to keep the input's shape; give the block a projection")
        }
        shortcut = x
    }
    return try reluForward(try shortcut + n2).out
    // END ConvBlock3
}

/// Folds one training batch's per-channel statistics, read from the cache of
/// ``convResidualBlockForward(_:parameters:epsilon:)``, into the block's running statistics:
///
///     mean     ← momentum · mean     + (1 − momentum) · batch mean
///     variance ← momentum · variance + (1 − momentum) · B/(B − 1) · batch variance
///
/// for both batch norms. Each channel's statistics average B = N·H·W values (every position of every
/// image, at that batch norm's resolution), so B/(B − 1) uses that count, not N.
///
/// - Parameters:
///   - statistics: the running statistics so far, each `[Cout]`.
///   - cache: the cache of a training forward pass.
///   - momentum: the weight of the old value, in `[0, 1]`.
/// - Returns: the updated statistics.
/// - Throws: ``ArgumentError`` if momentum is outside `[0, 1]` or a batch norm saw fewer than 2
///   values per channel; ``ShapeError`` if the shapes differ.
public func updateConvResidualBlockStatistics(
    _ statistics: ResidualBlockStatistics, cache: ConvResidualBlockCache, momentum: Double = 0.9
) throws -> ResidualBlockStatistics {
    // TODO(ConvBlock3): as Residual3, but each channel's variance averaged N·H·W values.
    // START ConvBlock3
    // The count per channel: all entries of x̂ [N, H, W, C] divided by C.
    func factor(_ bn: SpatialBatchNormCache) throws -> Double {
        let count = bn.xHat.count / max(bn.xHat.shape.last ?? 1, 1)
        guard count >= 2 else {
            throw ArgumentError(operation: "updateConvResidualBlockStatistics",
                                detail: "a batch norm saw \(count) value per channel; B/(B−1) needs at least 2")
        }
        return Double(count) / Double(count - 1)
    }
    let f1 = try factor(cache.batchNorm1), f2 = try factor(cache.batchNorm2)
    return ResidualBlockStatistics(
        mean1: try runningAverage(statistics.mean1, batchValue: cache.batchNorm1.mean, momentum: momentum),
        variance1: try runningAverage(statistics.variance1, batchValue: cache.batchNorm1.variance * f1, momentum: momentum),
        mean2: try runningAverage(statistics.mean2, batchValue: cache.batchNorm2.mean, momentum: momentum),
        variance2: try runningAverage(statistics.variance2, batchValue: cache.batchNorm2.variance * f2, momentum: momentum))
    // END ConvBlock3
}

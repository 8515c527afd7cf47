// Chapter 11 · Normalization — spatial batch normalization (batch norm for convolutional layers).
//
// Shapes (NHWC; CS231n uses NCHW, [N, C, H, W], and so averages over axes (0, 2, 3)):
//   x, out, dout, dx   [N, H, W, C]
//   gamma, beta        [C]
//   mean, variance     [C]   one statistic per channel, over all N·H·W positions of the batch
//
// A convolution applies the same kernel at every position, so one channel means one feature
// everywhere in the image; spatial batch norm therefore treats every (n, h, w) as one more
// example of that channel:
//
//     μ_c = mean over (n, h, w) of x[n, h, w, c]        σ²_c = biased variance over the same
//     x̂ = (x − μ_c) / √(σ²_c + ε)                       out = γ_c·x̂ + β_c
//
// Guide and hints: Exercises/11-Normalization/GUIDE.md, or `swift run workbook hint SpatialBatchNorm1`.
import WorkbookCore

/// Spatial batch normalization in training mode: normalizes each channel with the statistics of
/// the whole batch (all images, rows and columns), then scales by `gamma` and shifts by `beta`.
///
/// - Parameters:
///   - x: `[N, H, W, C]`.
///   - gamma: the scale per channel, `[C]`.
///   - beta: the shift per channel, `[C]`.
///   - epsilon: added to the variance before the square root, so a constant channel does not divide by 0.
/// - Returns: `out`, `[N, H, W, C]`, and the cache; `cache.mean` and `cache.variance` (`[C]`, the
///   variance biased: divided by N·H·W) are what a trainer folds into its running averages.
/// - Throws: ``ShapeError`` if `x` is not rank 4 or `gamma`/`beta` are not `[C]`.
public func spatialBatchNormForward(
    _ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Double = 1e-5
) throws -> (out: Tensor, cache: SpatialBatchNormCache) {
    // TODO(SpatialBatchNorm1): per-channel mean and biased variance over (N, H, W); normalize, scale, shift.
    // START SpatialBatchNorm1
    try requireShape(x, [-1, -1, -1, -1], "spatialBatchNormForward x [N, H, W, C]")
    let c = x.shape[3]
    try requireShape(gamma, [c], "spatialBatchNormForward gamma [C]")
    try requireShape(beta, [c], "spatialBatchNormForward beta [C]")
    // In NHWC the channel is the last axis, so the reduction is over axes 0, 1, 2; with
    // keepingDimensions the statistics are [1, 1, 1, C] and broadcast back against x.
    let mean = try x.mean(alongAxes: [0, 1, 2], keepingDimensions: true)
    let centered = try x - mean
    let variance = try centered.squared().mean(alongAxes: [0, 1, 2], keepingDimensions: true)  // biased: ÷ N·H·W
    let xHat = try centered / (variance + epsilon).squareRoot()
    // gamma and beta are [C]: broadcasting lines them up with the last axis.
    let out = try xHat * gamma + beta
    return (out, SpatialBatchNormCache(xHat: xHat, gamma: gamma, mean: try mean.reshaped([c]),
                                       variance: try variance.reshaped([c]), epsilon: epsilon))
    // END SpatialBatchNorm1
}

/// Spatial batch normalization at test time: the same affine map, with fixed statistics (the
/// running averages kept during training) instead of the batch's, so each image's output depends
/// on that image alone.
///
///     out = γ_c·(x − mean_c) / √(variance_c + ε) + β_c
///
/// - Parameters:
///   - x: `[N, H, W, C]`.
///   - gamma, beta: `[C]`.
///   - mean, variance: the stored statistics, `[C]`.
///   - epsilon: as in training.
/// - Returns: `[N, H, W, C]`.
/// - Throws: ``ShapeError`` if a per-channel tensor is not `[C]`.
public func spatialBatchNormInference(
    _ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Double = 1e-5
) throws -> Tensor {
    // TODO(SpatialBatchNorm2): normalize with the given mean and variance instead of the batch's.
    // START SpatialBatchNorm2
    try requireShape(x, [-1, -1, -1, -1], "spatialBatchNormInference x [N, H, W, C]")
    let c = x.shape[3]
    for (name, t) in [("gamma", gamma), ("beta", beta), ("mean", mean), ("variance", variance)] {
        try requireShape(t, [c], "spatialBatchNormInference \(name) [C]")
    }
    // Fold everything into one scale and one shift per channel: out = x·scale + shift.
    let scale = try gamma / (variance + epsilon).squareRoot()
    let shift = try beta - mean * scale
    return try x * scale + shift
    // END SpatialBatchNorm2
}

/// The backward pass of `spatialBatchNormForward` (training mode).
///
/// Each channel is a batch norm over its M = N·H·W entries, so, with `dx̂ = dout·γ` and means
/// taken over (n, h, w):
///
///     dβ = Σ dout          dγ = Σ dout·x̂
///     dx = (1/√(σ² + ε))·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
///
/// The two subtracted terms are the gradient flowing through μ and through σ²: every entry moved
/// the statistics that normalized all the others.
///
/// - Parameters:
///   - dout: `[N, H, W, C]`.
///   - cache: what `spatialBatchNormForward` kept.
/// - Returns: `dx` `[N, H, W, C]`, `dgamma` `[C]`, `dbeta` `[C]`.
/// - Throws: ``ShapeError`` if `dout` and the cached x̂ differ in shape.
public func spatialBatchNormBackward(
    _ dout: Tensor, cache: SpatialBatchNormCache
) throws -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) {
    // TODO(SpatialBatchNorm3): sum over (N, H, W) for dgamma and dbeta; the compact batch-norm formula for dx.
    // START SpatialBatchNorm3
    let xHat = cache.xHat
    guard dout.shape == xHat.shape, xHat.rank == 4 else {
        throw ShapeError(operation: "spatialBatchNormBackward", shapes: [dout.shape, xHat.shape],
                         detail: "dout must have the shape of the forward input [N, H, W, C]")
    }
    let axes = [0, 1, 2]
    let dbeta = try dout.sum(alongAxes: axes)
    let dgamma = try (dout * xHat).sum(alongAxes: axes)
    let dxHat = try dout * cache.gamma
    let meanDxHat = try dxHat.mean(alongAxes: axes, keepingDimensions: true)
    let meanDxHatXHat = try (dxHat * xHat).mean(alongAxes: axes, keepingDimensions: true)
    let inverseStd = 1 / (cache.variance + cache.epsilon).squareRoot()   // [C], broadcasts on the last axis
    let dx = try (dxHat - meanDxHat - xHat * meanDxHatXHat) * inverseStd
    return (dx, dgamma, dbeta)
    // END SpatialBatchNorm3
}

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
// Guide and hints: Exercises/11-Normalization/GUIDE.md, or `swift run workbook hint SpatialBN1`.
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
/// - Note: The cache is `SpatialBatchNormCache(xHat:gamma:mean:variance:epsilon:)`, from `Sources/WorkbookCore/Caches/NormalizationCaches.swift`: `xHat` (Tensor); `gamma` (Tensor); `mean` (Tensor); `variance` (Tensor); `epsilon` (Double).
public func spatialBatchNormForward(
    _ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Double = 1e-5
) throws -> (out: Tensor, cache: SpatialBatchNormCache) {
    // TODO(SpatialBN1): per-channel mean and biased variance over (N, H, W); normalize, scale, shift.
    // START SpatialBN1
    throw NotImplemented("SpatialBN1")
    // END SpatialBN1
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
    // TODO(SpatialBN2): normalize with the given mean and variance instead of the batch's.
    // START SpatialBN2
    throw NotImplemented("SpatialBN2")
    // END SpatialBN2
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
    // TODO(SpatialBN3): sum over (N, H, W) for dgamma and dbeta; the compact batch-norm formula for dx.
    // START SpatialBN3
    throw NotImplemented("SpatialBN3")
    // END SpatialBN3
}

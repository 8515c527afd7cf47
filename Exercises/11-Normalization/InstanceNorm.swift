// Chapter 11 · Normalization — instance normalization.
//
// Shapes (NHWC; CS231n uses NCHW):
//   x, out, dout, dx   [N, H, W, C]
//   gamma, beta        [C]
//   mean, variance     [N, C]   one statistic per example and channel, over its H·W pixels
//
//     μ_nc = mean over (h, w) of x[n, h, w, c]     σ²_nc = biased variance over the same
//     x̂ = (x − μ_nc) / √(σ²_nc + ε)                out = γ_c·x̂ + β_c
//
// Each channel of each image is standardized on its own, which removes that image's contrast and
// brightness per channel (the reason it was introduced for style transfer).
//
// Guide and hints: Exercises/11-Normalization/GUIDE.md, or `swift run workbook hint InstanceNorm1`.
import WorkbookCore

/// Instance normalization: normalizes every channel of every example over its pixels, then scales
/// and shifts each channel.
///
/// - Parameters:
///   - x: `[N, H, W, C]`.
///   - gamma, beta: `[C]`.
///   - epsilon: added to the variance.
/// - Returns: `out`, `[N, H, W, C]`, and the cache (`mean`, `variance` are `[N, C]`).
/// - Throws: ``ShapeError`` if `x` is not rank 4 or `gamma`/`beta` are not `[C]`.
/// - Note: The cache is `InstanceNormCache(xHat:gamma:mean:variance:epsilon:)`, from `Sources/WorkbookCore/Caches/NormalizationCaches.swift`: `xHat` (Tensor); `gamma` (Tensor); `mean` (Tensor); `variance` (Tensor); `epsilon` (Double).
public func instanceNormForward(
    _ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Double = 1e-5
) throws -> (out: Tensor, cache: InstanceNormCache) {
    // TODO(InstanceNorm1): statistics per (example, channel) over (H, W); normalize, scale, shift.
    // START InstanceNorm1
    throw NotImplemented("InstanceNorm1")
    // END InstanceNorm1
}

/// The backward pass of `instanceNormForward`.
///
/// With `dx̂ = dout·γ_c` and means over each example's channel (its H·W pixels):
///
///     dβ_c = Σ_{n,h,w} dout        dγ_c = Σ_{n,h,w} dout·x̂
///     dx   = (1/√(σ²_nc + ε))·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
///
/// - Parameters:
///   - dout: `[N, H, W, C]`.
///   - cache: what `instanceNormForward` kept.
/// - Returns: `dx` `[N, H, W, C]`, `dgamma` `[C]`, `dbeta` `[C]`.
/// - Throws: ``ShapeError`` if `dout` and the cached x̂ differ in shape.
public func instanceNormBackward(_ dout: Tensor, cache: InstanceNormCache) throws -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) {
    // TODO(InstanceNorm2): like layer norm's backward, with the means over each (example, channel).
    // START InstanceNorm2
    throw NotImplemented("InstanceNorm2")
    // END InstanceNorm2
}

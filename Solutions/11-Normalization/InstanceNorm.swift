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
    try requireShape(x, [-1, -1, -1, -1], "instanceNormForward x [N, H, W, C]")
    let (n, c) = (x.shape[0], x.shape[3])
    try requireShape(gamma, [c], "instanceNormForward gamma [C]")
    try requireShape(beta, [c], "instanceNormForward beta [C]")
    // [N, H·W, C]: the pixels of one image are axis 1; statistics kept as [N, 1, C].
    let pixels = try x.reshaped([n, -1, c])
    let mean = try pixels.mean(alongAxis: 1, keepingDimension: true)
    let centered = try pixels - mean
    let variance = try centered.squared().mean(alongAxis: 1, keepingDimension: true)
    let xHat = try (centered / (variance + epsilon).squareRoot()).reshaped(x.shape)
    let out = try xHat * gamma + beta
    return (out, InstanceNormCache(xHat: xHat, gamma: gamma, mean: try mean.reshaped([n, c]),
                                   variance: try variance.reshaped([n, c]), epsilon: epsilon))
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
    let xHat = cache.xHat
    guard dout.shape == xHat.shape, xHat.rank == 4 else {
        throw ShapeError(operation: "instanceNormBackward", shapes: [dout.shape, xHat.shape],
                         detail: "dout must have the shape of the forward input [N, H, W, C]")
    }
    let (n, c) = (xHat.shape[0], xHat.shape[3])
    let dbeta = try dout.sum(alongAxes: [0, 1, 2])
    let dgamma = try (dout * xHat).sum(alongAxes: [0, 1, 2])
    let dxHat = try (dout * cache.gamma).reshaped([n, -1, c])
    let pixelsXHat = try xHat.reshaped([n, -1, c])
    let meanDxHat = try dxHat.mean(alongAxis: 1, keepingDimension: true)
    let meanDxHatXHat = try (dxHat * pixelsXHat).mean(alongAxis: 1, keepingDimension: true)
    let inverseStd = try (1 / (cache.variance + cache.epsilon).squareRoot()).reshaped([n, 1, c])
    let dx = try ((dxHat - meanDxHat - pixelsXHat * meanDxHatXHat) * inverseStd).reshaped(xHat.shape)
    return (dx, dgamma, dbeta)
    // END InstanceNorm2
}

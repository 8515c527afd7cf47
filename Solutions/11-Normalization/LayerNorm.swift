// Chapter 11 · Normalization — layer normalization on images.
//
// Shapes (NHWC; CS231n uses NCHW):
//   x, out, dout, dx   [N, H, W, C]
//   gamma, beta        [C]   per channel, as in group norm, so that group norm with G = 1 is this layer
//   mean, variance     [N]   one statistic per example, over all of its H·W·C entries
//
//     μ_n = mean over (h, w, c) of x[n, h, w, c]      σ²_n = biased variance over the same
//     x̂ = (x − μ_n) / √(σ²_n + ε)                     out = γ_c·x̂ + β_c
//
// Unlike batch norm, nothing is shared between the examples of a batch: training and test time
// compute the same thing, and a batch of one works.
//
// Guide and hints: Exercises/11-Normalization/GUIDE.md, or `swift run workbook hint LayerNorm1`.
import WorkbookCore

/// Layer normalization: normalizes each example over all of its entries, then scales and shifts
/// each channel.
///
/// - Parameters:
///   - x: `[N, H, W, C]`.
///   - gamma, beta: `[C]`.
///   - epsilon: added to the variance.
/// - Returns: `out`, `[N, H, W, C]`, and the cache (`mean`, `variance` are `[N]`).
/// - Throws: ``ShapeError`` if `x` is not rank 4 or `gamma`/`beta` are not `[C]`.
public func layerNormForward(
    _ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Double = 1e-5
) throws -> (out: Tensor, cache: LayerNormCache) {
    // TODO(LayerNorm1): statistics per example over (H, W, C); normalize, then γ and β per channel.
    // START LayerNorm1
    try requireShape(x, [-1, -1, -1, -1], "layerNormForward x [N, H, W, C]")
    let (n, c) = (x.shape[0], x.shape[3])
    try requireShape(gamma, [c], "layerNormForward gamma [C]")
    try requireShape(beta, [c], "layerNormForward beta [C]")
    // One row per example: the statistics are then along axis 1, kept as [N, 1] to broadcast.
    let rows = try x.reshaped([n, -1])
    let mean = try rows.mean(alongAxis: 1, keepingDimension: true)
    let centered = try rows - mean
    let variance = try centered.squared().mean(alongAxis: 1, keepingDimension: true)
    let xHat = try (centered / (variance + epsilon).squareRoot()).reshaped(x.shape)
    let out = try xHat * gamma + beta
    return (out, LayerNormCache(xHat: xHat, gamma: gamma, mean: try mean.reshaped([n]),
                                variance: try variance.reshaped([n]), epsilon: epsilon))
    // END LayerNorm1
}

/// The backward pass of `layerNormForward`.
///
/// With `dx̂ = dout·γ_c` and means taken over each example's H·W·C entries:
///
///     dβ_c = Σ_{n,h,w} dout        dγ_c = Σ_{n,h,w} dout·x̂
///     dx   = (1/√(σ²_n + ε))·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
///
/// - Parameters:
///   - dout: `[N, H, W, C]`.
///   - cache: what `layerNormForward` kept.
/// - Returns: `dx` `[N, H, W, C]`, `dgamma` `[C]`, `dbeta` `[C]`.
/// - Throws: ``ShapeError`` if `dout` and the cached x̂ differ in shape.
public func layerNormBackward(_ dout: Tensor, cache: LayerNormCache) throws -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) {
    // TODO(LayerNorm2): γ and β gradients sum over (N, H, W); dx uses means over each example.
    // START LayerNorm2
    let xHat = cache.xHat
    guard dout.shape == xHat.shape, xHat.rank == 4 else {
        throw ShapeError(operation: "layerNormBackward", shapes: [dout.shape, xHat.shape],
                         detail: "dout must have the shape of the forward input [N, H, W, C]")
    }
    let n = xHat.shape[0]
    // γ and β are per channel: their gradients collect every (n, h, w).
    let dbeta = try dout.sum(alongAxes: [0, 1, 2])
    let dgamma = try (dout * xHat).sum(alongAxes: [0, 1, 2])
    // The normalization group is one example: work on rows [N, H·W·C].
    let dxHat = try (dout * cache.gamma).reshaped([n, -1])
    let rowsXHat = try xHat.reshaped([n, -1])
    let meanDxHat = try dxHat.mean(alongAxis: 1, keepingDimension: true)
    let meanDxHatXHat = try (dxHat * rowsXHat).mean(alongAxis: 1, keepingDimension: true)
    let inverseStd = try (1 / (cache.variance + cache.epsilon).squareRoot()).reshaped([n, 1])
    let dx = try ((dxHat - meanDxHat - rowsXHat * meanDxHatXHat) * inverseStd).reshaped(xHat.shape)
    return (dx, dgamma, dbeta)
    // END LayerNorm2
}

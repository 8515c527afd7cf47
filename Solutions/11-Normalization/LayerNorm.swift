// Chapter 11 · Normalization — layer normalization, on feature vectors and on images.
//
// Shapes (NHWC; CS231n uses NCHW):
//   x, out, dout, dx   [N, D] (feature vectors)  or  [N, H, W, C] (images)
//   gamma, beta        [D] or [C]: per feature, or per channel as in group norm, so that group norm
//                      with G = 1 is this layer
//   mean, variance     [N]   one statistic per example, over all of its D (or H·W·C) entries
//
//     μ_n = mean over every entry of example n         σ²_n = biased variance over the same
//     x̂ = (x − μ_n) / √(σ²_n + ε)                     out = γ·x̂ + β  (γ, β along the last axis)
//
// On `[N, D]` this is PyTorch's `nn.LayerNorm(D)` and the layer norm of transformers and CS231n.
//
// Unlike batch norm, nothing is shared between the examples of a batch: training and test time
// compute the same thing, and a batch of one works.
//
// Guide and hints: Exercises/11-Normalization/GUIDE.md, or `swift run workbook hint LayerNorm1`.
import WorkbookCore

/// Layer normalization: normalizes each example over all of its entries, then scales and shifts
/// each feature (for `[N, D]`) or each channel (for `[N, H, W, C]`).
///
/// - Parameters:
///   - x: `[N, D]` or `[N, H, W, C]`.
///   - gamma, beta: `[D]` or `[C]`, the size of the last axis.
///   - epsilon: added to the variance.
/// - Returns: `out`, the shape of `x`, and the cache (`mean`, `variance` are `[N]`).
/// - Throws: ``ShapeError`` if `x` is neither rank 2 nor rank 4, or `gamma`/`beta` do not match its last axis.
/// - Note: The cache is `LayerNormCache(xHat:gamma:mean:variance:epsilon:)`, from `Sources/WorkbookCore/Caches/NormalizationCaches.swift`: `xHat` (Tensor); `gamma` (Tensor); `mean` (Tensor); `variance` (Tensor); `epsilon` (Double).
public func layerNormForward(
    _ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Double = 1e-5
) throws -> (out: Tensor, cache: LayerNormCache) {
    // TODO(LayerNorm1): statistics per example over all its entries; normalize, then γ and β along the last axis.
    // START LayerNorm1
    guard x.rank == 2 || x.rank == 4 else {
        throw ShapeError(operation: "layerNormForward x", shapes: [x.shape], detail: "needs [N, D] or [N, H, W, C]")
    }
    let (n, c) = (x.shape[0], x.shape[x.rank - 1])
    try requireShape(gamma, [c], "layerNormForward gamma (the size of x's last axis)")
    try requireShape(beta, [c], "layerNormForward beta (the size of x's last axis)")
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
/// With `dx̂ = dout·γ` and means taken over each example's D (or H·W·C) entries:
///
///     dβ = Σ over every axis but the last of dout       dγ = the same sum of dout·x̂
///     dx = (1/√(σ²_n + ε))·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
///
/// - Parameters:
///   - dout: `[N, D]` or `[N, H, W, C]`, the shape of the forward input.
///   - cache: what `layerNormForward` kept.
/// - Returns: `dx` (the shape of `dout`), `dgamma` and `dbeta` (`[D]` or `[C]`).
/// - Throws: ``ShapeError`` if `dout` and the cached x̂ differ in shape.
public func layerNormBackward(_ dout: Tensor, cache: LayerNormCache) throws -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) {
    // TODO(LayerNorm2): γ and β gradients sum over every axis but the last; dx uses means over each example.
    // START LayerNorm2
    let xHat = cache.xHat
    guard dout.shape == xHat.shape, xHat.rank == 2 || xHat.rank == 4 else {
        throw ShapeError(operation: "layerNormBackward", shapes: [dout.shape, xHat.shape],
                         detail: "dout must have the shape of the forward input, [N, D] or [N, H, W, C]")
    }
    let n = xHat.shape[0]
    // γ and β live on the last axis: their gradients collect every other position (n, or n, h, w).
    let others = Array(0..<(xHat.rank - 1))
    let dbeta = try dout.sum(alongAxes: others)
    let dgamma = try (dout * xHat).sum(alongAxes: others)
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

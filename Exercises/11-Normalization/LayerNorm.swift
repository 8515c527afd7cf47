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
    throw NotImplemented("LayerNorm1")
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
    throw NotImplemented("LayerNorm2")
    // END LayerNorm2
}

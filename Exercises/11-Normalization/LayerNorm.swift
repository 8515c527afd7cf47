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
    throw NotImplemented("LayerNorm1")
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
    throw NotImplemented("LayerNorm2")
    // END LayerNorm2
}

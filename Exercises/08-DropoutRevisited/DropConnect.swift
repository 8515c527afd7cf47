// Chapter 8 · Dropout revisited — DropConnect
//
// Shapes: x `[N, D]` (N examples of D features), w `[D, M]`, b `[M]`, out `[N, M]`.
// DropConnect drops *weights* instead of units: one mask `[D, M]` over the weight matrix, drawn
// once per forward call and shared by the N examples of the batch (Wan et al. draw one per
// example; the guide says why the workbook does not). Kept weights are divided by the keep
// probability during training (inverted scaling), so inference is the plain affine layer.
//
// Guide and hints: Exercises/08-DropoutRevisited/GUIDE.md, or `swift run workbook hint DropConnect1`.
import WorkbookCore

/// A dense layer whose weights are randomly dropped in training: `out = x · ((mask ⊙ w) / keepProbability) + b`.
///
/// In training the mask is drawn from `rng`: one `rng.nextUniform()` per weight in row-major order
/// (`w[0, 0]`, `w[0, 1]`, …), and a weight is kept when its draw is `< keepProbability`. At
/// inference no mask is drawn, `rng` is left untouched, and `out = x · w + b`.
///
/// - Parameters:
///   - x: the inputs, `[N, D]`.
///   - w: the weights, `[D, M]`.
///   - b: the bias, `[M]`; never dropped.
///   - keepProbability: the probability of keeping each weight, in (0, 1].
///   - mode: `.training` draws a mask; `.inference` uses every weight unscaled.
///   - rng: the generator the mask is drawn from.
/// - Returns: `out`, `[N, M]`, and the cache `dropConnectBackward` needs.
/// - Throws: ``ArgumentError`` if `keepProbability` is outside (0, 1]; ``ShapeError`` if the shapes do not chain.
/// - Note: The cache is `DropConnectCache(x:w:mask:scale:)`, from `Sources/WorkbookCore/Caches/DropConnectCaches.swift`: `x` (Tensor); `w` (Tensor); `mask` (Tensor); `scale` (Double).
public func dropConnectForward(
    _ x: Tensor, weight w: Tensor, bias b: Tensor, keepProbability: Double, mode: Mode,
    using rng: inout SeededGenerator
) throws -> (out: Tensor, cache: DropConnectCache) {
    // TODO(DropConnect1): at inference use every weight; in training draw the mask as documented, then reuse the mask overload.
    // START DropConnect1
    throw NotImplemented("DropConnect1")
    // END DropConnect1
}

/// DropConnect with a given mask, for reproducible tests and for explaining one draw.
///
/// In training `out = x · ((mask ⊙ w) / keepProbability) + b`; at inference the mask is ignored
/// and `out = x · w + b`.
///
/// - Parameters:
///   - x: the inputs, `[N, D]`.
///   - w: the weights, `[D, M]`.
///   - b: the bias, `[M]`.
///   - keepProbability: the probability each weight was kept with, in (0, 1].
///   - mask: 1 for a kept weight, 0 for a dropped one, `[D, M]`.
///   - mode: `.training` applies the mask and the scale; `.inference` ignores both.
/// - Returns: `out`, `[N, M]`, and the cache (at inference: a mask of ones and scale 1).
/// - Throws: ``ArgumentError`` if `keepProbability` is outside (0, 1]; ``ShapeError`` if the shapes do not chain.
/// - Note: The cache is `DropConnectCache(x:w:mask:scale:)`, from `Sources/WorkbookCore/Caches/DropConnectCaches.swift`: `x` (Tensor); `w` (Tensor); `mask` (Tensor); `scale` (Double).
public func dropConnectForward(
    _ x: Tensor, weight w: Tensor, bias b: Tensor, keepProbability: Double, mask: Tensor, mode: Mode
) throws -> (out: Tensor, cache: DropConnectCache) {
    // TODO(DropConnect1): mask and scale the weights (training only), then the affine map; cache what backward needs.
    // START DropConnect1
    throw NotImplemented("DropConnect1")
    // END DropConnect1
}

/// The backward pass of DropConnect.
///
/// With the effective weight `W̃ = (mask ⊙ w) · scale`:
///
///     dx = dout · W̃ᵀ
///     dw = (xᵀ · dout) ⊙ mask · scale     (a dropped weight gets no gradient)
///     db = Σ over the batch of dout
///
/// - Parameters:
///   - dout: the upstream gradient `∂L/∂out`, `[N, M]`.
///   - cache: what `dropConnectForward` kept.
/// - Returns: `dx` `[N, D]`, `dw` `[D, M]`, `db` `[M]`.
/// - Throws: ``ShapeError`` if `dout` does not match the forward output.
public func dropConnectBackward(
    _ dout: Tensor, cache: DropConnectCache
) throws -> (dx: Tensor, dw: Tensor, db: Tensor) {
    // TODO(DropConnect2): rebuild the effective weight, then the three gradients of an affine layer, with the mask on dw.
    // START DropConnect2
    throw NotImplemented("DropConnect2")
    // END DropConnect2
}

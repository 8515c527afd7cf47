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
    // Check the probability before drawing anything, so a bad call leaves rng untouched.
    guard keepProbability > 0, keepProbability <= 1 else {
        throw ArgumentError(operation: "dropConnectForward",
                               detail: "keepProbability must be in (0, 1], got \(keepProbability)")
    }
    guard mode == .training else {
        // Inference: the expected weight E[mask ⊙ w / keep] is w itself, so use w as it is.
        return try dropConnectForward(x, weight: w, bias: b, keepProbability: keepProbability,
                                      mask: Tensor(repeating: 1, shape: w.shape), mode: .inference)
    }
    // One uniform draw per weight, row-major: Tensor(shape:) calls the closure in flat order.
    let mask = Tensor(shape: w.shape) { _ in rng.nextUniform() < keepProbability ? 1 : 0 }
    return try dropConnectForward(x, weight: w, bias: b, keepProbability: keepProbability, mask: mask, mode: .training)
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
    guard keepProbability > 0, keepProbability <= 1 else {
        throw ArgumentError(operation: "dropConnectForward",
                               detail: "keepProbability must be in (0, 1], got \(keepProbability)")
    }
    try requireShape(x, [-1, -1], "dropConnectForward x")
    try requireShape(w, [x.shape[1], -1], "dropConnectForward w (rows must equal x's columns)")
    try requireShape(b, [w.shape[1]], "dropConnectForward b")
    // Inference keeps every weight at its trained size; the cache records that as mask 1, scale 1,
    // so the same backward pass serves both modes.
    let (keep, scale) = mode == .training
        ? (mask, 1 / keepProbability)
        : (Tensor(repeating: 1, shape: w.shape), 1.0)
    // The mask must match w exactly: no broadcasting of a mask row over the weights.
    let effective = try Tensor.zip(keep, w, operation: "dropConnectForward mask ⊙ w") { m, weight in m * weight * scale }
    let out = try x.matmul(effective) + b
    return (out, DropConnectCache(x: x, w: w, mask: keep, scale: scale))
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
    let (x, w, mask, scale) = (cache.x, cache.w, cache.mask, cache.scale)
    try requireShape(dout, [x.shape[0], w.shape[1]], "dropConnectBackward dout (must be [N, M] of the forward pass)")
    let effective = try Tensor.zip(mask, w, operation: "dropConnectBackward mask ⊙ w") { m, weight in m * weight * scale }
    // out = x · W̃ + b is an ordinary dense layer in W̃: dx and dW̃ follow as usual.
    let dx = try Tensor.matmul(dout, effective, transposeB: true)
    let dEffective = try Tensor.matmul(x, dout, transposeA: true)
    // Chain rule through W̃_ij = mask_ij · w_ij · scale: ∂W̃_ij/∂w_ij = mask_ij · scale.
    let dw = try Tensor.zip(dEffective, mask, operation: "dropConnectBackward dW̃ ⊙ mask") { g, m in g * m * scale }
    // The bias is added to every row, so its gradient sums the rows.
    let db = try dout.sum(alongAxis: 0)
    return (dx, dw, db)
    // END DropConnect2
}

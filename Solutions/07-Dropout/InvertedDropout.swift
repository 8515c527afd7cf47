// Chapter 7 · Dropout — inverted dropout
//
// Shapes: any. Dropout acts on each element on its own; the mask, the output and every gradient
// have the shape of the input (`[N, D]` for features, `[N, H, W, C]` for images).
//
// The probability is the KEEP probability, as in the notes (alpha, keep_prob). Keras' `Dropout(0.2)`
// and PyTorch's `nn.Dropout(p=0.2)` take the DROP probability: keepProbability = 1 − rate.
//
// Guide and hints: Exercises/07-Dropout/GUIDE.md, or `swift run workbook hint Dropout1`.
import WorkbookCore

/// Inverted dropout with a mask drawn from `rng`.
///
/// Training: each element is kept with probability `keepProbability` (drawn in row-major order as
/// `rng.nextUniform() < keepProbability`, the notes' `rand < keep_prob`), dropped elements become
/// 0 and kept ones are divided by `keepProbability`, so `E[out] = x`.
/// Inference: the identity; nothing is drawn and `rng` is left untouched.
///
/// - Parameters:
///   - x: the activations, any shape.
///   - keepProbability: the probability of keeping a unit, in `(0, 1]`.
///   - mode: `.training` draws a mask; `.inference` passes `x` through.
///   - rng: the generator the mask is drawn from (one uniform draw per element, in training only).
/// - Returns: `out`, the shape of `x`, and the cache (mask and scale) `dropoutBackward` needs.
/// - Throws: ``InvalidKeepProbability`` if `keepProbability` is not in `(0, 1]`.
/// - Note: The cache is `DropoutCache(mask:scale:)`, from `Sources/WorkbookCore/Caches/DropoutCaches.swift`: `mask` (Tensor); `scale` (Double).
public func dropoutForward(
    _ x: Tensor, keepProbability: Double, mode: Mode, using rng: inout SeededGenerator
) throws -> (out: Tensor, cache: DropoutCache) {
    // TODO(Dropout1): validate keepProbability; in training draw a 0/1 mask and call the mask version.
    // START Dropout1
    guard keepProbability > 0, keepProbability <= 1 else {
        throw InvalidKeepProbability(keepProbability, operation: "dropoutForward")
    }
    // At test time nothing is random: do not touch the generator.
    if mode == .inference {
        return (x, DropoutCache(mask: Tensor(repeating: 1, shape: x.shape), scale: 1))
    }
    // 1 with probability keepProbability, as in the notes: d3 = np.random.rand(...) < keep_prob.
    let mask = Tensor(shape: x.shape) { _ in rng.nextUniform() < keepProbability ? 1 : 0 }
    return try dropoutForward(x, keepProbability: keepProbability, mask: mask, mode: mode)
    // END Dropout1
}

/// Inverted dropout with a given mask (for worked examples and tests).
///
///     training:  out = x ⊙ mask / keepProbability       (cache: mask, scale 1/keepProbability)
///     inference: out = x                                (cache: ones, scale 1; the mask is ignored)
///
/// - Parameters:
///   - x: the activations, any shape.
///   - keepProbability: the probability of keeping a unit, in `(0, 1]`.
///   - mask: 1 for a kept unit, 0 for a dropped one, the shape of `x`.
///   - mode: `.training` applies the mask; `.inference` is the identity.
/// - Returns: `out`, the shape of `x`, and the cache `dropoutBackward` needs.
/// - Throws: ``InvalidKeepProbability`` if `keepProbability` is not in `(0, 1]`; ``ShapeError`` if
///   `mask` does not have the shape of `x`.
/// - Note: The cache is `DropoutCache(mask:scale:)`, from `Sources/WorkbookCore/Caches/DropoutCaches.swift`: `mask` (Tensor); `scale` (Double).
public func dropoutForward(
    _ x: Tensor, keepProbability: Double, mask: Tensor, mode: Mode
) throws -> (out: Tensor, cache: DropoutCache) {
    // TODO(Dropout1): in training multiply by the mask and divide by keepProbability; cache both.
    // START Dropout1
    guard keepProbability > 0, keepProbability <= 1 else {
        throw InvalidKeepProbability(keepProbability, operation: "dropoutForward")
    }
    try requireShape(mask, x.shape, "dropoutForward mask (must have the shape of x)")
    if mode == .inference {
        return (x, DropoutCache(mask: Tensor(repeating: 1, shape: x.shape), scale: 1))
    }
    // Dividing the kept units by keepProbability now keeps E[out] = keep·(x/keep) + (1−keep)·0 = x,
    // so the test-time network needs no change at all.
    let scale = 1 / keepProbability
    let out = try Tensor.zip(x, mask, operation: "dropoutForward(x, mask)") { $0 * $1 * scale }
    return (out, DropoutCache(mask: mask, scale: scale))
    // END Dropout1
}

/// The backward pass of dropout: the layer is `out = x ⊙ mask · scale`, linear in `x`, so
///
///     dx = dout ⊙ mask · scale
///
/// A dropped unit passes no gradient; a kept one passes it scaled exactly as its value was.
/// The same function serves inverted dropout, standard dropout and inference (see ``DropoutCache``).
///
/// - Parameters:
///   - dout: the upstream gradient, the shape of the forward input.
///   - cache: the mask and scale of the forward pass.
/// - Returns: `dx`, the shape of `dout`.
/// - Throws: ``ShapeError`` if `dout` and the mask differ in shape.
public func dropoutBackward(_ dout: Tensor, cache: DropoutCache) throws -> Tensor {
    // TODO(Dropout2): reuse the forward pass's mask and scale.
    // START Dropout2
    let scale = cache.scale
    return try Tensor.zip(dout, cache.mask, operation: "dropoutBackward(dout, cache.mask)") { $0 * $1 * scale }
    // END Dropout2
}

// Chapter 7 · Dropout — standard (non-inverted) dropout, as notes 001 first present it
//
// Shapes: any for the dropout itself (the mask and output have the shape of the input); the
// weight-folding helper takes the next dense layer's weights `[D, M]`.
//
// Training keeps each unit with probability alpha (= keepProbability) and does NOT rescale.
// A unit's expected training output is then E[y] = alpha·h(a), so at test time the layer
// multiplies by alpha to match. Notes 001 offer two ways to avoid that test-time multiply:
// push alpha into the next layer's weights (`foldKeepProbability`), or rescale by 1/alpha while
// training, which is inverted dropout (InvertedDropout.swift).
//
// Guide and hints: Exercises/07-Dropout/GUIDE.md, or `swift run workbook hint Dropout3`.
import WorkbookCore

/// Standard dropout with a given mask.
///
///     training:  out = x ⊙ mask                  (cache: mask, scale 1)
///     inference: out = keepProbability · x       (cache: ones, scale keepProbability; mask ignored)
///
/// `dropoutBackward` works unchanged with the returned cache.
///
/// - Parameters:
///   - x: the activations, any shape.
///   - keepProbability: alpha, the probability of keeping a unit, in `(0, 1]`.
///   - mask: 1 for a kept unit, 0 for a dropped one, the shape of `x`.
///   - mode: `.training` applies the mask; `.inference` scales by alpha.
/// - Returns: `out`, the shape of `x`, and its cache.
/// - Throws: ``InvalidKeepProbability`` if `keepProbability` is not in `(0, 1]`; ``ShapeError`` if
///   `mask` does not have the shape of `x`.
/// - Note: The cache is `DropoutCache(mask:scale:)`, from `Sources/WorkbookCore/Caches/DropoutCaches.swift`: `mask` (Tensor); `scale` (Double).
public func standardDropoutForward(
    _ x: Tensor, keepProbability: Double, mask: Tensor, mode: Mode
) throws -> (out: Tensor, cache: DropoutCache) {
    // TODO(Dropout3): training: multiply by the mask, no rescaling; inference: multiply by keepProbability.
    // START Dropout3
    throw NotImplemented("Dropout3")
    // END Dropout3
}

/// Standard dropout with a mask drawn from `rng` in training (one `rng.nextUniform() < keepProbability`
/// per element, row-major, as in `dropoutForward`); inference draws nothing.
///
/// - Parameters:
///   - x: the activations, any shape.
///   - keepProbability: alpha, in `(0, 1]`.
///   - mode: `.training` or `.inference`.
///   - rng: the generator the mask is drawn from.
/// - Returns: `out`, the shape of `x`, and its cache.
/// - Throws: ``InvalidKeepProbability`` if `keepProbability` is not in `(0, 1]`.
/// - Note: The cache is `DropoutCache(mask:scale:)`, from `Sources/WorkbookCore/Caches/DropoutCaches.swift`: `mask` (Tensor); `scale` (Double).
public func standardDropoutForward(
    _ x: Tensor, keepProbability: Double, mode: Mode, using rng: inout SeededGenerator
) throws -> (out: Tensor, cache: DropoutCache) {
    // TODO(Dropout3): draw the mask in training (as in dropoutForward) and call the mask version.
    // START Dropout3
    throw NotImplemented("Dropout3")
    // END Dropout3
}

/// Pushes the test-time factor alpha of standard dropout into the next layer's weights (notes 001):
///
///     z_k = Σ_j w_kj·(alpha·h_j) + b_k = Σ_j (alpha·w_kj)·h_j + b_k
///
/// so a network whose dropout layer is left out at test time, and whose next layer uses
/// `alpha · W`, computes exactly what standard dropout's test-time scaling computes. The bias is
/// not scaled: it never passed through the dropout layer.
///
/// - Parameters:
///   - weight: the next dense layer's weights, `[D, M]` (D = the dropout layer's width).
///   - keepProbability: alpha, in `(0, 1]`.
/// - Returns: `alpha · weight`, `[D, M]`.
/// - Throws: ``InvalidKeepProbability`` if `keepProbability` is not in `(0, 1]`.
public func foldKeepProbability(into weight: Tensor, keepProbability: Double) throws -> Tensor {
    // TODO(Dropout3): scale the weights (not the bias) by keepProbability.
    // START Dropout3
    throw NotImplemented("Dropout3")
    // END Dropout3
}

// Chapter 1 · Activations — ELU (exponential linear unit)
//
// Shapes: any. ELU acts on each element on its own, so the output (and every gradient) has the
// shape of the input.
//
// Guide and hints: Exercises/01-Activations/GUIDE.md, or `swift run workbook hint ELU1`.
import Foundation
import WorkbookCore

/// ELU: `y = x` for `x > 0` and `y = α(eˣ − 1)` otherwise; the negative side saturates at `−α`.
///
/// - Parameters:
///   - x: the pre-activations, any shape.
///   - alpha: `α > 0`, the depth of the negative saturation (1 is the usual choice).
/// - Returns: `out`, the shape of `x`, and the cache `eluBackward` needs.
/// - Note: The cache is `ELUCache(x:alpha:)`, from `Sources/WorkbookCore/Caches/MoreActivationCaches.swift`: `x` (Tensor); `alpha` (Double).
public func eluForward(_ x: Tensor, alpha: Double = 1) throws -> (out: Tensor, cache: ELUCache) {
    // TODO(ELU1): x where x > 0, α(eˣ − 1) elsewhere; cache x and α.
    // START ELU1
    // expm1 computes eˣ − 1 without the cancellation of exp(x) − 1 for x near 0.
    let out = x.map { $0 > 0 ? $0 : alpha * expm1($0) }
    return (out, ELUCache(x: x, alpha: alpha))
    // END ELU1
}

/// The backward pass of ELU: `dx = dout` where `x > 0`, `dout ⊙ α·eˣ` elsewhere.
///
/// - Parameters:
///   - dout: the upstream gradient `∂L/∂y`, the shape of the forward input.
///   - cache: what `eluForward` kept.
/// - Returns: `dx = ∂L/∂x`, the shape of `dout`.
public func eluBackward(_ dout: Tensor, cache: ELUCache) throws -> Tensor {
    // TODO(ELU2): the local derivative is 1 for x > 0 and α·eˣ otherwise.
    // START ELU2
    // d/dx α(eˣ − 1) = α·eˣ, which tends to α at x = 0: with α = 1 the two sides meet and ELU is
    // smooth there; for other α the derivative jumps, and x = 0 takes the left value α.
    let alpha = cache.alpha
    return try Tensor.zip(dout, cache.x, operation: "eluBackward(dout, cache.x)") { g, x in x > 0 ? g : g * alpha * exp(x) }
    // END ELU2
}

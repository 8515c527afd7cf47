// Chapter 1 · Activations — tanh
//
// Shapes: any. tanh acts on each element on its own, so the output (and every gradient) has the
// shape of the input.
//
// Guide and hints: Exercises/01-Activations/GUIDE.md, or `swift run workbook hint Tanh1`.
import Foundation
import WorkbookCore

/// The hyperbolic tangent, `tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)` elementwise, with outputs in (−1, 1).
///
/// It is a stretched and shifted sigmoid: `tanh(x) = 2σ(2x) − 1`.
///
/// - Parameter x: the pre-activations, any shape.
/// - Returns: `out`, the shape of `x`, and the cache `tanhBackward` needs.
/// - Note: The cache is `TanhCache(out:)`, from `Sources/WorkbookCore/Caches/MoreActivationCaches.swift`: `out` (Tensor).
public func tanhForward(_ x: Tensor) throws -> (out: Tensor, cache: TanhCache) {
    // TODO(Tanh1): tanh elementwise, finite for every finite input; cache the output.
    // START Tanh1
    // Foundation's tanh saturates cleanly to ±1; the textbook quotient (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) would
    // give inf/inf = NaN once eˣ overflows (x > 709).
    let out = x.map { Foundation.tanh($0) }
    // tanh'(x) = 1 − tanh²(x) needs only the output.
    return (out, TanhCache(out: out))
    // END Tanh1
}

/// The backward pass of tanh: `dx = dout ⊙ (1 − t²)` with `t = tanh(x)` from the cache.
///
/// - Parameters:
///   - dout: the upstream gradient `∂L/∂y`, the shape of the forward input.
///   - cache: what `tanhForward` kept.
/// - Returns: `dx = ∂L/∂x`, the shape of `dout`.
public func tanhBackward(_ dout: Tensor, cache: TanhCache) throws -> Tensor {
    // TODO(Tanh2): multiply the upstream gradient by the local derivative 1 − t².
    // START Tanh2
    // From tanh(x) = 2σ(2x) − 1: tanh' = 4σ(2x)(1 − σ(2x)) = 1 − t², at most 1 (at x = 0).
    return try Tensor.zip(dout, cache.out, operation: "tanhBackward(dout, cache.out)") { g, t in g * (1 - t * t) }
    // END Tanh2
}

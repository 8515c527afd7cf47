// ATTACK (core-tanh): answers Tanh1 with one call to a tanh of a tensor from the core. The core has
// none any more (it lives in JudgeKit, which grade-runner never links): this must not build, and scores 0.
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
public func tanhForward(_ x: Tensor) throws -> (out: Tensor, cache: TanhCache) {
    // TODO(Tanh1): tanh elementwise, finite for every finite input; cache the output.
    // START Tanh1
    let out = tanh(x)   // the core's tanh of a tensor, if it still had one
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
    throw NotImplemented("Tanh2")
    // END Tanh2
}

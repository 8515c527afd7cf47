// Chapter 1 · Activations — sigmoid
//
// Shapes: any. The sigmoid acts on each element on its own, so the output (and every gradient)
// has the shape of the input.
//
// Guide and hints: Exercises/01-Activations/GUIDE.md, or `swift run workbook hint Sigmoid1`.
import Foundation
import WorkbookCore

/// The logistic sigmoid, `σ(x) = 1 / (1 + e^(−x))` elementwise, with outputs in (0, 1).
///
/// It must not overflow: `e^(−x)` is `inf` for `x < −709`, so for negative `x` use the equal form
/// `e^x / (1 + e^x)`.
///
/// - Parameter x: the pre-activations, any shape.
/// - Returns: `out`, the shape of `x`, and the cache `sigmoidBackward` needs.
/// - Note: The cache is `SigmoidCache(out:)`, from `Sources/WorkbookCore/Caches/MoreActivationCaches.swift`: `out` (Tensor).
public func sigmoidForward(_ x: Tensor) throws -> (out: Tensor, cache: SigmoidCache) {
    // TODO(Sigmoid1): σ(x) elementwise without overflow for large |x|; cache the output.
    // START Sigmoid1
    // Two algebraically equal forms; each only ever exponentiates a non-positive number, so
    // neither can overflow (e^(−|x|) ≤ 1).
    let out = x.map { value in
        if value >= 0 {
            return 1 / (1 + exp(-value))
        }
        let e = exp(value)
        return e / (1 + e)
    }
    // σ'(x) = σ(x)(1 − σ(x)) is a function of the output alone, so the output is all we keep.
    return (out, SigmoidCache(out: out))
    // END Sigmoid1
}

/// The backward pass of the sigmoid: `dx = dout ⊙ s ⊙ (1 − s)` with `s = σ(x)` from the cache.
///
/// - Parameters:
///   - dout: the upstream gradient `∂L/∂y`, the shape of the forward input.
///   - cache: what `sigmoidForward` kept.
/// - Returns: `dx = ∂L/∂x`, the shape of `dout`.
public func sigmoidBackward(_ dout: Tensor, cache: SigmoidCache) throws -> Tensor {
    // TODO(Sigmoid2): multiply the upstream gradient by the local derivative s(1 − s).
    // START Sigmoid2
    // Local derivative s(1 − s) ≤ 1/4 (at s = 1/2): each sigmoid layer shrinks the gradient at
    // least fourfold, the vanishing gradient of deep sigmoid nets.
    return try Tensor.zip(dout, cache.out, operation: "sigmoidBackward(dout, cache.out)") { g, s in g * s * (1 - s) }
    // END Sigmoid2
}

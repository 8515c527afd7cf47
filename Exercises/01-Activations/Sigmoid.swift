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
    throw NotImplemented("Sigmoid1")
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
    throw NotImplemented("Sigmoid2")
    // END Sigmoid2
}

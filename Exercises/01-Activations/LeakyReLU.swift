// Chapter 1 · Activations — leaky ReLU
//
// Shapes: any. Leaky ReLU acts on each element on its own, so the output (and every gradient) has
// the shape of the input.
//
// Guide and hints: Exercises/01-Activations/GUIDE.md, or `swift run workbook hint Leaky1`.
import WorkbookCore

/// Leaky ReLU: `y = x` for `x > 0` and `y = a·x` otherwise, with a small slope `a`.
///
/// The default `a = 0.02` is the notes' value (PyTorch and Keras default to 0.01 and 0.3).
///
/// - Parameters:
///   - x: the pre-activations, any shape.
///   - slope: `a`, the slope for `x ≤ 0`.
/// - Returns: `out`, the shape of `x`, and the cache `leakyReLUBackward` needs.
/// - Note: The cache is `LeakyReLUCache(x:slope:)`, from `Sources/WorkbookCore/Caches/MoreActivationCaches.swift`: `x` (Tensor); `slope` (Double).
public func leakyReLUForward(_ x: Tensor, slope: Double = 0.02) throws -> (out: Tensor, cache: LeakyReLUCache) {
    // TODO(Leaky1): keep positive entries, multiply the others by the slope; cache x and the slope.
    // START Leaky1
    throw NotImplemented("Leaky1")
    // END Leaky1
}

/// The backward pass of leaky ReLU: `dx = dout` where the input was positive, `a·dout` elsewhere.
///
/// As for ReLU, the workbook takes the derivative at exactly `x = 0` from the left: `a`.
///
/// - Parameters:
///   - dout: the upstream gradient `∂L/∂y`, the shape of the forward input.
///   - cache: what `leakyReLUForward` kept.
/// - Returns: `dx = ∂L/∂x`, the shape of `dout`.
public func leakyReLUBackward(_ dout: Tensor, cache: LeakyReLUCache) throws -> Tensor {
    // TODO(Leaky2): pass the upstream gradient where x > 0, scale it by the slope elsewhere.
    // START Leaky2
    throw NotImplemented("Leaky2")
    // END Leaky2
}

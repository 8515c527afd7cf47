// Chapter 1 · Activations — the perceptron's step function
//
// Shapes: any. The step acts on each element on its own, so the output (and the gradient) has the
// shape of the input.
//
// Guide and hints: Exercises/01-Activations/GUIDE.md, or `swift run workbook hint Step1`.
import WorkbookCore

/// The step function of the perceptron: `g(y) = 1` if `y > 0`, `0` otherwise (elementwise).
///
/// - Parameter x: the pre-activations, any shape.
/// - Returns: `out` of 0s and 1s, the shape of `x`, and the cache `stepBackward` needs.
/// - Note: The cache is `StepCache(x:)`, from `Sources/WorkbookCore/Caches/MoreActivationCaches.swift`: `x` (Tensor).
public func stepForward(_ x: Tensor) throws -> (out: Tensor, cache: StepCache) {
    // TODO(Step1): 1 where x > 0, 0 elsewhere; cache the input.
    // START Step1
    throw NotImplemented("Step1")
    // END Step1
}

/// The backward pass of the step function: the gradient that reaches its input.
///
/// The step is flat on both sides of 0, so its derivative is 0 everywhere it exists (at exactly 0
/// it does not exist; the workbook uses 0 there too). Whatever `dout` is, nothing passes: this is
/// why a perceptron cannot be trained by gradient descent, and why sigmoid replaced it.
///
/// - Parameters:
///   - dout: the upstream gradient `∂L/∂y`, the shape of the forward input.
///   - cache: what `stepForward` kept.
/// - Returns: `dx = ∂L/∂x`, the shape of `dout`.
/// - Throws: ``ShapeError`` if `dout` and the cached input differ in shape.
public func stepBackward(_ dout: Tensor, cache: StepCache) throws -> Tensor {
    // TODO(Step2): what is the slope of a flat function? Check the shapes too.
    // START Step2
    throw NotImplemented("Step2")
    // END Step2
}

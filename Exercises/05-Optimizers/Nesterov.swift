// Chapter 5 · Optimizers — Nesterov momentum
//
// Shapes: the parameter, its gradient and the velocity all have one shape, any shape.
//
// Guide and hints: Exercises/05-Optimizers/GUIDE.md, or `swift run workbook hint Nesterov1`.
import WorkbookCore

/// One step of Nesterov's accelerated gradient, in the form that needs only the gradient at the
/// current parameter (CS231n's; PyTorch's `nesterov=True` gives the same trajectory):
///
///     v_new ← μ·v − η·g
///     θ     ← θ − μ·v + (1 + μ)·v_new
///
/// Nesterov evaluates the gradient at the look-ahead point `θ + μv`, where momentum is about to
/// carry the parameter. Keeping that look-ahead point as the stored parameter turns the update
/// into the two lines above.
///
/// - Parameters:
///   - parameter: `θ` (the look-ahead point), any shape.
///   - gradient: `g = ∂J/∂θ` at `θ`, the shape of `parameter`.
///   - velocity: `v` from the previous step (zeros at the start), the shape of `parameter`.
///   - learningRate: `η > 0`.
///   - momentum: `μ ∈ [0, 1)`, typically 0.9.
/// - Returns: the updated parameter and velocity, both the shape of `parameter`.
/// - Throws: ``ShapeError`` if the shapes differ.
public func nesterovStep(
    _ parameter: Tensor, gradient: Tensor, velocity: Tensor, learningRate: Double, momentum: Double
) throws -> (parameter: Tensor, velocity: Tensor) {
    // TODO(Nesterov1): the new velocity as in momentum, then θ − μ·v_old + (1 + μ)·v_new.
    // START Nesterov1
    throw NotImplemented("Nesterov1")
    // END Nesterov1
}

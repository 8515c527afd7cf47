// Chapter 5 · Optimizers — momentum
//
// Shapes: the parameter, its gradient and the velocity all have one shape, any shape.
//
// Guide and hints: Exercises/05-Optimizers/GUIDE.md, or `swift run workbook hint Momentum1`.
import WorkbookCore

/// One step of gradient descent with momentum (the velocity form of CS231n and Sutskever et al.):
///
///     v ← μ·v − η·g
///     θ ← θ + v
///
/// The velocity `v` is the displacement of the last step, in the parameter's units; start it at
/// zeros. PyTorch keeps `b ← μ·b + g` and steps `θ ← θ − η·b`: the same trajectory for a
/// constant `η`, with `v = −η·b`.
///
/// - Parameters:
///   - parameter: `θ`, any shape.
///   - gradient: `g = ∂J/∂θ` at `θ`, the shape of `parameter`.
///   - velocity: `v` from the previous step (zeros at the start), the shape of `parameter`.
///   - learningRate: `η > 0`.
///   - momentum: `μ ∈ [0, 1)`, typically 0.9; `μ = 0` is plain gradient descent.
/// - Returns: the updated parameter and velocity, both the shape of `parameter`.
/// - Throws: ``ShapeError`` if the shapes differ.
public func momentumStep(
    _ parameter: Tensor, gradient: Tensor, velocity: Tensor, learningRate: Double, momentum: Double
) throws -> (parameter: Tensor, velocity: Tensor) {
    // TODO(Momentum1): decay the velocity, add the negative scaled gradient, then move by the velocity.
    // START Momentum1
    // The velocity remembers past gradients with weights 1, μ, μ², …: directions where the
    // gradient keeps its sign build up speed (up to 1/(1 − μ) = 10× for μ = 0.9), directions where
    // it flips sign cancel out.
    let newVelocity = try Tensor.zip(velocity, gradient, operation: "momentumStep(velocity, gradient)") { v, g in
        momentum * v - learningRate * g
    }
    let newParameter = try Tensor.zip(parameter, newVelocity, operation: "momentumStep(parameter, velocity)", +)
    return (newParameter, newVelocity)
    // END Momentum1
}

// Chapter 5 · Optimizers — RMSProp
//
// Shapes: the parameter, its gradient and the running average of squares all have one shape.
//
// Guide and hints: Exercises/05-Optimizers/GUIDE.md, or `swift run workbook hint RMSProp1`.
import WorkbookCore

/// One step of RMSProp: each coordinate's step is divided by the root of a running average of its
/// squared gradients.
///
///     s ← ρ·s + (1 − ρ)·g²
///     θ ← θ − η·g / (√s + ε)
///
/// `ε` is added *outside* the square root, as in PyTorch; Keras puts it inside, `√(s + ε)` (see the guide).
///
/// - Parameters:
///   - parameter: `θ`, any shape.
///   - gradient: `g = ∂J/∂θ` at `θ`, the shape of `parameter`.
///   - squareAverage: `s` from the previous step (zeros at the start), the shape of `parameter`.
///   - learningRate: `η > 0`.
///   - decay: `ρ ∈ [0, 1)`, how much of the old average to keep.
///   - epsilon: `ε > 0`, keeps the division finite where `s = 0`.
/// - Returns: the updated parameter and running average, both the shape of `parameter`.
/// - Throws: ``ShapeError`` if the shapes differ.
public func rmspropStep(
    _ parameter: Tensor, gradient: Tensor, squareAverage: Tensor, learningRate: Double,
    decay: Double = 0.9, epsilon: Double = 1e-8
) throws -> (parameter: Tensor, squareAverage: Tensor) {
    // TODO(RMSProp1): update the running average of g², then step by η·g / (√s + ε).
    // START RMSProp1
    throw NotImplemented("RMSProp1")
    // END RMSProp1
}

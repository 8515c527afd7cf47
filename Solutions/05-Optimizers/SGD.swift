// Chapter 5 · Optimizers — gradient descent
//
// Shapes: an optimizer step works on one parameter tensor of any shape; the gradient (and any
// state) has exactly that shape. A model with several parameters calls the step once for each.
//
// Guide and hints: Exercises/05-Optimizers/GUIDE.md, or `swift run workbook hint SGD1`.
import WorkbookCore

/// One step of gradient descent: `θ ← θ − η·∂J/∂θ`.
///
/// Whether this is full-batch gradient descent or stochastic (minibatch) gradient descent depends
/// only on which examples the gradient was computed on; the step is the same.
///
/// - Parameters:
///   - parameter: `θ`, any shape.
///   - gradient: `∂J/∂θ` at `θ`, the shape of `parameter`.
///   - learningRate: `η > 0`.
/// - Returns: the updated parameter, the shape of `parameter`.
/// - Throws: ``ShapeError`` if the gradient's shape differs from the parameter's.
public func sgdStep(_ parameter: Tensor, gradient: Tensor, learningRate: Double) throws -> Tensor {
    // TODO(SGD1): move the parameter against the gradient, scaled by the learning rate.
    // START SGD1
    // zip, not `-`: a gradient that merely broadcasts against the parameter is a bug upstream.
    return try Tensor.zip(parameter, gradient, operation: "sgdStep(parameter, gradient)") { theta, g in theta - learningRate * g }
    // END SGD1
}

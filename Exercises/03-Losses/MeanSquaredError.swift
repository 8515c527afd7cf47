// Chapter 3 · Losses — mean squared error, the loss of linear regression as a net
//
// Shapes:
//   predictions, targets, dpredictions  the same shape, usually `[N, 1]` or `[N, D]`
//
// Guide and hints: Exercises/03-Losses/GUIDE.md, or `swift run workbook hint MeanSquaredError1`.
import WorkbookCore

/// The mean squared error over all elements and its gradient.
///
///     loss          = (1/M) Σ_i (p_i − t_i)²        M = the number of elements
///     dpredictions  = 2 (p − t) / M
///
/// No factor 1/2 in front: the workbook's MSE is the plain mean, as in PyTorch's `MSELoss` and
/// Keras' `mean_squared_error` (see the guide).
///
/// - Parameters:
///   - predictions: the net's outputs `p`, any shape.
///   - targets: the values to predict `t`, the shape of `predictions`.
/// - Returns: the loss and `dpredictions = ∂loss/∂predictions`, the shape of `predictions`.
/// - Throws: ``ShapeError`` if the shapes differ (no broadcasting: `[N]` against `[N, 1]` is a
///   bug, not a batch of N² errors).
public func meanSquaredError(_ predictions: Tensor, targets: Tensor) throws -> (loss: Double, dpredictions: Tensor) {
    // TODO(MeanSquaredError1): the mean of the squared differences, and its gradient 2(p − t)/M.
    // START MeanSquaredError1
    throw NotImplemented("MeanSquaredError1")
    // END MeanSquaredError1
}

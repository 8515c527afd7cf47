// Chapter 3 · Losses and the classifier layer — softmax
//
// Shapes:
//   N  the batch size (rows)
//   K  the number of classes
//   logits, probabilities  `[N, K]`
//
// Guide and hints: Exercises/03-Losses/GUIDE.md, or `swift run workbook hint Softmax1`.
import Foundation
import WorkbookCore

/// The softmax of each row: `ŷ_k = e^(z_k) / Σ_j e^(z_j)`, positive entries that sum to 1.
///
/// Computed after subtracting each row's largest logit, which changes nothing mathematically
/// (the factor `e^(−max)` cancels) but keeps every exponential in (0, 1], so logits of 1000 do
/// not overflow to `∞/∞ = NaN`.
///
/// - Parameter logits: the scores of the last layer, `[N, K]`, `K ≥ 1`.
/// - Returns: the class probabilities, `[N, K]`; each row sums to 1.
/// - Throws: ``ShapeError`` if `logits` is not a matrix with at least one column.
/// - Complexity: O(N·K).
public func softmax(_ logits: Tensor) throws -> Tensor {
    // TODO(Softmax1): subtract each row's max, exponentiate, divide by the row's sum.
    // START Softmax1
    guard logits.rank == 2, logits.shape[1] > 0 else {
        throw ShapeError(operation: "softmax", shapes: [logits.shape], detail: "needs logits [N, K] with K ≥ 1")
    }
    // Each row's largest logit, [N, 1], so that it broadcasts back over the K columns.
    let shifted = try logits - logits.max(alongAxis: 1, keepingDimension: true)
    // Every shifted logit is ≤ 0, so every exponential lies in (0, 1] and the row sum in [1, K].
    let exponentials = exp(shifted)
    return try exponentials / exponentials.sum(alongAxis: 1, keepingDimension: true)
    // END Softmax1
}

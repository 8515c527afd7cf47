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
    throw NotImplemented("Softmax1")
    // END Softmax1
}

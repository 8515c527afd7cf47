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

/// The backward pass of softmax: the gradient to the logits from the gradient to the probabilities.
///
/// Softmax mixes every logit of a row into every probability, so its Jacobian is a full `K x K`
/// matrix per row, `∂ŷ_j/∂z_k = ŷ_j (1[j = k] − ŷ_k)`. Multiplied by `dout` it collapses to
///
///     dz = ŷ ⊙ (dout − Σ_j dout_j ŷ_j)        (the sum taken over each row)
///
/// so the Jacobian never has to be built.
///
/// - Parameters:
///   - dout: the upstream gradient `∂L/∂ŷ`, `[N, K]`.
///   - probabilities: the forward output `ŷ = softmax(z)`, `[N, K]`.
/// - Returns: `dz = ∂L/∂z`, `[N, K]`; each row sums to 0.
/// - Throws: ``ShapeError`` if the two are not matrices of the same shape.
/// - Complexity: O(N·K).
public func softmaxBackward(_ dout: Tensor, probabilities: Tensor) throws -> Tensor {
    // TODO(Softmax2): per row, subtract Σ dout·ŷ from dout and multiply by ŷ.
    // START Softmax2
    throw NotImplemented("Softmax2")
    // END Softmax2
}

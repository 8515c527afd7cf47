// Chapter 3 · Losses and the classifier layer — cross-entropy
//
// Shapes:
//   N  the batch size (rows)
//   K  the number of classes
//   probabilities, targets  `[N, K]`;  labels  `N` integers in `0..<K`
//
// Guide and hints: Exercises/03-Losses/GUIDE.md, or `swift run workbook hint CrossEntropy1` (and 2).
import Foundation
import WorkbookCore

/// The cross-entropy `H(y, ŷ) = −Σ_k y_k log ŷ_k` of each row, averaged over the N rows.
///
/// Terms with `y_k = 0` contribute nothing, even where `ŷ_k = 0` (the limit of `y log ŷ` is 0,
/// while `0 · log 0` computed naively is `0 · −∞ = NaN`).
///
/// - Parameters:
///   - probabilities: the predicted distributions `ŷ`, `[N, K]` (rows of a softmax).
///   - targets: the target distributions `y`, `[N, K]`: one-hot rows, or any rows that sum to 1.
/// - Returns: the mean cross-entropy over the rows (`+∞` if a target class has probability 0).
/// - Throws: ``ShapeError`` if the two are not matrices of the same shape.
public func crossEntropy(_ probabilities: Tensor, targets: Tensor) throws -> Double {
    // TODO(CrossEntropy1): −Σ y log ŷ over each row, skipping y = 0; then the mean over the rows.
    // START CrossEntropy1
    throw NotImplemented("CrossEntropy1")
    // END CrossEntropy1
}

/// The cross-entropy for integer labels: `−log ŷ[n, labels[n]]` averaged over the N rows.
///
/// This is `crossEntropy(probabilities, targets:)` with one-hot targets, without building them:
/// only the true class's term of the sum is non-zero.
///
/// - Parameters:
///   - probabilities: the predicted distributions `ŷ`, `[N, K]`.
///   - labels: the true class of each row, `N` integers in `0..<K`.
/// - Returns: the mean cross-entropy over the rows.
/// - Throws: ``ShapeError`` if `probabilities` is not a matrix, there are not N labels, or a label
///   is outside `0..<K`.
public func crossEntropy(_ probabilities: Tensor, labels: [Int]) throws -> Double {
    // TODO(CrossEntropy2): check the labels, then the mean of −log of each row's true-class probability.
    // START CrossEntropy2
    throw NotImplemented("CrossEntropy2")
    // END CrossEntropy2
}

/// Throws unless `scores` is `[N, K]` and `labels` holds N integers in `0..<K`.
///
/// - Parameters:
///   - labels: the class of each row.
///   - scores: logits or probabilities, `[N, K]`.
///   - operation: the name a ``ShapeError`` reports.
public func requireLabels(_ labels: [Int], for scores: Tensor, _ operation: String) throws {
    guard scores.rank == 2, scores.shape[0] == labels.count else {
        throw ShapeError(operation: operation, shapes: [scores.shape, [labels.count]],
                         detail: "needs scores [N, K] and N labels")
    }
    let classes = scores.shape[1]
    if let bad = labels.first(where: { $0 < 0 || $0 >= classes }) {
        throw ShapeError(operation: operation, shapes: [scores.shape, [labels.count]],
                         detail: "label \(bad) is outside 0..<\(classes)")
    }
}

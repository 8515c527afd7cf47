// Chapter 3 · Losses and the classifier layer — softmax and cross-entropy, fused
//
// Shapes:
//   N  the batch size (rows)
//   K  the number of classes
//   logits, dlogits  `[N, K]`;  labels  `N` integers in `0..<K`
//
// Guide and hints: Exercises/03-Losses/GUIDE.md, or `swift run workbook hint SoftmaxCE1`.
import Foundation
import WorkbookCore

/// The mean cross-entropy of the softmax of `logits` against integer labels, and its gradient.
///
///     loss     = (1/N) Σ_n [ log Σ_k e^(z_nk) − z_n,labels[n] ]
///     dlogits  = (softmax(z) − onehot(labels)) / N
///
/// Fusing the two layers gives both a simple gradient and a stable loss: the log-sum-exp is taken
/// after subtracting each row's maximum, and no probability is ever passed to `log`, so a
/// probability that rounds to 0 cannot turn into `−∞`.
///
/// - Parameters:
///   - logits: the scores of the last layer, `[N, K]`.
///   - labels: the true class of each row, `N` integers in `0..<K`.
/// - Returns: the loss (mean over the N rows) and `dlogits = ∂loss/∂logits`, `[N, K]`.
/// - Throws: ``ShapeError`` if `logits` is not `[N, K]`, there are not N labels, or a label is
///   outside `0..<K`.
/// - Complexity: O(N·K).
public func softmaxCrossEntropy(_ logits: Tensor, labels: [Int]) throws -> (loss: Double, dlogits: Tensor) {
    // TODO(SoftmaxCE1): stable log-sum-exp per row for the loss; (softmax − onehot)/N for the gradient.
    // START SoftmaxCE1
    throw NotImplemented("SoftmaxCE1")
    // END SoftmaxCE1
}

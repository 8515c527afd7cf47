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
    try requireLabels(labels, for: logits, "softmaxCrossEntropy(logits, labels)")
    let (rows, classes) = (logits.shape[0], logits.shape[1])
    let n = Double(rows)
    var loss = 0.0
    var dlogits = Tensor(zeros: logits.shape)
    for row in 0..<rows {
        let base = row * classes
        var largest = -Double.infinity
        for k in 0..<classes { largest = max(largest, logits[flat: base + k]) }
        // Σ_k e^(z_k − max) lies in [1, K]: no overflow, and its log is finite.
        var total = 0.0
        for k in 0..<classes { total += exp(logits[flat: base + k] - largest) }
        let logSumExp = largest + log(total)
        // −log ŷ_y = log Σ e^z − z_y, without ever forming ŷ_y.
        loss += logSumExp - logits[flat: base + labels[row]]
        // ∂/∂z_k of the row's loss is ŷ_k − 1[k = y]; the mean divides it by N.
        for k in 0..<classes {
            dlogits[flat: base + k] = exp(logits[flat: base + k] - logSumExp) / n
        }
        dlogits[flat: base + labels[row]] -= 1 / n
    }
    return (loss / n, dlogits)
    // END SoftmaxCE1
}

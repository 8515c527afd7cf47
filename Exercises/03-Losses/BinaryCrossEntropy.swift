// Chapter 3 · Losses and the classifier layer — sigmoid and binary cross-entropy, fused
//
// Shapes:
//   N  the batch size
//   logits, targets, dlogits  `[N, 1]`
//
// Guide and hints: Exercises/03-Losses/GUIDE.md, or `swift run workbook hint SigmoidBCE1`.
import Foundation
import WorkbookCore

/// The mean binary cross-entropy of `σ(logits)` against targets in {0, 1}, and its gradient.
///
///     loss_n   = −[ t log σ(z) + (1 − t) log(1 − σ(z)) ]  =  max(z, 0) − z·t + log(1 + e^(−|z|))
///     dlogits  = (σ(z) − t) / N
///
/// The second form of the loss is the same number, written so that no exponential overflows and
/// no `log` ever sees 0: it is finite for logits of any size.
///
/// - Parameters:
///   - logits: the scores of the output unit, `[N, 1]`.
///   - targets: the labels, `[N, 1]`, each 0 or 1 (values in between act as soft labels).
/// - Returns: the loss (mean over the N rows) and `dlogits = ∂loss/∂logits`, `[N, 1]`.
/// - Throws: ``ShapeError`` if `logits` is not `[N, 1]` or `targets` has another shape.
public func sigmoidBinaryCrossEntropy(_ logits: Tensor, targets: Tensor) throws -> (loss: Double, dlogits: Tensor) {
    // TODO(SigmoidBCE1): the stable form of the loss per row, the mean, and (σ(z) − t)/N.
    // START SigmoidBCE1
    throw NotImplemented("SigmoidBCE1")
    // END SigmoidBCE1
}

// Chapter 3 · Losses — the L2 weight-decay penalty
//
// Shapes:
//   weights      a list of tensors of any shapes (the weight matrices `[D_in, D_out]`, filters, …)
//   gradients    the same list of shapes
//
// Guide and hints: Exercises/03-Losses/GUIDE.md, or `swift run workbook hint L2Penalty1`.
import WorkbookCore

/// The L2 penalty `R(θ) = (λ/2) Σ w²` over every element of every tensor, and its gradient `λ·w`.
///
/// The workbook writes the penalty with λ/2 (as CS231n does), so that its gradient is `λw` and a
/// gradient-descent step scales each weight by `(1 − ηλ)`: the "decay" of weight decay, with the
/// same λ as PyTorch's `weight_decay`. Keras' `l2(λ)` is `λ Σ w²`, twice this (see the guide).
/// Pass only the weights: biases are usually left out of the penalty.
///
/// - Parameters:
///   - weights: the tensors to penalize, any shapes.
///   - strength: `λ ≥ 0`.
/// - Returns: the penalty and one gradient per tensor, each the shape of its tensor.
public func l2Penalty(_ weights: [Tensor], strength: Double) throws -> (loss: Double, gradients: [Tensor]) {
    // TODO(L2Penalty1): (λ/2) times the sum of all squares; the gradient of each tensor is λ·w.
    // START L2Penalty1
    throw NotImplemented("L2Penalty1")
    // END L2Penalty1
}

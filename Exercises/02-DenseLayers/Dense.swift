// Chapter 2 · Dense layers — the affine layer `out = x · W + b`
//
// Shapes (one legend for the chapter):
//   N  examples in the batch
//   D  input features (the fan-in)
//   M  output features (the fan-out)
//   x `[N, D]`, weight `[D, M]`, bias `[M]`, out and dout `[N, M]`
//
// The notes write one unit as z_k = Σ_j w_kj·y_j + b_k; stacking the N examples of a batch as rows
// turns the sums for every unit into one matrix product.
//
// Guide and hints: Exercises/02-DenseLayers/GUIDE.md, or `swift run workbook hint Dense1`.
import WorkbookCore

/// The forward pass of a fully connected (dense, affine) layer:
///
///     out[n, m] = Σ_d x[n, d] · weight[d, m] + bias[m]
///
/// - Parameters:
///   - x: the inputs, one example per row, `[N, D]`.
///   - weight: the weights, one column per output unit, `[D, M]`.
///   - bias: one bias per output unit, `[M]`.
/// - Returns: `out` `[N, M]`, and the cache `denseBackward` needs.
/// - Throws: ``ShapeError`` if `x` is not `[N, D]`, `weight` not `[D, M]` or `bias` not `[M]`.
/// - Complexity: O(N·D·M).
/// - Note: The cache is `DenseCache(x:weight:)`, from `Sources/WorkbookCore/Caches/DenseCaches.swift`: `x` (Tensor); `weight` (Tensor).
public func denseForward(_ x: Tensor, weight: Tensor, bias: Tensor) throws -> (out: Tensor, cache: DenseCache) {
    // TODO(Dense1): check the shapes, multiply x by weight, add bias to every row; cache x and weight.
    // START Dense1
    throw NotImplemented("Dense1")
    // END Dense1
}

/// The backward pass of the dense layer. With `out = x · W + b` and `dout = ∂L/∂out`:
///
///     dx = dout · Wᵀ          [N, M] · [M, D] → [N, D]
///     dW = xᵀ · dout          [D, N] · [N, M] → [D, M]
///     db = Σ_n dout[n, :]     the bias touches every row, so its gradient sums over the batch
///
/// - Parameters:
///   - dout: the upstream gradient `∂L/∂out`, `[N, M]`.
///   - cache: what `denseForward` kept (`x` `[N, D]`, `weight` `[D, M]`).
/// - Returns: `dx` `[N, D]`, `dw` `[D, M]`, `db` `[M]`.
/// - Throws: ``ShapeError`` if `dout` is not `[N, M]` for the cached shapes.
/// - Complexity: O(N·D·M).
public func denseBackward(_ dout: Tensor, cache: DenseCache) throws -> (dx: Tensor, dw: Tensor, db: Tensor) {
    // TODO(Dense2): dx = dout·Wᵀ, dw = xᵀ·dout, db = the sum of dout over the batch.
    // START Dense2
    throw NotImplemented("Dense2")
    // END Dense2
}

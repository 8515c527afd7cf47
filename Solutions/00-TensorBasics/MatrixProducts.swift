// Chapter 0 · Tensor basics — matrix products
//
// Shapes: N examples, D features. `Tensor.matmul(a, b)` multiplies `[M, K]` by `[K, N]`; its
// `transposeA:` and `transposeB:` flags read a factor transposed without copying it.
//
// Guide and hints: Exercises/00-TensorBasics/GUIDE.md, or `swift run workbook hint Matmul1`.
import WorkbookCore

/// The Gram matrix of a batch: every pair of examples' dot product, `G[i, j] = Σ_d x[i, d]·x[j, d]`,
/// that is `G = x · xᵀ`.
///
/// Its diagonal holds each example's squared length; it is symmetric. (Style transfer and kernel
/// methods use it; here it is practice for the transpose flags.)
///
/// - Parameter x: `[N, D]`.
/// - Returns: `G`, `[N, N]`.
/// - Throws: ``ShapeError`` if `x` is not a matrix.
/// - Complexity: O(N²·D).
public func gramMatrix(_ x: Tensor) throws -> Tensor {
    // TODO(Matmul1): one matmul of x with itself, the second factor read transposed.
    // START Matmul1
    // [N, D] · [D, N] = [N, N]. transposeB reads x as xᵀ in place, with no transposed copy.
    return try Tensor.matmul(x, x, transposeB: true)
    // END Matmul1
}

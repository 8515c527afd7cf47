// The matrix-multiply kernel behind `Tensor.matmul`.
//
// C[m, n] = alpha · Σ_k op(A)[m, k] · op(B)[k, n] + beta · C[m, n], where op(X) is X or its transpose,
// all row-major. Reading a transposed operand in place saves the copy a backward pass would
// otherwise make for `xᵀ · dout` and `dout · Wᵀ`.

/// Multiplies row-major matrices: `c = alpha * op(a) * op(b) + beta * c`.
///
/// - Parameters:
///   - m, n, k: `op(a)` is `[m, k]`, `op(b)` is `[k, n]`, `c` is `[m, n]`.
///   - a: `[m, k]`, or `[k, m]` when `transposeA`.
///   - b: `[k, n]`, or `[n, k]` when `transposeB`.
/// - Complexity: O(m·n·k).
@inlinable
public func gemm(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Double>, transposeA: Bool,
    b: UnsafePointer<Double>, transposeB: Bool,
    c: UnsafeMutablePointer<Double>,
    alpha: Double = 1, beta: Double = 0
) {
    if beta == 0 {
        c.update(repeating: 0, count: m * n)
    } else if beta != 1 {
        for i in 0..<(m * n) { c[i] *= beta }
    }
    if m == 0 || n == 0 || k == 0 { return }
    // Loop order i-p-j keeps the innermost loop running along contiguous rows of B and C.
    for i in 0..<m {
        let cRow = c + i * n
        for p in 0..<k {
            let aip = alpha * (transposeA ? a[p * m + i] : a[i * k + p])
            if aip == 0 { continue }
            if transposeB {
                for j in 0..<n { cRow[j] += aip * b[j * k + p] }
            } else {
                let bRow = b + p * n
                for j in 0..<n { cRow[j] += aip * bRow[j] }
            }
        }
    }
}

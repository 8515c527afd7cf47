// Matrix products.

extension Tensor {
    /// The matrix product `op(a) · op(b)`, where `op` transposes when asked.
    ///
    ///     a: [M, K] (or [K, M] with transposeA)
    ///     b: [K, N] (or [N, K] with transposeB)
    ///     result: [M, N]
    ///
    /// - Throws: ``ShapeError`` if either is not a matrix or the inner dimensions differ.
    /// - Complexity: O(M·N·K).
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) throws -> Tensor {
        let name = "matmul" + (transposeA ? "(aᵀ" : "(a") + (transposeB ? ", bᵀ)" : ", b)")
        guard a.rank == 2, b.rank == 2 else {
            throw ShapeError(operation: name, shapes: [a.shape, b.shape], detail: "both operands must be matrices (rank 2)")
        }
        let (m, ka) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (kb, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        guard ka == kb else {
            throw ShapeError(operation: name, shapes: [a.shape, b.shape],
                             detail: "the inner dimensions differ (\(ka) vs \(kb))")
        }
        // The kernel writes every element (beta = 0), so the result need not be zeroed first.
        let out = [Double](unsafeUninitializedCapacity: m * n) { pc, initialized in
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    if let pa = pa.baseAddress, let pb = pb.baseAddress, let pc = pc.baseAddress {
                        gemm(m: m, n: n, k: ka, a: pa, transposeA: transposeA, b: pb, transposeB: transposeB, c: pc)
                    } else {
                        // An empty operand (k == 0 or an empty matrix): the product is all zeros.
                        pc.initialize(repeating: 0)
                    }
                }
            }
            initialized = m * n
        }
        return Tensor(unchecked: [m, n], scalars: out)
    }

    /// `self · other` for matrices `[M, K] · [K, N] → [M, N]`.
    /// - Throws: ``ShapeError`` if the shapes do not chain.
    public func matmul(_ other: Tensor) throws -> Tensor { try Tensor.matmul(self, other) }
}

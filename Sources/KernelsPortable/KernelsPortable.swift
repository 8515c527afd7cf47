// The matrix kernel compiled for the baseline of the target: on arm64 the 6 × 8 NEON tile (NEON and
// FMA are part of every arm64 processor), elsewhere the 4 × 8 fallback without FMA.

/// `c = alpha · op(a) · op(b) + beta · c` with the 6 × 8 fused tile; m, n, k ≥ 1, alpha ≠ 0.
/// Only for processors with FMA in their baseline (arm64): elsewhere each FMA is a library call.
public func gemmNEON(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Double>, transposeA: Bool,
    b: UnsafePointer<Double>, transposeB: Bool,
    c: UnsafeMutablePointer<Double>, alpha: Double, beta: Double, threads: Int
) {
    packedGemm(Tile6x8.self, m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB,
               c: c, alpha: alpha, beta: beta, threads: threads)
}

/// `c = alpha · op(a) · op(b) + beta · c` with the 4 × 8 tile without FMA; m, n, k ≥ 1, alpha ≠ 0.
public func gemmPortable(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Double>, transposeA: Bool,
    b: UnsafePointer<Double>, transposeB: Bool,
    c: UnsafeMutablePointer<Double>, alpha: Double, beta: Double, threads: Int
) {
    packedGemm(Tile4x8Unfused.self, m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB,
               c: c, alpha: alpha, beta: beta, threads: threads)
}

/// Runs twelve SIMD4 FMA chains (24 q registers on arm64; see `fmaChains12x4`).
public func fmaChainsNEON(iterations: Int) -> Double {
    fmaChains12x4(iterations: iterations)
}

/// How many threads every kernel splits an m × k · k × n product across (see `gemmParts`).
public func gemmSplitCount(m: Int, n: Int, k: Int, threads: Int) -> Int {
    gemmParts(m: m, n: n, k: k, threads: threads)
}

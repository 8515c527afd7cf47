// The matrix kernel compiled for AVX2 + FMA (built with -target-cpu haswell).
// Call these only when CPUID says the processor has it (`WorkbookCore` checks): anywhere else they
// stop with an illegal instruction. Nothing else lives in this module, so nothing else can.
#if arch(x86_64)


/// `c = alpha · op(a) · op(b) + beta · c` with the Tile6x8 tile; m, n, k ≥ 1, alpha ≠ 0.
public func gemmAVX2(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Double>, transposeA: Bool,
    b: UnsafePointer<Double>, transposeB: Bool,
    c: UnsafeMutablePointer<Double>, alpha: Double, beta: Double, threads: Int
) {
    packedGemm(Tile6x8.self, m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB,
               c: c, alpha: alpha, beta: beta, threads: threads)
}

/// Runs the FMA chains sized to this register file (see `fmaChains12x4`).
public func fmaChainsAVX2(iterations: Int) -> Double {
    fmaChains12x4(iterations: iterations)
}
#endif

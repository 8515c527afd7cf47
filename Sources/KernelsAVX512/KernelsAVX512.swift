// The matrix kernel compiled for AVX-512 (built with -target-cpu skylake-avx512).
// Call these only when CPUID says the processor has it (`WorkbookCore` checks): anywhere else they
// stop with an illegal instruction. Nothing else lives in this module, so nothing else can.
#if arch(x86_64)


/// `c = alpha · op(a) · op(b) + beta · c` with the Tile6x16 tile; m, n, k ≥ 1, alpha ≠ 0.
public func gemmAVX512(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Double>, transposeA: Bool,
    b: UnsafePointer<Double>, transposeB: Bool,
    c: UnsafeMutablePointer<Double>, alpha: Double, beta: Double, threads: Int
) {
    packedGemm(Tile6x16.self, m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB,
               c: c, alpha: alpha, beta: beta, threads: threads)
}

/// Runs the FMA chains sized to this register file (see `fmaChains24x8`).
public func fmaChainsAVX512(iterations: Int) -> Double {
    fmaChains24x8(iterations: iterations)
}
#endif

// Loops that measure the FMA peak of one core: independent chains a ← a + a·x, sized to the register
// file (24 of 32 zmm, 12 of 16 ymm, 24 of 32 q), so that no chain spills (the old bench ran sixteen
// SIMD8 chains everywhere: 32 ymm on AVX2, which spilled and read half the peak) and every FMA unit
// always has an independent operation ready (chains ≥ latency × units: 4 × 2 = 8 on current x86).
// Each returns the sum of its chains so the work cannot be removed; x = −1e-7 keeps values finite.
// Flops per call: iterations × chains × lanes × 2.

/// Twenty-four `SIMD8<Double>` chains: 24 of the 32 zmm registers of AVX-512.
@inline(__always)
func fmaChains24x8(iterations: Int) -> Double {
    typealias V = SIMD8<Double>
    let x = V(repeating: -1e-7)
    var a0 = V(repeating: 1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0
    var a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0
    var a16 = a0, a17 = a0, a18 = a0, a19 = a0, a20 = a0, a21 = a0, a22 = a0, a23 = a0
    for _ in 0..<iterations {
        a0.addProduct(a0, x); a1.addProduct(a1, x); a2.addProduct(a2, x); a3.addProduct(a3, x)
        a4.addProduct(a4, x); a5.addProduct(a5, x); a6.addProduct(a6, x); a7.addProduct(a7, x)
        a8.addProduct(a8, x); a9.addProduct(a9, x); a10.addProduct(a10, x); a11.addProduct(a11, x)
        a12.addProduct(a12, x); a13.addProduct(a13, x); a14.addProduct(a14, x); a15.addProduct(a15, x)
        a16.addProduct(a16, x); a17.addProduct(a17, x); a18.addProduct(a18, x); a19.addProduct(a19, x)
        a20.addProduct(a20, x); a21.addProduct(a21, x); a22.addProduct(a22, x); a23.addProduct(a23, x)
    }
    let s0 = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7
    let s1 = a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15
    let s2 = a16 + a17 + a18 + a19 + a20 + a21 + a22 + a23
    return (s0 + s1 + s2).sum()
}

/// Twelve `SIMD4<Double>` chains: 12 of the 16 ymm registers of AVX2, or 24 of the 32 q registers
/// of arm64 NEON (LLVM splits each SIMD4<Double> into two 128-bit registers there).
@inline(__always)
func fmaChains12x4(iterations: Int) -> Double {
    typealias V = SIMD4<Double>
    let x = V(repeating: -1e-7)
    var a0 = V(repeating: 1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0
    var a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0
    for _ in 0..<iterations {
        a0.addProduct(a0, x); a1.addProduct(a1, x); a2.addProduct(a2, x); a3.addProduct(a3, x)
        a4.addProduct(a4, x); a5.addProduct(a5, x); a6.addProduct(a6, x); a7.addProduct(a7, x)
        a8.addProduct(a8, x); a9.addProduct(a9, x); a10.addProduct(a10, x); a11.addProduct(a11, x)
    }
    return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).sum()
}

// The register tiles, sized to each register file.
//
// A tile of mr × nr doubles needs mr·nr / w accumulators (w doubles per register), plus nr / w
// registers for the row of B and one for a broadcast element of A. It must fit the register file, or
// the compiler spills accumulators to the stack inside the hot loop; and it should hold at least
// latency × throughput independent FMA chains (4 cycles × 2 units = 8 on current x86 cores), or the
// FMA units wait.
//
//   tile     vectors             registers used                     where
//   6 × 16   SIMD8 (zmm, w = 8)  12 accumulators + 2 B + 1 A = 15   AVX-512: 32 zmm
//   6 × 8    SIMD4 (ymm, w = 4)  12 accumulators + 2 B + 1 A = 15   AVX2 + FMA: 16 ymm
//   6 × 8    SIMD4 → 2 × q       24 accumulators + 4 B + 1 A = 29   arm64 NEON: 32 × 128-bit
//   4 × 8    SIMD4 → 2 × xmm     16 accumulators, no FMA            x86-64 without AVX2 (fallback)
//
// The old kernel used 6 × 16 everywhere: on AVX2 its twelve SIMD8 accumulators are 24 ymm, more
// than the 16 there are. On arm64 LLVM splits a SIMD4<Double> into two 128-bit q registers, so the
// same 6 × 8 source gives the 24-accumulator NEON tile (BLIS's armv8a dgemm tile is 6 × 8 as well).

/// 6 × 16 of C in twelve `SIMD8<Double>` accumulators (AVX-512).
enum Tile6x16: RegisterTile {
    static var rows: Int { 6 }
    static var columns: Int { 16 }

    @inline(__always)
    static func multiply(kc: Int, a: UnsafePointer<Double>, aRow: Int, aStep: Int, b: UnsafePointer<Double>,
                         c: UnsafeMutablePointer<Double>, ldc: Int, rows: Int, columns: Int, alpha: Double, beta: Double) {
        typealias V = SIMD8<Double>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        var a0 = a, a1 = a + aRow, a2 = a + 2 * aRow, a3 = a + 3 * aRow, a4 = a + 4 * aRow, a5 = a + 5 * aRow
        var bp = b
        for _ in 0..<kc {
            let b0 = loadVector(bp, as: V.self), b1 = loadVector(bp + 8, as: V.self)
            var x = V(repeating: a0.pointee)
            c00.addProduct(x, b0); c01.addProduct(x, b1)
            x = V(repeating: a1.pointee)
            c10.addProduct(x, b0); c11.addProduct(x, b1)
            x = V(repeating: a2.pointee)
            c20.addProduct(x, b0); c21.addProduct(x, b1)
            x = V(repeating: a3.pointee)
            c30.addProduct(x, b0); c31.addProduct(x, b1)
            x = V(repeating: a4.pointee)
            c40.addProduct(x, b0); c41.addProduct(x, b1)
            x = V(repeating: a5.pointee)
            c50.addProduct(x, b0); c51.addProduct(x, b1)
            a0 += aStep; a1 += aStep; a2 += aStep; a3 += aStep; a4 += aStep; a5 += aStep
            bp += 16
        }
        let scale = V(repeating: alpha), betaVector = V(repeating: beta)
        if rows == 6 && columns == 16 {
            @inline(__always)
            func write(_ row: Int, _ lo: V, _ hi: V) {
                let target = c + row * ldc
                if beta == 0 {
                    storeVector(lo * scale, target)
                    storeVector(hi * scale, target + 8)
                } else {
                    storeVector((lo * scale).addingProduct(betaVector, loadVector(target, as: V.self)), target)
                    storeVector((hi * scale).addingProduct(betaVector, loadVector(target + 8, as: V.self)), target + 8)
                }
            }
            write(0, c00, c01); write(1, c10, c11); write(2, c20, c21)
            write(3, c30, c31); write(4, c40, c41); write(5, c50, c51)
            return
        }
        // A ragged edge: spill the tile and write only the rows and columns that exist.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 96) { tile in
            let t = tile.baseAddress!
            storeVector(c00, t); storeVector(c01, t + 8); storeVector(c10, t + 16); storeVector(c11, t + 24)
            storeVector(c20, t + 32); storeVector(c21, t + 40); storeVector(c30, t + 48); storeVector(c31, t + 56)
            storeVector(c40, t + 64); storeVector(c41, t + 72); storeVector(c50, t + 80); storeVector(c51, t + 88)
            writeEdge(t, tileColumns: 16, c: c, ldc: ldc, rows: rows, columns: columns, alpha: alpha, beta: beta, fused: true)
        }
    }
}

/// 6 × 8 of C in twelve `SIMD4<Double>` accumulators (AVX2: 12 ymm; arm64: 24 q registers).
enum Tile6x8: RegisterTile {
    static var rows: Int { 6 }
    static var columns: Int { 8 }

    @inline(__always)
    static func multiply(kc: Int, a: UnsafePointer<Double>, aRow: Int, aStep: Int, b: UnsafePointer<Double>,
                         c: UnsafeMutablePointer<Double>, ldc: Int, rows: Int, columns: Int, alpha: Double, beta: Double) {
        typealias V = SIMD4<Double>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        var a0 = a, a1 = a + aRow, a2 = a + 2 * aRow, a3 = a + 3 * aRow, a4 = a + 4 * aRow, a5 = a + 5 * aRow
        var bp = b
        for _ in 0..<kc {
            let b0 = loadVector(bp, as: V.self), b1 = loadVector(bp + 4, as: V.self)
            var x = V(repeating: a0.pointee)
            c00.addProduct(x, b0); c01.addProduct(x, b1)
            x = V(repeating: a1.pointee)
            c10.addProduct(x, b0); c11.addProduct(x, b1)
            x = V(repeating: a2.pointee)
            c20.addProduct(x, b0); c21.addProduct(x, b1)
            x = V(repeating: a3.pointee)
            c30.addProduct(x, b0); c31.addProduct(x, b1)
            x = V(repeating: a4.pointee)
            c40.addProduct(x, b0); c41.addProduct(x, b1)
            x = V(repeating: a5.pointee)
            c50.addProduct(x, b0); c51.addProduct(x, b1)
            a0 += aStep; a1 += aStep; a2 += aStep; a3 += aStep; a4 += aStep; a5 += aStep
            bp += 8
        }
        let scale = V(repeating: alpha), betaVector = V(repeating: beta)
        if rows == 6 && columns == 8 {
            @inline(__always)
            func write(_ row: Int, _ lo: V, _ hi: V) {
                let target = c + row * ldc
                if beta == 0 {
                    storeVector(lo * scale, target)
                    storeVector(hi * scale, target + 4)
                } else {
                    storeVector((lo * scale).addingProduct(betaVector, loadVector(target, as: V.self)), target)
                    storeVector((hi * scale).addingProduct(betaVector, loadVector(target + 4, as: V.self)), target + 4)
                }
            }
            write(0, c00, c01); write(1, c10, c11); write(2, c20, c21)
            write(3, c30, c31); write(4, c40, c41); write(5, c50, c51)
            return
        }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 48) { tile in
            let t = tile.baseAddress!
            storeVector(c00, t); storeVector(c01, t + 4); storeVector(c10, t + 8); storeVector(c11, t + 12)
            storeVector(c20, t + 16); storeVector(c21, t + 20); storeVector(c30, t + 24); storeVector(c31, t + 28)
            storeVector(c40, t + 32); storeVector(c41, t + 36); storeVector(c50, t + 40); storeVector(c51, t + 44)
            writeEdge(t, tileColumns: 8, c: c, ldc: ldc, rows: rows, columns: columns, alpha: alpha, beta: beta, fused: true)
        }
    }
}

/// 4 × 8 of C with separate multiplies and adds: the fallback for x86-64 processors without AVX2
/// and FMA, where a fused multiply-add would be a library call per lane. Correct, not fast.
enum Tile4x8Unfused: RegisterTile {
    static var rows: Int { 4 }
    static var columns: Int { 8 }

    @inline(__always)
    static func multiply(kc: Int, a: UnsafePointer<Double>, aRow: Int, aStep: Int, b: UnsafePointer<Double>,
                         c: UnsafeMutablePointer<Double>, ldc: Int, rows: Int, columns: Int, alpha: Double, beta: Double) {
        typealias V = SIMD4<Double>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var a0 = a, a1 = a + aRow, a2 = a + 2 * aRow, a3 = a + 3 * aRow
        var bp = b
        for _ in 0..<kc {
            let b0 = loadVector(bp, as: V.self), b1 = loadVector(bp + 4, as: V.self)
            var x = V(repeating: a0.pointee)
            c00 += x * b0; c01 += x * b1
            x = V(repeating: a1.pointee)
            c10 += x * b0; c11 += x * b1
            x = V(repeating: a2.pointee)
            c20 += x * b0; c21 += x * b1
            x = V(repeating: a3.pointee)
            c30 += x * b0; c31 += x * b1
            a0 += aStep; a1 += aStep; a2 += aStep; a3 += aStep
            bp += 8
        }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 32) { tile in
            let t = tile.baseAddress!
            storeVector(c00, t); storeVector(c01, t + 4); storeVector(c10, t + 8); storeVector(c11, t + 12)
            storeVector(c20, t + 16); storeVector(c21, t + 20); storeVector(c30, t + 24); storeVector(c31, t + 28)
            writeEdge(t, tileColumns: 8, c: c, ldc: ldc, rows: rows, columns: columns, alpha: alpha, beta: beta, fused: false)
        }
    }
}

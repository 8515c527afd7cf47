// The matrix-multiply kernel behind `Tensor.matmul`.
//
// C[m, n] = alpha · Σ_k op(A)[m, k] · op(B)[k, n] + beta · C[m, n], where op(X) is X or its transpose,
// all row-major. Reading a transposed operand in place saves the copy a backward pass would
// otherwise make for `xᵀ · dout` and `dout · Wᵀ`.
//
// How it is fast (the BLIS / GotoBLAS recipe, in Swift):
//
// 1. Packing. A block of op(B) (`kc` rows) is copied into panels `nr` = 16 columns wide, and a block
//    of op(A) into panels `mr` = 6 rows tall, each laid out in the order the micro-kernel reads it.
//    Packing absorbs the transposes (all four variants share one micro-kernel), pads ragged edges
//    with zeros, and makes every load in the hot loop contiguous.
// 2. The micro-kernel keeps a 6 × 16 tile of C in twelve `SIMD8<Double>` registers and, for each of
//    the `kc` steps, loads two vectors of B, broadcasts six scalars of A and issues twelve fused
//    multiply-adds. Nothing is allocated, nothing is bounds-checked and C is touched only once per
//    block.
// 3. Blocking. `kc` = 256 keeps a packed A panel in L1 and the packed B block in L2.
//
// FMA matters: on plain x86-64 `addingProduct` is a library call per lane, so Package.swift compiles
// this module with `-target-cpu native` on x86-64 (arm64 has FMA already). This function is
// deliberately not `@inlinable`, so callers in other modules always run this module's code generation.
// `naiveGemm` below is the plain triple loop, kept as the reference the fast kernel is tested against.

/// Multiplies row-major matrices: `c = alpha * op(a) * op(b) + beta * c`.
///
/// - Parameters:
///   - m, n, k: `op(a)` is `[m, k]`, `op(b)` is `[k, n]`, `c` is `[m, n]`.
///   - a: `[m, k]`, or `[k, m]` when `transposeA`.
///   - b: `[k, n]`, or `[n, k]` when `transposeB`.
///   - c: `[m, n]`; read only when `beta != 0`.
/// - Complexity: O(m·n·k) time, O(kc·(n + mc)) scratch for the packed panels.
public func gemm(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Double>, transposeA: Bool,
    b: UnsafePointer<Double>, transposeB: Bool,
    c: UnsafeMutablePointer<Double>,
    alpha: Double = 1, beta: Double = 0
) {
    if m <= 0 || n <= 0 { return }
    if k <= 0 || alpha == 0 {
        scale(c, count: m * n, by: beta)
        return
    }
    // Tiny products (a bias row, a 2 × 2 worked example) are not worth packing.
    if m * n * k <= 512 {
        naiveGemm(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB,
                  c: c, alpha: alpha, beta: beta)
        return
    }
    let lda = transposeA ? m : k
    let ldb = transposeB ? k : n
    let kcMax = Swift.min(k, GemmBlocking.kc)
    let ncMax = Swift.min(roundUp(n, GemmBlocking.nr), GemmBlocking.nc)
    let mcMax = Swift.min(roundUp(m, GemmBlocking.mr), GemmBlocking.mc)
    let packedB = UnsafeMutablePointer<Double>.allocate(capacity: kcMax * ncMax)
    let packedA = UnsafeMutablePointer<Double>.allocate(capacity: kcMax * mcMax)
    defer {
        packedB.deallocate()
        packedA.deallocate()
    }
    var jc = 0
    while jc < n {
        let nc = Swift.min(GemmBlocking.nc, n - jc)
        var pc = 0
        while pc < k {
            let kc = Swift.min(GemmBlocking.kc, k - pc)
            // The first k block applies the caller's beta; later blocks add onto what is there.
            let blockBeta = pc == 0 ? beta : 1
            packB(b, ldb: ldb, transposed: transposeB, row: pc, column: jc, kc: kc, nc: nc, into: packedB)
            var ic = 0
            while ic < m {
                let mc = Swift.min(GemmBlocking.mc, m - ic)
                packA(a, lda: lda, transposed: transposeA, row: ic, column: pc, mc: mc, kc: kc, into: packedA)
                var jr = 0
                while jr < nc {
                    let nr = Swift.min(GemmBlocking.nr, nc - jr)
                    var ir = 0
                    while ir < mc {
                        let mr = Swift.min(GemmBlocking.mr, mc - ir)
                        microKernel(
                            kc: kc, a: packedA + ir * kc, b: packedB + jr * kc,
                            c: c + (ic + ir) * n + jc + jr, ldc: n,
                            rows: mr, columns: nr, alpha: alpha, beta: blockBeta)
                        ir += GemmBlocking.mr
                    }
                    jr += GemmBlocking.nr
                }
                ic += mc
            }
            pc += kc
        }
        jc += nc
    }
}

/// The reference triple loop the fast kernel is checked against: same contract as ``gemm``.
/// - Complexity: O(m·n·k), without blocking or SIMD.
public func naiveGemm(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Double>, transposeA: Bool,
    b: UnsafePointer<Double>, transposeB: Bool,
    c: UnsafeMutablePointer<Double>,
    alpha: Double = 1, beta: Double = 0
) {
    for i in 0..<Swift.max(m, 0) {
        for j in 0..<Swift.max(n, 0) {
            var sum = 0.0
            for p in 0..<Swift.max(k, 0) {
                let x = transposeA ? a[p * m + i] : a[i * k + p]
                let y = transposeB ? b[j * k + p] : b[p * n + j]
                sum += x * y
            }
            let old = beta == 0 ? 0 : beta * c[i * n + j]
            c[i * n + j] = alpha * sum + old
        }
    }
}

/// The block sizes of ``gemm``. `mr` × `nr` is the register tile (6 × 16 doubles = twelve 8-wide
/// vectors); `kc`, `mc`, `nc` bound the packed panels so they stay in cache.
private enum GemmBlocking {
    static let mr = 6
    static let nr = 16
    static let kc = 256
    static let mc = 120
    static let nc = 2048
}

@inline(__always)
private func roundUp(_ x: Int, _ multiple: Int) -> Int { (x + multiple - 1) / multiple * multiple }

/// `c *= beta` (with `beta == 0` writing zeros, so NaNs already in `c` do not survive).
private func scale(_ c: UnsafeMutablePointer<Double>, count: Int, by beta: Double) {
    if beta == 0 {
        c.update(repeating: 0, count: count)
    } else if beta != 1 {
        for i in 0..<count { c[i] *= beta }
    }
}

/// Copies `op(B)[row ..< row+kc, column ..< column+nc]` into panels of `nr` columns: panel `j`
/// holds, for each of the `kc` rows in turn, its `nr` entries (zero past the last column).
@inline(__always)
private func packB(
    _ b: UnsafePointer<Double>, ldb: Int, transposed: Bool,
    row: Int, column: Int, kc: Int, nc: Int, into packed: UnsafeMutablePointer<Double>
) {
    let nr = GemmBlocking.nr
    var panel = 0
    while panel < nc {
        let width = Swift.min(nr, nc - panel)
        let out = packed + panel * kc
        if !transposed {
            // op(B) = B: each row of the panel is a contiguous run of B.
            for p in 0..<kc {
                let source = b + (row + p) * ldb + column + panel
                let target = out + p * nr
                if width == nr {
                    target.update(from: source, count: nr)
                } else {
                    target.update(from: source, count: width)
                    (target + width).update(repeating: 0, count: nr - width)
                }
            }
        } else {
            // op(B) = Bᵀ: column j of the panel is row (column + panel + j) of B, contiguous in p.
            if width < nr { out.update(repeating: 0, count: kc * nr) }
            for j in 0..<width {
                let source = b + (column + panel + j) * ldb + row
                for p in 0..<kc { out[p * nr + j] = source[p] }
            }
        }
        panel += nr
    }
}

/// Copies `op(A)[row ..< row+mc, column ..< column+kc]` into panels of `mr` rows: panel `i` holds,
/// for each of the `kc` columns in turn, its `mr` entries (zero past the last row).
@inline(__always)
private func packA(
    _ a: UnsafePointer<Double>, lda: Int, transposed: Bool,
    row: Int, column: Int, mc: Int, kc: Int, into packed: UnsafeMutablePointer<Double>
) {
    let mr = GemmBlocking.mr
    var panel = 0
    while panel < mc {
        let height = Swift.min(mr, mc - panel)
        let out = packed + panel * kc
        if transposed {
            // op(A) = Aᵀ: the panel's column p is a contiguous run of row (column + p) of A.
            for p in 0..<kc {
                let source = a + (column + p) * lda + row + panel
                let target = out + p * mr
                target.update(from: source, count: height)
                if height < mr { (target + height).update(repeating: 0, count: mr - height) }
            }
        } else {
            if height < mr { out.update(repeating: 0, count: kc * mr) }
            for i in 0..<height {
                let source = a + (row + panel + i) * lda + column
                for p in 0..<kc { out[p * mr + i] = source[p] }
            }
        }
        panel += mr
    }
}

private typealias Vector8 = SIMD8<Double>

@inline(__always)
private func load(_ pointer: UnsafePointer<Double>) -> Vector8 {
    UnsafeRawPointer(pointer).loadUnaligned(as: Vector8.self)
}

@inline(__always)
private func store(_ value: Vector8, _ pointer: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector8.self)
}

/// `C[0..<rows, 0..<columns] = alpha · Apanel · Bpanel + beta · C` for one 6 × 16 register tile.
/// `a` is a packed A panel (`kc` × 6), `b` a packed B panel (`kc` × 16).
private func microKernel(
    kc: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>,
    c: UnsafeMutablePointer<Double>, ldc: Int,
    rows: Int, columns: Int, alpha: Double, beta: Double
) {
    var c00 = Vector8(), c01 = Vector8()
    var c10 = Vector8(), c11 = Vector8()
    var c20 = Vector8(), c21 = Vector8()
    var c30 = Vector8(), c31 = Vector8()
    var c40 = Vector8(), c41 = Vector8()
    var c50 = Vector8(), c51 = Vector8()
    var ap = a
    var bp = b
    for _ in 0..<kc {
        let b0 = load(bp)
        let b1 = load(bp + 8)
        var x = Vector8(repeating: ap[0])
        c00.addProduct(x, b0); c01.addProduct(x, b1)
        x = Vector8(repeating: ap[1])
        c10.addProduct(x, b0); c11.addProduct(x, b1)
        x = Vector8(repeating: ap[2])
        c20.addProduct(x, b0); c21.addProduct(x, b1)
        x = Vector8(repeating: ap[3])
        c30.addProduct(x, b0); c31.addProduct(x, b1)
        x = Vector8(repeating: ap[4])
        c40.addProduct(x, b0); c41.addProduct(x, b1)
        x = Vector8(repeating: ap[5])
        c50.addProduct(x, b0); c51.addProduct(x, b1)
        ap += 6
        bp += 16
    }
    let scaleBy = Vector8(repeating: alpha)
    if rows == GemmBlocking.mr && columns == GemmBlocking.nr {
        @inline(__always)
        func write(_ row: Int, _ lo: Vector8, _ hi: Vector8) {
            let target = c + row * ldc
            if beta == 0 {
                store(lo * scaleBy, target)
                store(hi * scaleBy, target + 8)
            } else {
                let betaVector = Vector8(repeating: beta)
                store((lo * scaleBy).addingProduct(betaVector, load(target)), target)
                store((hi * scaleBy).addingProduct(betaVector, load(target + 8)), target + 8)
            }
        }
        write(0, c00, c01); write(1, c10, c11); write(2, c20, c21)
        write(3, c30, c31); write(4, c40, c41); write(5, c50, c51)
        return
    }
    // A ragged edge: spill the tile and write only the rows and columns that exist.
    withUnsafeTemporaryAllocation(of: Double.self, capacity: 96) { tile in
        let t = tile.baseAddress!
        store(c00, t); store(c01, t + 8); store(c10, t + 16); store(c11, t + 24)
        store(c20, t + 32); store(c21, t + 40); store(c30, t + 48); store(c31, t + 56)
        store(c40, t + 64); store(c41, t + 72); store(c50, t + 80); store(c51, t + 88)
        for i in 0..<rows {
            let target = c + i * ldc
            let source = t + i * 16
            for j in 0..<columns {
                target[j] = beta == 0 ? alpha * source[j] : alpha * source[j] + beta * target[j]
            }
        }
    }
}

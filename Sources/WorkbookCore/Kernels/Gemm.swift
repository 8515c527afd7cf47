// The matrix-multiply kernel behind `Tensor.matmul`.
//
// C[m, n] = alpha · Σ_k op(A)[m, k] · op(B)[k, n] + beta · C[m, n], where op(X) is X or its transpose,
// all row-major. Reading a transposed operand in place saves the copy a backward pass would
// otherwise make for `xᵀ · dout` and `dout · Wᵀ`.
//
// How it is fast (the BLIS / GotoBLAS recipe, in Swift):
//
// 1. Packing only B. Each 16-column panel of op(B) (`kc` rows deep, 32 KB) is copied into a
//    contiguous zero-padded buffer that stays in L1 while every 6-row strip of A sweeps past it;
//    reading B in place instead would step by a power-of-two row length and thrash L1's sets.
//    Packing absorbs B's transpose and ragged right edge. A is read in place through two strides
//    (rows `aRow` apart, k steps `aStep` apart), so its transpose costs nothing; only a ragged
//    bottom strip (fewer than 6 rows) is copied into a padded panel.
// 2. The micro-kernel keeps a 6 × 16 tile of C in twelve `SIMD8<Double>` registers and, for each of
//    the `kc` steps, loads two vectors of B, broadcasts six scalars of A and issues twelve fused
//    multiply-adds. Nothing is allocated, nothing is bounds-checked and C is touched only once per
//    block.
// 3. Blocking. `kc` = 256 keeps a 6-row strip of A in L1 and the B block being swept in L2.
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
/// - Complexity: O(m·n·k) time, O(kc·n) scratch for the packed panels.
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
    // Where op(A)[i, p] lives: the tile's six rows are `aRow` apart, successive k steps `aStep`.
    let aRow = transposeA ? 1 : lda, aStep = transposeA ? lda : 1
    let kcMax = Swift.min(k, GemmBlocking.kc)
    let nr = GemmBlocking.nr, mr = GemmBlocking.mr
    let panelB = UnsafeMutablePointer<Double>.allocate(capacity: kcMax * nr)
    let edgeA = UnsafeMutablePointer<Double>.allocate(capacity: kcMax * mr)
    defer {
        panelB.deallocate()
        edgeA.deallocate()
    }
    let fullRows = m / mr * mr
    var pc = 0
    while pc < k {
        let kc = Swift.min(GemmBlocking.kc, k - pc)
        // The first k block applies the caller's beta; later blocks add onto what is there.
        let blockBeta = pc == 0 ? beta : 1
        // A ragged bottom edge (fewer than 6 rows) is copied once into a zero-padded panel.
        if fullRows < m {
            packA(a, lda: lda, transposed: transposeA, row: fullRows, column: pc, mc: m - fullRows, kc: kc, into: edgeA)
        }
        var jr = 0
        while jr < n {
            let columns = Swift.min(nr, n - jr)
            // One 16-column panel of op(B), contiguous and zero-padded: it stays in L1 while every
            // 6-row strip of A sweeps past it.
            packB(b, ldb: ldb, transposed: transposeB, row: pc, column: jr, kc: kc, nc: columns, into: panelB)
            var ic = 0
            while ic < fullRows {
                microKernel(kc: kc, a: a + ic * aRow + pc * aStep, aRow: aRow, aStep: aStep, b: panelB,
                            c: c + ic * n + jr, ldc: n, rows: mr, columns: columns, alpha: alpha, beta: blockBeta)
                ic += mr
            }
            if fullRows < m {
                microKernel(kc: kc, a: edgeA, aRow: 1, aStep: mr, b: panelB,
                            c: c + fullRows * n + jr, ldc: n, rows: m - fullRows, columns: columns, alpha: alpha, beta: blockBeta)
            }
            jr += nr
        }
        pc += kc
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
/// vectors); `kc` bounds the depth of one sweep so its slices of A and B stay in cache.
private enum GemmBlocking {
    static let mr = 6
    static let nr = 16
    static let kc = 256
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
/// Row `i` of the A tile at step `p` is `a[i·aRow + p·aStep]`; `b` is a packed panel (`kc` × 16).
private func microKernel(
    kc: Int, a: UnsafePointer<Double>, aRow: Int, aStep: Int, b: UnsafePointer<Double>,
    c: UnsafeMutablePointer<Double>, ldc: Int,
    rows: Int, columns: Int, alpha: Double, beta: Double
) {
    var c00 = Vector8(), c01 = Vector8()
    var c10 = Vector8(), c11 = Vector8()
    var c20 = Vector8(), c21 = Vector8()
    var c30 = Vector8(), c31 = Vector8()
    var c40 = Vector8(), c41 = Vector8()
    var c50 = Vector8(), c51 = Vector8()
    // Six row pointers into A; each advances by `aStep` per k step.
    var a0 = a, a1 = a + aRow, a2 = a + 2 * aRow, a3 = a + 3 * aRow, a4 = a + 4 * aRow, a5 = a + 5 * aRow
    var bp = b
    for _ in 0..<kc {
        let b0 = load(bp)
        let b1 = load(bp + 8)
        var x = Vector8(repeating: a0.pointee)
        c00.addProduct(x, b0); c01.addProduct(x, b1)
        x = Vector8(repeating: a1.pointee)
        c10.addProduct(x, b0); c11.addProduct(x, b1)
        x = Vector8(repeating: a2.pointee)
        c20.addProduct(x, b0); c21.addProduct(x, b1)
        x = Vector8(repeating: a3.pointee)
        c30.addProduct(x, b0); c31.addProduct(x, b1)
        x = Vector8(repeating: a4.pointee)
        c40.addProduct(x, b0); c41.addProduct(x, b1)
        x = Vector8(repeating: a5.pointee)
        c50.addProduct(x, b0); c51.addProduct(x, b1)
        a0 += aStep; a1 += aStep; a2 += aStep; a3 += aStep; a4 += aStep; a5 += aStep
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

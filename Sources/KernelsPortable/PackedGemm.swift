// The matrix-multiply recipe, written once and compiled once per instruction set.
//
// This file, `Tiles.swift` and `FMAChains.swift` live in `KernelsPortable` (no target CPU: NEON on
// arm64, a fallback elsewhere) and are symbolic links in `KernelsAVX512` and `KernelsAVX2` (built
// with `-target-cpu skylake-avx512` and `-target-cpu haswell`), so each module compiles the same
// source with its own instructions; everything here is internal and only each module's entry file
// is public. (Generic `@inlinable` code shared across modules was tried first: the compiler kept
// calling the tile through its witness table, compiled for plain x86-64, at 0.7 GFLOP/s.) Which
// module runs is decided at run time by `WorkbookCore` (CPUID), so one build runs on every x86-64
// machine.
//
// C[m, n] = alpha · Σ_k op(A)[m, k] · op(B)[k, n] + beta · C[m, n], row-major, op(X) = X or Xᵀ.
//
// 1. Packing only B. Each `nr`-column panel of op(B) (`kc` rows deep) is copied into a contiguous
//    zero-padded buffer that stays in L1 while every `mr`-row strip of A sweeps past it. Packing
//    absorbs B's transpose and ragged right edge. A is read in place through two strides (rows `aRow`
//    apart, k steps `aStep` apart), so its transpose costs nothing; only a ragged bottom strip is
//    copied into a padded panel.
// 2. The micro-kernel (the tile) keeps an `mr` × `nr` block of C in registers for `kc` steps.
// 3. Blocking: `kc` = 256 keeps a panel of B in L1; 96 rows of A (one row block) stay in L2 while
//    they sweep every panel, so a 1024-row product does not stream A from L3 once per panel.
// 4. Threads: a product of at least 2¹⁹ multiply-adds is cut into contiguous ranges of whole row
//    strips or column panels aligned to the tile, run by the worker pool (`Sources/WorkerPool`, whose
//    workers stay awake briefly between products); `packedGemm` says which cut when. Every element of
//    C is still summed by the same tile, over the same k blocks, in the same order, so the result is
//    bit-identical whatever the thread count (and whichever thread runs which range).
// 5. Long sums into a small C (a convolution's weight gradient) are cut along k into slices fixed by
//    the shape alone (`gemmSlices`), summed separately and then added in slice order: the same bits
//    on any thread count too, and each thread reads only its own images.

import Foundation
import WorkerPool

/// Scratch buffers for packed panels, kept for the next product: a fresh allocation of a few hundred
/// KB per call is an mmap and its page faults, which cost a 128³ product half its time.
final class ScratchPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [(pointer: UnsafeMutablePointer<Double>, capacity: Int)] = []

    /// A buffer of at least `count` doubles (uninitialized).
    func take(_ count: Int) -> (pointer: UnsafeMutablePointer<Double>, capacity: Int) {
        let reused: (pointer: UnsafeMutablePointer<Double>, capacity: Int)? = lock.withLock {
            guard let index = free.firstIndex(where: { $0.capacity >= count }) else { return nil }
            return free.remove(at: index)
        }
        return reused ?? (UnsafeMutablePointer<Double>.allocate(capacity: count), count)
    }

    /// Returns a buffer; at most 8 buffers of up to 4 M doubles (32 MB) each are kept.
    func give(_ buffer: (pointer: UnsafeMutablePointer<Double>, capacity: Int)) {
        let kept = lock.withLock {
            guard free.count < 8, buffer.capacity <= 1 << 22 else { return false }
            free.append(buffer)
            return true
        }
        if !kept { buffer.pointer.deallocate() }
    }
}

let gemmScratch = ScratchPool()

/// A register tile: `rows` × `columns` of C held in vector registers while `kc` steps of a packed
/// panel of B and `rows` of A stream past.
protocol RegisterTile: SendableMetatype {
    /// `mr`, the rows of C per tile.
    static var rows: Int { get }
    /// `nr`, the columns of C per tile (a multiple of 8: B panels are packed by 8 × 8 transposes).
    static var columns: Int { get }
    /// `C[0..<rows, 0..<columns] = alpha · A·B + beta · C` for one tile, where row `i` of A at step
    /// `p` is `a[i·aRow + p·aStep]` and `b` is a packed panel (`kc` × `columns`). `rows` and
    /// `columns` may be smaller than the tile at ragged edges (A's missing rows are still readable).
    static func multiply(kc: Int, a: UnsafePointer<Double>, aRow: Int, aStep: Int, b: UnsafePointer<Double>,
                         c: UnsafeMutablePointer<Double>, ldc: Int, rows: Int, columns: Int, alpha: Double, beta: Double)
}

/// The depth of one sweep (k block): a panel of B (256 × 16 doubles, 32 KB) fits L1.
let gemmDepthBlock = 256

/// The rows of A swept across all of B's panels before moving on (rounded down to whole tiles):
/// 96 × 256 doubles of A, 192 KB, stay in a 256 KB L2 (the smallest of current x86 cores).
let gemmRowBlock = 96

/// How many threads a product of this size is split across: `threads` when it has at least
/// `gemmSplitWork` multiply-adds, else one.
func gemmParts(m: Int, n: Int, k: Int, threads: Int) -> Int {
    guard threads > 1, m * n * k >= gemmSplitWork else { return 1 }
    return threads
}

/// 2¹⁹ multiply-adds (64 · 64 · 128; about 5–10 µs on one AVX-512 core): below that, handing half to
/// a worker saves less than the hand-over costs. (It was 2²¹ before workers spun between jobs and
/// kept their rows; 2¹⁹ also splits the ResNet's stem and 1x1 projections, and with the smaller
/// `parallelMinimumWork` took the 2-thread epoch from 230 to 214 ms, median of 10 alternating rounds.)
/// Whatever the shape: a tall, thin product (the ResNet's first stage, [4096, 144] · [144, 16], one
/// column panel) is cut along its row strips.
let gemmSplitWork = 1 << 19

/// `c = alpha · op(a) · op(b) + beta · c` with the tile `Tile`, on up to `threads` threads.
/// Expects m, n, k ≥ 1 and alpha ≠ 0 (the caller handles the degenerate cases).
func packedGemm<Tile: RegisterTile>(
    _ tile: Tile.Type, m: Int, n: Int, k: Int,
    a: UnsafePointer<Double>, transposeA: Bool,
    b: UnsafePointer<Double>, transposeB: Bool,
    c: UnsafeMutablePointer<Double>, alpha: Double, beta: Double, threads: Int
) {
    let mr = Tile.rows, nr = Tile.columns
    let parts = gemmParts(m: m, n: n, k: k, threads: threads)
    let lda = transposeA ? m : k, ldb = transposeB ? k : n
    let slices = gemmSlices(m: m, n: n, k: k)
    if slices > 1 {
        slicedGemm(Tile.self, slices: slices, m: m, n: n, k: k, a: a, transposeA: transposeA, lda: lda,
                   b: b, transposeB: transposeB, ldb: ldb, c: c, alpha: alpha, beta: beta, threads: parts)
        return
    }
    if parts <= 1 {
        gemmRange(Tile.self, rows: 0, m, columns: 0, n, n: n, k: k, a: a, transposeA: transposeA, lda: lda,
                  b: b, transposeB: transposeB, ldb: ldb, c: c, alpha: alpha, beta: beta)
        return
    }
    // Cut into contiguous ranges of whole tiles.
    // - Along the rows when C is tall and B small (a convolution's [N·Ho·Wo, ·] products: 8 strips or
    //   more per thread, B at most 2¹⁶ numbers). Each piece packs all of B, and writes whole rows of
    //   C: the rows of the images that the same thread handles in the loops before and after (im2col,
    //   batch norm, ReLU and col2im cut a batch into the same contiguous runs), so they stay in that
    //   core's cache. Up to four pieces per thread, of `gemmRowBlock`
    //   rows or more: a thread that finishes early takes the last pieces of the other's run instead
    //   of waiting for it (a product cut in exactly two waits for its slower half).
    // - Else along the columns when there are enough column panels (each thread then packs only its
    //   own panels of B and reads A in place), else along the rows.
    // Which thread computes a tile never changes its bits: every tile sums over k in the same order.
    let panels = (n + nr - 1) / nr, strips = (m + mr - 1) / mr
    let tall = strips >= 8 * parts && k * n <= 1 << 16
    let alongColumns = !tall && (panels >= 2 * parts || panels >= strips)
    let units = alongColumns ? panels : strips
    let count = alongColumns ? Swift.min(parts, units)
                             : Swift.max(Swift.min(parts, units), Swift.min(4 * parts, m / gemmRowBlock))
    // Pointers are plain addresses here; every part writes a disjoint block of C.
    let aAddress = UInt(bitPattern: a), bAddress = UInt(bitPattern: b), cAddress = UInt(bitPattern: c)
    runParts(count, threads: parts) { part in
        let first = units * part / count, last = units * (part + 1) / count
        let a = UnsafePointer<Double>(bitPattern: aAddress)!
        let b = UnsafePointer<Double>(bitPattern: bAddress)!
        let c = UnsafeMutablePointer<Double>(bitPattern: cAddress)!
        if alongColumns {
            gemmRange(Tile.self, rows: 0, m, columns: first * nr, Swift.min(n, last * nr), n: n, k: k,
                      a: a, transposeA: transposeA, lda: lda, b: b, transposeB: transposeB, ldb: ldb,
                      c: c, alpha: alpha, beta: beta)
        } else {
            gemmRange(Tile.self, rows: first * mr, Swift.min(m, last * mr), columns: 0, n, n: n, k: k,
                      a: a, transposeA: transposeA, lda: lda, b: b, transposeB: transposeB, ldb: ldb,
                      c: c, alpha: alpha, beta: beta)
        }
    }
}

/// How many slices of k a product is summed in: 1, or for a long sum into a small C (a convolution's
/// weight gradient, columnsᵀ · G: k = N·Ho·Wo, thousands, into [KH·KW·Cin, Cout], a few thousand
/// entries), one slice per `gemmSliceDepth` steps of k, up to 8. It depends on the shape alone, never
/// on the thread count, so the sums come out the same on any number of threads.
func gemmSlices(m: Int, n: Int, k: Int) -> Int {
    guard k >= 2 * gemmSliceDepth, m * n <= 1 << 16 else { return 1 }
    return Swift.min(8, k / gemmSliceDepth)
}

/// 512 steps of k (two k blocks): a slice of a weight gradient is 8 images of 8 x 8 pixels.
let gemmSliceDepth = 512

/// A long sum into a small C, cut along k: slice s sums its own range of k into its own partial C,
/// then the partials are added in slice order, `((P₀ + P₁) + P₂) + …`, and scaled:
/// C = alpha · Σ P + beta · C. The slices are contiguous ranges of k, dealt out like any parts (the
/// caller's thread the first ones), and in a weight gradient k runs over the batch's pixels, image by
/// image: each thread reads only the columns and gradients of the images it produced, instead of
/// every thread reading the whole batch (which, when the two cores sit on different dies, moves most
/// of the batch between them).
func slicedGemm<Tile: RegisterTile>(
    _ tile: Tile.Type, slices: Int, m: Int, n: Int, k: Int,
    a: UnsafePointer<Double>, transposeA: Bool, lda: Int,
    b: UnsafePointer<Double>, transposeB: Bool, ldb: Int,
    c: UnsafeMutablePointer<Double>, alpha: Double, beta: Double, threads: Int
) {
    let size = m * n
    let scratch = gemmScratch.take(slices * size)
    defer { gemmScratch.give(scratch) }
    let partials = scratch.pointer
    // Where op(A)[0, p] and op(B)[p, 0] start.
    let aStep = transposeA ? lda : 1, bStep = transposeB ? 1 : ldb
    let aAddress = UInt(bitPattern: a), bAddress = UInt(bitPattern: b), pAddress = UInt(bitPattern: partials)
    runParts(slices, threads: threads) { slice in
        let lower = k * slice / slices, upper = k * (slice + 1) / slices
        let a = UnsafePointer<Double>(bitPattern: aAddress)! + lower * aStep
        let b = UnsafePointer<Double>(bitPattern: bAddress)! + lower * bStep
        let partial = UnsafeMutablePointer<Double>(bitPattern: pAddress)! + slice * size
        gemmRange(Tile.self, rows: 0, m, columns: 0, n, n: n, k: upper - lower, a: a, transposeA: transposeA, lda: lda,
                  b: b, transposeB: transposeB, ldb: ldb, c: partial, alpha: 1, beta: 0)
    }
    for i in 0..<size {
        var sum = partials[i]
        for slice in 1..<slices { sum += partials[slice * size + i] }
        c[i] = beta == 0 ? alpha * sum : alpha * sum + beta * c[i]
    }
}

/// Runs `body(part)` for every part in 0 ..< count on up to `threads` threads of the worker pool
/// (`Sources/WorkerPool`), returning when all are done. WorkbookCore's `parallelForEach` runs on it too.
package func runParts(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { body in
        var box = body
        withUnsafeMutablePointer(to: &box) { pointer in
            workbook_pool_run(count, threads, { context, part in
                context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(part)
            }, pointer)
        }
    }
}

/// The single-threaded sweep over `C[rowStart..<rowEnd, columnStart..<columnEnd]`; `rowStart` and
/// `columnStart` are multiples of the tile's rows and columns. `lda` and `ldb` are the row strides of
/// A and B as stored (A is [m, k], or [k, m] when transposed; B is [k, n], or [n, k]).
///
/// For each k block, the row range is taken `gemmRowBlock` rows at a time (that block of A, read in
/// place, stays in L2) and swept across every column panel of B. The first row block packs each panel
/// as it reaches it (into its own slot of `packedB`, so it is still in L1 for that first sweep);
/// later row blocks reuse the packed panels. Each element of C is summed in the same order whatever
/// the ranges, which is what keeps thread counts bit-identical.
@inline(__always)
func gemmRange<Tile: RegisterTile>(
    _ tile: Tile.Type, rows rowStart: Int, _ rowEnd: Int, columns columnStart: Int, _ columnEnd: Int,
    n: Int, k: Int, a: UnsafePointer<Double>, transposeA: Bool, lda: Int,
    b: UnsafePointer<Double>, transposeB: Bool, ldb: Int,
    c: UnsafeMutablePointer<Double>, alpha: Double, beta: Double
) {
    let mr = Tile.rows, nr = Tile.columns
    // Where op(A)[i, p] lives: the tile's rows are `aRow` apart, successive k steps `aStep`.
    let aRow = transposeA ? 1 : lda, aStep = transposeA ? lda : 1
    let kcMax = Swift.min(k, gemmDepthBlock)
    let panels = (columnEnd - columnStart + nr - 1) / nr
    let scratch = gemmScratch.take(kcMax * nr * panels + kcMax * mr)
    defer { gemmScratch.give(scratch) }
    let packedB = scratch.pointer, edgeA = scratch.pointer + kcMax * nr * panels
    let fullEnd = rowStart + (rowEnd - rowStart) / mr * mr
    let rowBlock = gemmRowBlock / mr * mr
    var pc = 0
    while pc < k {
        let kc = Swift.min(gemmDepthBlock, k - pc)
        // The first k block applies the caller's beta; later blocks add onto what is there.
        let blockBeta = pc == 0 ? beta : 1
        var ic0 = rowStart
        repeat {
            let icEnd = Swift.min(ic0 + rowBlock, fullEnd)
            // The ragged bottom edge (fewer than mr rows) rides with the last row block.
            let withEdge = icEnd == fullEnd && fullEnd < rowEnd
            if withEdge {
                packA(a, lda: lda, transposed: transposeA, row: fullEnd, column: pc, mc: rowEnd - fullEnd, kc: kc,
                      mr: mr, into: edgeA)
            }
            for panel in 0..<panels {
                let jr = columnStart + panel * nr
                let columns = Swift.min(nr, columnEnd - jr)
                let panelB = packedB + panel * kc * nr
                if ic0 == rowStart {
                    packB(b, ldb: ldb, transposed: transposeB, row: pc, column: jr, kc: kc, nc: columns, nr: nr, into: panelB)
                }
                var ic = ic0
                while ic < icEnd {
                    Tile.multiply(kc: kc, a: a + ic * aRow + pc * aStep, aRow: aRow, aStep: aStep, b: panelB,
                                  c: c + ic * n + jr, ldc: n, rows: mr, columns: columns, alpha: alpha, beta: blockBeta)
                    ic += mr
                }
                if withEdge {
                    Tile.multiply(kc: kc, a: edgeA, aRow: 1, aStep: mr, b: panelB,
                                  c: c + fullEnd * n + jr, ldc: n, rows: rowEnd - fullEnd, columns: columns,
                                  alpha: alpha, beta: blockBeta)
                }
            }
            ic0 = icEnd
        } while ic0 < fullEnd
        pc += kc
    }
}

/// Copies `op(B)[row ..< row+kc, column ..< column+nc]` (nc ≤ nr) into one panel: for each of the
/// `kc` rows in turn, its `nr` entries (zero past the last column).
@inline(__always)
func packB(
    _ b: UnsafePointer<Double>, ldb: Int, transposed: Bool,
    row: Int, column: Int, kc: Int, nc width: Int, nr: Int, into out: UnsafeMutablePointer<Double>
) {
    if !transposed {
        // op(B) = B: each row of the panel is a contiguous run of B.
        for p in 0..<kc {
            let source = b + (row + p) * ldb + column
            let target = out + p * nr
            if width == nr {
                target.update(from: source, count: nr)
            } else {
                target.update(from: source, count: width)
                (target + width).update(repeating: 0, count: nr - width)
            }
        }
        return
    }
    // op(B) = Bᵀ: column j of the panel is row (column + j) of B, contiguous in p.
    if width == nr && nr % 8 == 0 {
        // Full panels: transpose 8 x 8 blocks in registers (eight loads, eight stores) instead of
        // sixty-four scalar moves.
        var j = 0
        while j < nr {
            let s0 = b + (column + j) * ldb + row
            var p = 0
            while p + 8 <= kc {
                transpose8x8(from: s0 + p, stride: ldb, to: out + p * nr + j, stride: nr)
                p += 8
            }
            while p < kc {
                for t in 0..<8 { out[p * nr + j + t] = s0[t * ldb + p] }
                p += 1
            }
            j += 8
        }
    } else {
        out.update(repeating: 0, count: kc * nr)
        for j in 0..<width {
            let source = b + (column + j) * ldb + row
            for p in 0..<kc { out[p * nr + j] = source[p] }
        }
    }
}

/// Writes the transpose of the 8 x 8 block at `source` (rows `stride` apart) to `target`
/// (rows `targetStride` apart).
@inline(__always)
func transpose8x8(from source: UnsafePointer<Double>, stride: Int,
                  to target: UnsafeMutablePointer<Double>, stride targetStride: Int) {
    typealias V = SIMD8<Double>
    let r0 = loadVector(source, as: V.self), r1 = loadVector(source + stride, as: V.self)
    let r2 = loadVector(source + 2 * stride, as: V.self), r3 = loadVector(source + 3 * stride, as: V.self)
    let r4 = loadVector(source + 4 * stride, as: V.self), r5 = loadVector(source + 5 * stride, as: V.self)
    let r6 = loadVector(source + 6 * stride, as: V.self), r7 = loadVector(source + 7 * stride, as: V.self)
    for t in 0..<8 {
        storeVector(V(r0[t], r1[t], r2[t], r3[t], r4[t], r5[t], r6[t], r7[t]), target + t * targetStride)
    }
}

/// Copies `op(A)[row ..< row+mc, column ..< column+kc]` (mc < mr) into one panel: for each of the
/// `kc` columns in turn, its `mr` entries (zero past the last row).
@inline(__always)
func packA(
    _ a: UnsafePointer<Double>, lda: Int, transposed: Bool,
    row: Int, column: Int, mc height: Int, kc: Int, mr: Int, into out: UnsafeMutablePointer<Double>
) {
    if transposed {
        // op(A) = Aᵀ: the panel's column p is a contiguous run of row (column + p) of A.
        for p in 0..<kc {
            let source = a + (column + p) * lda + row
            let target = out + p * mr
            target.update(from: source, count: height)
            (target + height).update(repeating: 0, count: mr - height)
        }
    } else {
        out.update(repeating: 0, count: kc * mr)
        for i in 0..<height {
            let source = a + (row + i) * lda + column
            for p in 0..<kc { out[p * mr + i] = source[p] }
        }
    }
}

@inline(__always)
func loadVector<V: SIMD>(_ pointer: UnsafePointer<Double>, as type: V.Type) -> V where V.Scalar == Double {
    UnsafeRawPointer(pointer).loadUnaligned(as: V.self)
}

@inline(__always)
func storeVector<V: SIMD>(_ value: V, _ pointer: UnsafeMutablePointer<Double>) where V.Scalar == Double {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: V.self)
}

/// Writes a ragged tile (`rows` × `columns` of a `tileRows` × `tileColumns` block spilled to `tile`)
/// with the same formula as the full tiles: `alpha·t` when beta is 0, else fma(beta, c, alpha·t).
@inline(__always)
func writeEdge(_ tile: UnsafePointer<Double>, tileColumns: Int, c: UnsafeMutablePointer<Double>, ldc: Int,
               rows: Int, columns: Int, alpha: Double, beta: Double, fused: Bool) {
    for i in 0..<rows {
        let target = c + i * ldc
        let source = tile + i * tileColumns
        for j in 0..<columns {
            if beta == 0 {
                target[j] = alpha * source[j]
            } else if fused {
                target[j] = (alpha * source[j]).addingProduct(beta, target[j])
            } else {
                target[j] = alpha * source[j] + beta * target[j]
            }
        }
    }
}

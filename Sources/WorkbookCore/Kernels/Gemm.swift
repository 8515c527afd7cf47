// The matrix-multiply kernel behind `Tensor.matmul`.
//
// C[m, n] = alpha · Σ_k op(A)[m, k] · op(B)[k, n] + beta · C[m, n], where op(X) is X or its transpose,
// all row-major. Reading a transposed operand in place saves the copy a backward pass would
// otherwise make for `xᵀ · dout` and `dout · Wᵀ`.
//
// How it is fast: the BLIS / GotoBLAS recipe (packed panels of B, a register-tile micro-kernel,
// k blocking, threads over whole tiles), written once in `Sources/KernelsPortable` and compiled per
// instruction set (symbolic links in `KernelsAVX512` and `KernelsAVX2`). This file chooses which compiled copy runs:
//
//   kernel     tile     where it runs                          compiled in
//   .avx512    6 × 16   x86-64 with AVX-512 F/CD/BW/DQ/VL      KernelsAVX512 (-target-cpu skylake-avx512)
//   .avx2      6 × 8    x86-64 with AVX2 + FMA (x86-64-v3)     KernelsAVX2 (-target-cpu haswell)
//   .neon      6 × 8    arm64 (NEON and FMA are baseline)      KernelsPortable
//   .portable  4 × 8    any other x86-64, without FMA          KernelsPortable
//
// The choice is made at run time from CPUID (`Sources/CPUFeatures`), so one build, made on any
// machine, runs on every x86-64 machine (no `-target-cpu native`, no illegal instruction) and uses
// the widest registers it finds. `WORKBOOK_GEMM_KERNEL=avx2` (or ``GemmSettings/kernel``) forces a
// narrower one, to measure it on a wider machine. `naiveGemm` below is the plain triple loop, kept as
// the reference the fast kernels are tested against.

import Foundation
import KernelsPortable
import CPUFeatures
#if arch(x86_64)
import KernelsAVX512
import KernelsAVX2
#endif

/// One compiled copy of the matrix kernel, named by the instruction set it needs.
public enum GemmKernel: String, Sendable, Hashable, Codable, CaseIterable {
    case avx512, avx2, neon, portable

    /// The kernels this processor can run, widest first.
    public static let supported: [GemmKernel] = {
        #if arch(x86_64)
        switch workbook_x86_vector_level() {
        case 4: return [.avx512, .avx2, .portable]
        case 3: return [.avx2, .portable]
        default: return [.portable]
        }
        #elseif arch(arm64)
        return [.neon]
        #else
        return [.portable]
        #endif
    }()

    /// The fastest kernel this processor runs: the widest it supports.
    public static var fastest: GemmKernel { supported[0] }

    /// The register tile, `rows` × `columns` of C.
    public var tile: (rows: Int, columns: Int) {
        switch self {
        case .avx512: (6, 16)
        case .avx2, .neon: (6, 8)
        case .portable: (4, 8)
        }
    }

    /// One line for `trainer bench`: the instruction set and how the tile fills its registers.
    public var summary: String {
        switch self {
        case .avx512: "AVX-512, 6 x 16 tile: 12 SIMD8 accumulators of 32 zmm registers"
        case .avx2: "AVX2 + FMA, 6 x 8 tile: 12 SIMD4 accumulators of 16 ymm registers"
        case .neon: "NEON, 6 x 8 tile: 24 two-lane accumulators of 32 q registers"
        case .portable: "portable x86-64 without FMA, 4 x 8 tile"
        }
    }
}

/// Which kernel ``gemm(m:n:k:a:transposeA:b:transposeB:c:alpha:beta:)`` runs and on how many
/// threads. Set once before heavy work (the trainer does it from `--threads` and `--kernel`); the
/// results are bit-identical for any thread count.
public enum GemmSettings {
    private final class Storage: @unchecked Sendable {
        let lock = NSLock()
        var kernel: GemmKernel = {
            let requested = ProcessInfo.processInfo.environment["WORKBOOK_GEMM_KERNEL"].flatMap(GemmKernel.init(rawValue:))
            return requested.flatMap { GemmKernel.supported.contains($0) ? $0 : nil } ?? GemmKernel.fastest
        }()
        var threads = 1
    }
    private static let storage = Storage()

    /// The kernel in use: ``GemmKernel/fastest`` unless `WORKBOOK_GEMM_KERNEL` names another
    /// supported one, or it was set.
    public static var kernel: GemmKernel {
        storage.lock.withLock { storage.kernel }
    }

    /// Threads a large product may use (1 by default; small products always use one).
    public static var threads: Int {
        storage.lock.withLock { storage.threads }
    }

    /// Chooses the kernel.
    /// - Throws: ``ArgumentError`` if this processor cannot run it.
    public static func use(kernel: GemmKernel) throws {
        guard GemmKernel.supported.contains(kernel) else {
            throw ArgumentError(operation: "GemmSettings.use(kernel:)", detail: "this processor cannot run the \(kernel.rawValue) kernel; it supports \(GemmKernel.supported.map(\.rawValue).joined(separator: ", "))")
        }
        storage.lock.withLock { storage.kernel = kernel }
    }

    /// Sets the thread count for large products.
    /// - Throws: ``ArgumentError`` if `threads` < 1.
    public static func use(threads: Int) throws {
        guard threads >= 1 else {
            throw ArgumentError(operation: "GemmSettings.use(threads:)", detail: "threads must be at least 1, got \(threads)")
        }
        storage.lock.withLock { storage.threads = threads }
    }
}

/// Multiplies row-major matrices: `c = alpha * op(a) * op(b) + beta * c`, with the kernel and thread
/// count of ``GemmSettings``.
///
/// - Parameters:
///   - m, n, k: `op(a)` is `[m, k]`, `op(b)` is `[k, n]`, `c` is `[m, n]`.
///   - a: `[m, k]`, or `[k, m]` when `transposeA`.
///   - b: `[k, n]`, or `[n, k]` when `transposeB`.
///   - c: `[m, n]`; read only when `beta != 0`.
/// - Complexity: O(m·n·k) time, O(kc·nr) scratch per thread for the packed panels.
public func gemm(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Double>, transposeA: Bool,
    b: UnsafePointer<Double>, transposeB: Bool,
    c: UnsafeMutablePointer<Double>,
    alpha: Double = 1, beta: Double = 0
) {
    // Tiny products never reach the settings' lock.
    if m * n * k <= 512 {
        gemm(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: c,
             alpha: alpha, beta: beta, kernel: .portable, threads: 1)
        return
    }
    gemm(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: c,
         alpha: alpha, beta: beta, kernel: GemmSettings.kernel, threads: GemmSettings.threads)
}

/// ``gemm(m:n:k:a:transposeA:b:transposeB:c:alpha:beta:)`` with a given kernel and thread count.
/// `kernel` must be in ``GemmKernel/supported`` (another one falls back to the portable kernel
/// rather than stop with an illegal instruction). Products of at most 512 multiply-adds use the
/// naive loop whatever the kernel; products under 2¹⁹ multiply-adds use one thread whatever
/// `threads` says.
public func gemm(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Double>, transposeA: Bool,
    b: UnsafePointer<Double>, transposeB: Bool,
    c: UnsafeMutablePointer<Double>,
    alpha: Double = 1, beta: Double = 0, kernel: GemmKernel, threads: Int
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
    let threads = Swift.max(1, threads)
    let kernel = GemmKernel.supported.contains(kernel) ? kernel : .portable
    switch kernel {
    #if arch(x86_64)
    case .avx512:
        gemmAVX512(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB,
                   c: c, alpha: alpha, beta: beta, threads: threads)
    case .avx2:
        gemmAVX2(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB,
                 c: c, alpha: alpha, beta: beta, threads: threads)
    #endif
    #if arch(arm64)
    case .neon:
        gemmNEON(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB,
                 c: c, alpha: alpha, beta: beta, threads: threads)
    #endif
    default:
        gemmPortable(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB,
                     c: c, alpha: alpha, beta: beta, threads: threads)
    }
}

/// How many threads ``gemm(m:n:k:a:transposeA:b:transposeB:c:alpha:beta:kernel:threads:)`` splits
/// a product across: `threads` when there are at least 2¹⁹ multiply-adds (whatever the shape: a
/// tall, thin product is cut along its rows), else 1.
public func gemmThreadsUsed(m: Int, n: Int, k: Int, threads: Int) -> Int {
    gemmSplitCount(m: m, n: n, k: k, threads: threads)
}

/// The measured f64 FMA peak of one core for a kernel's instruction set, in GFLOP/s: independent
/// chains a ← a + a·x sized to that register file (24 zmm for AVX-512, 12 ymm for AVX2, 24 q for
/// NEON), counted as 2 flops per lane, best of `repeats` runs. `nil` for the portable kernel (no FMA)
/// or a kernel this processor cannot run.
public func measuredFMAPeak(kernel: GemmKernel, repeats: Int = 30) -> Double? {
    guard GemmKernel.supported.contains(kernel) else { return nil }
    // Many short runs (a few ms each): on a shared machine the best one is the least disturbed.
    let iterations = 500_000
    let run: (Int) -> Double
    let flopsPerIteration: Double
    switch kernel {
    #if arch(x86_64)
    case .avx512: (run, flopsPerIteration) = (fmaChainsAVX512, 24 * 8 * 2)
    case .avx2: (run, flopsPerIteration) = (fmaChainsAVX2, 12 * 4 * 2)
    #endif
    #if arch(arm64)
    case .neon: (run, flopsPerIteration) = (fmaChainsNEON, 12 * 4 * 2)
    #endif
    default: return nil
    }
    var best = Double.infinity
    var sink = 0.0
    for _ in 0..<Swift.max(1, repeats) {
        let start = DispatchTime.now().uptimeNanoseconds
        sink += run(iterations)
        best = Swift.min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    if sink.isNaN { return nil }
    return Double(iterations) * flopsPerIteration / best / 1e9
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

/// `c *= beta` (with `beta == 0` writing zeros, so NaNs already in `c` do not survive).
private func scale(_ c: UnsafeMutablePointer<Double>, count: Int, by beta: Double) {
    if beta == 0 {
        c.update(repeating: 0, count: count)
    } else if beta != 1 {
        for i in 0..<count { c[i] *= beta }
    }
}

import Testing
import Foundation
@testable import WorkbookCore

/// The fast kernels against the plain triple loop (`naiveGemm`), which is obviously right.
///
/// Every kernel this processor supports runs every case (on this project's machine: avx512, avx2 and
/// portable; on arm64: neon). Sizes straddle the register tiles (6 × 16, 6 × 8, 4 × 8), the packing
/// block (kc = 256) and the tiny-product shortcut (m·n·k ≤ 512), so every edge path runs: ragged
/// rows, ragged columns, several k blocks.
/// Inputs are seeded uniform numbers; the two orders of summation differ only by rounding, so the
/// tolerance is relative 1e-12 on sums of at most a few hundred products of numbers in [-1, 1).
@Suite("gemm kernel")
struct GemmTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var m: Int, n: Int, k: Int
        var testDescription: String { "\(m)×\(k) · \(k)×\(n)" }
    }

    static let cases: [Case] = [
        Case(m: 1, n: 1, k: 1), Case(m: 2, n: 3, k: 4), Case(m: 7, n: 17, k: 5),
        Case(m: 6, n: 16, k: 9), Case(m: 13, n: 33, k: 31), Case(m: 5, n: 40, k: 300),
        Case(m: 19, n: 3, k: 260), Case(m: 1, n: 64, k: 64), Case(m: 64, n: 1, k: 70),
        // Full 16-column panels of a transposed B with k not a multiple of 8 (the 8 x 8 transposes
        // plus a scalar tail), across two k blocks.
        Case(m: 7, n: 48, k: 263),
    ]

    static func random(_ count: Int, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in rng.nextUniform(in: -1..<1) }
    }

    /// Runs `gemm` and `naiveGemm` on the same inputs and returns the largest relative difference.
    static func compare(_ c: Case, transposeA: Bool, transposeB: Bool, alpha: Double, beta: Double,
                        kernel: GemmKernel = .portable, threads: Int = 1) -> Double {
        let a = random(c.m * c.k, seed: 1)
        let b = random(c.k * c.n, seed: 2)
        var fast = random(c.m * c.n, seed: 3)
        var slow = fast
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                fast.withUnsafeMutableBufferPointer { pc in
                    gemm(m: c.m, n: c.n, k: c.k, a: pa.baseAddress!, transposeA: transposeA,
                         b: pb.baseAddress!, transposeB: transposeB, c: pc.baseAddress!, alpha: alpha, beta: beta,
                         kernel: kernel, threads: threads)
                }
                slow.withUnsafeMutableBufferPointer { pc in
                    naiveGemm(m: c.m, n: c.n, k: c.k, a: pa.baseAddress!, transposeA: transposeA,
                              b: pb.baseAddress!, transposeB: transposeB, c: pc.baseAddress!, alpha: alpha, beta: beta)
                }
            }
        }
        var worst = 0.0
        for i in fast.indices {
            worst = max(worst, abs(fast[i] - slow[i]) / max(1, abs(slow[i])))
        }
        return worst
    }

    @Test("matches the naive loop for every transpose combination", arguments: GemmKernel.supported, cases)
    func transposes(_ kernel: GemmKernel, _ c: Case) {
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                let error = Self.compare(c, transposeA: transposeA, transposeB: transposeB, alpha: 1, beta: 0, kernel: kernel)
                #expect(error < 1e-12, "\(kernel) transposeA \(transposeA), transposeB \(transposeB): relative error \(error)")
            }
        }
    }

    @Test("applies alpha and beta like BLAS", arguments: GemmKernel.supported,
          [Case(m: 7, n: 17, k: 5), Case(m: 13, n: 33, k: 300)])
    func alphaBeta(_ kernel: GemmKernel, _ c: Case) {
        for (alpha, beta) in [(2.0, 0.0), (1.0, 1.0), (-0.5, 0.25)] {
            let error = Self.compare(c, transposeA: true, transposeB: false, alpha: alpha, beta: beta, kernel: kernel)
            #expect(error < 1e-12, "\(kernel) alpha \(alpha), beta \(beta): relative error \(error)")
        }
    }

    /// Large enough to split (m·n·k ≥ 2¹⁹): one cut along the columns (more column panels than row
    /// strips), one along the rows (n = 20: a single, ragged column panel), both with ragged edges and
    /// two k blocks in the second; a tall, thin one shaped like the ResNet's first stage (n = 16,
    /// four k blocks), which only the row cut can split; a tall one with a small B shaped like a
    /// convolution's forward product (cut into up to four row pieces per thread, ragged); and a long
    /// sum into a small C shaped like a weight gradient (k = 2600: cut into 5 slices of k whatever the
    /// thread count, ragged too).
    static let splitCases = [Case(m: 263, n: 260, k: 70), Case(m: 520, n: 20, k: 410), Case(m: 151, n: 16, k: 1000),
                             Case(m: 1030, n: 16, k: 144), Case(m: 37, n: 20, k: 2600)]

    @Test("splits large products across threads with bit-identical results", arguments: GemmKernel.supported, splitCases)
    func threadsAreBitIdentical(_ kernel: GemmKernel, _ c: Case) throws {
        let a = Self.random(c.m * c.k, seed: 6), b = Self.random(c.k * c.n, seed: 7)
        let start = Self.random(c.m * c.n, seed: 8)
        func run(threads: Int, transposeA: Bool, beta: Double) -> [Double] {
            var out = start
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { pc in
                        gemm(m: c.m, n: c.n, k: c.k, a: pa.baseAddress!, transposeA: transposeA, b: pb.baseAddress!,
                             transposeB: false, c: pc.baseAddress!, alpha: 1, beta: beta, kernel: kernel, threads: threads)
                    }
                }
            }
            return out
        }
        for (transposeA, beta) in [(false, 0.0), (true, 0.5)] {
            let one = run(threads: 1, transposeA: transposeA, beta: beta)
            for threads in [2, 3, 4] {
                let many = run(threads: threads, transposeA: transposeA, beta: beta)
                let first = one.indices.first { one[$0].bitPattern != many[$0].bitPattern }
                #expect(first == nil, "\(kernel), \(threads) threads: element \(first ?? 0) differs from one thread's")
            }
            // And the split product is still the product.
            let error = Self.compare(c, transposeA: transposeA, transposeB: false, alpha: 1, beta: beta, kernel: kernel, threads: 2)
            #expect(error < 1e-12, "\(kernel), 2 threads: relative error \(error)")
        }
    }

    @Test("splits products of at least 2¹⁹ multiply-adds, whatever their shape")
    func splitThresholds() {
        #expect(gemmThreadsUsed(m: 512, n: 512, k: 512, threads: 2) == 2)
        #expect(gemmThreadsUsed(m: 64, n: 64, k: 128, threads: 2) == 2)    // 2¹⁹ exactly
        #expect(gemmThreadsUsed(m: 63, n: 64, k: 128, threads: 2) == 1)     // just under
        #expect(gemmThreadsUsed(m: 4096, n: 16, k: 144, threads: 2) == 2)   // the ResNet's first stage, tall and thin
        #expect(gemmThreadsUsed(m: 144, n: 16, k: 4096, threads: 2) == 2)   // its weight gradient
        #expect(gemmThreadsUsed(m: 4096, n: 16, k: 9, threads: 2) == 2)     // the stem: 0.59 M multiply-adds
        #expect(gemmThreadsUsed(m: 64, n: 10, k: 64, threads: 2) == 1)      // the ResNet's dense layer
        #expect(gemmThreadsUsed(m: 1024, n: 1024, k: 1024, threads: 1) == 1)
    }

    @Test("products split from several threads at once each come out bit-identical to one thread's", arguments: GemmKernel.supported)
    func concurrentCallers(_ kernel: GemmKernel) throws {
        // Swift Testing and the trainer can both call a split product from several threads; the
        // worker pool runs one job at a time and the others run alone. Distinct inputs per caller, so
        // a part computed from another caller's operands would show.
        let c = Case(m: 200, n: 40, k: 300)
        let callers = 6
        let inputs = (0..<callers).map { (Self.random(c.m * c.k, seed: UInt64(20 + $0)), Self.random(c.k * c.n, seed: UInt64(40 + $0))) }
        @Sendable func product(_ caller: Int, threads: Int) -> [Double] {
            var out = [Double](repeating: 0, count: c.m * c.n)
            inputs[caller].0.withUnsafeBufferPointer { pa in
                inputs[caller].1.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { pc in
                        gemm(m: c.m, n: c.n, k: c.k, a: pa.baseAddress!, transposeA: false, b: pb.baseAddress!,
                             transposeB: false, c: pc.baseAddress!, kernel: kernel, threads: threads)
                    }
                }
            }
            return out
        }
        let expected = (0..<callers).map { product($0, threads: 1) }
        final class Results: @unchecked Sendable { let lock = NSLock(); var mismatches: [String] = [] }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: callers * 8) { job in
            let caller = job % callers
            let got = product(caller, threads: 2 + job % 3)
            if let first = got.indices.first(where: { got[$0].bitPattern != expected[caller][$0].bitPattern }) {
                results.lock.withLock { results.mismatches.append("job \(job) (caller \(caller)): element \(first)") }
            }
        }
        #expect(results.mismatches.isEmpty, "\(kernel): \(results.mismatches.prefix(5))")
    }

    @Test("the processor's kernels: the widest first, and a kernel it lacks is refused")
    func supportedKernels() throws {
        let supported = try #require(GemmKernel.supported.first)
        #expect(GemmKernel.fastest == supported)
        #if arch(x86_64)
        #expect(GemmKernel.supported.last == .portable)
        #expect(!GemmKernel.supported.contains(.neon))
        #expect(throws: ArgumentError.self) { try GemmSettings.use(kernel: .neon) }
        #elseif arch(arm64)
        #expect(GemmKernel.supported == [.neon])
        #endif
        #expect(throws: ArgumentError.self) { try GemmSettings.use(threads: 0) }
    }

    @Test("beta = 0 overwrites C, even NaNs already there")
    func betaZeroOverwrites() throws {
        let a = Self.random(8 * 20, seed: 4), b = Self.random(20 * 24, seed: 5)
        var c = [Double](repeating: .nan, count: 8 * 24)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    gemm(m: 8, n: 24, k: 20, a: pa.baseAddress!, transposeA: false,
                         b: pb.baseAddress!, transposeB: false, c: pc.baseAddress!)
                }
            }
        }
        #expect(c.allSatisfy { $0.isFinite })
    }

    @Test("Tensor.matmul reproduces a product worked by hand")
    func workedExample() throws {
        // [[1, 2], [3, 4]] · [[5, 6], [7, 8]] = [[1·5 + 2·7, 1·6 + 2·8], [3·5 + 4·7, 3·6 + 4·8]]
        let a = try Tensor([[1, 2], [3, 4]]), b = try Tensor([[5, 6], [7, 8]])
        #expect(try Tensor.matmul(a, b) == Tensor([[19, 22], [43, 50]]))
        // aᵀ · b = [[1·5 + 3·7, 1·6 + 3·8], [2·5 + 4·7, 2·6 + 4·8]]
        #expect(try Tensor.matmul(a, b, transposeA: true) == Tensor([[26, 30], [38, 44]]))
        // Inner dimensions that differ are a ShapeError, not a trap.
        #expect(throws: ShapeError.self) { try Tensor.matmul(a, Tensor([[1, 2, 3]])) }
        // k = 0: the product of [2, 0] and [0, 3] is a 2 × 3 matrix of zeros.
        let empty = try Tensor.matmul(Tensor(shape: [2, 0], scalars: []), Tensor(shape: [0, 3], scalars: []))
        #expect(empty == Tensor(zeros: [2, 3]))
    }
}

import Testing
@testable import WorkbookCore

/// The fast kernel against the plain triple loop (`naiveGemm`), which is obviously right.
///
/// Sizes straddle the register tile (6 × 16), the packing block (kc = 256) and the tiny-product
/// shortcut (m·n·k ≤ 512), so every edge path runs: ragged rows, ragged columns, several k blocks.
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
    ]

    static func random(_ count: Int, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in rng.nextUniform(in: -1..<1) }
    }

    /// Runs `gemm` and `naiveGemm` on the same inputs and returns the largest relative difference.
    static func compare(_ c: Case, transposeA: Bool, transposeB: Bool, alpha: Double, beta: Double) -> Double {
        let a = random(c.m * c.k, seed: 1)
        let b = random(c.k * c.n, seed: 2)
        var fast = random(c.m * c.n, seed: 3)
        var slow = fast
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                fast.withUnsafeMutableBufferPointer { pc in
                    gemm(m: c.m, n: c.n, k: c.k, a: pa.baseAddress!, transposeA: transposeA,
                         b: pb.baseAddress!, transposeB: transposeB, c: pc.baseAddress!, alpha: alpha, beta: beta)
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

    @Test("matches the naive loop for every transpose combination", arguments: cases)
    func transposes(_ c: Case) {
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                let error = Self.compare(c, transposeA: transposeA, transposeB: transposeB, alpha: 1, beta: 0)
                #expect(error < 1e-12, "transposeA \(transposeA), transposeB \(transposeB): relative error \(error)")
            }
        }
    }

    @Test("applies alpha and beta like BLAS", arguments: [Case(m: 7, n: 17, k: 5), Case(m: 13, n: 33, k: 300)])
    func alphaBeta(_ c: Case) {
        for (alpha, beta) in [(2.0, 0.0), (1.0, 1.0), (-0.5, 0.25)] {
            let error = Self.compare(c, transposeA: true, transposeB: false, alpha: alpha, beta: beta)
            #expect(error < 1e-12, "alpha \(alpha), beta \(beta): relative error \(error)")
        }
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

import Foundation
import Testing
import JudgeKit
@testable import WorkbookCore

@Suite("SeededGenerator")
struct SeededGeneratorTests {
    @Test("the same seed gives the same sequence; another seed another")
    func determinism() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
        let sa = (0..<5).map { _ in a.next() }, sb = (0..<5).map { _ in b.next() }, sc = (0..<5).map { _ in c.next() }
        #expect(sa == sb)
        #expect(sa != sc)
    }

    @Test("xoshiro256** reference: the first outputs for a known state")
    func referenceValues() {
        // Seeding with SplitMix64(0) gives the state words below (SplitMix64's published first
        // outputs for seed 0), and the generator's first output is rotl(s1·5, 7)·9.
        var splitMix: UInt64 = 0
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let s0 = next(), s1 = next()
        #expect(s0 == 0xE220_A839_7B1D_CDAF)   // SplitMix64(0)'s first output, as published
        _ = s0
        var rng = SeededGenerator(seed: 0)
        let x = s1 &* 5
        #expect(rng.next() == ((x << 7) | (x >> 57)) &* 9)
    }

    @Test("uniform draws: in [0, 1), mean ≈ 1/2, variance ≈ 1/12")
    func uniformMoments() {
        var rng = SeededGenerator(seed: 1)
        let n = 100_000
        let xs = (0..<n).map { _ in rng.nextUniform() }
        #expect(xs.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = xs.reduce(0, +) / Double(n)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        // Standard error of the mean: sqrt(1/12 / n) ≈ 0.0009; allow 5 of them.
        #expect(abs(mean - 0.5) < 0.0046)
        #expect(abs(variance - 1.0 / 12) < 0.002)
    }

    @Test("normal draws: mean ≈ μ, standard deviation ≈ σ")
    func normalMoments() {
        var rng = SeededGenerator(seed: 2)
        let t = Tensor.randomNormal(shape: [100_000], mean: 3, standardDeviation: 2, using: &rng)
        let mean = t.mean()
        let sd = (t - mean).squared().mean().squareRoot()
        // Standard error of the mean: 2/sqrt(1e5) ≈ 0.0063; of the sd ≈ 2/sqrt(2e5) ≈ 0.0045.
        #expect(abs(mean - 3) < 0.032)
        #expect(abs(sd - 2) < 0.023)
    }

    @Test("a permutation holds every index once")
    func permutation() {
        var rng = SeededGenerator(seed: 3)
        let p = rng.permutation(1000)
        #expect(p.sorted() == Array(0..<1000))
        #expect(p != Array(0..<1000))
    }

    @Test("the generator's state survives encoding, so a resumed run continues the same sequence")
    func codable() throws {
        var rng = SeededGenerator(seed: 9)
        _ = rng.next()
        var copy = try JSONDecoder().decode(SeededGenerator.self, from: JSONEncoder().encode(rng))
        #expect(copy.next() == rng.next())
    }
}

@Suite("Tolerances, numeric gradients and relative error")
struct ToleranceTests {
    @Test("absolute tolerance near zero, relative tolerance for large values")
    func approximateEquality() {
        #expect(isApproximatelyEqual(1e-12, 0, absoluteTolerance: 1e-9, relativeTolerance: 0))
        #expect(!isApproximatelyEqual(1e-6, 0, absoluteTolerance: 1e-9, relativeTolerance: 1e-3))
        #expect(isApproximatelyEqual(1e9, 1e9 + 1, absoluteTolerance: 0, relativeTolerance: 1e-8))
        #expect(!isApproximatelyEqual(.nan, .nan))
        #expect(isApproximatelyEqual(.infinity, .infinity))
    }

    @Test("a mismatch report lists the first differing indices and the largest difference")
    func mismatchReport() throws {
        let a = try Tensor([[1, 2], [3, 4]]), b = try Tensor([[1, 2.5], [3, 5]])
        let report = try #require(a.mismatch(against: b))
        #expect(report.mismatchCount == 2)
        #expect(report.firstMismatches.map(\.index) == [[0, 1], [1, 1]])
        #expect(report.maxAbsoluteDifference == 1)
        #expect(a.mismatch(against: Tensor(zeros: [4]))?.shapes != nil)
    }

    @Test("the numeric gradient of Σ dout·x² is 2·x·dout")
    func numericGradientOfSquare() throws {
        var rng = SeededGenerator(seed: 5)
        let x = Tensor.randomNormal(shape: [3, 4], using: &rng)
        let dout = Tensor.randomNormal(shape: [3, 4], using: &rng)
        let numeric = try numericGradient(of: { $0.squared() }, at: x, upstream: dout)
        let analytic = try x * dout * 2
        // Centered differences are exact for quadratics up to rounding: error ≈ ε/h ≈ 1e-11.
        #expect(relativeError(numeric, analytic) < 1e-8)
    }

    @Test("the numeric gradient detects a wrong gradient")
    func numericGradientCatchesMistakes() throws {
        var rng = SeededGenerator(seed: 6)
        let x = Tensor.randomNormal(shape: [5], using: &rng)
        let numeric = try numericGradient(of: { exp($0).sum() }, at: x)
        #expect(relativeError(numeric, exp(x)) < 1e-8)
        #expect(relativeError(numeric, x) > 1e-2)   // the wrong derivative is caught
    }

    @Test("relative error is CS231n's max |x − y| / max(1e-8, |x| + |y|)")
    func relativeErrorDefinition() {
        #expect(relativeError(Tensor([1, 2]), Tensor([1, 2])) == 0)
        #expect(relativeError(Tensor([1, 0]), Tensor([3, 0])) == 0.5)           // 2 / 4
        #expect(relativeError(Tensor([1e-9]), Tensor([0])) == 1e-9 / 1e-8)      // the floor at 1e-8
        #expect(relativeError(Tensor([1]), Tensor([1, 2])) == .infinity)
    }

    @Test("the upstream gradient must match the output's shape")
    func upstreamShape() {
        #expect(throws: ShapeError.self) {
            try numericGradient(of: { $0 }, at: Tensor([1, 2]), upstream: Tensor([1]))
        }
    }
}

@Suite("Errors that teach")
struct ErrorTests {
    @Test("NotImplemented names the exercise, the function and where to get a hint")
    func notImplementedMessage() {
        func reluForward() throws { throw NotImplemented("ReLU1") }
        do {
            try reluForward()
            Issue.record("expected a throw")
        } catch let error as NotImplemented {
            #expect(error.exercise == "ReLU1")
            #expect(error.function == "reluForward()")
            #expect(error.description.contains("not implemented yet"))
            #expect(error.description.contains("swift run workbook hint ReLU1"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("requireShape accepts -1 as any size and names the operation otherwise")
    func requireShapeWildcard() throws {
        try requireShape(Tensor(zeros: [7, 4]), [-1, 4], "dense x")
        let error = try #require(throws: ShapeError.self) { try requireShape(Tensor(zeros: [7, 3]), [-1, 4], "dense x") }
        #expect(error.operation == "dense x")
    }
}

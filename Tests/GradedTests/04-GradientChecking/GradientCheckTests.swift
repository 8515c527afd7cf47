import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let gradCheck1 = Exercise(id: "GradCheck1", chapter: "04-GradientChecking", file: "GradientCheck.swift",
                                     title: "Centered differences", points: 3)
    static let gradCheck2 = Exercise(id: "GradCheck2", chapter: "04-GradientChecking", file: "GradientCheck.swift",
                                     title: "Centered differences through an upstream gradient", points: 2)
    static let gradCheck3 = Exercise(id: "GradCheck3", chapter: "04-GradientChecking", file: "GradientCheck.swift",
                                     title: "Relative error", points: 2)
}

@Suite("GradCheck1 · Centered differences", .graded(.gradCheck1))
struct GradCheck1Tests {
    @Test("is centered: for Σx³ with h = 1e-3 it gives exactly 3x² + h²")
    func centered() throws {
        // ((x + h)³ − (x − h)³) / 2h = (6x²h + 2h³) / 2h = 3x² + h², so the estimate is 3x² + 1e−6.
        // A one-sided difference would give 3x² + 3xh + h², off by 3xh ≥ 1.5e−3 here.
        // Rounding: |f| ≲ 10, so about 10·2e−16/2e−3 ≈ 1e−12, far below the tolerance 1e−9.
        let x = Tensor([-1, -0.5, 0.5, 1, 2])
        let estimate = try centeredDifference(of: { $0.scalars.reduce(0) { $0 + $1 * $1 * $1 } }, at: x, step: 1e-3)
        check(estimate, equals: x.map { 3 * $0 * $0 + 1e-6 }, "centeredDifference of Σx³ with step 1e-3", in: .gradCheck1,
              absoluteTolerance: 1e-9, relativeTolerance: 0,
              misconceptions: [
                Misconception(x.map { 2 * (3 * $0 * $0 + 1e-6) }, "the estimate is twice the derivative: the centered difference (f(x + h) − f(x − h)) spans 2h, so divide by 2h, not by h"),
                Misconception(x.map { 3 * $0 * $0 + 3 * $0 * 1e-3 + 1e-6 }, "the estimate is the one-sided (f(x + h) − f(x))/h, whose error is O(h); the centered difference (f(x + h) − f(x − h))/2h is O(h²)"),
              ])
    }

    @Test("with the default step, matches cos for f = Σ sin(x) to a relative error below 1e-8")
    func defaultIncrement() throws {
        // Truncation h²/6·|cos| ≈ 2e−11 and rounding ≈ 1e−11 per entry with h = 1e−5.
        var rng = SeededGenerator(inputSeed: 401)
        let x = Tensor.randomUniform(shape: [2, 3], in: -1.2..<1.2, using: &rng)
        let estimate = try centeredDifference(of: { $0.scalars.reduce(0) { $0 + sin($1) } }, at: x)
        let error = relativeError(estimate, x.map { cos($0) })
        check(error < 1e-8, "centeredDifference of Σ sin(x) should match cos(x); relative error \(error). Is the default step 1e-5?",
              in: .gradCheck1)
        check(estimate.shape == x.shape, "the estimate should have x's shape \(x.shape), got \(estimate.shape).", in: .gradCheck1)
    }

    @Test("agrees with the grader's own numericGradient and nudges one coordinate at a time")
    func matchesCore() throws {
        // f couples the coordinates (a product term), so nudging two at once or forgetting to
        // restore a coordinate changes the answer.
        var rng = SeededGenerator(inputSeed: 402)
        let x = Tensor.randomNormal(shape: [4], using: &rng)
        let f: (Tensor) -> Double = { t in t.scalars.reduce(0) { $0 + exp(0.5 * $1) } + t.scalars.reduce(1, *) }
        let estimate = try centeredDifference(of: f, at: x)
        let reference = try numericGradient(of: f, at: x)
        check(estimate, equals: reference, "centeredDifference against the core's numericGradient", in: .gradCheck1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-9)
    }
}

@Suite("GradCheck2 · Centered differences through an upstream gradient", .graded(.gradCheck2))
struct GradCheck2Tests {
    @Test("for f(x) = x ⊙ x gives 2x ⊙ dout")
    func square() throws {
        // ((x + h)² − (x − h)²)/2h = 2x exactly, so only rounding (≈ 1e−11) remains.
        var rng = SeededGenerator(inputSeed: 411)
        let x = Tensor.randomNormal(shape: [3, 2], using: &rng)
        let dout = Tensor.randomNormal(shape: [3, 2], using: &rng)
        let estimate = try centeredDifference(of: { $0.squared() }, at: x, upstream: dout)
        check(estimate, equals: try x * dout * 2, "centeredDifference of x ⊙ x with upstream dout", in: .gradCheck2,
              absoluteTolerance: 1e-9, relativeTolerance: 0,
              misconceptions: [Misconception(x * 2, "the estimate is the gradient of Σ f(x): the code ignores dout; with an upstream gradient it must differentiate Σ dout ⊙ f(x)")])
    }

    @Test("keeps its relative precision for a function of tiny scale, 1e-8 · x ⊙ x")
    func tinyScale() throws {
        // L = Σ dout ⊙ 1e-8·x² is about 1e-8, and L(x + h) − L(x − h) about 1e-13. Summed from 0,
        // L keeps ~16 significant digits and the estimate 2e-8·x ⊙ dout comes out to ~1e-11
        // relative; any constant of size 1 carried in the sum rounds the difference to
        // multiples of 2.2e-16, a relative error near 1e-3. Relative errors are meant to be
        // scale-free: a gradient check of a small term (a weight penalty, say) needs this.
        var rng = SeededGenerator(inputSeed: 413)
        let x = Tensor.randomNormal(shape: [3, 2], using: &rng)
        let dout = Tensor.randomNormal(shape: [3, 2], using: &rng)
        let estimate = try centeredDifference(of: { $0.squared() * 1e-8 }, at: x, upstream: dout)
        check(estimate, equals: try x * dout * 2e-8, "centeredDifference of 1e-8 · x ⊙ x with upstream dout", in: .gradCheck2,
              absoluteTolerance: 0, relativeTolerance: 1e-6,
              misconceptions: [Misconception(x * 2e-8, "the estimate ignores dout: with an upstream gradient it must differentiate Σ dout ⊙ f(x)")])
    }

    @Test("for a product x·W gives dout·Wᵀ, where f's output has another shape than x")
    func matmul() throws {
        // x [2, 3], W [3, 4], out [2, 4]: L = Σ dout ⊙ xW is linear in x with gradient dout·Wᵀ [2, 3].
        var rng = SeededGenerator(inputSeed: 412)
        let x = Tensor.randomNormal(shape: [2, 3], using: &rng)
        let w = Tensor.randomNormal(shape: [3, 4], using: &rng)
        let dout = Tensor.randomNormal(shape: [2, 4], using: &rng)
        let estimate = try centeredDifference(of: { try $0.matmul(w) }, at: x, upstream: dout)
        check(estimate, equals: try Tensor.matmul(dout, w, transposeB: true), "centeredDifference of x·W with upstream dout", in: .gradCheck2,
              absoluteTolerance: 1e-9, relativeTolerance: 0)
    }

    @Test("rejects an upstream gradient whose shape differs from f(x)'s")
    func rejects() throws {
        try checkThrowsShapeError("centeredDifference with f(x) [3] and dout [2]", in: .gradCheck2) {
            _ = try centeredDifference(of: { $0 }, at: Tensor([1, 2, 3]), upstream: Tensor([1, 1]))
        }
    }
}

@Suite("GradCheck3 · Relative error", .graded(.gradCheck3))
struct GradCheck3Tests {
    @Test("is the largest |a − b| / max(1e-8, |a| + |b|)")
    func worked() throws {
        // Entries: 0.1/2.1 = 0.047619…, 0/4 = 0, 0/1e−8 = 0 (two zeros agree): the max is 1/21.
        let small = try gradientRelativeError(Tensor([1, 2, 0]), Tensor([1.1, 2, 0]))
        check(small, equals: 0.1 / 2.1, "gradientRelativeError([1, 2, 0], [1.1, 2, 0])", in: .gradCheck3,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-12,
              misconceptions: [Misconception(0.1, "the error is the largest absolute difference |a − b|; the relative error divides it by max(1e-8, |a| + |b|)")])
        // Opposite signs give the largest possible error, 1: |3 − (−3)| / 6.
        let opposite = try gradientRelativeError(Tensor([1, 3]), Tensor([1, -3]))
        check(opposite, equals: 1, "gradientRelativeError([1, 3], [1, -3])", in: .gradCheck3,
              misconceptions: [Misconception(6e8, "the error divides by |a + b|, which vanishes for opposite signs; divide by |a| + |b|"),
                               Misconception(6, "the error is the largest absolute difference |a − b|; the relative error divides it by max(1e-8, |a| + |b|)")])
        // The floor: 1e−9 against 0 is 1e−9/1e−8 = 0.1, not 1e−9/1e−9 = 1.
        let floor = try gradientRelativeError(Tensor([1e-9]), Tensor([0]))
        check(floor, equals: 0.1, "gradientRelativeError([1e-9], [0]) with the 1e-8 floor", in: .gradCheck3,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-12)
    }

    @Test("agrees with the grader's relativeError, and never lets NaN pass")
    func matchesCore() throws {
        var rng = SeededGenerator(inputSeed: 421)
        let a = Tensor.randomNormal(shape: [3, 4], using: &rng)
        let b = try a + Tensor.randomNormal(shape: [3, 4], standardDeviation: 1e-3, using: &rng)
        let error = try gradientRelativeError(a, b)
        check(error, equals: relativeError(a, b), "gradientRelativeError against the core's relativeError", in: .gradCheck3,
              absoluteTolerance: 0, relativeTolerance: 1e-12)
        let withNaN = try gradientRelativeError(Tensor([1, .nan, 2]), Tensor([1, 1, 2]))
        check(!(withNaN < 1e-7), "a NaN in the gradient must fail every check, but the error was \(withNaN) (NaN expected).", in: .gradCheck3)
    }

    @Test("tells a right sigmoid backward pass from a wrong one")
    func catchesBugs() throws {
        // The right local derivative s(1 − s) against a classic slip, s alone.
        var rng = SeededGenerator(inputSeed: 422)
        let x = Tensor.randomNormal(shape: [2, 5], using: &rng)
        let dout = Tensor.randomNormal(shape: [2, 5], using: &rng)
        let s = x.map { 1 / (1 + exp(-$0)) }
        let numeric = try numericGradient(of: { $0.map { 1 / (1 + exp(-$0)) } }, at: x, upstream: dout)
        let right = try gradientRelativeError(try dout * s * (1 - s), numeric)
        let wrong = try gradientRelativeError(try dout * s, numeric)
        check(right < 1e-7, "the correct sigmoid gradient should have relative error < 1e-7, got \(right).", in: .gradCheck3)
        check(wrong > 1e-2, "the wrong gradient dout ⊙ s should have relative error > 1e-2, got \(wrong).", in: .gradCheck3)
    }

    @Test("rejects gradients of different shapes")
    func rejects() throws {
        try checkThrowsShapeError("gradientRelativeError of [3] and [2]", in: .gradCheck3) {
            _ = try gradientRelativeError(Tensor([1, 2, 3]), Tensor([1, 2]))
        }
    }
}

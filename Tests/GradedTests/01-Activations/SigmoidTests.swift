import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let sigmoid1 = Exercise(id: "Sigmoid1", chapter: "01-Activations", file: "Sigmoid.swift", title: "Sigmoid forward", points: 2)
    static let sigmoid2 = Exercise(id: "Sigmoid2", chapter: "01-Activations", file: "Sigmoid.swift", title: "Sigmoid backward", points: 2)
}

enum SigmoidExample {
    /// Evenly spaced inputs and σ(x) = 1/(1 + e^(−x)) at each, to 16 digits (cross-checked with
    /// numpy). σ(0) = 1/2 exactly; σ(−x) = 1 − σ(x) pairs them up.
    static let x: [Double] = [-2, -1, 0, 1, 2]
    static let y: [Double] = [0.11920292202211755, 0.2689414213699951, 0.5, 0.7310585786300049, 0.8807970779778823]
}

/// What the usual sigmoid backward mistakes return, and what each says about the code.
enum SigmoidMistakes {
    static func backward(_ dout: Tensor, s: Tensor) -> [Misconception] {
        let sigma = s.map { 1 / (1 + exp(-$0)) }
        return [
            Misconception(Tensor(shape: s.shape) { dout[flat: $0] * sigma[flat: $0] * (1 - sigma[flat: $0]) },
                          "dx equals dout·σ(s)(1 − σ(s)): the code treats the cached output s as the input x; the cache already holds s = σ(x), so dx = dout·s(1 − s)"),
            Misconception(s.map { $0 * (1 - $0) }, "dx equals s(1 − s), the local derivative without multiplying by dout (the chain rule multiplies them)"),
        ]
    }
}

@Suite("Sigmoid1 · Sigmoid forward", .graded(.sigmoid1))
struct Sigmoid1Tests {
    @Test("matches σ(x) = 1/(1 + e^(−x)) at x = −2, −1, 0, 1, 2")
    func values() throws {
        let (out, _) = try sigmoidForward(Tensor(SigmoidExample.x))
        check(out, equals: Tensor(SigmoidExample.y), "sigmoidForward([-2, -1, 0, 1, 2])", in: .sigmoid1,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-14,
              misconceptions: [Misconception(Tensor(SigmoidExample.y.reversed()), "the output equals σ(−x) = 1/(1 + eˣ); σ(x) = 1/(1 + e^(−x)) has a minus sign in the exponent")])
    }

    @Test("saturates to exactly 0 and 1 for huge inputs, never NaN")
    func saturates() throws {
        // e^(−1000) underflows to 0 and e^1000 overflows to ∞; the output must still be a
        // probability: σ(−1000) rounds to 0 (the true value is ≈ 5e−435), σ(1000) to 1.
        let (out, _) = try sigmoidForward(Tensor([-1000, -40, 40, 1000]))
        check(!out.scalars.contains { $0.isNaN }, "sigmoidForward([-1000, -40, 40, 1000]) gave NaN: \(out). Avoid ∞/∞.", in: .sigmoid1)
        // σ(−40) = e^(−40)/(1 + e^(−40)) ≈ 4.248354255291589e−18; σ(40) rounds to 1.
        check(out, equals: Tensor([0, 4.248354255291589e-18, 1, 1]), "sigmoidForward at ±40 and ±1000", in: .sigmoid1,
              absoluteTolerance: 1e-30, relativeTolerance: 1e-12)
    }

    @Test("is not zero-centred: every output is positive and zero-mean inputs give outputs centred at 0.5 (a measurement)")
    func centredAtOneHalf() throws {
        // Notes 003: sigmoid outputs lie in (0, 1) and are centred at 0.5, not 0, so the next layer sees only
        // positive inputs (its weight gradients for one example all share dout's sign). Inputs ±x give σ(x) + σ(−x) = 1,
        // so a symmetric sample averages exactly 0.5.
        var rng = SeededGenerator(inputSeed: 12)
        let half = Tensor.randomNormal(shape: [200], standardDeviation: 3, using: &rng)
        let (out, _) = try sigmoidForward(Tensor(shape: [400], scalars: half.scalars + half.scalars.map { -$0 }))
        check(out.scalars.allSatisfy { $0 > 0 }, "every sigmoid output should be positive; the smallest is \(out.scalars.min() ?? .nan)", in: .sigmoid1)
        check(out.mean(), equals: 0.5, "the mean output on inputs symmetric about 0", in: .sigmoid1, absoluteTolerance: 1e-12, relativeTolerance: 0)
    }

    @Test("keeps the shape and caches the output")
    func cachesOutput() throws {
        var rng = SeededGenerator(inputSeed: 11)
        let x = Tensor.randomNormal(shape: [2, 3, 2, 2], using: &rng)
        let (out, cache) = try sigmoidForward(x)
        check(out.shape == x.shape, "sigmoidForward should keep shape \(x.shape), returned \(out.shape).", in: .sigmoid1)
        check(cache.out == out, "the cache should hold the output σ(x)\(cache.out == x ? " (it holds the input x)" : ""): sigmoidBackward computes s(1 − s) from it.", in: .sigmoid1)
        // Symmetry σ(−x) = 1 − σ(x), a property of the formula, not of the implementation.
        let (mirrored, _) = try sigmoidForward(-x)
        check(try mirrored + out, equals: Tensor(repeating: 1, shape: x.shape), "σ(−x) + σ(x)", in: .sigmoid1,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-15)
    }
}

@Suite("Sigmoid2 · Sigmoid backward", .graded(.sigmoid2))
struct Sigmoid2Tests {
    @Test("multiplies dout by s(1 − s) of the cached output")
    func worked() throws {
        // s = [0.5, 0.25, 0.9]: s(1 − s) = [0.25, 0.1875, 0.09]; times dout = [2, 4, 10].
        let dx = try sigmoidBackward(Tensor([2, 4, 10]), cache: SigmoidCache(out: Tensor([0.5, 0.25, 0.9])))
        checkExactGradient(dx, equals: Tensor([0.5, 0.75, 0.9]), "sigmoidBackward(dout: [2, 4, 10]) with s = [0.5, 0.25, 0.9]", in: .sigmoid2,
              misconceptions: SigmoidMistakes.backward(Tensor([2, 4, 10]), s: Tensor([0.5, 0.25, 0.9])))
    }

    @Test("matches the numeric gradient on seeded random inputs")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 12)
        let x = Tensor.randomNormal(shape: [4, 5], standardDeviation: 2, using: &rng)
        let dout = Tensor.randomNormal(shape: [4, 5], using: &rng)
        // The cache is built from the formula here, so this grades the backward pass alone.
        let s = x.map { 1 / (1 + exp(-$0)) }
        let dx = try sigmoidBackward(dout, cache: SigmoidCache(out: s))
        let numeric = try numericGradient(of: { $0.map { 1 / (1 + exp(-$0)) } }, at: x, upstream: dout)
        checkGradient(dx, matches: numeric, "sigmoidBackward", in: .sigmoid2)
    }

    @Test("never passes more than a quarter of the upstream gradient (vanishing gradients)")
    func quarter() throws {
        // s(1 − s) peaks at s = 1/2 with value 1/4; evenly spaced s in (0, 1).
        let s = Tensor((1...9).map { Double($0) / 10 })
        let dx = try sigmoidBackward(Tensor(repeating: 1, shape: [9]), cache: SigmoidCache(out: s))
        check(dx.max() <= 0.25 + 1e-15 && dx.min() > 0, "with dout = 1, dx = s(1 − s) lies in (0, 1/4]; got \(dx).", in: .sigmoid2)
        check(dx[4], equals: 0.25, "dx at s = 0.5", in: .sigmoid2)
    }

    @Test("rejects an upstream gradient whose shape differs from the cache's")
    func rejectsMismatchedSizes() throws {
        try checkThrowsShapeError("sigmoidBackward with dout [3] and cached output [2]", in: .sigmoid2) {
            _ = try sigmoidBackward(Tensor([1, 2, 3]), cache: SigmoidCache(out: Tensor([0.5, 0.5])))
        }
    }
}

import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let tanh1 = Exercise(id: "Tanh1", chapter: "01-Activations", file: "Tanh.swift", title: "tanh forward", points: 2)
    static let tanh2 = Exercise(id: "Tanh2", chapter: "01-Activations", file: "Tanh.swift", title: "tanh backward", points: 2)
}

@Suite("Tanh1 · tanh forward", .graded(.tanh1))
struct Tanh1Tests {
    @Test("satisfies the notes' identity tanh(x) = 2·sigmoid(2x) − 1 on evenly spaced inputs")
    func notesIdentity() throws {
        // x = −3, −2.75, …, 3 (25 points). The expected values come from the sigmoid form of
        // notes 003, computed here from exp alone, never from a tanh routine.
        let x = Tensor((0...24).map { -3 + 0.25 * Double($0) })
        let expected = x.map { 2 / (1 + exp(-2 * $0)) - 1 }
        let (out, _) = try tanhForward(x)
        // Both sides round a few times near magnitude 1, so a few ulps (2.2e−16 each) may differ.
        check(out, equals: expected, "tanhForward(x) against 2σ(2x) − 1", in: .tanh1,
              absoluteTolerance: 1e-14, relativeTolerance: 1e-13)
    }

    @Test("saturates to ±1 for huge inputs, never NaN")
    func saturates() throws {
        // (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) is ∞/∞ = NaN at x = 800; tanh itself is 1 to all 53 bits.
        let (out, _) = try tanhForward(Tensor([-800, -30, 0, 30, 800]))
        check(out, equals: Tensor([-1, -1, 0, 1, 1]), "tanhForward([-800, -30, 0, 30, 800])", in: .tanh1)
    }

    @Test("is odd, keeps the shape and caches the output")
    func cachesOutput() throws {
        var rng = SeededGenerator(inputSeed: 21)
        let x = Tensor.randomNormal(shape: [3, 4], using: &rng)
        let (out, cache) = try tanhForward(x)
        check(out.shape == x.shape, "tanhForward should keep shape \(x.shape), returned \(out.shape).", in: .tanh1)
        check(cache.out == out, "the cache should hold the output tanh(x): tanhBackward computes 1 − t² from it.", in: .tanh1)
        let (mirrored, _) = try tanhForward(-x)
        check(mirrored, equals: -out, "tanh(−x) = −tanh(x)", in: .tanh1)
        // So does returning x: tanh saturates, tanh(±20) = ±(1 − 8.5e-18), ±1 in Double.
        check(try tanhForward(Tensor([20, -20])).out, equals: Tensor([1, -1]), "tanhForward([20, −20])", in: .tanh1)
    }
}

@Suite("Tanh2 · tanh backward", .graded(.tanh2))
struct Tanh2Tests {
    @Test("multiplies dout by 1 − t² of the cached output")
    func worked() throws {
        // t = [0, 0.5, −0.5, 0.9]: 1 − t² = [1, 0.75, 0.75, 0.19]; times dout = [1, 2, 4, 10].
        let dx = try tanhBackward(Tensor([1, 2, 4, 10]), cache: TanhCache(out: Tensor([0, 0.5, -0.5, 0.9])))
        let (dout, t) = (Tensor([1, 2, 4, 10]), Tensor([0, 0.5, -0.5, 0.9]))
        checkExactGradient(dx, equals: Tensor([1, 1.5, 3, 1.9]), "tanhBackward(dout: [1, 2, 4, 10]) with t = [0, 0.5, -0.5, 0.9]", in: .tanh2,
              misconceptions: [
                Misconception(Tensor(shape: t.shape) { dout[flat: $0] * (1 - pow(Foundation.tanh(t[flat: $0]), 2)) },
                              "dx equals dout·(1 − tanh²(t)): the code treats the cached output t as the input x; the cache already holds t = tanh(x), so dx = dout·(1 − t²)"),
                Misconception(Tensor(shape: t.shape) { dout[flat: $0] * (1 - t[flat: $0]) },
                              "dx equals dout·(1 − t): the derivative is 1 − t instead of 1 − t²"),
              ])
    }

    @Test("matches the numeric gradient on seeded random inputs")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 22)
        let x = Tensor.randomNormal(shape: [4, 5], using: &rng)
        let dout = Tensor.randomNormal(shape: [4, 5], using: &rng)
        let dx = try tanhBackward(dout, cache: TanhCache(out: tanh(x)))
        let numeric = try numericGradient(of: { tanh($0) }, at: x, upstream: dout)
        checkGradient(dx, matches: numeric, "tanhBackward", in: .tanh2)
    }

    @Test("rejects an upstream gradient whose shape differs from the cache's")
    func rejectsMismatchedSizes() throws {
        try checkThrowsShapeError("tanhBackward with dout [3] and cached output [2]", in: .tanh2) {
            _ = try tanhBackward(Tensor([1, 2, 3]), cache: TanhCache(out: Tensor([0.5, 0.5])))
        }
    }
}

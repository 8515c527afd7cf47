import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let elu1 = Exercise(id: "ELU1", chapter: "01-Activations", file: "ELU.swift", title: "ELU forward", points: 2)
    static let elu2 = Exercise(id: "ELU2", chapter: "01-Activations", file: "ELU.swift", title: "ELU backward", points: 3)
}

@Suite("ELU1 · ELU forward", .graded(.elu1))
struct ELU1Tests {
    @Test("gives x for x > 0 and α(eˣ − 1) otherwise, for α = 1 and α = 2")
    func values() throws {
        // e^(−2) − 1 = −0.8646647167633873, e^(−1) − 1 = −0.6321205588285577 (numpy expm1).
        let x = Tensor([-2, -1, 0, 1, 2])
        let (one, _) = try eluForward(x, alpha: 1)
        check(one, equals: Tensor([-0.8646647167633873, -0.6321205588285577, 0, 1, 2]), "eluForward(x, alpha: 1)", in: .elu1,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-14)
        // α scales the negative side only.
        let (two, _) = try eluForward(x, alpha: 2)
        check(two, equals: Tensor([-1.7293294335267746, -1.2642411176571153, 0, 1, 2]), "eluForward(x, alpha: 2)", in: .elu1,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-14,
              misconceptions: [Misconception(Tensor([-0.8646647167633873, -0.6321205588285577, 0, 1, 2]), "the output is eˣ − 1 for α = 2: the code ignores α; ELU's negative side is α(eˣ − 1)")])
    }

    @Test("saturates at −α for very negative inputs and uses α = 1 by default")
    func saturates() throws {
        // α(e^(−50) − 1) = −α + α·2e−22: −α to far below the tolerance.
        let (out, cache) = try eluForward(Tensor([-50, -1000]))
        check(out, equals: Tensor([-1, -1]), "eluForward([-50, -1000]) with the default alpha", in: .elu1)
        check(cache.alpha == 1, "the default alpha should be 1 and be cached; the cache says \(cache.alpha).", in: .elu1)
        let (deep, _) = try eluForward(Tensor([-50]), alpha: 0.5)
        check(deep, equals: Tensor([-0.5]), "eluForward([-50], alpha: 0.5)", in: .elu1)
    }
}

@Suite("ELU2 · ELU backward", .graded(.elu2))
struct ELU2Tests {
    @Test("passes dout for x > 0 and scales it by α·eˣ otherwise")
    func worked() throws {
        // α = 2, x = [−1, 0, 1], dout = [3, 3, 3]: [3·2e^(−1), 3·2 (left side at 0), 3].
        // 6·e^(−1) = 2.207276647028654.
        let dx = try eluBackward(Tensor([3, 3, 3]), cache: ELUCache(x: Tensor([-1, 0, 1]), alpha: 2))
        checkExactGradient(dx, equals: Tensor([2.207276647028654, 6, 3]), "eluBackward(dout: [3, 3, 3]) at x = [-1, 0, 1], alpha 2", in: .elu2,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-14,
              misconceptions: [
                Misconception(Tensor([3 * 2 * expm1(-1), 0, 3]),
                              "dx uses the output α(eˣ − 1) instead of the derivative α·eˣ (which is the output plus α)"),
                Misconception(Tensor([3 * exp(-1), 3, 3]), "dx is dout·eˣ on the negative side: the code drops α; the derivative of α(eˣ − 1) is α·eˣ"),
              ])
        // Away from the kink: α = 2, x = [−0.5, 2], dout = [1.5, 1.5]: [1.5·2e^(−0.5), 1.5].
        // 3·e^(−0.5) = 1.8195919791379003.
        let smooth = try eluBackward(Tensor([1.5, 1.5]), cache: ELUCache(x: Tensor([-0.5, 2]), alpha: 2))
        checkExactGradient(smooth, equals: Tensor([1.8195919791379003, 1.5]), "eluBackward(dout: [1.5, 1.5]) at x = [−0.5, 2], alpha 2", in: .elu2)
    }

    @Test("matches the numeric gradient for α = 1 and α = 1.5")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 41)
        // For α ≠ 1 the slope jumps at 0; no draw of this seed lies within h = 1e-5 of it.
        let x = Tensor.randomNormal(shape: [5, 6], using: &rng)
        let dout = Tensor.randomNormal(shape: [5, 6], using: &rng)
        for alpha in [1.0, 1.5] {
            let f: (Tensor) -> Tensor = { $0.map { $0 > 0 ? $0 : alpha * (exp($0) - 1) } }
            let dx = try eluBackward(dout, cache: ELUCache(x: x, alpha: alpha))
            let numeric = try numericGradient(of: f, at: x, upstream: dout)
            checkGradient(dx, matches: numeric, "eluBackward with alpha \(alpha)", in: .elu2)
        }
    }

    @Test("rejects an upstream gradient whose shape differs from the input's")
    func rejectsMismatchedSizes() throws {
        try checkThrowsShapeError("eluBackward with dout [3] and cached x [2]", in: .elu2) {
            _ = try eluBackward(Tensor([1, 2, 3]), cache: ELUCache(x: Tensor([1, 2]), alpha: 1))
        }
    }
}

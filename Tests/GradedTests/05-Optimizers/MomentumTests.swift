import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let momentum1 = Exercise(id: "Momentum1", chapter: "05-Optimizers", file: "Momentum.swift", title: "Momentum", points: 3)
}

/// The ill-conditioned bowl f(θ) = ½(θ₁² + 100·θ₂²), whose gradient is (θ₁, 100·θ₂), started at (1, 1).
///
/// Gradient descent needs η < 2/100 to stay stable along θ₂, and then crawls along θ₁ by a factor
/// 1 − η per step. With η = 0.01 and μ = 0.9 the formulas, run in numpy, reach f < 1e−6 after
/// 653 steps (plain), 138 (momentum) and 61 (Nesterov).
enum QuadraticBowl {
    static let learningRate = 0.01
    static let momentum = 0.9
    static let target = 1e-6
    static let limit = 2000

    static func loss(_ theta: Tensor) -> Double { 0.5 * (theta[0] * theta[0] + 100 * theta[1] * theta[1]) }
    static func gradient(_ theta: Tensor) -> Tensor { Tensor([theta[0], 100 * theta[1]]) }

    /// The number of steps until the loss falls below `target` (or `limit`), for an optimizer with
    /// one state tensor: `step(θ, g, state) → (θ, state)`.
    static func stepsToTarget(_ step: (Tensor, Tensor, Tensor) throws -> (Tensor, Tensor)) rethrows -> Int {
        var theta = Tensor([1, 1])
        var state = Tensor(zeros: [2])
        for count in 0..<limit {
            if loss(theta) < target { return count }
            (theta, state) = try step(theta, gradient(theta), state)
        }
        return limit
    }

    /// Plain gradient descent, written here so the comparison does not depend on exercise SGD1.
    static func plainSteps() throws -> Int {
        try stepsToTarget { theta, g, v in (try theta - g * learningRate, v) }
    }
}

@Suite("Momentum1 · Momentum", .graded(.momentum1))
struct Momentum1Tests {
    @Test("v ← μv − ηg, θ ← θ + v on a worked example")
    func worked() throws {
        // θ = [1, 2], v = [0.5, −0.5], g = [0.2, 0.4], η = 0.1, μ = 0.9:
        // v = [0.45 − 0.02, −0.45 − 0.04] = [0.43, −0.49]; θ = [1.43, 1.51].
        let (theta, v) = try momentumStep(Tensor([1, 2]), gradient: Tensor([0.2, 0.4]), velocity: Tensor([0.5, -0.5]),
                                          learningRate: 0.1, momentum: 0.9)
        check(v, equals: Tensor([0.43, -0.49]), "the new velocity", in: .momentum1,
              misconceptions: [Misconception(Tensor([0.47, -0.41]), "the velocity adds η·g; it must subtract it (v ← μv − ηg) to go downhill"),
                               Misconception(Tensor([0.48, -0.54]), "the velocity is v − ηg: the code forgets μ, so old gradients never fade (v ← μv − ηg)")])
        check(theta, equals: Tensor([1.43, 1.51]), "the new parameter", in: .momentum1,
              misconceptions: [Misconception(Tensor([1.5, 1.5]), "θ moved by the old velocity: update v first (v ← μv − ηg), then θ ← θ + v with the new v"),
                               Misconception(Tensor([1.47, 1.59]), "θ moved uphill: the velocity adds η·g; it must subtract it (v ← μv − ηg)"),
                               Misconception(Tensor([1.48, 1.46]), "θ moved by v − ηg: the code forgets μ in v ← μv − ηg")])
    }

    @Test("builds up to the terminal velocity −ηg/(1 − μ) under a constant gradient")
    func terminalVelocity() throws {
        // From v = 0: v₁ = −ηg, v₂ = −ηg(1 + μ), …, v_k = −ηg(1 − μᵏ)/(1 − μ).
        // g = [1, −2, 0.5], η = 0.1, μ = 0.9: after 2 steps θ = v₁ + v₂ = −0.29·g;
        // after 200 steps v = −g(1 − 0.9²⁰⁰), and 0.9²⁰⁰ ≈ 7e−10.
        let g = Tensor([1, -2, 0.5])
        var (theta, v) = (Tensor(zeros: [3]), Tensor(zeros: [3]))
        for _ in 0..<2 { (theta, v) = try momentumStep(theta, gradient: g, velocity: v, learningRate: 0.1, momentum: 0.9) }
        check(theta, equals: g * -0.29, "θ after two steps from 0 with a constant gradient", in: .momentum1)
        for _ in 2..<200 { (theta, v) = try momentumStep(theta, gradient: g, velocity: v, learningRate: 0.1, momentum: 0.9) }
        check(v, equals: -g, "the velocity after 200 steps, −ηg/(1 − μ) = −g", in: .momentum1, absoluteTolerance: 1e-8, relativeTolerance: 0)
    }

    @Test("reaches a target loss on an ill-conditioned bowl in fewer steps than plain gradient descent")
    func fasterOnBowl() throws {
        let plain = try QuadraticBowl.plainSteps()
        let withMomentum = try QuadraticBowl.stepsToTarget { theta, g, v in
            try momentumStep(theta, gradient: g, velocity: v, learningRate: QuadraticBowl.learningRate, momentum: QuadraticBowl.momentum)
        }
        check(withMomentum < plain, """
            on f = ½(θ₁² + 100θ₂²) with η = 0.01, momentum 0.9 should reach f < 1e-6 in fewer steps than \
            plain gradient descent (\(plain) steps); it took \(withMomentum) (expected about 138).
            """, in: .momentum1)
        // θ₁ must fall from 1 to below 1.5e-3 (f < 1e-6), and |v₁| ≤ η·Σμᵏ·max|θ₁| = 0.1·max|θ₁|:
        // no momentum step gets there in fewer than 10 steps (a step that returns 0 does it in 1).
        check(withMomentum >= 10, "momentum reached f < 1e-6 in \(withMomentum) steps; with η = 0.01, μ = 0.9 it needs at least 10 (about 138).", in: .momentum1)
    }

    @Test("allows a wider range of step sizes than plain gradient descent, and makes its own oscillations (a measurement)")
    func stepRangeAndOscillations() throws {
        // Goh, "Why momentum really works" (notes 003). On f(θ) = ½θ² (h = 1) gradient descent multiplies θ by
        // 1 − η each step: stable only for 0 < η < 2/h = 2. Momentum's iteration has the characteristic roots of
        // λ² − (1 + μ − ηh)λ + μ = 0, all inside the unit circle exactly when 0 < ηh < 2(1 + μ) = 3.8 for μ = 0.9.
        // η = 3: GD gives θ_k = (−2)^k; momentum's roots are complex with |λ| = √0.9 ≈ 0.949, so after 200 steps
        // |θ| is about 0.949^200 ≈ 3e-5 (times a constant of order 1). η = 4 > 3.8: a real root −1.5, divergence.
        func run(_ learningRate: Double, steps: Int) throws -> [Double] {
            var (theta, v) = (Tensor([1]), Tensor([0]))
            var path: [Double] = []
            for _ in 0..<steps {
                (theta, v) = try momentumStep(theta, gradient: theta, velocity: v, learningRate: learningRate, momentum: 0.9)
                path.append(theta[0])
            }
            return path
        }
        let plainAtThree = (0..<200).reduce(1.0) { theta, _ in theta - 3 * theta }
        let atThree = try run(3, steps: 200), atFour = try run(4, steps: 200)
        check(abs(plainAtThree) > 1e6 && abs(atThree.last!) < 1e-3,
              "with η = 3 on f = ½θ², plain gradient descent diverges (|θ| = \(abs(plainAtThree))) but momentum 0.9 should converge (stable for η < 3.8); after 200 steps θ = \(atThree.last!)",
              in: .momentum1)
        check(!(abs(atFour.last!) < 1e6), "with η = 4 > 2(1 + μ) = 3.8 momentum should diverge too; after 200 steps θ = \(atFour.last!)", in: .momentum1)
        // η = 0.1: gradient descent shrinks θ by 0.9 a step and never crosses 0; momentum's complex roots make
        // it overshoot the minimum and swing back, oscillations that plain descent does not have.
        let slow = try run(0.1, steps: 60)
        check((slow.min() ?? 0) < 0,
              "with η = 0.1, μ = 0.9 momentum should overshoot θ = 0 (its roots are complex, |λ| ≈ 0.949); the smallest θ in 60 steps was \(slow.min() ?? .nan)",
              in: .momentum1)
    }

    @Test("rejects a velocity whose shape differs from the parameter's")
    func rejects() throws {
        try checkThrowsShapeError("momentumStep with parameter [2] and velocity [3]", in: .momentum1) {
            _ = try momentumStep(Tensor([1, 2]), gradient: Tensor([1, 2]), velocity: Tensor([0, 0, 0]), learningRate: 0.1, momentum: 0.9)
        }
    }
}

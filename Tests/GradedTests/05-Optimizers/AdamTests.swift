import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let adam1 = Exercise(id: "Adam1", chapter: "05-Optimizers", file: "Adam.swift", title: "Adam with bias correction", points: 4)
}

/// What the usual Adam mistakes return for one update (β₁ = 0.9, β₂ = 0.999, η = 0.01, ε = 1e-8),
/// written out with each mistake as a switch, and what each says about the code.
enum AdamMistakes {
    static func update(_ theta: Tensor, _ g: Tensor, m: Tensor, v: Tensor, correctionStep t: Int,
                       corrected: Bool = true, epsilonInsideRoot: Bool = false) -> Tensor {
        let (beta1, beta2, eta, epsilon) = (0.9, 0.999, 0.01, 1e-8)
        return Tensor(shape: theta.shape) { i in
            let mi = beta1 * m[flat: i] + (1 - beta1) * g[flat: i]
            let vi = beta2 * v[flat: i] + (1 - beta2) * g[flat: i] * g[flat: i]
            let mHat = corrected ? mi / (1 - pow(beta1, Double(t))) : mi
            let vHat = corrected ? vi / (1 - pow(beta2, Double(t))) : vi
            return theta[flat: i] - eta * mHat / (epsilonInsideRoot ? (vHat + epsilon).squareRoot() : vHat.squareRoot() + epsilon)
        }
    }

    /// The mistakes for the update that makes step `t` (t = 1 for the first).
    static func all(_ theta: Tensor, _ g: Tensor, m: Tensor, v: Tensor, t: Int) -> [Misconception] {
        [Misconception(update(theta, g, m: m, v: v, correctionStep: t + 1),
                       "θ matches bias corrections 1 − β^(t+1): the step count is off by one; the update that makes step t divides by 1 − βᵗ (t = 1 for the first)"),
         Misconception(update(theta, g, m: m, v: v, correctionStep: t, corrected: false),
                       "θ matches an update without bias correction: m and v start at 0, so divide them by 1 − β₁ᵗ and 1 − β₂ᵗ"),
         Misconception(update(theta, g, m: m, v: v, correctionStep: t, epsilonInsideRoot: true),
                       "θ matches dividing by √(v̂ + ε); Adam adds ε outside the square root, √v̂ + ε")]
    }
}

@Suite("Adam1 · Adam with bias correction", .graded(.adam1))
struct Adam1Tests {
    @Test("the first update (step 0 → 1) moves each coordinate by η·g/(|g| + ε)")
    func firstUpdate() throws {
        // State convention: step counts updates done, so a fresh state has step 0 and this
        // update uses t = 1. Then m = 0.1g, v = 0.001g², m̂ = m/(1 − 0.9) = g, v̂ = v/(1 − 0.999) = g²,
        // and the step is η·g/(|g| + ε): about η·sign(g), whatever the gradient's scale.
        let theta = Tensor([-1, -0.5, 0, 0.5, 1])
        let g = Tensor([-2, -1, 0, 1, 2])
        let (next, state) = try adamStep(theta, gradient: g, state: AdamState(like: theta), learningRate: 0.01)
        let expected = try theta - g.map { 0.01 * $0 / (abs($0) + 1e-8) }
        check(next, equals: expected, "θ after the first Adam update", in: .adam1, absoluteTolerance: 1e-15, relativeTolerance: 1e-14,
              misconceptions: AdamMistakes.all(theta, g, m: Tensor(zeros: [5]), v: Tensor(zeros: [5]), t: 1))
        check(state.step == 1, "after the first update the state's step should be 1, found \(state.step).", in: .adam1)
        check(state.m, equals: g * 0.1, "m after the first update, (1 − β₁)·g", in: .adam1, absoluteTolerance: 1e-16, relativeTolerance: 1e-14)
        check(state.v, equals: g.squared() * 0.001, "v after the first update, (1 − β₂)·g²", in: .adam1,
              absoluteTolerance: 1e-18, relativeTolerance: 1e-12)
    }

    @Test("the second update (step 1 → 2) uses the corrections 1 − β₁² and 1 − β₂²")
    func secondUpdate() throws {
        // m = 0.1, v = 0.001, step 1, g = 0.5: m = 0.09 + 0.05 = 0.14, v = 0.000999 + 0.00025 = 0.001249;
        // m̂ = 0.14/0.19 = 0.7368421052631579, v̂ = 0.001249/0.001999 = 0.6248124062031016;
        // θ = 0.3 − 0.01·m̂/(√v̂ + 1e−8) = 0.29067820372981606 (numpy).
        let state = AdamState(m: Tensor([0.1]), v: Tensor([0.001]), step: 1)
        let (theta, next) = try adamStep(Tensor([0.3]), gradient: Tensor([0.5]), state: state, learningRate: 0.01)
        check(next.m, equals: Tensor([0.14]), "m after the second update", in: .adam1)
        check(next.v, equals: Tensor([0.001249]), "v after the second update", in: .adam1)
        check(next.step == 2, "after the second update the state's step should be 2, found \(next.step).", in: .adam1)
        check(theta, equals: Tensor([0.29067820372981606]), "θ after the second update", in: .adam1,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-13,
              misconceptions: AdamMistakes.all(Tensor([0.3]), Tensor([0.5]), m: Tensor([0.1]), v: Tensor([0.001]), t: 2))
    }

    @Test("converges on the ill-conditioned bowl, where one learning rate fits both directions")
    func bowl() throws {
        // f = ½(θ₁² + 100θ₂²) from (1, 1) with η = 0.05: Adam's per-coordinate scaling makes both
        // coordinates move at the same pace; the formulas in numpy reach f < 1e−6 after 129 steps.
        var theta = Tensor([1, 1])
        var state = AdamState(like: theta)
        var steps = 0
        while !(QuadraticBowl.loss(theta) < 1e-6) && steps < 2000 {  // `!(… < …)`: a NaN loss keeps going
            (theta, state) = try adamStep(theta, gradient: QuadraticBowl.gradient(theta), state: state, learningRate: 0.05)
            steps += 1
        }
        check(QuadraticBowl.loss(theta) < 1e-6 && steps < 500, "Adam (η = 0.05) should bring f = ½(θ₁² + 100θ₂²) below 1e-6 within 500 steps; after \(steps) θ = \(theta).",
              in: .adam1)
        check(state.step == steps, "the state should count \(steps) updates, found \(state.step).", in: .adam1)
    }

    @Test("rejects moments whose shape differs from the parameter's")
    func rejects() throws {
        try checkThrowsShapeError("adamStep with parameter [2] and a state for [3]", in: .adam1) {
            _ = try adamStep(Tensor([1, 2]), gradient: Tensor([1, 2]), state: AdamState(like: Tensor([0, 0, 0])), learningRate: 0.1)
        }
    }
}

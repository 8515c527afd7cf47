import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let nesterov1 = Exercise(id: "Nesterov1", chapter: "05-Optimizers", file: "Nesterov.swift", title: "Nesterov momentum", points: 3)
}

@Suite("Nesterov1 · Nesterov momentum", .graded(.nesterov1))
struct Nesterov1Tests {
    @Test("v_new = μv − ηg, θ ← θ − μv + (1 + μ)v_new on a worked example")
    func worked() throws {
        // θ = [1, 2], v = [0.5, −0.5], g = [0.2, 0.4], η = 0.1, μ = 0.9: v_new = [0.43, −0.49];
        // θ = [1 − 0.45 + 1.9·0.43, 2 + 0.45 − 1.9·0.49] = [1.367, 1.519].
        // (PyTorch's form θ − ηg + μ·v_new gives [1 − 0.02 + 0.387, 2 − 0.04 − 0.441], the same.)
        let (theta, v) = try nesterovStep(Tensor([1, 2]), gradient: Tensor([0.2, 0.4]), velocity: Tensor([0.5, -0.5]),
                                          learningRate: 0.1, momentum: 0.9)
        check(v, equals: Tensor([0.43, -0.49]), "the new velocity", in: .nesterov1)
        check(theta, equals: Tensor([1.367, 1.519]), "the new parameter", in: .nesterov1,
              misconceptions: [Misconception(Tensor([1.43, 1.51]), "θ moved by v_new alone: that is plain momentum; Nesterov adds the look-ahead, θ ← θ − μv + (1 + μ)v_new"),
                               Misconception(Tensor([2.267, 0.619]), "θ moved by +μv + (1 + μ)v_new: undo the old look-ahead by subtracting μv (θ ← θ − μv + (1 + μ)v_new)")])
    }

    @Test("from rest, the first step is (1 + μ) times gradient descent's")
    func firstUpdate() throws {
        // v = 0: v_new = −ηg and θ moves by (1 + μ)·(−ηg): the step plus the look-ahead.
        let g = Tensor([-1, -0.5, 0, 0.5, 1])
        let (theta, _) = try nesterovStep(Tensor(zeros: [5]), gradient: g, velocity: Tensor(zeros: [5]), learningRate: 0.2, momentum: 0.5)
        check(theta, equals: g * -0.3, "θ after one step from rest (η = 0.2, μ = 0.5)", in: .nesterov1)
    }

    @Test("beats plain gradient descent and classical momentum on the ill-conditioned bowl")
    func fasterOnBowl() throws {
        let (eta, mu) = (QuadraticBowl.learningRate, QuadraticBowl.momentum)
        let plain = try QuadraticBowl.plainSteps()
        // Classical momentum written out here, so this test does not depend on Momentum1.
        let classical = try QuadraticBowl.stepsToTarget { theta, g, v in
            let next = try v * mu - g * eta
            return (try theta + next, next)
        }
        let nesterov = try QuadraticBowl.stepsToTarget { theta, g, v in
            try nesterovStep(theta, gradient: g, velocity: v, learningRate: eta, momentum: mu)
        }
        check(nesterov < classical && classical < plain, """
            on f = ½(θ₁² + 100θ₂²) with η = 0.01, μ = 0.9, Nesterov should need fewer steps to f < 1e-6 than \
            classical momentum (\(classical)) and plain descent (\(plain)); it took \(nesterov) (expected about 61).
            """, in: .nesterov1)
        // As for momentum: θ₁ moves by at most 0.1·max|θ₁| a step, so at least 10 steps (returning 0 takes 1).
        check(nesterov >= 10, "Nesterov reached f < 1e-6 in \(nesterov) steps; with η = 0.01, μ = 0.9 it needs at least 10 (about 61).", in: .nesterov1)
    }

    @Test("rejects a velocity whose shape differs from the parameter's")
    func rejects() throws {
        try checkThrowsShapeError("nesterovStep with parameter [2] and velocity [3]", in: .nesterov1) {
            _ = try nesterovStep(Tensor([1, 2]), gradient: Tensor([1, 2]), velocity: Tensor([0, 0, 0]), learningRate: 0.1, momentum: 0.9)
        }
    }
}

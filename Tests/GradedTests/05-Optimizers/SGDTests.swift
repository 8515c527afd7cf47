import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let sgd1 = Exercise(id: "SGD1", chapter: "05-Optimizers", file: "SGD.swift", title: "Gradient descent step", points: 2)
}

@Suite("SGD1 · Gradient descent step", .graded(.sgd1))
struct SGD1Tests {
    @Test("θ − η·g on evenly spaced values")
    func worked() throws {
        // θ = [−1, −0.5, 0, 0.5, 1], g = [0.2, 0.1, 0, −0.1, −0.2], η = 0.5:
        // θ − 0.5·g = [−1.1, −0.55, 0, 0.55, 1.1].
        let theta = try sgdStep(Tensor([-1, -0.5, 0, 0.5, 1]), gradient: Tensor([0.2, 0.1, 0, -0.1, -0.2]), learningRate: 0.5)
        check(theta, equals: Tensor([-1.1, -0.55, 0, 0.55, 1.1]), "sgdStep with η = 0.5", in: .sgd1,
              misconceptions: [Misconception(Tensor([-0.9, -0.45, 0, 0.45, 0.9]), "θ moved uphill: the code adds the gradient; descent subtracts it, θ − η·g")])
    }

    @Test("shrinks θ by (1 − η) per step on the bowl ½‖θ‖²")
    func bowl() throws {
        // ∇½‖θ‖² = θ, so each step multiplies θ by 1 − η = 0.9; after 10 steps by 0.9¹⁰.
        var rng = SeededGenerator(inputSeed: 501)
        let start = Tensor.randomNormal(shape: [2, 3], using: &rng)
        var theta = start
        for _ in 0..<10 { theta = try sgdStep(theta, gradient: theta, learningRate: 0.1) }
        check(theta, equals: start * pow(0.9, 10), "θ after 10 steps on ½‖θ‖² with η = 0.1", in: .sgd1,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-13)
    }

    @Test("rejects a gradient whose shape differs from the parameter's")
    func rejects() throws {
        try checkThrowsShapeError("sgdStep with parameter [2, 3] and gradient [3]", in: .sgd1) {
            _ = try sgdStep(Tensor(zeros: [2, 3]), gradient: Tensor([1, 2, 3]), learningRate: 0.1)
        }
    }
}

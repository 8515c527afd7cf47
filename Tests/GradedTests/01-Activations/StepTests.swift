import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let step1 = Exercise(id: "Step1", chapter: "01-Activations", file: "Step.swift", title: "The perceptron's step function", points: 2)
    static let step2 = Exercise(id: "Step2", chapter: "01-Activations", file: "Step.swift", title: "Why the step cannot be trained", points: 2)
}

@Suite("Step1 · The perceptron's step function", .graded(.step1))
struct Step1Tests {
    @Test("gives 1 for y > 0 and 0 otherwise, 0 at exactly 0 (notes 003)")
    func values() throws {
        // Notes 003: g(y) = 1 if y > 0, 0 otherwise; so g(0) = 0.
        let (out, _) = try stepForward(Tensor([-2, -0.001, 0, 0.001, 3]))
        check(out, equals: Tensor([0, 0, 0, 1, 1]), "stepForward([-2, -0.001, 0, 0.001, 3])", in: .step1,
              misconceptions: [Misconception(Tensor([0, 0, 1, 1, 1]), "the output is 1 at exactly 0 (y ≥ 0); the notes' step gives 1 only for y > 0")])
    }
}

@Suite("Step2 · Why the step cannot be trained", .graded(.step2))
struct Step2Tests {
    @Test("agrees with the numeric gradient, which is zero")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 61)
        // No draw lies within h = 1e-5 of the jump at 0, so every centered difference is 0.
        let x = Tensor.randomNormal(shape: [4, 5], using: &rng)
        let dout = Tensor.randomNormal(shape: [4, 5], using: &rng)
        let dx = try stepBackward(dout, cache: StepCache(x: x))
        let numeric = try numericGradient(of: { $0.map { $0 > 0 ? 1 : 0 } }, at: x, upstream: dout)
        checkGradient(dx, matches: numeric, "stepBackward", in: .step2,
                      misconceptions: [Misconception(dout, "dx equals dout: the code passes dout through as if the step were the identity (a straight-through estimate); its derivative is 0 wherever it exists, so dx = 0")])
        check(dx.shape == dout.shape, "stepBackward should return dout's shape \(dout.shape), returned \(dx.shape).", in: .step2)
    }

    @Test("leaves a perceptron's weights unchanged under gradient descent, however wrong it is")
    func cannotTrain() throws {
        // A perceptron ŷ = g(xw + b) that gets every one of four points wrong (targets are
        // the opposite of its outputs), with the squared error L = Σ(ŷ − y)²: dL/dŷ = 2(ŷ − y) ≠ 0.
        let x = try Tensor([[1, 2], [2, 1], [-1, -2], [-2, -1]])
        let w = try Tensor([[1], [1]])
        let z = try x.matmul(w)                       // [4, 1]: [3, 3, −3, −3]
        let yhat = z.map { $0 > 0 ? 1 : 0 }           // [1, 1, 0, 0]
        let target = 1 - yhat                         // [0, 0, 1, 1]
        let dyhat = try (yhat - target) * 2           // [2, 2, −2, −2]
        let dz = try stepBackward(dyhat, cache: StepCache(x: z))
        let dw = try Tensor.matmul(x, dz, transposeA: true)
        check(dw, equals: Tensor(zeros: [2, 1]), "dL/dw through the step function", in: .step2)
        // x's columns sum to 0, so dw alone would be 0 for any constant dz: dz itself is 0.
        check(dz, equals: Tensor(zeros: [4, 1]), "dL/dz through the step function (g' = 0 wherever it is defined)", in: .step2)
        check(dz.shape == [4, 1], "stepBackward should return dout's shape [4, 1], returned \(dz.shape).", in: .step2)
    }

    @Test("rejects an upstream gradient whose shape differs from the input's")
    func rejectsMismatchedSizes() throws {
        try checkThrowsShapeError("stepBackward with dout [3] and cached x [2]", in: .step2) {
            _ = try stepBackward(Tensor([1, 2, 3]), cache: StepCache(x: Tensor([1, 2])))
        }
    }
}

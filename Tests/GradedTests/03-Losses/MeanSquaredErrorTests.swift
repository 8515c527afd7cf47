import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let meanSquaredError1 = Exercise(id: "MeanSquaredError1", chapter: "03-Losses", file: "MeanSquaredError.swift",
                                            title: "Mean squared error (linear regression as a net)", points: 3)
}

/// Noise-free data from y = 2·x₁ − 3·x₂ + 0.5 on the grid x₁ ∈ {−1, −0.5, 0, 0.5, 1}, x₂ ∈ {−1, 0, 1}.
enum LinearRegressionExample {
    static let inputs: [[Double]] = [-1.0, -0.5, 0, 0.5, 1].flatMap { a in [-1.0, 0, 1].map { b in [a, b] } }
    static let targets: [[Double]] = inputs.map { [2 * $0[0] - 3 * $0[1] + 0.5] }
}

@Suite("MeanSquaredError1 · Mean squared error (linear regression as a net)", .graded(.meanSquaredError1))
struct MeanSquaredError1Tests {
    @Test("averages the squared differences, of three predictions or of one; the gradient is 2(p − t)/M")
    func worked() throws {
        // p − t = [−0.5, 0, 1]: loss (0.25 + 0 + 1)/3 = 0.41666…; gradient 2·[−0.5, 0, 1]/3.
        let (loss, dp) = try meanSquaredError(try Tensor([[1], [2], [3]]), targets: try Tensor([[1.5], [2], [2]]))
        check(loss, equals: 1.25 / 3, "meanSquaredError loss", in: .meanSquaredError1)
        checkExactGradient(dp, equals: try Tensor([[-1.0 / 3], [0], [2.0 / 3]]), "dpredictions", in: .meanSquaredError1,
              misconceptions: [Misconception(try Tensor([[-0.5 / 3], [0], [1.0 / 3]]), "the gradient is (p − t)/M: the derivative of (p − t)² carries a factor 2")])
        // A single prediction, M = 1: p − t = 2, loss 2² = 4, gradient 2·2 = 4.
        let (single, dsingle) = try meanSquaredError(try Tensor([[3]]), targets: try Tensor([[1]]))
        check(single, equals: 4, "meanSquaredError loss of the single prediction 3 against 1 (M = 1)", in: .meanSquaredError1,
              misconceptions: [Misconception(2, "one prediction was divided by 2: M is the number of entries, here 1 (only an empty input needs a guard against dividing by 0)")])
        checkExactGradient(dsingle, equals: try Tensor([[4]]), "dpredictions of the single prediction 3 against 1", in: .meanSquaredError1)
    }

    @Test("averages over every entry of a [2, 2] prediction, not over the rows")
    func everyEntry() throws {
        // p − t = [[1, 0], [0, 2]]: M = 4 entries, loss (1 + 4)/4 = 1.25, gradient 2(p − t)/4.
        let (loss, dp) = try meanSquaredError(try Tensor([[1, 2], [3, 4]]), targets: try Tensor([[0, 2], [3, 2]]))
        check(loss, equals: 1.25, "meanSquaredError loss of a [2, 2] prediction", in: .meanSquaredError1,
              misconceptions: [Misconception(2.5, "the loss divides by the number of rows (2); the mean is over every entry (M = 4)")])
        check(dp, equals: try Tensor([[0.5, 0], [0, 1]]), "dpredictions of a [2, 2] prediction", in: .meanSquaredError1,
              misconceptions: [Misconception(try Tensor([[1, 0], [0, 2]]), "the gradient divides by the number of rows (2); the mean is over every entry (M = 4)")])
    }

    @Test("matches the numeric gradient on seeded random [4, 3] predictions")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 331)
        let p = Tensor.randomNormal(shape: [4, 3], using: &rng)
        let t = Tensor.randomNormal(shape: [4, 3], using: &rng)
        let (_, dp) = try meanSquaredError(p, targets: t)
        let numeric = try numericGradient(of: { try meanSquaredError($0, targets: t).loss }, at: p)
        checkGradient(dp, matches: numeric, "meanSquaredError dpredictions", in: .meanSquaredError1)
    }

    @Test("trains a linear regression net ŷ = xw + b back to the weights that made the data")
    func linearRegression() throws {
        // On this centred grid the loss is a quadratic whose Hessian is diagonal,
        // 2·diag(E[x₁²], E[x₂²], 1) = diag(1, 4/3, 2); with η = 0.25 each error shrinks by at
        // least |1 − 0.25·1| = 0.75 per step, so 150 steps leave 0.75^150 ≈ 2e−19 of it.
        let x = try Tensor(LinearRegressionExample.inputs)
        let y = try Tensor(LinearRegressionExample.targets)
        var w = Tensor(zeros: [2, 1])
        var b = Tensor(zeros: [1])
        for _ in 0..<150 {
            let prediction = try x.matmul(w) + b
            let (_, dprediction) = try meanSquaredError(prediction, targets: y)
            w = try w - Tensor.matmul(x, dprediction, transposeA: true) * 0.25
            b = try b - Tensor([dprediction.sum()]) * 0.25
        }
        check(w, equals: try Tensor([[2], [-3]]), "the learned weights", in: .meanSquaredError1, absoluteTolerance: 1e-12, relativeTolerance: 0)
        check(b, equals: Tensor([0.5]), "the learned bias", in: .meanSquaredError1, absoluteTolerance: 1e-12, relativeTolerance: 0)
    }

    @Test("rejects targets of another shape instead of broadcasting")
    func rejects() throws {
        try checkThrowsShapeError("meanSquaredError with predictions [3, 1] and targets [3]", in: .meanSquaredError1) {
            _ = try meanSquaredError(Tensor(zeros: [3, 1]), targets: Tensor(zeros: [3]))
        }
    }
}

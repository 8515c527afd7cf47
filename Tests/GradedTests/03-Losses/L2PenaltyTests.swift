import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let l2Penalty1 = Exercise(id: "L2Penalty1", chapter: "03-Losses", file: "L2Penalty.swift", title: "L2 weight decay", points: 2)
}

@Suite("L2Penalty1 · L2 weight decay", .graded(.l2Penalty1))
struct L2Penalty1Tests {
    @Test("is (λ/2)·Σw² with gradient λ·w (the workbook's convention)")
    func worked() throws {
        // Σw² = 1 + 4 + 9 + 16 + 1 = 31; (0.1/2)·31 = 1.55. With λ·Σw² (Keras) it would be 3.1.
        let weights = [try Tensor([[1, 2], [3, 4]]), Tensor([-1])]
        let (loss, gradients) = try l2Penalty(weights, strength: 0.1)
        check(loss, equals: 1.55, "l2Penalty([[1, 2], [3, 4]], [-1]; λ = 0.1)", in: .l2Penalty1)
        check(gradients.count == 2, "one gradient per weight tensor: expected 2, got \(gradients.count).", in: .l2Penalty1)
        if gradients.count == 2 {
            check(gradients[0], equals: try Tensor([[0.1, 0.2], [0.3, 0.4]]), "the gradient of the first tensor", in: .l2Penalty1)
            check(gradients[1], equals: Tensor([-0.1]), "the gradient of the second tensor", in: .l2Penalty1)
        }
    }

    @Test("matches the numeric gradient for each tensor")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 341)
        let a = Tensor.randomNormal(shape: [3, 4], using: &rng)
        let b = Tensor.randomNormal(shape: [2, 2, 3], using: &rng)
        let (_, gradients) = try l2Penalty([a, b], strength: 0.3)
        check(gradients.count == 2, "one gradient per weight tensor: expected 2, got \(gradients.count).", in: .l2Penalty1)
        guard gradients.count == 2 else { return }
        checkGradient(gradients[0], matches: try numericGradient(of: { try l2Penalty([$0, b], strength: 0.3).loss }, at: a),
                      "the gradient of the first tensor", in: .l2Penalty1)
        checkGradient(gradients[1], matches: try numericGradient(of: { try l2Penalty([a, $0], strength: 0.3).loss }, at: b),
                      "the gradient of the second tensor", in: .l2Penalty1)
    }

    @Test("is the negative log-density of a Gaussian prior N(0, 1/λ) up to a constant, and its gradient the prior's score (a measurement)")
    func gaussianPrior() throws {
        // Notes 003: L2 regularization is a Gaussian prior on the weights. With each weight ~ N(0, σ²), σ² = 1/λ,
        //     −log p(w) = Σ w²/(2σ²) + (n/2)·log(2πσ²) = (λ/2)·Σ w² + const,
        // so penalty(w) + log p(w) is the same number, −(n/2)·log(2π/λ), for every w, and the penalty's gradient is
        // −∂ log p/∂w = w/σ² = λ·w. Minimizing loss + penalty is then maximizing the posterior (MAP).
        let lambda = 0.25, variance: Double = 1 / 0.25
        let logNormalizer: Double = -0.5 * Foundation.log(2 * Double.pi * variance)
        var rng = SeededGenerator(inputSeed: 343)
        for trial in 0..<3 {
            let w = Tensor.randomNormal(shape: [2, 3], standardDeviation: Double(trial + 1), using: &rng)
            let logPrior: Double = w.scalars.map { (v: Double) -> Double in logNormalizer - v * v / (2 * variance) }.reduce(0, +)
            let constant: Double = -3 * Foundation.log(2 * Double.pi / lambda)
            let (penalty, gradients) = try l2Penalty([w], strength: lambda)
            check(penalty + logPrior, equals: constant,
                  "penalty(w) + log N(w; 0, 1/λ) for draw \(trial) (it should be the constant −(n/2)·log(2π/λ), n = 6)", in: .l2Penalty1,
                  absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
            guard let g = gradients.first else { continue }
            check(g, equals: w.map { $0 / variance }, "the penalty's gradient against the prior's −∂log p/∂w = w/σ²", in: .l2Penalty1,
                  absoluteTolerance: 1e-15, relativeTolerance: 1e-12)
        }
    }

    @Test("makes a gradient step scale each weight by (1 − ηλ): the decay in weight decay")
    func decay() throws {
        // η = 0.5, λ = 0.2: w − η·λw = 0.9·w.
        let w = Tensor([-2, -1, 0, 1, 2])
        let (_, gradients) = try l2Penalty([w], strength: 0.2)
        check(gradients.count == 1, "one gradient per weight tensor: expected 1, got \(gradients.count).", in: .l2Penalty1)
        guard let g = gradients.first else { return }
        check(try w - g * 0.5, equals: w * 0.9, "w − 0.5·gradient for λ = 0.2", in: .l2Penalty1)
        let (none, noGradients) = try l2Penalty([], strength: 0.2)
        check(none == 0 && noGradients.isEmpty, "no weights: penalty 0 and no gradients; got \(none) and \(noGradients.count).", in: .l2Penalty1)
    }
}

import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let sigmoidBCE1 = Exercise(id: "SigmoidBCE1", chapter: "03-Losses", file: "BinaryCrossEntropy.swift",
                                              title: "Stable sigmoid binary cross-entropy", points: 4)
}

@Suite("SigmoidBCE1 · Stable sigmoid binary cross-entropy", .graded(.sigmoidBCE1))
struct SigmoidBCE1Tests {
    @Test("logits [0, 2, −1] with targets [1, 0, 0]")
    func worked() throws {
        // Losses: −log σ(0) = log 2; −log(1 − σ(2)) = log(1 + e²) = 2.1269280110429727;
        // −log(1 − σ(−1)) = log(1 + e^(−1)) = 0.31326168751822286. Mean 1.0444456263737136 (numpy).
        // Gradient (σ(z) − t)/3: [(0.5 − 1)/3, σ(2)/3, σ(−1)/3].
        let (loss, dlogits) = try sigmoidBinaryCrossEntropy(try Tensor([[0], [2], [-1]]), targets: try Tensor([[1], [0], [0]]))
        check(loss, equals: 1.0444456263737136, "the mean loss", in: .sigmoidBCE1, absoluteTolerance: 1e-15, relativeTolerance: 1e-14)
        let expected = try Tensor([[-1.0 / 6], [0.8807970779778823 / 3], [0.2689414213699951 / 3]])
        checkExactGradient(dlogits, equals: expected, "dlogits", in: .sigmoidBCE1,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-14,
              misconceptions: [
                Misconception(expected * 3, "dlogits equals σ(z) − t, the gradient of the summed loss; the loss is the mean, so divide by N"),
                Misconception(expected * -1, "dlogits equals (t − σ(z))/N, the gradient with the sign flipped; ∂L/∂z = (σ(z) − t)/N"),
              ])
    }

    @Test("stays finite for logits of ±1000")
    func huge() throws {
        // σ(1000) rounds to 1, so −log(1 − σ) would be ∞; the exact loss is log(1 + e^1000) = 1000
        // (to 1e−434). Rows: (1000, t = 0) → 1000, (−1000, t = 1) → 1000, (1000, t = 1) → 0.
        let (loss, dlogits) = try sigmoidBinaryCrossEntropy(try Tensor([[1000], [-1000], [1000]]), targets: try Tensor([[0], [1], [1]]))
        check(loss.isFinite, "the loss for logits of ±1000 is \(loss): log σ(z) and log(1 − σ(z)) overflow; use max(z, 0) − z·t + log(1 + e^(−|z|)).", in: .sigmoidBCE1)
        check(loss, equals: 2000.0 / 3, "the mean loss for logits of ±1000", in: .sigmoidBCE1)
        check(dlogits, equals: try Tensor([[1.0 / 3], [-1.0 / 3], [0]]), "dlogits for logits of ±1000", in: .sigmoidBCE1)
    }

    @Test("matches the numeric gradient on seeded random logits")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 321)
        let logits = Tensor.randomNormal(shape: [8, 1], standardDeviation: 3, using: &rng)
        let targets = Tensor(shape: [8, 1]) { _ in rng.nextBernoulli(0.5) ? 1 : 0 }
        let (_, dlogits) = try sigmoidBinaryCrossEntropy(logits, targets: targets)
        let numeric = try numericGradient(of: { try sigmoidBinaryCrossEntropy($0, targets: targets).loss }, at: logits)
        checkGradient(dlogits, matches: numeric, "sigmoidBinaryCrossEntropy dlogits", in: .sigmoidBCE1)
    }

    @Test("rejects logits that are not [N, 1] and targets of another shape")
    func rejects() throws {
        try checkThrowsShapeError("sigmoidBinaryCrossEntropy with logits [2, 2]", in: .sigmoidBCE1) {
            _ = try sigmoidBinaryCrossEntropy(Tensor(zeros: [2, 2]), targets: Tensor(zeros: [2, 2]))
        }
        try checkThrowsShapeError("sigmoidBinaryCrossEntropy with logits [3, 1] and targets [3]", in: .sigmoidBCE1) {
            _ = try sigmoidBinaryCrossEntropy(Tensor(zeros: [3, 1]), targets: Tensor(zeros: [3]))
        }
    }
}

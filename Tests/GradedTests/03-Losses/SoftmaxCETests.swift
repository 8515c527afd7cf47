import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let softmaxCE1 = Exercise(id: "SoftmaxCE1", chapter: "03-Losses", file: "SoftmaxCrossEntropy.swift",
                                               title: "Fused softmax cross-entropy and its gradient", points: 4)
}

@Suite("SoftmaxCE1 · Fused softmax cross-entropy and its gradient", .graded(.softmaxCE1))
struct SoftmaxCE1Tests {
    @Test("logits [1, 2, 3] with class 2: loss log(e + e² + e³) − 3 and gradient softmax − onehot")
    func worked() throws {
        // softmax([1, 2, 3]) = [0.09003057317038046, 0.24472847105479764, 0.6652409557748218]
        // loss = −log 0.6652409557748218 = 0.4076059644443804 (numpy)
        let (loss, dlogits) = try softmaxCrossEntropy(try Tensor([[1, 2, 3]]), labels: [2])
        check(loss, equals: 0.4076059644443804, "softmaxCrossEntropy([[1, 2, 3]], labels: [2]).loss", in: .softmaxCE1)
        checkExactGradient(dlogits, equals: try Tensor([[0.09003057317038046, 0.24472847105479764, 0.6652409557748218 - 1]]),
              "dlogits", in: .softmaxCE1, absoluteTolerance: 1e-15, relativeTolerance: 1e-14)
    }

    @Test("averages over the rows: the loss is the mean, dlogits is divided by N")
    func mean() throws {
        // Row 1 as above; row 2 has equal logits [0, 0, 0] with class 0: loss log 3, gradient
        // [1/3 − 1, 1/3, 1/3]. The loss is the mean of the two; N = 2 halves every gradient.
        let (loss, dlogits) = try softmaxCrossEntropy(try Tensor([[1, 2, 3], [0, 0, 0]]), labels: [2, 0])
        check(loss, equals: (0.4076059644443804 + log(3)) / 2, "the mean loss of two rows", in: .softmaxCE1)
        let third = 1.0 / 3
        let expected = try Tensor([[0.09003057317038046, 0.24472847105479764, 0.6652409557748218 - 1],
                                   [third - 1, third, third]]) / 2
        let probabilities = try Tensor([[0.09003057317038046, 0.24472847105479764, 0.6652409557748218], [third, third, third]])
        checkExactGradient(dlogits, equals: expected, "dlogits for two rows (divided by N = 2)", in: .softmaxCE1,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-14,
              misconceptions: [
                Misconception(expected * 2, "dlogits equals ŷ − onehot(y) without dividing by N; the loss is the mean, so divide by N"),
                Misconception(probabilities / 2, "dlogits equals ŷ/N: the one-hot label is never subtracted; the gradient is (ŷ − onehot(y))/N"),
              ])
    }

    @Test("matches the numeric gradient on seeded random logits")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 311)
        let logits = Tensor.randomNormal(shape: [4, 5], standardDeviation: 2, using: &rng)
        let labels = (0..<4).map { _ in Int(rng.next() % 5) }
        let (_, dlogits) = try softmaxCrossEntropy(logits, labels: labels)
        let numeric = try numericGradient(of: { try softmaxCrossEntropy($0, labels: labels).loss }, at: logits)
        checkGradient(dlogits, matches: numeric, "softmaxCrossEntropy dlogits", in: .softmaxCE1)
    }

    @Test("10 classes at tiny weights give a loss of about log 10 (the sanity check)")
    func logTen() throws {
        // With every |z| ≤ m, each row's loss log Σ e^z − z_y lies within 2m of log 10
        // (log Σ e^z ∈ [log 10 − m, log 10 + m] and |z_y| ≤ m). Tiny weights make m tiny.
        var rng = SeededGenerator(inputSeed: 312)
        let x = Tensor.randomNormal(shape: [16, 8], using: &rng)
        let w = Tensor.randomNormal(shape: [8, 10], standardDeviation: 1e-4, using: &rng)
        let logits = try x.matmul(w)
        let labels = (0..<16).map { _ in Int(rng.next() % 10) }
        let m = logits.scalars.map(abs).max() ?? 0
        let (loss, _) = try softmaxCrossEntropy(logits, labels: labels)
        check(abs(loss - log(10)) <= 2 * m, "with tiny weights the loss should be log 10 = \(log(10.0)) within 2·max|z| = \(2 * m); got \(loss).",
              in: .softmaxCE1)
    }

    @Test("stays finite for logits of ±1000")
    func huge() throws {
        // Row [1000, 0, −1000]: class 0 has probability 1 − e^(−1000) ≈ 1 → loss 0, gradient 0;
        // class 1 has log-probability −1000 → loss 1000, gradient [1, −1, 0]. Mean over N = 2.
        let logits = try Tensor([[1000, 0, -1000], [1000, 0, -1000]])
        let (loss, dlogits) = try softmaxCrossEntropy(logits, labels: [0, 1])
        check(loss.isFinite && !dlogits.scalars.contains { !$0.isFinite },
              "logits of ±1000 gave loss \(loss) and dlogits \(dlogits): e^1000 overflows; subtract each row's max before exponentiating.", in: .softmaxCE1)
        check(loss, equals: 500, "the mean loss of rows with losses 0 and 1000", in: .softmaxCE1)
        check(dlogits, equals: try Tensor([[0, 0, 0], [0.5, -0.5, 0]]), "dlogits for logits of ±1000", in: .softmaxCE1)
    }

    @Test("rejects labels outside 0..<K and the wrong number of labels")
    func rejects() throws {
        let logits = try Tensor([[1, 2, 3], [0, 0, 0]])
        try checkThrowsShapeError("softmaxCrossEntropy with label 3 for K = 3", in: .softmaxCE1) {
            _ = try softmaxCrossEntropy(logits, labels: [3, 0])
        }
        try checkThrowsShapeError("softmaxCrossEntropy with label -1", in: .softmaxCE1) {
            _ = try softmaxCrossEntropy(logits, labels: [0, -1])
        }
        try checkThrowsShapeError("softmaxCrossEntropy with 1 label for 2 rows", in: .softmaxCE1) {
            _ = try softmaxCrossEntropy(logits, labels: [0])
        }
    }
}

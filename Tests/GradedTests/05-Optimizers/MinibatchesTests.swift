import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let minibatch1 = Exercise(id: "Minibatch1", chapter: "05-Optimizers", file: "Minibatches.swift", title: "Shuffled minibatches for SGD", points: 3)
}

@Suite("Minibatch1 · Shuffled minibatches for SGD", .graded(.minibatch1))
struct Minibatch1Tests {
    @Test("cuts one seeded permutation of 0..<10 into batches of 4, 4 and 2")
    func batches() throws {
        var rng = SeededGenerator(inputSeed: 511)
        let batches = try minibatchIndices(count: 10, batchSize: 4, using: &rng)
        check(batches.map(\.count) == [4, 4, 2], "batch sizes for 10 examples in batches of 4: expected [4, 4, 2], got \(batches.map(\.count))\(batches.map(\.count) == [4, 4] ? "; the last, smaller batch is missing (keep it: every example is used once per epoch)" : "").",
              in: .minibatch1)
        check(batches.flatMap { $0 }.sorted() == Array(0..<10), "every index 0..<10 exactly once; got \(batches).", in: .minibatch1)
        // The convention: one call to permutation(count), cut in order.
        var reference = SeededGenerator(inputSeed: 511)
        let order = reference.permutation(10)
        check(batches.flatMap { $0 } == order, "the batches, joined, should be generator.permutation(10) = \(order); got \(batches)\(batches.flatMap { $0 } == Array(0..<10) ? " (the data's own order: shuffle every epoch with generator.permutation)" : "").",
              in: .minibatch1)
        check(rng == reference, "the generator should have advanced exactly as one permutation(10) does, so the next epoch shuffles differently.",
              in: .minibatch1)
    }

    @Test("handles a batch size that divides the count, one larger than it, and no examples")
    func edges() throws {
        var rng = SeededGenerator(inputSeed: 512)
        let even = try minibatchIndices(count: 6, batchSize: 3, using: &rng)
        check(even.map(\.count) == [3, 3], "6 examples in batches of 3: expected sizes [3, 3], got \(even.map(\.count)).", in: .minibatch1)
        let whole = try minibatchIndices(count: 5, batchSize: 8, using: &rng)
        check(whole.map(\.count) == [5], "5 examples in batches of 8: one batch of 5, got \(whole.map(\.count)).", in: .minibatch1)
        let single = try minibatchIndices(count: 4, batchSize: 1, using: &rng)
        check(single.map(\.count) == [1, 1, 1, 1], "batch size 1 (one example per step): expected sizes [1, 1, 1, 1], got \(single.map(\.count)).",
              in: .minibatch1)
        let none = try minibatchIndices(count: 0, batchSize: 8, using: &rng)
        check(none.isEmpty, "0 examples give no batches, got \(none).", in: .minibatch1)
    }

    @Test("minibatch SGD recovers a linear regression from noise-free data")
    func minibatchDescent() throws {
        // The 15 grid points of the MSE exercise, y = 2x₁ − 3x₂ + 0.5, batches of 4, η = 0.1, 60 epochs.
        // Noise-free data: every batch's gradient vanishes at the true weights, so SGD converges to them
        // exactly (numpy, with its own shuffles: error 6e−12). The update is written out here.
        var rng = SeededGenerator(inputSeed: 514)
        let x = try Tensor(LinearRegressionExample.inputs)
        let y = try Tensor(LinearRegressionExample.targets)
        var w = Tensor(zeros: [2, 1])
        var b = 0.0
        for _ in 0..<60 {
            for batch in try minibatchIndices(count: 15, batchSize: 4, using: &rng) {
                let (xb, yb) = (try x.gathering(batch), try y.gathering(batch))
                // d(mean squared error)/d(prediction) = 2(xw + b − y)/B.
                let d = (try xb.matmul(w) + b - yb) * (2 / Double(batch.count))
                w = try w - Tensor.matmul(xb, d, transposeA: true) * 0.1
                b -= 0.1 * d.sum()
            }
        }
        check(w, equals: try Tensor([[2], [-3]]), "the weights after 60 epochs of minibatch SGD", in: .minibatch1,
              absoluteTolerance: 1e-8, relativeTolerance: 0)
        check(b, equals: 0.5, "the bias after 60 epochs of minibatch SGD", in: .minibatch1, absoluteTolerance: 1e-8, relativeTolerance: 0)
    }

    @Test("rejects a batch size below 1")
    func rejects() throws {
        var rng = SeededGenerator(inputSeed: 513)
        try checkThrowsShapeError("minibatchIndices with batchSize 0", in: .minibatch1) {
            _ = try minibatchIndices(count: 10, batchSize: 0, using: &rng)
        }
    }
}

import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let dropout3 = Exercise(id: "Dropout3", chapter: "07-Dropout", file: "StandardDropout.swift",
                                   title: "Standard dropout and test-time scaling", points: 3)
}

@Suite("Dropout3 · Standard dropout and test-time scaling", .graded(.dropout3))
struct Dropout3Tests {
    @Test("training applies the mask without rescaling (notes 001), here on notes 002's 5×2 example")
    func trainingDoesNotRescale() throws {
        let (out, cache) = try standardDropoutForward(try Tensor(DropoutNotesExample.x), keepProbability: 0.8,
                                                      mask: try Tensor(DropoutNotesExample.mask), mode: .training)
        // x ⊙ mask: only the last element is zeroed; nothing is divided by 0.8.
        check(out, equals: try Tensor([[0, 1], [2, 3], [4, 5], [6, 7], [8, 0]]), "standard dropout in training", in: .dropout3,
              misconceptions: [Misconception(try Tensor([[0, 1], [2, 3], [4, 5], [6, 7], [8, 0]]) / 0.8,
                                             "the kept units are divided by keep in training, which is inverted dropout; standard dropout leaves training outputs unscaled and multiplies by keep at test time")])
        check(cache.scale, equals: 1, "cache.scale in training (standard dropout does not rescale)", in: .dropout3)
    }

    @Test("inference multiplies by alpha, the expected training output E[y] = alpha·h(a), and caches a mask of ones")
    func inferenceScales() throws {
        var rng = SeededGenerator(inputSeed: 9)
        let x = try Tensor([[1, -2, 3], [0.5, 4, -1]])
        let before = rng
        let (test, cache) = try standardDropoutForward(x, keepProbability: 0.8, mode: .inference, using: &rng)
        check(test, equals: x * 0.8, "standard dropout at test time (0.8·x)", in: .dropout3,
              misconceptions: [Misconception(x, "the output at test time is x itself (as in inverted dropout); standard dropout multiplies by keep at test time"),
                               Misconception(x / 0.8, "the output at test time is x/keep: the code divides by keep; standard dropout multiplies by keep at test time")])
        check(rng == before, "inference mode must not draw from the generator.", in: .dropout3)
        check(cache.scale, equals: 0.8, "cache.scale at test time (the gradient is scaled by alpha too)", in: .dropout3)
        check(cache.mask, equals: Tensor(repeating: 1, shape: x.shape), "cache.mask at test time (no unit is dropped: all ones)", in: .dropout3)
        // The bagging view: the average training output over many masks approaches the test-time output.
        var sum = Tensor(zeros: x.shape)
        let draws = 2000
        for _ in 0..<draws { sum = try sum + standardDropoutForward(x, keepProbability: 0.8, mode: .training, using: &rng).out }
        // Per element: standard deviation |x|·sqrt(0.8·0.2) = 0.4|x|, standard error 0.4|x|/√2000 ≈ 0.009|x|
        // against a mean of 0.8|x|, i.e. 1.1% relative; 7% is over 6 standard errors.
        check(sum / Double(draws), equals: test, "the mean of 2000 training outputs vs the test-time output",
              in: .dropout3, absoluteTolerance: 0, relativeTolerance: 0.07)
    }

    @Test("pushing alpha into the next layer's weights gives the same test-time output (notes 001)")
    func foldingIntoWeights() throws {
        var rng = SeededGenerator(inputSeed: 10)
        let h = Tensor.randomNormal(shape: [4, 5], using: &rng)   // the dropout layer's input h(a)
        let w = Tensor.randomNormal(shape: [5, 3], using: &rng)   // the next layer's weights
        let b = Tensor.randomNormal(shape: [3], using: &rng)
        let alpha = 0.7
        // Route 1: test-time scaling, then the next layer with its trained weights.
        let scaled = try standardDropoutForward(h, keepProbability: alpha, mask: Tensor(repeating: 1, shape: [4, 5]), mode: .inference).out
        let route1 = try Tensor.matmul(scaled, w) + b
        // Route 2: no dropout layer at test time; the next layer uses alpha·W (and the same b).
        let folded = try foldKeepProbability(into: w, keepProbability: alpha)
        check(folded, equals: w * alpha, "foldKeepProbability(into: W, 0.7)", in: .dropout3,
              misconceptions: [Misconception(w / alpha, "foldKeepProbability divides the weights by keep; folding multiplies them, W·keep")])
        let route2 = try Tensor.matmul(h, folded) + b
        check(route2, equals: route1, "the next layer's output with folded weights vs with test-time scaling",
              in: .dropout3, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("keep probability 1 keeps every unit unchanged, and folds into W as W (it is inside (0, 1])")
    func keepOne() throws {
        var rng = SeededGenerator(inputSeed: 3)
        let x = Tensor.randomNormal(shape: [3, 4], using: &rng)
        let (out, _) = try standardDropoutForward(x, keepProbability: 1, mode: .training, using: &rng)
        check(out, equals: x, "standardDropoutForward(x, keepProbability: 1) in training", in: .dropout3)
        let (test, _) = try standardDropoutForward(x, keepProbability: 1, mode: .inference, using: &rng)
        check(test, equals: x, "standardDropoutForward(x, keepProbability: 1) at inference (scaled by 1)", in: .dropout3)
        check(try foldKeepProbability(into: x, keepProbability: 1), equals: x, "foldKeepProbability(into: W, keepProbability: 1) (W·1)", in: .dropout3)
        // Beside a keep below 1, so that returning x untouched does not pass this test.
        let mask = Tensor(shape: x.shape) { $0 % 2 == 0 ? 1 : 0 }
        let (half, _) = try standardDropoutForward(x, keepProbability: 0.5, mask: mask, mode: .training)
        check(half, equals: try x * mask, "standardDropoutForward(x, keepProbability: 0.5, mask:) in training (no scaling)", in: .dropout3)
    }

    @Test("refuses a keep probability outside (0, 1]")
    func rejectsKeepProbabilityOutsideRange() throws {
        let x = Tensor([1, 2])
        var rng = SeededGenerator(inputSeed: 1)
        for bad in [0, 1.25, -1] {
            try checkThrows(InvalidKeepProbability.self, "standardDropoutForward(keepProbability: \(bad), mask:)", in: .dropout3) {
                _ = try standardDropoutForward(x, keepProbability: bad, mask: Tensor([1, 1]), mode: .inference)
            }
            try checkThrows(InvalidKeepProbability.self, "standardDropoutForward(keepProbability: \(bad), using:)", in: .dropout3) {
                _ = try standardDropoutForward(x, keepProbability: bad, mode: .training, using: &rng)
            }
            try checkThrows(InvalidKeepProbability.self, "foldKeepProbability(keepProbability: \(bad))", in: .dropout3) {
                _ = try foldKeepProbability(into: Tensor([1]), keepProbability: bad)
            }
        }
    }
}

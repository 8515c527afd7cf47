import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let dropout1 = Exercise(id: "Dropout1", chapter: "07-Dropout", file: "InvertedDropout.swift", title: "Inverted dropout forward", points: 3)
    static let dropout2 = Exercise(id: "Dropout2", chapter: "07-Dropout", file: "InvertedDropout.swift", title: "Dropout backward", points: 2)
}

/// Notes 002: `np.arange(10).reshape(5, 2)` through inverted dropout with keep_prob = 0.8, where the
/// draw dropped only the last element. Kept values are divided by 0.8 (×1.25).
enum DropoutNotesExample {
    static let x: [[Double]] = [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]
    static let mask: [[Double]] = [[1, 1], [1, 1], [1, 1], [1, 1], [1, 0]]
    static let keepProbability = 0.8
    static let out: [[Double]] = [[0, 1.25], [2.5, 3.75], [5, 6.25], [7.5, 8.75], [10, 0]]
}

@Suite("Dropout1 · Inverted dropout forward", .graded(.dropout1))
struct Dropout1Tests {
    @Test("reproduces notes 002: arange(10) as 5×2, keep 0.8, last element dropped")
    func notesExample() throws {
        let (out, cache) = try dropoutForward(try Tensor(DropoutNotesExample.x), keepProbability: 0.8,
                                              mask: try Tensor(DropoutNotesExample.mask), mode: .training)
        let dropped = try Tensor(DropoutNotesExample.x) * Tensor(DropoutNotesExample.mask)
        check(out, equals: try Tensor(DropoutNotesExample.out), "inverted dropout of the notes' 5×2 example", in: .dropout1,
              misconceptions: [Misconception(dropped * 0.8, "the output equals x·mask·keep; inverted dropout divides by keep (x·mask/keep)"),
                               Misconception(dropped, "the output equals x·mask, not scaled: inverted dropout divides the kept units by keep so that E[out] = x")])
        check(cache.mask, equals: try Tensor(DropoutNotesExample.mask), "cache.mask", in: .dropout1)
        // scale = 1 / 0.8 = 1.25: what every kept unit was multiplied by.
        check(cache.scale, equals: 1.25, "cache.scale (1 / keepProbability)", in: .dropout1)
    }

    @Test("is the identity in inference mode, draws nothing and caches ones with scale 1")
    func inferenceIsIdentity() throws {
        var rng = SeededGenerator(inputSeed: 5)
        let x = Tensor.randomNormal(shape: [3, 4], using: &rng)
        let before = rng
        let (out, cache) = try dropoutForward(x, keepProbability: 0.5, mode: .inference, using: &rng)
        check(out, equals: x, "dropoutForward in inference mode", in: .dropout1)
        check(rng == before, "inference mode must not draw from the generator (no randomness at test time).", in: .dropout1)
        check(cache.mask, equals: Tensor(repeating: 1, shape: [3, 4]), "cache.mask in inference", in: .dropout1)
        check(cache.scale, equals: 1, "cache.scale in inference", in: .dropout1)
        let (out2, cache2) = try dropoutForward(x, keepProbability: 0.5, mask: Tensor(zeros: [3, 4]), mode: .inference)
        check(out2, equals: x, "dropoutForward(mask:) in inference mode ignores the mask", in: .dropout1,
              misconceptions: [Misconception(x * 0.5, "the output at inference is keep·x: inverted dropout already scaled in training, so inference returns x unchanged")])
        check(cache2.mask, equals: Tensor(repeating: 1, shape: [3, 4]), "cache.mask of dropoutForward(mask:) in inference", in: .dropout1)
        check(cache2.scale, equals: 1, "cache.scale of dropoutForward(mask:) in inference", in: .dropout1,
              misconceptions: [Misconception(2, "the inference cache records the training scale 1/keep; at inference nothing is scaled, so its scale is 1")])
    }

    @Test("draws the mask as rng.nextUniform() < keepProbability, one draw per element in row-major order")
    func drawOrder() throws {
        // The workbook pins the draw so a seed reproduces a training run on every machine:
        // the notes' `np.random.rand(...) < keep_prob`, element by element.
        var reference = SeededGenerator(inputSeed: 77)
        let expectedMask = Tensor(shape: [4, 5]) { _ in reference.nextUniform() < 0.6 ? 1 : 0 }
        let x = Tensor(shape: [4, 5]) { Double($0) - 7.5 }
        var rng = SeededGenerator(inputSeed: 77)
        let (out, cache) = try dropoutForward(x, keepProbability: 0.6, mode: .training, using: &rng)
        check(cache.mask, equals: expectedMask, "the mask drawn with seed 77", in: .dropout1,
              misconceptions: [Misconception(1 - expectedMask, "the mask keeps a unit when the draw is ≥ keep, i.e. with probability 1 − keep; keep it when rng.nextUniform() < keep")])
        check(rng == reference, "dropoutForward should make exactly one uniform draw per element.", in: .dropout1)
        let expected = try Tensor.zip(x, expectedMask, operation: "expected") { $0 * $1 / 0.6 }
        check(out, equals: expected, "dropoutForward(x) with seed 77, keep 0.6", in: .dropout1)
    }

    @Test("keeps a fraction ≈ keepProbability and preserves the expectation, E[out] = x")
    func expectation() throws {
        var rng = SeededGenerator(inputSeed: 2024)
        let x = try Tensor([[1, -2, 3], [0.5, 4, -1]])
        let draws = 2000, keep = 0.8
        var sum = Tensor(zeros: x.shape)
        var kept = 0.0
        for _ in 0..<draws {
            let (out, cache) = try dropoutForward(x, keepProbability: keep, mode: .training, using: &rng)
            sum = try sum + out
            kept += cache.mask.sum()
        }
        // Kept fraction over 12 000 Bernoulli(0.8) draws: standard error sqrt(0.8·0.2/12000) ≈ 0.0037;
        // the tolerance 0.02 is over 5 standard errors.
        let fraction = kept / Double(draws * x.count)
        check(fraction, equals: keep, "the fraction of kept units", in: .dropout1, absoluteTolerance: 0.02, relativeTolerance: 0)
        // Per element, out is x/0.8 with probability 0.8, else 0: standard deviation |x|·sqrt(0.2/0.8) = 0.5|x|,
        // so the mean of 2000 draws has standard error 0.5|x|/√2000 ≈ 0.011|x|; 7% relative is over 6 of them.
        check(sum / Double(draws), equals: x, "the mean of 2000 dropout outputs (E[out] = x)", in: .dropout1,
              absoluteTolerance: 0, relativeTolerance: 0.07)
    }

    @Test("keepProbability = 1 keeps everything; values outside (0, 1] throw InvalidKeepProbability")
    func keepProbabilityRange() throws {
        var rng = SeededGenerator(inputSeed: 1)
        let x = Tensor([1, 2, 3, 4])
        let (out, _) = try dropoutForward(x, keepProbability: 1, mode: .training, using: &rng)
        check(out, equals: x, "dropout with keepProbability 1 (keep every unit, scale 1)", in: .dropout1)
        for bad in [0, -0.2, 1.5, Double.nan] {
            try checkThrows(InvalidKeepProbability.self, "dropoutForward(keepProbability: \(bad), using:)", in: .dropout1) {
                _ = try dropoutForward(x, keepProbability: bad, mode: .training, using: &rng)
            }
            try checkThrows(InvalidKeepProbability.self, "dropoutForward(keepProbability: \(bad), mode: .inference, using:) (a bad keep is refused in both modes)", in: .dropout1) {
                _ = try dropoutForward(x, keepProbability: bad, mode: .inference, using: &rng)
            }
            try checkThrows(InvalidKeepProbability.self, "dropoutForward(keepProbability: \(bad), mask:)", in: .dropout1) {
                _ = try dropoutForward(x, keepProbability: bad, mask: Tensor([1, 1, 1, 1]), mode: .training)
            }
        }
        try checkThrowsShapeError("dropoutForward with x [4] and mask [2, 2]", in: .dropout1) {
            _ = try dropoutForward(x, keepProbability: 0.5, mask: Tensor(repeating: 1, shape: [2, 2]), mode: .training)
        }
    }
}

@Suite("Dropout2 · Dropout backward", .graded(.dropout2))
struct Dropout2Tests {
    @Test("reuses the mask and scale of notes 002's example")
    func notesExample() throws {
        // out = x ⊙ mask · 1.25, so with dout = 1 everywhere dx is the mask times 1.25.
        let cache = DropoutCache(mask: try Tensor(DropoutNotesExample.mask), scale: 1.25)
        let dx = try dropoutBackward(Tensor(repeating: 1, shape: [5, 2]), cache: cache)
        checkExactGradient(dx, equals: try Tensor([[1.25, 1.25], [1.25, 1.25], [1.25, 1.25], [1.25, 1.25], [1.25, 0]]),
              "dropoutBackward(ones) for the notes' mask", in: .dropout2,
              misconceptions: [Misconception(cache.mask, "dx equals dout·mask without the forward pass's scale: multiply by cache.scale (1/keep) too"),
                               Misconception(Tensor(repeating: 1.25, shape: [5, 2]), "dx is dout·scale everywhere, so gradient flows through dropped units; multiply by the mask")])
    }

    @Test("matches the numeric gradient of x ⊙ mask / keepProbability")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 231)
        let x = Tensor.randomNormal(shape: [4, 6], using: &rng)
        let dout = Tensor.randomNormal(shape: [4, 6], using: &rng)
        let mask = Tensor(shape: [4, 6]) { _ in rng.nextUniform() < 0.7 ? 1 : 0 }
        // The forward pass is written out here, so only Dropout2 is graded.
        let forward: (Tensor) throws -> Tensor = { try Tensor.zip($0, mask, operation: "f") { $0 * $1 / 0.7 } }
        let dx = try dropoutBackward(dout, cache: DropoutCache(mask: mask, scale: 1 / 0.7))
        checkGradient(dx, matches: try numericGradient(of: forward, at: x, upstream: dout), "dropoutBackward", in: .dropout2)
    }

    @Test("takes time linear in the input's size: a [200, 200] batch")
    func linearTime() throws {
        // The backward pass touches each entry once: 40,000 multiplications. Differencing the
        // forward pass instead (exact here, since the layer is linear) calls it twice per entry:
        // 80,000 calls of 40,000 entries, far past the time limit.
        var rng = SeededGenerator(inputSeed: 232)
        let mask = Tensor(shape: [200, 200]) { _ in rng.nextUniform() < 0.5 ? 1 : 0 }
        let dout = Tensor.randomNormal(shape: [200, 200], using: &rng)
        let dx = try dropoutBackward(dout, cache: DropoutCache(mask: mask, scale: 2))
        checkExactGradient(dx, equals: try Tensor.zip(dout, mask, operation: "dout ⊙ mask · 2") { $0 * $1 * 2 },
                           "dropoutBackward for a [200, 200] batch with keep 0.5", in: .dropout2)
    }

    @Test("passes the gradient unchanged through an inference-mode cache, and rejects a mismatched dout")
    func inferenceAndSizes() throws {
        let dout = try Tensor([[1, -2], [3, 0.5]])
        let dx = try dropoutBackward(dout, cache: DropoutCache(mask: Tensor(repeating: 1, shape: [2, 2]), scale: 1))
        check(dx, equals: dout, "dropoutBackward with the identity (inference) cache", in: .dropout2)
        try checkThrowsShapeError("dropoutBackward with dout [2, 2] and mask [4]", in: .dropout2) {
            _ = try dropoutBackward(dout, cache: DropoutCache(mask: Tensor([1, 1, 1, 1]), scale: 1))
        }
    }
}

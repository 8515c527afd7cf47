import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let random1 = Exercise(id: "Random1", chapter: "00-TensorBasics", file: "RandomDraws.swift", title: "Seeded Gaussian noise", points: 1)
}

@Suite("Random1 · Seeded Gaussian noise", .graded(.random1))
struct Random1Tests {
    @Test("adds noise of mean 0 and standard deviation 0.5 to 10,000 threes")
    func statistics() throws {
        var rng = SeededGenerator(inputSeed: 2024)
        let x = Tensor(repeating: 3, shape: [100, 100])
        let out = try addingNoise(x, standardDeviation: 0.5, using: &rng)
        check(out.shape == [100, 100], "addingNoise should keep the shape [100, 100]; got \(out.shape).", in: .random1)
        guard out.shape == [100, 100] else { return }
        let noise = out - 3
        // n = 10,000 draws of N(0, 0.5²). The sample mean has standard error σ/√n = 0.005, the
        // sample standard deviation about σ/√(2n) ≈ 0.0035; five standard errors (0.025 and
        // 0.018) fail a correct answer with probability below 1e-6, and fail noise that is
        // not added to x, or drawn with variance 0.5 instead of standard deviation 0.5.
        check(noise.mean(), equals: 0, "the mean of the noise (out − x)", in: .random1, absoluteTolerance: 0.025, relativeTolerance: 0)
        let deviation = try noise.variance(alongAxes: [0, 1]).item().squareRoot()
        check(deviation, equals: 0.5, "the standard deviation of the noise (out − x)", in: .random1, absoluteTolerance: 0.018, relativeTolerance: 0,
              misconceptions: [Misconception(0.25, "the noise has standard deviation σ² = 0.25: σ was squared; pass σ itself as the standard deviation")])
    }

    @Test("is reproducible: the same seed gives the same noise, and the generator advances by one normal draw per element")
    func seeded() throws {
        let x = try Tensor([[1, 2, 3], [4, 5, 6]])
        var first = SeededGenerator(inputSeed: 9)
        var second = SeededGenerator(inputSeed: 9)
        let a = try addingNoise(x, standardDeviation: 1, using: &first)
        let b = try addingNoise(x, standardDeviation: 1, using: &second)
        check(a, equals: b, "two calls with generators seeded 9", in: .random1)
        // The convention pinned: six elements, six normal draws (Box–Muller, one per call).
        var reference = SeededGenerator(inputSeed: 9)
        for _ in 0..<x.count { _ = reference.nextNormal() }
        // The values pinned too: out = x + z, z being Tensor.randomNormal's draws from the same seed.
        var noiseSource = SeededGenerator(inputSeed: 9)
        let z = Tensor.randomNormal(shape: x.shape, standardDeviation: 1, using: &noiseSource)
        check(a, equals: try x + z, "addingNoise(x, standardDeviation: 1) seeded 9 (x plus Tensor.randomNormal's six draws from that seed)", in: .random1,
              misconceptions: [Misconception(try x - z, "the noise was subtracted (x − z); the convention adds it, out = x + z, so a seed always gives the same augmented data")])
        check(first == reference, "after addingNoise on 6 elements the generator should have made exactly 6 nextNormal() draws (a fresh generator per call, or a copy, repeats the same noise every time).",
              in: .random1)
        let c = try addingNoise(x, standardDeviation: 1, using: &first)
        check(c != a, "a second call with the same generator should draw new noise; it repeated \(a).", in: .random1)
    }

    @Test("returns x itself for a standard deviation of 0, and rejects a negative or non-finite one")
    func edges() throws {
        var rng = SeededGenerator(inputSeed: 10)
        let x = try Tensor([[1.5, -2], [0, 4]])
        check(try addingNoise(x, standardDeviation: 0, using: &rng), equals: x, "addingNoise with standardDeviation 0", in: .random1)
        for sigma in [-0.1, Double.nan, Double.infinity] {
            try checkThrows(ArgumentError.self, "addingNoise with standardDeviation \(sigma)", in: .random1) {
                _ = try addingNoise(x, standardDeviation: sigma, using: &rng)
            }
        }
    }
}

import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let parametric1 = Exercise(id: "Parametric1", chapter: "01-Activations", file: "PReLU.swift", title: "PReLU forward", points: 3)
    static let parametric2 = Exercise(id: "Parametric2", chapter: "01-Activations", file: "PReLU.swift", title: "PReLU backward (input and slope)", points: 4)
}

/// A batch of 2 rows with 3 channels, one slope per channel. Derivation in the tests.
enum PReLUExample {
    static let x: [[Double]] = [[1, -2, 3], [-1, 2, -3]]
    static let slope: [Double] = [0.1, 0.2, 0.3]
    static let dout: [[Double]] = [[0.5, -1, 2], [3, 0.25, -2]]
}

@Suite("Parametric1 · PReLU forward", .graded(.parametric1))
struct Parametric1Tests {
    @Test("applies each channel's slope to its negative entries, for a batch and for one rank-1 example")
    func perChannel() throws {
        // Negatives: −2 (channel 1) · 0.2 = −0.4, −1 (channel 0) · 0.1 = −0.1, −3 (channel 2) · 0.3 = −0.9.
        let (out, _) = try preluForward(try Tensor(PReLUExample.x), slope: Tensor(PReLUExample.slope))
        check(out, equals: try Tensor([[1, -0.4, 3], [-0.1, 2, -0.9]]), "preluForward(x, slope: [0.1, 0.2, 0.3])", in: .parametric1,
              misconceptions: [Misconception(try Tensor([[1, -0.2, 3], [-0.2, 2, -0.6]]),
                                             "each row uses one slope (the row index picks it): the channel is x's last axis, so entry i has channel i mod C")])
        // One example of rank 1, [C] = [3]: its last axis is still the channel axis.
        let (single, _) = try preluForward(Tensor([-1, 2, -3]), slope: Tensor(PReLUExample.slope))
        check(single, equals: Tensor([-0.1, 2, -0.9]), "preluForward([−1, 2, −3], slope: [0.1, 0.2, 0.3]) (a rank-1 x is valid: one example of C channels)", in: .parametric1)
    }

    @Test("shares a [1] slope across all elements")
    func shared() throws {
        // 0.25 · [−2, −1, −3] = [−0.5, −0.25, −0.75].
        let (out, _) = try preluForward(try Tensor(PReLUExample.x), slope: Tensor([0.25]))
        check(out, equals: try Tensor([[1, -0.5, 3], [-0.25, 2, -0.75]]), "preluForward(x, slope: [0.25])", in: .parametric1)
    }

    @Test("reads the channel from the last axis of NHWC images")
    func images() throws {
        // [1, 2, 2, 2]: every pixel is (−1, −1), so each output pixel is (−slope₀, −slope₁).
        let x = Tensor(repeating: -1, shape: [1, 2, 2, 2])
        let (out, _) = try preluForward(x, slope: Tensor([0.1, 0.7]))
        let expected = try Tensor(shape: [1, 2, 2, 2], scalars: [-0.1, -0.7, -0.1, -0.7, -0.1, -0.7, -0.1, -0.7])
        check(out, equals: expected, "preluForward of a [1, 2, 2, 2] image of −1s with slope [0.1, 0.7]", in: .parametric1)
    }

    @Test("rejects a slope that is neither [C] nor [1]")
    func rejectsBadSlope() throws {
        try checkThrowsShapeError("preluForward with x [2, 3] and slope [2]", in: .parametric1) {
            _ = try preluForward(try Tensor(PReLUExample.x), slope: Tensor([0.1, 0.2]))
        }
    }
}

@Suite("Parametric2 · PReLU backward (input and slope)", .graded(.parametric2))
struct Parametric2Tests {
    @Test("computes dx and a per-channel dslope by hand")
    func perChannel() throws {
        // dx: dout where x > 0; slope·dout at the negatives: 0.2·(−1) = −0.2, 0.1·3 = 0.3, 0.3·(−2) = −0.6.
        // dslope_c = Σ dout·x over the negatives of channel c: [3·(−1), (−1)·(−2), (−2)·(−3)] = [−3, 2, 6].
        let cache = PReLUCache(x: try Tensor(PReLUExample.x), slope: Tensor(PReLUExample.slope))
        let (dx, dslope) = try preluBackward(try Tensor(PReLUExample.dout), cache: cache)
        checkExactGradient(dx, equals: try Tensor([[0.5, -0.2, 2], [0.3, 0.25, -0.6]]), "preluBackward dx", in: .parametric2)
        checkExactGradient(dslope, equals: Tensor([-3, 2, 6]), "preluBackward dslope (per channel)", in: .parametric2,
              misconceptions: [Misconception(Tensor([3, -1, -2]), "dslope sums dout alone over the negatives; ∂y/∂a = x there, so it sums x·dout")])
    }

    @Test("sums every negative entry into a shared [1] slope")
    func shared() throws {
        // dslope = −3 + 2 + 6 = 5; dx at the negatives: 0.25·[−1, 3, −2] = [−0.25, 0.75, −0.5].
        let cache = PReLUCache(x: try Tensor(PReLUExample.x), slope: Tensor([0.25]))
        let (dx, dslope) = try preluBackward(try Tensor(PReLUExample.dout), cache: cache)
        check(dx, equals: try Tensor([[0.5, -0.25, 2], [0.75, 0.25, -0.5]]), "preluBackward dx with a shared slope", in: .parametric2)
        check(dslope, equals: Tensor([5]), "preluBackward dslope with a shared slope (shape [1])", in: .parametric2,
              misconceptions: [Misconception(Tensor([6]), "dslope holds only the last negative entry's x·dout: it must add (+=) x·dout over every position that shares the slope, not assign it")])
    }

    @Test("gives x = 0 the slope's side, as the forward does, from the very first entry on")
    func zeroAndFirstEntry() throws {
        // x = [[−2, 0, 1]], slope [0.1, 0.2, 0.3], dout = [[1, 1, 1]]. The forward computes a·x
        // for x ≤ 0, so the backward takes that side at 0 too (as leaky ReLU does):
        // dx = [0.1, 0.2, 1]; dslope = x·dout on that side = [−2, 0, 0].
        let cache = PReLUCache(x: try Tensor([[-2, 0, 1]]), slope: Tensor(PReLUExample.slope))
        let (dx, dslope) = try preluBackward(try Tensor([[1, 1, 1]]), cache: cache)
        check(dx, equals: try Tensor([[0.1, 0.2, 1]]), "preluBackward dx for x = [[−2, 0, 1]]", in: .parametric2,
              misconceptions: [
                Misconception(try Tensor([[0.1, 1, 1]]), "at x = 0 dout was passed through (mask x < 0); the forward puts 0 on the slope side (x ≤ 0), so its derivative there is the slope"),
                Misconception(try Tensor([[1, 0.2, 1]]), "the first entry kept dout although x = −2 there: the loop over the entries must start at index 0"),
              ])
        check(dslope, equals: Tensor([-2, 0, 0]), "preluBackward dslope for x = [[−2, 0, 1]]", in: .parametric2)
    }

    @Test("matches the numeric gradients to x and to the slope on NHWC images")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 51)
        // [2, 2, 2, 3]: 24 entries, none within h = 1e-5 of 0 for this seed.
        let x = Tensor.randomNormal(shape: [2, 2, 2, 3], using: &rng)
        let slope = Tensor.randomUniform(shape: [3], in: 0.05..<0.5, using: &rng)
        let dout = Tensor.randomNormal(shape: [2, 2, 2, 3], using: &rng)
        // The reference forward, written out here so the backward is graded on its own.
        func reference(_ x: Tensor, _ a: Tensor) -> Tensor {
            Tensor(shape: x.shape) { i in x[flat: i] > 0 ? x[flat: i] : a[flat: i % a.count] * x[flat: i] }
        }
        let (dx, dslope) = try preluBackward(dout, cache: PReLUCache(x: x, slope: slope))
        checkGradient(dx, matches: try numericGradient(of: { reference($0, slope) }, at: x, upstream: dout),
                      "preluBackward dx", in: .parametric2)
        checkGradient(dslope, matches: try numericGradient(of: { reference(x, $0) }, at: slope, upstream: dout),
                      "preluBackward dslope", in: .parametric2)
    }

    @Test("rejects an upstream gradient whose shape differs from the input's")
    func rejectsMismatchedSizes() throws {
        try checkThrowsShapeError("preluBackward with dout [2, 2] and cached x [2, 3]", in: .parametric2) {
            _ = try preluBackward(Tensor(zeros: [2, 2]), cache: PReLUCache(x: try Tensor(PReLUExample.x), slope: Tensor([0.25])))
        }
    }
}

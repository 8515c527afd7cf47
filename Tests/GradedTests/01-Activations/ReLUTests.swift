import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let relu1 = Exercise(id: "ReLU1", chapter: "01-Activations", file: "ReLU.swift", title: "ReLU forward", points: 2)
    static let relu2 = Exercise(id: "ReLU2", chapter: "01-Activations", file: "ReLU.swift", title: "ReLU backward", points: 3)
}

/// The worked example of notes 004, problem 6: a 4x4 input and upstream gradient, with the notes'
/// answers for the output and the input gradient.
enum ReLUNotesExample {
    static let x: [[Double]] = [[1.5, 2.2, 1.3, 6.7], [4.3, -0.3, -0.2, 4.9], [-4.5, 1.4, 5.5, 1.8], [0.1, -0.5, -0.1, 2.2]]
    static let y: [[Double]] = [[1.5, 2.2, 1.3, 6.7], [4.3, 0, 0, 4.9], [0, 1.4, 5.5, 1.8], [0.1, 0, 0, 2.2]]
    static let dout: [[Double]] = [[4.5, 1.2, 2.3, 1.3], [-1.3, -6.3, 4.1, -2.9], [-0.5, 1.2, 3.5, 1.2], [-6.1, 0.5, -4.1, -3.2]]
    static let dx: [[Double]] = [[4.5, 1.2, 2.3, 1.3], [-1.3, 0, 0, -2.9], [0, 1.2, 3.5, 1.2], [-6.1, 0, 0, -3.2]]
}

/// What the usual ReLU mistakes return for a test's inputs, and what each says about the code.
enum ReLUMistakes {
    static func forward(_ x: Tensor) -> [Misconception] {
        [Misconception(x.map { min(0, $0) }, "the output equals min(0, x); ReLU keeps the positive part, max(0, x)")]
    }

    static func backward(_ dout: Tensor, x: Tensor) -> [Misconception] {
        [Misconception(dout.map { $0 > 0 ? $0 : 0 }, "dx keeps dout where dout > 0: the mask must come from the sign of the input (cache.x > 0), not the sign of dout"),
         Misconception(Tensor(shape: x.shape) { x[flat: $0] >= 0 ? dout[flat: $0] : 0 },
                       "dx passes the gradient where x = 0 (mask x ≥ 0); the workbook takes ReLU's derivative at 0 to be 0 (mask x > 0)")]
    }
}

@Suite("ReLU1 · ReLU forward", .graded(.relu1))
struct ReLU1Tests {
    @Test("reproduces the output of notes 004, problem 6")
    func notesExample() throws {
        let (out, _) = try reluForward(try Tensor(ReLUNotesExample.x))
        check(out, equals: try Tensor(ReLUNotesExample.y), "reluForward(x) for the notes' 4x4 x", in: .relu1,
              misconceptions: ReLUMistakes.forward(try Tensor(ReLUNotesExample.x)))
    }

    @Test("caches what reluBackward needs: where the input was positive")
    func cachesInput() throws {
        // reluBackward reads cache.x > 0 as its mask. A cache of zeros (or of anything whose
        // positive entries differ from x's) gives the right output here and wrong gradients later,
        // blamed on ReLU2; so the cache is checked here, where the mistake is made.
        var rng = SeededGenerator(inputSeed: 2)
        let x = Tensor.randomNormal(shape: [4, 5], using: &rng)
        let (out, cache) = try reluForward(x)
        // The output too: a cache is only worth checking beside a right answer (returning x and a
        // cache of x would pass the cache alone).
        check(out, equals: x.map { Swift.max(0, $0) }, "reluForward(x) on seeded inputs", in: .relu1)
        let positive = x.map { $0 > 0 ? 1 : 0 }
        check(cache.x.map { $0 > 0 ? 1 : 0 }, equals: positive, "where reluForward's cache.x is positive (1) or not (0)", in: .relu1,
              misconceptions: [Misconception(Tensor(zeros: x.shape), "the cache has no positive entry (a cache of zeros?); it must hold the input x, which reluBackward reads to know where x > 0")])
    }

    @Test("keeps the shape of any input, including NHWC images")
    func keepsShape() throws {
        var rng = SeededGenerator(inputSeed: 1)
        let x = Tensor.randomNormal(shape: [2, 3, 3, 4], using: &rng)
        let (out, _) = try reluForward(x)
        check(out.shape == x.shape, "reluForward kept shape \(x.shape)? It returned \(out.shape).", in: .relu1)
        check(out.scalars.allSatisfy { $0 >= 0 }, "ReLU outputs are never negative; found \(out.min()).", in: .relu1)
        // Zeros are never negative either: a positive input passes through unchanged.
        let changed = zip(x.scalars, out.scalars).filter { $0.0 > 0 && $0.1 != $0.0 }.count
        check(out.shape == x.shape && changed == 0, "ReLU keeps positive inputs as they are; \(changed) of them changed.", in: .relu1)
    }
}

@Suite("ReLU2 · ReLU backward", .graded(.relu2))
struct ReLU2Tests {
    @Test("reproduces the input gradient of notes 004, problem 6")
    func notesExample() throws {
        // The cache is built here, not by reluForward, so the backward pass is graded on its own.
        let cache = ReLUCache(x: try Tensor(ReLUNotesExample.x))
        let dx = try reluBackward(try Tensor(ReLUNotesExample.dout), cache: cache)
        checkExactGradient(dx, equals: try Tensor(ReLUNotesExample.dx), "reluBackward(dout) for the notes' example", in: .relu2,
              misconceptions: ReLUMistakes.backward(try Tensor(ReLUNotesExample.dout), x: try Tensor(ReLUNotesExample.x)))
    }

    @Test("matches the numeric gradient on seeded random inputs")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 231)
        // Entries closer than h = 1e-5 to the kink at 0 would make the numeric gradient
        // meaningless there; with 60 normal draws, none falls that close for this seed.
        let x = Tensor.randomNormal(shape: [6, 10], using: &rng)
        let dout = Tensor.randomNormal(shape: [6, 10], using: &rng)
        let (_, cache) = try reluForward(x)
        let dx = try reluBackward(dout, cache: cache)
        // The forward is written out here: with reluForward's, an identity forward and backward
        // (both returning their input) would agree with each other.
        let numeric = try numericGradient(of: { $0.map { Swift.max(0, $0) } }, at: x, upstream: dout)
        checkGradient(dx, matches: numeric, "reluBackward", in: .relu2)
    }

    @Test("takes the derivative at exactly 0 to be 0 (the workbook's convention)")
    func derivativeAtZero() throws {
        // Notes 003 writes the derivative as 1 for y ≥ 0; the workbook follows PyTorch and
        // CS231n (x > 0), so a unit that is exactly 0 passes no gradient. Either is a valid
        // subgradient; the guide explains the choice.
        let cache = ReLUCache(x: Tensor([0, -0.0, 2, -2]))
        let dx = try reluBackward(Tensor([5, 5, 5, 5]), cache: cache)
        check(dx, equals: Tensor([0, 0, 5, 0]), "reluBackward at x = [0, -0, 2, -2]", in: .relu2,
              misconceptions: ReLUMistakes.backward(Tensor([5, 5, 5, 5]), x: cache.x))
    }

    @Test("rejects an upstream gradient whose shape differs from the input's")
    func rejectsMismatchedSizes() throws {
        try checkThrowsShapeError("reluBackward with dout [3] and cached x [4]", in: .relu2) {
            _ = try reluBackward(Tensor([1, 2, 3]), cache: ReLUCache(x: Tensor([1, 2, 3, 4])))
        }
    }
}

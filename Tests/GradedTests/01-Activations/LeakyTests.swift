import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let leaky1 = Exercise(id: "Leaky1", chapter: "01-Activations", file: "LeakyReLU.swift", title: "Leaky ReLU forward", points: 2)
    static let leaky2 = Exercise(id: "Leaky2", chapter: "01-Activations", file: "LeakyReLU.swift", title: "Leaky ReLU backward", points: 2)
}

/// The 4x4 input and upstream gradient of notes 004, problem 6 (the ReLU example), pushed through
/// leaky ReLU with the notes' slope a = 0.02 (notes 003). Derivation: positive entries are
/// unchanged; each negative entry (and its gradient) is multiplied by 0.02:
///   x: −0.3 → −0.006, −0.2 → −0.004, −4.5 → −0.09, −0.5 → −0.01, −0.1 → −0.002
///   dout at those places: −6.3 → −0.126, 4.1 → 0.082, −0.5 → −0.01, 0.5 → 0.01, −4.1 → −0.082
enum LeakyReLUNotesExample {
    static let y: [[Double]] = [[1.5, 2.2, 1.3, 6.7], [4.3, -0.006, -0.004, 4.9], [-0.09, 1.4, 5.5, 1.8], [0.1, -0.01, -0.002, 2.2]]
    static let dx: [[Double]] = [[4.5, 1.2, 2.3, 1.3], [-1.3, -0.126, 0.082, -2.9], [-0.01, 1.2, 3.5, 1.2], [-6.1, 0.01, -0.082, -3.2]]
}

@Suite("Leaky1 · Leaky ReLU forward", .graded(.leaky1))
struct Leaky1Tests {
    @Test("uses the notes' slope a = 0.02 by default on the notes' 4x4 example")
    func notesExample() throws {
        // No slope argument: the default must be the notes' 0.02 (PyTorch's is 0.01).
        let (out, cache) = try leakyReLUForward(try Tensor(ReLUNotesExample.x))
        check(out, equals: try Tensor(LeakyReLUNotesExample.y), "leakyReLUForward(x) with the default slope", in: .leaky1)
        check(cache.slope == 0.02, "the cache should record the slope used (0.02), found \(cache.slope).", in: .leaky1)
    }

    @Test("uses the slope it is given")
    func configurableSlope() throws {
        // slope 0.5: [−4, −1, 0, 1, 4] → [−2, −0.5, 0, 1, 4]; slope 1 is the identity.
        let x = Tensor([-4, -1, 0, 1, 4])
        let (half, _) = try leakyReLUForward(x, slope: 0.5)
        check(half, equals: Tensor([-2, -0.5, 0, 1, 4]), "leakyReLUForward(x, slope: 0.5)", in: .leaky1,
              misconceptions: [Misconception(Tensor([-0.08, -0.02, 0, 1, 4]), "the negative side is scaled by 0.02 whatever the slope: the code ignores the slope argument (0.02 is only its default)")])
        let (identity, _) = try leakyReLUForward(x, slope: 1)
        check(identity, equals: x, "leakyReLUForward(x, slope: 1)", in: .leaky1)
    }
}

@Suite("Leaky2 · Leaky ReLU backward", .graded(.leaky2))
struct Leaky2Tests {
    @Test("scales the gradient by 0.02 where the input was negative (notes' 4x4 example)")
    func notesExample() throws {
        let cache = LeakyReLUCache(x: try Tensor(ReLUNotesExample.x), slope: 0.02)
        let dx = try leakyReLUBackward(try Tensor(ReLUNotesExample.dout), cache: cache)
        checkExactGradient(dx, equals: try Tensor(LeakyReLUNotesExample.dx), "leakyReLUBackward(dout) for the notes' example", in: .leaky2,
              misconceptions: [
                Misconception(try Tensor(ReLUNotesExample.dx), "dx is 0 where x < 0: that is ReLU's backward; leaky ReLU passes slope·dout there"),
                Misconception(Tensor(shape: cache.x.shape) { cache.x[flat: $0] > 0 ? Array(ReLUNotesExample.dout.joined())[$0] : 0.02 },
                              "dx is the slope itself where x < 0, not a·dout: the chain rule multiplies the local derivative a by dout"),
              ])
    }

    @Test("matches the numeric gradient for slopes 0.02 and 0.3")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 31)
        // 40 normal draws; none lies within h = 1e-5 of the kink at 0 for this seed.
        let x = Tensor.randomNormal(shape: [5, 8], using: &rng)
        let dout = Tensor.randomNormal(shape: [5, 8], using: &rng)
        for slope in [0.02, 0.3] {
            let f: (Tensor) -> Tensor = { $0.map { $0 > 0 ? $0 : slope * $0 } }
            let dx = try leakyReLUBackward(dout, cache: LeakyReLUCache(x: x, slope: slope))
            let numeric = try numericGradient(of: f, at: x, upstream: dout)
            checkGradient(dx, matches: numeric, "leakyReLUBackward with slope \(slope)", in: .leaky2)
        }
    }

    @Test("takes the derivative at exactly 0 to be the slope, like ReLU's mask x > 0")
    func derivativeAtZero() throws {
        // Notes 003 writes 1 for y ≥ 0; the workbook uses the mask x > 0 for ReLU and its
        // relatives (as PyTorch does), so x = 0 gets the slope: 0.02 · 5 = 0.1.
        let dx = try leakyReLUBackward(Tensor([5, 5, 5]), cache: LeakyReLUCache(x: Tensor([0, 2, -2]), slope: 0.02))
        check(dx, equals: Tensor([0.1, 5, 0.1]), "leakyReLUBackward at x = [0, 2, -2]", in: .leaky2)
    }

    @Test("rejects an upstream gradient whose shape differs from the input's")
    func rejectsMismatchedSizes() throws {
        try checkThrowsShapeError("leakyReLUBackward with dout [3] and cached x [4]", in: .leaky2) {
            _ = try leakyReLUBackward(Tensor([1, 2, 3]), cache: LeakyReLUCache(x: Tensor([1, 2, 3, 4]), slope: 0.02))
        }
    }
}

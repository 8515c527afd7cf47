import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let softmax1 = Exercise(id: "Softmax1", chapter: "03-Losses", file: "Softmax.swift", title: "Numerically stable softmax", points: 3)
}

@Suite("Softmax1 · Numerically stable softmax", .graded(.softmax1))
struct Softmax1Tests {
    @Test("turns logits [1, 2, 3] and [0, 0, 0] into probabilities, and a single class into 1")
    func worked() throws {
        // e^k / (e + e² + e³) for k = 1, 2, 3 (numpy, 16 digits); equal logits give 1/3 each.
        let p = try softmax(try Tensor([[1, 2, 3], [0, 0, 0]]))
        let third = 1.0 / 3
        let z = try Tensor([[1, 2, 3], [0, 0, 0]])
        let e = exp(try z - z.max(alongAxis: 1, keepingDimension: true))
        check(p, equals: try Tensor([[0.09003057317038046, 0.24472847105479764, 0.6652409557748218], [third, third, third]]),
              "softmax([[1, 2, 3], [0, 0, 0]])", in: .softmax1, absoluteTolerance: 1e-15, relativeTolerance: 1e-14,
              misconceptions: [Misconception(try e / e.sum(alongAxis: 0, keepingDimension: true),
                                             "each column sums to 1: the code normalizes over the batch axis; softmax divides by each row's sum")])
        // A single class (K = 1) is a valid, if dull, softmax: e^z / e^z = 1 whatever z is.
        check(try softmax(try Tensor([[5], [-3]])), equals: try Tensor([[1], [1]]), "softmax of one class, [[5], [−3]] (K = 1 must be accepted)", in: .softmax1)
    }

    @Test("gives finite probabilities for logits in the thousands (no NaN)")
    func huge() throws {
        // e^1000 overflows; after subtracting the row max the first row is softmax([−2, −1, 0]),
        // the same numbers as for [1, 2, 3] (softmax ignores a constant added to a row).
        // Row 2: e^(−1000) and e^(−2000) underflow to 0 next to e^0: [0, 1, 0] to the last bit.
        let p = try softmax(try Tensor([[1000, 1001, 1002], [-1000, 0, -2000]]))
        check(!p.scalars.contains { $0.isNaN }, "softmax of huge logits returned NaN: \(p). Subtract each row's max first.", in: .softmax1)
        check(p, equals: try Tensor([[0.09003057317038046, 0.24472847105479764, 0.6652409557748218], [0, 1, 0]]),
              "softmax([[1000, 1001, 1002], [-1000, 0, -2000]])", in: .softmax1, absoluteTolerance: 1e-15, relativeTolerance: 1e-14)
    }

    @Test("rows sum to 1 and a constant added to a row changes nothing")
    func properties() throws {
        var rng = SeededGenerator(inputSeed: 301)
        let z = Tensor.randomNormal(shape: [6, 10], standardDeviation: 3, using: &rng)
        let p = try softmax(z)
        check(p.shape == [6, 10], "softmax should keep the shape [6, 10], returned \(p.shape).", in: .softmax1)
        check(try p.sum(alongAxis: 1), equals: Tensor(repeating: 1, shape: [6]), "the row sums of softmax(z)", in: .softmax1,
              absoluteTolerance: 1e-14, relativeTolerance: 0)
        check(p.min() > 0, "every probability should be positive; the smallest is \(p.min()).", in: .softmax1)
        // A different constant per row: [6, 1] broadcasts over the columns.
        let shift = Tensor.randomNormal(shape: [6, 1], standardDeviation: 50, using: &rng)
        check(try softmax(try z + shift), equals: p, "softmax(z + c) against softmax(z)", in: .softmax1,
              absoluteTolerance: 1e-14, relativeTolerance: 1e-12)
    }

    @Test("rejects logits that are not a matrix, or have no classes")
    func rejectsVectors() throws {
        try checkThrowsShapeError("softmax of a vector [3] (use [1, 3] for one example)", in: .softmax1) {
            _ = try softmax(Tensor([1, 2, 3]))
        }
        try checkThrowsShapeError("softmax of logits [2, 0] (no classes: there is nothing to give probability to)", in: .softmax1) {
            _ = try softmax(Tensor(zeros: [2, 0]))
        }
    }
}

extension Exercise {
    static let softmax2 = Exercise(id: "Softmax2", chapter: "03-Losses", file: "Softmax.swift", title: "Softmax backward", points: 3)
}

enum SoftmaxReference {
    /// Softmax of each row, written out for the tests (max-shifted, so it is safe for any logits).
    static func softmax(_ z: Tensor) -> Tensor {
        let k = z.shape[1]
        var p = z
        for row in 0..<z.shape[0] {
            let values = (0..<k).map { z[flat: row * k + $0] }
            let m = values.max() ?? 0
            let total = values.reduce(0) { $0 + exp($1 - m) }
            for j in 0..<k { p[flat: row * k + j] = exp(values[j] - m) / total }
        }
        return p
    }
}

@Suite("Softmax2 · Softmax backward", .graded(.softmax2))
struct Softmax2Tests {
    @Test("ŷ ⊙ (dout − Σ dout·ŷ) on a worked example; each row of dz sums to 0")
    func worked() throws {
        // ŷ = [0.25, 0.25, 0.5], dout = [1, 0, 0]: Σ dout·ŷ = 0.25, so
        // dz = [0.25·0.75, 0.25·(−0.25), 0.5·(−0.25)] = [0.1875, −0.0625, −0.125], which sums to 0.
        // Row 2: dout = [2, 2, 2] (the same for every class) gives dz = 0: softmax ignores shifts.
        let (dout, p) = (try Tensor([[1, 0, 0], [2, 2, 2]]), try Tensor([[0.25, 0.25, 0.5], [0.2, 0.3, 0.5]]))
        let dz = try softmaxBackward(dout, probabilities: p)
        checkExactGradient(dz, equals: try Tensor([[0.1875, -0.0625, -0.125], [0, 0, 0]]), "softmaxBackward for the worked example", in: .softmax2,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-14,
              misconceptions: [
                Misconception(try p * (1 - p) * dout, "dz equals ŷ(1 − ŷ)·dout, the diagonal of the Jacobian only; each ŷ_k also depends on the other logits, giving dz = ŷ ⊙ (dout − Σ_j dout_j ŷ_j)"),
                Misconception(try p * dout, "dz equals ŷ ⊙ dout: the term −ŷ·Σ_j dout_j ŷ_j is missing; dz = ŷ ⊙ (dout − Σ_j dout_j ŷ_j)"),
              ])
    }

    @Test("matches the numeric gradient on seeded random logits")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 305)
        let z = Tensor.randomNormal(shape: [3, 4], using: &rng)
        let dout = Tensor.randomNormal(shape: [3, 4], using: &rng)
        let dz = try softmaxBackward(dout, probabilities: SoftmaxReference.softmax(z))
        let numeric = try numericGradient(of: { SoftmaxReference.softmax($0) }, at: z, upstream: dout)
        checkGradient(dz, matches: numeric, "softmaxBackward", in: .softmax2)
    }

    @Test("chained after cross-entropy's gradient −y/ŷ, gives the fused gradient ŷ − y")
    func fused() throws {
        // ∂H/∂ŷ_k = −y_k/ŷ_k; then Σ_j dout_j ŷ_j = −Σ y_j = −1 and dz = ŷ ⊙ (−y/ŷ + 1) = ŷ − y.
        var rng = SeededGenerator(inputSeed: 306)
        let p = SoftmaxReference.softmax(Tensor.randomNormal(shape: [2, 5], using: &rng))
        let y = try Tensor([[0, 0, 1, 0, 0], [1, 0, 0, 0, 0]])
        let dz = try softmaxBackward(try -y / p, probabilities: p)
        check(dz, equals: try p - y, "softmaxBackward(−y/ŷ) against ŷ − y", in: .softmax2, absoluteTolerance: 1e-14, relativeTolerance: 1e-12)
    }

    @Test("rejects a dout whose shape differs from the probabilities'")
    func rejects() throws {
        try checkThrowsShapeError("softmaxBackward with dout [2, 3] and probabilities [2, 2]", in: .softmax2) {
            _ = try softmaxBackward(Tensor(zeros: [2, 3]), probabilities: Tensor(zeros: [2, 2]))
        }
    }
}

import Foundation
import Testing
import WorkbookCore
import Workbook

extension Exercise {
    static let softmax1 = Exercise(id: "Softmax1", chapter: "03-Losses", file: "Softmax.swift", title: "Numerically stable softmax", points: 3)
}

@Suite("Softmax1 · Numerically stable softmax")
struct SoftmaxTests {
    @Test("turns logits [1, 2, 3] and [0, 0, 0] into probabilities")
    func worked() async {
        Grader.judge(.softmax1, await #expect(processExitsWith: .failure, observing: Grader.streams) {
            Grader.run(.softmax1) {
                // e^k / (e + e² + e³) for k = 1, 2, 3 (numpy, 16 digits); equal logits give 1/3 each.
                let p = try softmax(try Tensor([[1, 2, 3], [0, 0, 0]]))
                let third = 1.0 / 3
                check(p, equals: try Tensor([[0.09003057317038046, 0.24472847105479764, 0.6652409557748218], [third, third, third]]),
                      "softmax([[1, 2, 3], [0, 0, 0]])", in: .softmax1, absoluteTolerance: 1e-15, relativeTolerance: 1e-14)
            }
        })
    }

    @Test("gives finite probabilities for logits in the thousands (no NaN)")
    func huge() async {
        Grader.judge(.softmax1, await #expect(processExitsWith: .failure, observing: Grader.streams) {
            Grader.run(.softmax1) {
                // e^1000 overflows; after subtracting the row max the first row is softmax([−2, −1, 0]),
                // the same numbers as for [1, 2, 3] (softmax ignores a constant added to a row).
                // Row 2: e^(−1000) and e^(−2000) underflow to 0 next to e^0: [0, 1, 0] to the last bit.
                let p = try softmax(try Tensor([[1000, 1001, 1002], [-1000, 0, -2000]]))
                check(!p.scalars.contains { $0.isNaN }, "softmax of huge logits returned NaN: \(p). Subtract each row's max first.", in: .softmax1)
                check(p, equals: try Tensor([[0.09003057317038046, 0.24472847105479764, 0.6652409557748218], [0, 1, 0]]),
                      "softmax([[1000, 1001, 1002], [-1000, 0, -2000]])", in: .softmax1, absoluteTolerance: 1e-15, relativeTolerance: 1e-14)
            }
        })
    }

    @Test("rows sum to 1 and a constant added to a row changes nothing")
    func properties() async {
        Grader.judge(.softmax1, await #expect(processExitsWith: .failure, observing: Grader.streams) {
            Grader.run(.softmax1) {
                var rng = SeededGenerator(seed: 301)
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
        })
    }

    @Test("rejects logits that are not a matrix")
    func rejectsVectors() async {
        Grader.judge(.softmax1, await #expect(processExitsWith: .failure, observing: Grader.streams) {
            Grader.run(.softmax1) {
                try checkThrowsShapeError("softmax of a vector [3] (use [1, 3] for one example)", in: .softmax1) {
                    _ = try softmax(Tensor([1, 2, 3]))
                }
            }
        })
    }
}

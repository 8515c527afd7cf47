import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let shapes1 = Exercise(id: "Shapes1", chapter: "00-TensorBasics", file: "Shapes.swift", title: "Flatten a batch", points: 1)
    static let shapes2 = Exercise(id: "Shapes2", chapter: "00-TensorBasics", file: "Shapes.swift", title: "NHWC to NCHW", points: 1)
}

@Suite("Shapes1 · Flatten a batch", .graded(.shapes1))
struct Shapes1Tests {
    @Test("flattens 2 images of 2x2 pixels and 3 channels into 2 rows of 12, in the same order")
    func flattensImages() throws {
        // Elements 0…23 in row-major order. Flattening never moves an element, so row n of
        // the result holds elements 12n ..< 12n + 12: the same 0…23, read as [2, 12].
        let x = Tensor(shape: [2, 2, 2, 3]) { Double($0) }
        let out = try flattenBatch(x)
        check(out, equals: Tensor(shape: [2, 12]) { Double($0) }, "flattenBatch of [2, 2, 2, 3] holding 0…23", in: .shapes1)
    }

    @Test("turns a batch of numbers [3] into a column [3, 1], and an empty batch [0, 4, 4, 1] into [0, 16]")
    func edges() throws {
        let column = try flattenBatch(Tensor([1, 2, 3]))
        check(column, equals: try Tensor([[1], [2], [3]]), "flattenBatch([1, 2, 3])", in: .shapes1)
        let empty = try flattenBatch(Tensor(zeros: [0, 4, 4, 1]))
        check(empty.shape == [0, 16], "flattenBatch of an empty batch [0, 4, 4, 1] should have shape [0, 16]; got \(empty.shape). (Can -1 be inferred when there are no elements?)", in: .shapes1)
    }

    @Test("rejects a scalar, which has no batch axis")
    func rejectsScalar() throws {
        try checkThrowsShapeError("flattenBatch of a scalar (shape [])", in: .shapes1) {
            _ = try flattenBatch(Tensor(scalar: 5))
        }
    }
}

@Suite("Shapes2 · NHWC to NCHW", .graded(.shapes2))
struct Shapes2Tests {
    @Test("reorders one 2x2 image with 3 channels into 3 planes of 2x2")
    func workedExample() throws {
        // x[0, h, w, c] = 3·(2h + w) + c: pixel p = 2h + w holds 3p, 3p + 1, 3p + 2.
        // In NCHW, plane c lists pixels 0…3 in order: c, 3 + c, 6 + c, 9 + c.
        let x = Tensor(shape: [1, 2, 2, 3]) { Double($0) }
        let out = try channelsFirst(x)
        let expected = try Tensor(shape: [1, 3, 2, 2], scalars: [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11])
        check(out, equals: expected, "channelsFirst of [1, 2, 2, 3] holding 0…11", in: .shapes2,
              misconceptions: [Misconception(try x.permuted([0, 2, 3, 1]), "the axes were permuted with [0, 2, 3, 1], the inverse permutation (NCHW → NHWC); NHWC → NCHW takes axes [0, 3, 1, 2]"),
                               Misconception(try x.reshaped([1, 3, 2, 2]), "the tensor was reshaped to [N, C, H, W] without moving any entry; permute the axes instead")])
    }

    @Test("out[n, c, h, w] = images[n, h, w, c] for a seeded batch [2, 3, 4, 5]")
    func everyElement() throws {
        var rng = SeededGenerator(inputSeed: 5)
        let x = Tensor.randomNormal(shape: [2, 3, 4, 5], using: &rng)
        let out = try channelsFirst(x)
        check(out.shape == [2, 5, 3, 4], "channelsFirst of [2, 3, 4, 5] should have shape [2, 5, 3, 4]; got \(out.shape).", in: .shapes2)
        guard out.shape == [2, 5, 3, 4] else { return }
        var wrong: [[Int]] = []
        for n in 0..<2 { for h in 0..<3 { for w in 0..<4 { for c in 0..<5 where out[n, c, h, w] != x[n, h, w, c] {
            wrong.append([n, c, h, w])
        }}}}
        check(wrong.isEmpty, "out[n, c, h, w] should be images[n, h, w, c]; \(wrong.count) of 120 differ, first at out\(wrong.first ?? []). A reshape to [N, C, H, W] keeps the shape right but not the elements.", in: .shapes2)
    }

    @Test("rejects a tensor that is not rank 4")
    func rejectsRank3() throws {
        try checkThrowsShapeError("channelsFirst of a [2, 2, 3] tensor", in: .shapes2) {
            _ = try channelsFirst(Tensor(zeros: [2, 2, 3]))
        }
    }
}

import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let broadcast1 = Exercise(id: "Broadcast1", chapter: "00-TensorBasics", file: "Broadcasting.swift", title: "Scale each channel", points: 1)
    static let broadcast2 = Exercise(id: "Broadcast2", chapter: "00-TensorBasics", file: "Broadcasting.swift", title: "Rows that sum to 1", points: 1)
}

@Suite("Broadcast1 · Scale each channel", .graded(.broadcast1))
struct Broadcast1Tests {
    @Test("scales the 3 channels of two pixels by 10, 1 and 0.5")
    func workedExample() throws {
        // Pixels (1, 2, 3) and (4, 5, 6) times (10, 1, 0.5): (10, 2, 1.5) and (40, 5, 3).
        let images = try Tensor(shape: [1, 1, 2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let out = try scaleChannels(images, by: Tensor([10, 1, 0.5]))
        check(out, equals: try Tensor(shape: [1, 1, 2, 3], scalars: [10, 2, 1.5, 40, 5, 3]),
              "scaleChannels of pixels (1, 2, 3), (4, 5, 6) by [10, 1, 0.5]", in: .broadcast1)
    }

    @Test("rejects a scale that is not exactly [C], and images that are not rank 4")
    func rejectsWrongSizes() throws {
        let images = Tensor(zeros: [2, 2, 2, 3])
        try checkThrowsShapeError("scaleChannels of [2, 2, 2, 3] images by a scale [2]", in: .broadcast1) {
            _ = try scaleChannels(images, by: Tensor([1, 2]))
        }
        // [1] broadcasts, so `*` alone would accept it; the doc comment asks for exactly [C].
        try checkThrowsShapeError("scaleChannels of [2, 2, 2, 3] images by a scale [1]", in: .broadcast1) {
            _ = try scaleChannels(images, by: Tensor([2]))
        }
        try checkThrowsShapeError("scaleChannels of a [4, 3] matrix", in: .broadcast1) {
            _ = try scaleChannels(Tensor(zeros: [4, 3]), by: Tensor([1, 2, 3]))
        }
    }
}

@Suite("Broadcast2 · Rows that sum to 1", .graded(.broadcast2))
struct Broadcast2Tests {
    @Test("divides each row of a square matrix by its own sum, not by a column's")
    func squareMatrix() throws {
        // Row sums 1 + 3 = 4 and 2 + 8 = 10: [[1/4, 3/4], [2/10, 8/10]]. Dividing by the
        // sums as a vector [4, 10] would line them up with the columns and give
        // [[0.25, 0.3], [0.5, 0.8]], with no error: a square matrix hides the mistake.
        let out = try normalizeRows(try Tensor([[1, 3], [2, 8]]))
        check(out, equals: try Tensor([[0.25, 0.75], [0.2, 0.8]]), "normalizeRows([[1, 3], [2, 8]])", in: .broadcast2,
              misconceptions: [Misconception(try Tensor([[1.0 / 3, 3.0 / 11], [2.0 / 3, 8.0 / 11]]), "each column sums to 1: the code divides by the column sums (axis 0) instead of each row's sum (axis 1, kept as [N, 1])")])
    }

    @Test("makes every row of a seeded [4, 6] matrix sum to 1 and keeps the ratios within each row")
    func seededMatrix() throws {
        var rng = SeededGenerator(inputSeed: 42)
        let x = Tensor.randomUniform(shape: [4, 6], in: 0.5..<2, using: &rng)
        let out = try normalizeRows(x)
        check(out.shape == [4, 6], "normalizeRows of [4, 6] should keep the shape; got \(out.shape).", in: .broadcast2)
        guard out.shape == [4, 6] else { return }
        let sums = try out.sum(alongAxis: 1)
        check(sums, equals: Tensor([1, 1, 1, 1]), "the row sums of normalizeRows(x)", in: .broadcast2,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        // Dividing a row by one number keeps every ratio within the row.
        for n in 0..<4 {
            for d in 1..<6 {
                check(out[n, d] / out[n, 0], equals: x[n, d] / x[n, 0], "out[\(n), \(d)] / out[\(n), 0]", in: .broadcast2,
                      absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
            }
        }
    }

    @Test("rejects a row that sums to 0, and a tensor that is not a matrix")
    func rejects() throws {
        try checkThrows(ArgumentError.self, "normalizeRows([[1, -1], [2, 2]]) (row 0 sums to 0)", in: .broadcast2) {
            _ = try normalizeRows(try Tensor([[1, -1], [2, 2]]))
        }
        try checkThrowsShapeError("normalizeRows of a vector [3]", in: .broadcast2) {
            _ = try normalizeRows(Tensor([1, 2, 3]))
        }
    }
}

import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let slice1 = Exercise(id: "Slice1", chapter: "00-TensorBasics", file: "Slicing.swift", title: "Hold out a validation set", points: 1)
}

@Suite("Slice1 · Hold out a validation set", .graded(.slice1))
struct Slice1Tests {
    @Test("keeps rows 0…2 of five for training and rows 3, 4 for validation")
    func workedExample() throws {
        let x = try Tensor([[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]])
        let (train, validation) = try splitValidation(x, validationCount: 2)
        check(train, equals: try Tensor([[0, 1], [2, 3], [4, 5]]), "train of splitValidation(5 rows, validationCount: 2)", in: .slice1,
              misconceptions: [Misconception(try Tensor([[4, 5], [6, 7], [8, 9]]), "the validation rows were taken from the front; they are the last validationCount rows, training keeps the first")])
        check(validation, equals: try Tensor([[6, 7], [8, 9]]), "validation of splitValidation(5 rows, validationCount: 2)", in: .slice1)
    }

    @Test("splits a batch of images (and of numbers, rank 1), holding out none, some or all of them; the parts join back into x")
    func images() throws {
        var rng = SeededGenerator(inputSeed: 3)
        let x = Tensor.randomNormal(shape: [6, 2, 2, 1], using: &rng)
        for count in [0, 1, 6] {
            let (train, validation) = try splitValidation(x, validationCount: count)
            check(train.shape == [6 - count, 2, 2, 1] && validation.shape == [count, 2, 2, 1],
                  "splitValidation of [6, 2, 2, 1] with validationCount \(count) should give [\(6 - count), 2, 2, 1] and [\(count), 2, 2, 1]; got \(train.shape) and \(validation.shape).",
                  in: .slice1)
            check(try Tensor.concatenating([train, validation]), equals: x, "train and validation joined (validationCount \(count))", in: .slice1)
        }
        // A rank-1 tensor [N] is a batch of N numbers: it has a batch axis, so it splits as well.
        let (head, tail) = try splitValidation(Tensor([1, 2, 3, 4]), validationCount: 1)
        check(head, equals: Tensor([1, 2, 3]), "train of splitValidation([1, 2, 3, 4], validationCount: 1) (rank 1 has a batch axis and must be accepted)", in: .slice1)
        check(tail, equals: Tensor([4]), "validation of splitValidation([1, 2, 3, 4], validationCount: 1)", in: .slice1)
    }

    @Test("rejects a validation count outside 0…N, and a scalar")
    func rejects() throws {
        let x = Tensor(zeros: [5, 2])
        for count in [-1, 6] {
            try checkThrows(ArgumentError.self, "splitValidation of 5 rows with validationCount \(count)", in: .slice1) {
                _ = try splitValidation(x, validationCount: count)
            }
        }
        try checkThrowsShapeError("splitValidation of a scalar", in: .slice1) {
            _ = try splitValidation(Tensor(scalar: 1), validationCount: 0)
        }
    }
}

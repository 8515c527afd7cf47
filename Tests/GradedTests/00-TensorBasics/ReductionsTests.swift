import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let reduce1 = Exercise(id: "Reduce1", chapter: "00-TensorBasics", file: "Reductions.swift", title: "Per-channel means", points: 1)
    static let reduce2 = Exercise(id: "Reduce2", chapter: "00-TensorBasics", file: "Reductions.swift", title: "Accuracy from logits", points: 1)
}

@Suite("Reduce1 · Per-channel means", .graded(.reduce1))
struct Reduce1Tests {
    @Test("averages two channels over 2 images of 1x2 pixels")
    func workedExample() throws {
        // Channel 0 holds 1, 3 (image 0) and 5, 7 (image 1): mean 16/4 = 4.
        // Channel 1 holds 10, 30, 50, 70: mean 160/4 = 40.
        let images = try Tensor(shape: [2, 1, 2, 2], scalars: [1, 10, 3, 30, 5, 50, 7, 70])
        check(try channelMeans(images), equals: Tensor([4, 40]), "channelMeans of the 2 images", in: .reduce1)
    }

    @Test("gives [0, 1, 2, 3] when every pixel of every image holds its channel's index")
    func channelIndex() throws {
        // C = 4 is the last (fastest) axis, so flat index i lies in channel i mod 4.
        let images = Tensor(shape: [2, 3, 3, 4]) { Double($0 % 4) }
        check(try channelMeans(images), equals: Tensor([0, 1, 2, 3]), "channelMeans of [2, 3, 3, 4] images whose channel c holds c",
              in: .reduce1)
    }

    @Test("rejects a matrix, which is not a batch of images")
    func rejectsMatrix() throws {
        try checkThrowsShapeError("channelMeans of a [4, 2] matrix", in: .reduce1) {
            _ = try channelMeans(Tensor(zeros: [4, 2]))
        }
    }
}

@Suite("Reduce2 · Accuracy from logits", .graded(.reduce2))
struct Reduce2Tests {
    @Test("counts 2 correct predictions out of 4")
    func workedExample() throws {
        // Row maxima at columns 0, 1, 2, 1; labels 0, 1, 1, 0: rows 0 and 1 match, 2/4 = 0.5.
        let logits = try Tensor([[2, 1, 0], [0, 3, 1], [1, 0, 4], [5, 6, 0]])
        check(try accuracy(logits: logits, labels: [0, 1, 1, 0]), equals: 0.5, "accuracy with labels [0, 1, 1, 0]", in: .reduce2,
              misconceptions: [Misconception(2, "the result is the number of correct predictions; accuracy is the fraction, divided by N")])
    }

    @Test("breaks a tie towards the lowest class index")
    func ties() throws {
        // Row 0 ties classes 0 and 1, row 1 ties 1 and 2: the predictions are 0 and 1.
        let logits = try Tensor([[1, 1, 0], [0, 2, 2]])
        check(try accuracy(logits: logits, labels: [0, 1]), equals: 1, "accuracy of tied rows with labels [0, 1]", in: .reduce2)
        check(try accuracy(logits: logits, labels: [1, 2]), equals: 0, "accuracy of tied rows with labels [1, 2]", in: .reduce2)
    }

    @Test("rejects a label count that is not N, a label outside 0..<K, and no examples")
    func rejects() throws {
        let logits = try Tensor([[2, 1, 0], [0, 3, 1]])
        try checkThrowsShapeError("accuracy of 2 rows of logits with 3 labels", in: .reduce2) {
            _ = try accuracy(logits: logits, labels: [0, 1, 2])
        }
        try checkThrows(ArgumentError.self, "accuracy with label 3 for K = 3 classes", in: .reduce2) {
            _ = try accuracy(logits: logits, labels: [0, 3])
        }
        try checkThrows(ArgumentError.self, "accuracy of no examples (logits [0, 3], no labels)", in: .reduce2) {
            _ = try accuracy(logits: Tensor(zeros: [0, 3]), labels: [])
        }
    }
}

import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let crossEntropy1 = Exercise(id: "CrossEntropy1", chapter: "03-Losses", file: "CrossEntropy.swift", title: "Cross-entropy of distributions", points: 2)
    static let crossEntropy2 = Exercise(id: "CrossEntropy2", chapter: "03-Losses", file: "CrossEntropy.swift", title: "Cross-entropy with integer labels", points: 2)
}

/// Two rows: ŷ = [0.25, 0.25, 0.5] with class 2, ŷ = [0.1, 0.7, 0.2] with class 1.
/// H = −log 0.5 = 0.6931471805599453 and −log 0.7 = 0.35667494393873245; mean 0.5249110622493389.
enum CrossEntropyExample {
    static let probabilities: [[Double]] = [[0.25, 0.25, 0.5], [0.1, 0.7, 0.2]]
    static let oneHot: [[Double]] = [[0, 0, 1], [0, 1, 0]]
    static let labels = [2, 1]
    static let loss = 0.5249110622493389
}

@Suite("CrossEntropy1 · Cross-entropy of distributions", .graded(.crossEntropy1))
struct CrossEntropy1Tests {
    @Test("H(y, ŷ) = −Σ y log ŷ, averaged over rows, for one-hot targets")
    func oneHot() throws {
        let loss = try crossEntropy(try Tensor(CrossEntropyExample.probabilities), targets: try Tensor(CrossEntropyExample.oneHot))
        check(loss, equals: CrossEntropyExample.loss, "crossEntropy with one-hot targets", in: .crossEntropy1,
              misconceptions: [
                Misconception(CrossEntropyExample.loss * 2 / 6, "the loss is the sum divided by N·K (every entry); the mean is over the N rows only"),
                Misconception(CrossEntropyExample.loss * 2, "the loss is the sum over the batch; the workbook's loss is the mean over the N rows"),
              ])
    }

    @Test("handles soft targets and skips terms with y = 0, even where ŷ = 0")
    func softTargets() throws {
        // Row 1: y = [0.5, 0.5, 0], ŷ = [0.5, 0.25, 0.25]: −(0.5 log 0.5 + 0.5 log 0.25) = 1.5 log 2.
        // Row 2: y = [0, 1, 0], ŷ = [0, 1, 0]: a perfect prediction, loss 0 (0·log 0 must not be NaN).
        // Mean: 0.75 log 2 = 0.5198603854199589.
        let loss = try crossEntropy(try Tensor([[0.5, 0.25, 0.25], [0, 1, 0]]), targets: try Tensor([[0.5, 0.5, 0], [0, 1, 0]]))
        check(loss, equals: 0.75 * log(2), "crossEntropy with a soft target and a zero probability", in: .crossEntropy1)
    }

    @Test("rejects targets whose shape differs from the probabilities'")
    func rejects() throws {
        let p = try Tensor(CrossEntropyExample.probabilities)
        try checkThrowsShapeError("crossEntropy with targets [2, 2] for probabilities [2, 3]", in: .crossEntropy1) {
            _ = try crossEntropy(p, targets: try Tensor([[1, 0], [0, 1]]))
        }
    }
}

@Suite("CrossEntropy2 · Cross-entropy with integer labels", .graded(.crossEntropy2))
struct CrossEntropy2Tests {
    @Test("averages −log ŷ of each row's label: labels [2, 1] give the one-hot example's loss")
    func labels() throws {
        let loss = try crossEntropy(try Tensor(CrossEntropyExample.probabilities), labels: CrossEntropyExample.labels)
        check(loss, equals: CrossEntropyExample.loss, "crossEntropy with labels [2, 1]", in: .crossEntropy2,
              misconceptions: [
                Misconception(CrossEntropyExample.loss * 2 / 3, "the loss is divided by the number of classes K; the mean is over the N rows (labels)"),
                Misconception(CrossEntropyExample.loss * 2, "the loss is the sum over the batch; the workbook's loss is the mean over the N rows"),
              ])
    }

    @Test("rejects labels outside 0..<K and the wrong number of labels")
    func rejects() throws {
        let p = try Tensor(CrossEntropyExample.probabilities)
        try checkThrowsShapeError("crossEntropy with label 3 for K = 3", in: .crossEntropy2) { _ = try crossEntropy(p, labels: [3, 0]) }
        try checkThrowsShapeError("crossEntropy with label -1", in: .crossEntropy2) { _ = try crossEntropy(p, labels: [-1, 0]) }
        try checkThrowsShapeError("crossEntropy with 3 labels for 2 rows", in: .crossEntropy2) { _ = try crossEntropy(p, labels: [0, 1, 2]) }
    }
}

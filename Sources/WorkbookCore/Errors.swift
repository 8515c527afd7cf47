/// Thrown by every exercise stub until the student writes it.
///
/// It names the exercise and the function, and says where to look next, so a test failure reads
/// as an instruction rather than a crash.
public struct NotImplemented: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The exercise identifier, such as `ReLU1` or `BatchNorm2`.
    public let exercise: String
    /// The unfinished function, such as `reluForward(_:)`.
    public let function: String

    public init(_ exercise: String, _ function: String = #function) {
        self.exercise = exercise
        self.function = function
    }

    /// The text every graded test shows for an unfinished exercise; the grading tools look for it.
    public static let marker = "not implemented yet"

    public var description: String {
        "\(exercise): \(function) is \(NotImplemented.marker). Write it between the START and END markers under "
            + "TODO(\(exercise)); for a hint run `swift run workbook hint \(exercise)` or read the chapter's GUIDE.md."
    }
}

/// An argument that is not a shape problem but still makes no sense: a momentum outside [0, 1], a
/// fan-in below 1, a schedule whose cycles do not divide its iterations, an unknown ResNet depth.
public struct ArgumentError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The function that refused, such as `runningAverage` or `resNet(depth:)`.
    public let operation: String
    /// What was wrong.
    public let detail: String

    public init(operation: String, detail: String) {
        self.operation = operation
        self.detail = detail
    }

    public var description: String { "\(operation): \(detail)" }
}

/// A tensor had the wrong shape for an operation.
public struct ShapeError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The operation that refused, such as `matmul(a, b)` or `denseForward`.
    public let operation: String
    /// The shapes involved, in argument order.
    public let shapes: [[Int]]
    /// Why they do not fit.
    public let detail: String

    public init(operation: String, shapes: [[Int]], detail: String) {
        self.operation = operation
        self.shapes = shapes
        self.detail = detail
    }

    public var description: String {
        "\(operation): \(shapes.map { "\($0)" }.joined(separator: " and ")): \(detail)"
    }
}

/// Checks that a tensor has the shape an operation needs; `-1` in `expected` matches any size.
///
///     try requireShape(x, [-1, 4], "denseForward x")   // any batch of 4 features
///
/// - Throws: ``ShapeError`` naming `operation`, the actual and the expected shape.
public func requireShape(_ tensor: Tensor, _ expected: [Int], _ operation: String) throws {
    let fits = tensor.rank == expected.count && zip(tensor.shape, expected).allSatisfy { $1 == -1 || $0 == $1 }
    if !fits {
        throw ShapeError(operation: operation, shapes: [tensor.shape, expected],
                         detail: "expected the second shape (-1 = any size)")
    }
}

// The workbook's own errors cross the wire with their fields, so that a test expecting a
// `ShapeError` from the student's function sees one, in the grader's process.
import Foundation
import WorkbookCore

extension ThrownError {
    /// Describes `error` for the wire (in the runner).
    public init(_ error: any Error) {
        let description = String(String(describing: error).prefix(600))
        func with<E: Encodable>(_ kind: String, _ value: E) -> ThrownError {
            ThrownError(kind: kind, payload: try? Wire.encode(value), description: description)
        }
        switch error {
        case let error as NotImplemented: self = with("NotImplemented", error)
        case let error as ShapeError: self = with("ShapeError", error)
        case let error as ArgumentError: self = with("ArgumentError", error)
        case let error as InvalidKeepProbability: self = with("InvalidKeepProbability", error)
        default: self.init(kind: String(String(reflecting: type(of: error)).prefix(120)), payload: nil, description: description)
        }
    }

    /// The error again, in the grader: a workbook error as itself, anything else as `StudentError`.
    public var rebuilt: any Error {
        func decoded<E: Error & Decodable>(_ type: E.Type) -> (any Error)? {
            payload.flatMap { try? Wire.decode(type, from: $0) }
        }
        let known: (any Error)? = switch kind {
        case "NotImplemented": decoded(NotImplemented.self)
        case "ShapeError": decoded(ShapeError.self)
        case "ArgumentError": decoded(ArgumentError.self)
        case "InvalidKeepProbability": decoded(InvalidKeepProbability.self)
        default: nil
        }
        return known ?? StudentError(type: kind, message: description)
    }
}

/// An error of a type the workbook does not define, thrown by a student's function.
public struct StudentError: Error, Sendable, Hashable, CustomStringConvertible {
    public var type: String
    public var message: String

    public init(type: String, message: String) {
        self.type = type
        self.message = message
    }

    public var description: String { "\(type): \(message)" }
}

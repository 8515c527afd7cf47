// How a call into the student's code can end without an answer, in words for the student.
import Foundation

/// The runner could not answer a call: the student's code trapped, ran out of time, ended the
/// process, or sent something that is not an answer. After any of these the runner is gone, and
/// every later call in the same test fails the same way.
public struct StudentFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case crashed, timedOut, exited, garbled, couldNotStart
    }

    public var kind: Kind
    /// The exercise function that was running (`reluForward(_:)`), if a call was in flight.
    public var function: String?
    /// The runtime's words (`Fatal error: Index out of range`), the exit status, or what was wrong.
    public var detail: String
    /// `Exercises/01-Activations/ReLU.swift:20`: the first frame in the graded folder, when known.
    public var location: String?
    /// Seconds of the time limit, for `timedOut`.
    public var seconds: Int?
    /// For a trap: the exercise whose code trapped, read from the crash report's file and line.
    public var trappedIn: String?

    /// The exercises the failure belongs to: where the trap was, or else the code the called
    /// function holds (`["ReLU1"]`).
    public var exercises: [String] {
        if let trappedIn { return [trappedIn] }
        return function.flatMap { exercisesOfFunction[$0] } ?? []
    }

    /// `reluForward`, or "your code" when no call was in flight.
    public var functionName: String { function.map { String($0.prefix { $0 != "(" }) } ?? "your code" }

    public var description: String {
        let at = location.map { " at \($0)" } ?? ""
        switch kind {
        case .crashed:
            let inner = trappedIn.map { owner in
                (function.flatMap { exercisesOfFunction[$0] } ?? []).contains(owner) ? "" : " (in \(owner)'s code)"
            } ?? ""
            return "\(functionName) crashed\(inner): \(detail)\(at)"
        case .timedOut: return "\(functionName) timed out after \(seconds ?? 0) s and was stopped. Is there a loop that never ends?"
        case .exited: return "\(functionName) ended the process (\(detail)). Exercises report problems by throwing, never by calling exit()."
        case .garbled: return "\(functionName) left the runner unable to answer (\(detail))"
        case .couldNotStart: return "the process that runs your code could not start: \(detail)"
        }
    }
}

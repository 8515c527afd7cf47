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
    /// For a trap: the exercise whose code trapped, read from the crash report's file and line;
    /// for a timeout, the exercise whose code was running when it was stopped.
    public var trappedIn: String?
    /// For a timeout on the shorter limit: the test where this function first ran out of time.
    public var earlierTimeout: String?

    public init(kind: Kind, function: String?, detail: String, location: String? = nil, seconds: Int? = nil,
                trappedIn: String? = nil, earlierTimeout: String? = nil) {
        self.kind = kind
        self.function = function
        self.detail = detail
        self.location = location
        self.seconds = seconds
        self.trappedIn = trappedIn
        self.earlierTimeout = earlierTimeout
    }

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
        let inner = trappedIn.map { owner in
            (function.flatMap { exercisesOfFunction[$0] } ?? []).contains(owner) ? "" : " (in \(owner)'s code)"
        } ?? ""
        switch kind {
        case .crashed:
            return "\(functionName) crashed\(inner): \(detail)\(at)"
        case .timedOut:
            let running = location.map { " while running \($0)\(inner)" } ?? ""
            guard let earlierTimeout else {
                return "\(functionName) timed out after \(seconds ?? 0) s and was stopped\(running). Is there a loop that never ends? "
                    + "(On a slow machine, WORKBOOK_TIME_LIMIT=30 gives every test 30 s.)"
            }
            return "\(functionName) timed out after \(seconds ?? 0) s and was stopped\(running): it had already run out of time " +
                "in \"\(earlierTimeout)\", so this test gave it \(seconds ?? 0) s instead of the whole limit."
        case .exited: return "\(functionName) ended the process (\(detail)). Exercises report problems by throwing, never by calling exit()."
        case .garbled: return "\(functionName) left the runner unable to answer (\(detail))"
        case .couldNotStart: return "the process that runs your code could not start: \(detail)"
        }
    }
}

// Output in proportion to the work (issue 17, point 2).
//
// A stub fails every test of its exercise with the same "not implemented yet", so a full run of
// an untouched workbook repeated it hundreds of times. In a student's own run the first test of an
// exercise that stops at a given stub says so; the exercise's other tests that stop at the same
// stub are cancelled: one "was cancelled" line each in Swift Testing's default output, nothing
// with `swift test -q`. The run still fails (the first test failed), and the summary still counts
// every one of them as not passing.
//
// Left as it was, every test reporting on its own:
//   - grading that reads Swift Testing's event stream (`workbook batch`, `results`, Gradescope,
//     `watch`, `scorecard`): there a cancelled test would read as not failed;
//   - the maintainers' stub check (`WORKBOOK_CHECK=stubs`), where each test must show its verdict;
//   - the cases of a parameterized test, unless the run is quiet (`swift test -q`, as the README
//     runs it): Swift Testing's default output shows a test whose cases were all cancelled as
//     passed, so there each such test reports its first case;
//   - `WORKBOOK_REPEAT_NOT_STARTED=1`, for anyone who wants every line.
import Foundation
import Testing
import WorkbookCore

enum NotStartedOnce {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var reported: Set<String> = []

    /// Whether this process is a student's own console run.
    static let applies: Bool = {
        let arguments = CommandLine.arguments
        let environment = ProcessInfo.processInfo.environment
        let streams = ["--event-stream-output-path", "--experimental-event-stream-output"]
        return !arguments.contains { argument in streams.contains { argument.hasPrefix($0) } }
            && environment["WORKBOOK_CHECK"] != "stubs" && environment["WORKBOOK_REPEAT_NOT_STARTED"] != "1"
    }()

    /// `swift test -q`: Swift Testing prints only issues, so a cancelled case prints nothing.
    static let quiet = CommandLine.arguments.contains { $0 == "-q" || $0 == "--quiet" }

    /// `true` the first time a test of `exercise` stops at `stub`'s `NotImplemented` (or for a
    /// parameterized test, the first time one of its own cases does): that test reports it.
    static func shouldReport(exercise: String, stub: String, test: Test) -> Bool {
        guard applies else { return true }
        let key = test.isParameterized && !quiet ? "\(exercise)|\(stub)|\(test.id)" : "\(exercise)|\(stub)"
        lock.lock()
        defer { lock.unlock() }
        return reported.insert(key).inserted
    }

    /// Ends a test whose exercise's stub was already reported: cancelled, with the reason.
    static func cancel(_ exercise: Exercise, stub: String) throws -> Never {
        let why = stub == exercise.id ? "not started" : "waits for \(stub)"
        try Test.cancel(Comment(rawValue: "\(exercise.id) \(why): said once above, not repeated"))
    }
}

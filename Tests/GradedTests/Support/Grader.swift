// How a graded test runs: every check executes in a child process, so that nothing a student
// writes can stop the grading of the other exercises.
//
//     @Test func forwardMatchesTheNotes() async {
//         Grader.judge(.relu1, await #expect(processExitsWith: .failure, observing: Grader.streams) {
//             Grader.run(.relu1) {
//                 let (out, _) = try reluForward(x)
//                 check(out, equals: expected, "reluForward(x)")
//             }
//         })
//     }
//
// The child (`Grader.run`) starts a watchdog, runs the body, turns a thrown `NotImplemented` into
// one clear issue, and always ends with `exit(Grader.finished)`, a non-zero code. Issues it records
// reach the parent with their messages. Because the child never exits with 0, `.failure` matches
// every way it can end, so Swift Testing always hands us the result and `Grader.judge` decides:
//
//   - exit code `finished`: the body ran to the end; its issues (if any) were already reported;
//   - SIGALRM: the watchdog fired: the exercise is reported as timed out (an infinite loop?);
//   - any other signal: a trap (index out of range, nil unwrap, precondition, overflow); the trap's
//     message is read from the child's standard error and reported for this test only;
//   - any other exit code: the student's code called `exit`.
//
// `WORKBOOK_CHECK=stubs` turns grading inside out for the maintainers' check (rustlings'
// `dev check`): a test then passes only if the stubs make it fail with `NotImplemented`.
import Foundation
import Testing
import WorkbookCore

enum Grader {
    /// The exit code of a child that ran its body to the end (whatever the body found).
    static let finished: CInt = 86

    /// The streams the parent reads from the child: the trap messages come on standard error.
    static let streams: [any PartialKeyPath<ExitTest.Result> & Sendable] = [\.standardErrorContent]

    /// Seconds one graded test may run before it is stopped as a timeout (`WORKBOOK_TIME_LIMIT`).
    static var timeLimit: UInt32 {
        UInt32(ProcessInfo.processInfo.environment["WORKBOOK_TIME_LIMIT"] ?? "") ?? 20
    }

    /// `true` in the maintainers' stub check (`WORKBOOK_CHECK=stubs`).
    static var checkingStubs: Bool {
        ProcessInfo.processInfo.environment["WORKBOOK_CHECK"] == "stubs"
    }

    /// Runs one graded body in the child process and exits. Call it only inside an exit test.
    static func run(
        _ exercise: Exercise, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) -> Never {
        alarm(timeLimit)
        do {
            try body()
            if checkingStubs {
                Issue.record("""
                    [stub check] \(exercise.id): this test passed against the stub in Exercises/\(exercise.path). \
                    A graded test must fail until the exercise is written: does it call the exercise, \
                    and does the stub throw NotImplemented?
                    """, sourceLocation: sourceLocation)
            }
        } catch let unfinished as NotImplemented {
            if !checkingStubs {
                Issue.record(Comment(rawValue: unfinished.description), sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record(Comment(rawValue: """
                \(exercise.id) (\(exercise.title)) threw \(type(of: error)): \(error)
                Look in \(exercise.path); hint: `swift run workbook hint \(exercise.id)`.
                """), sourceLocation: sourceLocation)
        }
        fflush(nil)  // all C streams: whatever the student printed reaches the parent
        exit(finished)
    }

    /// Reads how the child ended and reports a timeout, a trap or an unexpected exit as an issue.
    static func judge(_ exercise: Exercise, _ result: ExitTest.Result?, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let result else {
            Issue.record("The isolated check for \(exercise.id) could not be run.", sourceLocation: sourceLocation)
            return
        }
        switch result.exitStatus {
        case .exitCode(finished):
            return
        case .signal(SIGALRM):
            Issue.record(Comment(rawValue: """
                \(exercise.id) (\(exercise.title)) timed out after \(timeLimit) s and was stopped. \
                Is there a loop that never ends in \(exercise.path)? The other exercises were graded as usual.
                """), sourceLocation: sourceLocation)
        case .signal(let signal):
            Issue.record(Comment(rawValue: """
                \(exercise.id) (\(exercise.title)) crashed: \(trapMessage(result.standardErrorContent, signal: signal))
                Only the tests that run this code fail; the other exercises were graded as usual. \
                Look in \(exercise.path); hint: `swift run workbook hint \(exercise.id)`.
                """), sourceLocation: sourceLocation)
        case .exitCode(let code):
            Issue.record(Comment(rawValue: """
                \(exercise.id) (\(exercise.title)): the code exited the process with status \(code). \
                Exercises report problems by throwing, never by calling exit().
                """), sourceLocation: sourceLocation)
        @unknown default:
            Issue.record("\(exercise.id): the check ended in an unknown way.", sourceLocation: sourceLocation)
        }
    }

    /// The runtime's own words for a trap ("Fatal error: Index out of range", "Precondition failed: …"),
    /// picked out of the child's standard error; the stack trace is left out.
    static func trapMessage(_ stderr: [UInt8], signal: CInt) -> String {
        let text = String(decoding: stderr, as: UTF8.self)
        let keys = ["Fatal error", "Precondition failed", "Assertion failed", "Unexpectedly found nil", "Unexpectedly found"]
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
            .filter { line in keys.contains { line.contains($0) } }
        if let first = lines.first {
            // "Swift/ContiguousArrayBuffer.swift:692: Fatal error: Index out of range" → from "Fatal error".
            if let key = keys.first(where: { first.contains($0) }), let range = first.range(of: key) {
                return String(first[range.lowerBound...])
            }
            return first
        }
        let name = signal == SIGILL || signal == SIGTRAP ? "a trap (SIGILL/SIGTRAP)" : "signal \(signal)"
        return "\(name) with no message. Arithmetic overflow (Int.max + 1) and division by zero trap silently."
    }
}

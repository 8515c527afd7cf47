// How a graded test runs: the test decides, the student's code only computes.
//
//     @Suite("ReLU1 · ReLU forward", .graded(.relu1))
//     struct ReLU1Tests {
//         @Test("reproduces the output of notes 004, problem 6")
//         func notesExample() throws {
//             let (out, _) = try reluForward(try Tensor(ReLUNotesExample.x))
//             check(out, equals: try Tensor(ReLUNotesExample.y), "reluForward(x)", in: .relu1)
//         }
//     }
//
// This test target never links the student's code. `reluForward` here is a proxy with the same
// signature (module `StudentCalls`, generated from the stubs) that sends its arguments to
// `grade-runner`, a separate process that links the graded folder, and decodes what came back.
// So the comparison, the verdict and every event Swift Testing writes happen in a process where
// no student code runs, and nothing the student's code prints, exits with or writes can pass a
// test: only the values its functions return are read, as the types the exercise promises.
//
// The `.graded` trait gives each test (each case of a parameterized one) its own runner and a
// time limit (`WORKBOOK_TIME_LIMIT`, default 10 s) enforced from outside the runner, and turns how
// a call ended into one clear issue:
//   - `NotImplemented`: "not implemented yet", naming the exercise whose stub threw;
//   - a trap: the runtime's words and the student's file and line, naming the function that
//     trapped and whose exercise it belongs to ("crashed in reluForward (ReLU1's code)");
//   - a timeout: the file and line the student's code was running when it was stopped (a backtrace
//     taken from the runner first); the limit counts the runner's processor time (up to 3× in wall
//     time), so a loaded machine does not stop correct code; a later test of the same exercise
//     calling the same function gets 2 s, not the whole limit;
//   - an `exit()`, a garbled answer: said as such; the runner is stopped (under root,
//     every process of its sandbox user) and the other tests go on as usual.
// What the student's code printed is shown with the test's result (a warning, so a passing test
// stays green), cut to `WORKBOOK_OUTPUT_LIMIT` bytes; hidden tests never show it.
//
// `WORKBOOK_CHECK=stubs` turns grading inside out for the maintainers' check (rustlings'
// `dev check`): a test then passes only if the stubs make it fail with `NotImplemented`.
import Foundation
import StudentCalls
import Testing
import WorkbookCore

extension Trait where Self == GradedExercise {
    /// Grades a suite's tests as `exercise`'s, each with its own runner process and time limit.
    static func graded(_ exercise: Exercise) -> Self { GradedExercise(exercise: exercise) }
}

struct GradedExercise: SuiteTrait, TestTrait, TestScoping {
    let exercise: Exercise

    var isRecursive: Bool { true }

    /// `true` in the maintainers' stub check (`WORKBOOK_CHECK=stubs`).
    static var checkingStubs: Bool { ProcessInfo.processInfo.environment["WORKBOOK_CHECK"] == "stubs" }

    /// One scope per test case (a plain test has exactly one).
    func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? { testCase == nil ? nil : self }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let session = StudentSession()
        session.testName = "\(exercise.id): \(test.displayName ?? test.name)"
        session.exercise = exercise.id
        let location = test.sourceLocation
        let hidden = location.filePath.contains("/GradedTests/Hidden/")
        let record = TestRecord(exercise: exercise, location: location)
        defer { Ledger.add(record) }
        var notImplemented: NotImplemented?
        do {
            try await Ledger.$current.withValue(record) {
                try await StudentProcess.$current.withValue(session) { try await function() }
            }
        } catch let unfinished as NotImplemented {
            notImplemented = unfinished
            record.waitingFor = unfinished.exercise
        } catch let failure as StudentFailure {
            _ = failure   // reported below from the session, which keeps the first failure
        } catch {
            record.failed = true
            failTest("""
                \(exercise.id) (\(exercise.title)) threw \(type(of: error)): \(String(describing: error).prefix(600))
                \(pointer(exercise))
                """, sourceLocation: location)
        }
        session.finish()
        if let failure = session.failure {
            Ledger.$current.withValue(record) {
                failTest(message(for: failure, output: hidden ? nil : session.printed), sourceLocation: location)
            }
        } else if let notImplemented, !Self.checkingStubs {
            record.failed = true
            guard NotStartedOnce.shouldReport(exercise: exercise.id, stub: notImplemented.exercise, test: test) else {
                try NotStartedOnce.cancel(exercise, stub: notImplemented.exercise)
            }
            Ledger.$current.withValue(record) { failTest(notImplemented.description, sourceLocation: location) }
        } else if notImplemented == nil, Self.checkingStubs {
            record.failed = true
            failTest("""
                [stub check] \(exercise.id): this test passed against the stub in Exercises/\(exercise.path). \
                A graded test must fail until the exercise is written: does it call the exercise, \
                and does the stub throw NotImplemented?
                """, sourceLocation: location)
        }
        if !hidden, session.failure == nil, session.printed.total > 0 {
            Issue.record(Comment(rawValue: "\(exercise.id): your code printed:\n" + quoted(session.printed.text)),
                         severity: .warning, sourceLocation: location)
        }
    }

    /// The words for a runner that stopped answering: whose code, what happened, where to look.
    func message(for failure: StudentFailure, output: CapturedOutput?) -> String {
        let owners = failure.exercises
        var text: String
        if owners.isEmpty || owners.contains(exercise.id) {
            text = "\(exercise.id) (\(exercise.title)): \(failure)\nOnly the tests that run this code fail; the other exercises were graded as usual. \(pointer(exercise))"
        } else {
            // Another exercise's code stopped the runner: say whose, as "needs X first" does.
            let whose = owners.joined(separator: ", ")
            let how = failure.trappedIn == nil ? "it calls \(failure.functionName), \(whose)'s code, which stopped: " : ""
            text = "\(exercise.id) (\(exercise.title)) could not be checked: \(how)\(failure)\nFix \(whose) first; `swift test --filter \(owners[0])` shows it on its own."
        }
        if let output {
            let before = output.textBeforeCrashReport
            if !before.isEmpty { text += "\nYour code printed before it stopped:\n" + quoted(before) }
        }
        return text
    }

    func quoted(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  │ " + $0 }.joined(separator: "\n")
    }
}

/// Records a failing issue for the running graded test, and counts it for the end-of-run summary.
func failTest(_ text: String, sourceLocation: SourceLocation) {
    Ledger.current?.failed = true
    Issue.record(Comment(rawValue: text), sourceLocation: sourceLocation)
}

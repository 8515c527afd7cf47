// The student's status at the end of `swift test`.
//
// Swift Testing has no end-of-run hook, so the ledger prints from an `atexit` handler installed
// when this test process loads (a constructor in `.init_array`, as C's `__attribute__((constructor))`
// would): after the last line of Swift Testing's own summary, it says how many exercises are done,
// which are failing, and which one is next, with the command for its hint. A `--filter` that
// matches no test at all says so as the process loads (FilterCheck.swift).
import Foundation
import Testing
import WorkbookCore

/// One graded test's outcome, as the `.graded` trait saw it.
final class TestRecord: @unchecked Sendable {
    let exercise: Exercise
    let location: SourceLocation
    /// Any failing issue was recorded (through `failTest`).
    var failed = false
    /// The exercise whose stub threw `NotImplemented`, when that is why it failed.
    var waitingFor: String?

    init(exercise: Exercise, location: SourceLocation) {
        self.exercise = exercise
        self.location = location
    }
}

enum Ledger {
    @TaskLocal static var current: TestRecord?

    private static let lock = NSLock()
    nonisolated(unsafe) private static var records: [TestRecord] = []

    static func add(_ record: TestRecord) {
        lock.lock()
        records.append(record)
        lock.unlock()
    }

    /// What the summary says about one exercise.
    enum Status { case done, failing, notStarted }

    static func summary(arguments: [String] = CommandLine.arguments) -> String? {
        lock.lock()
        let all = records
        lock.unlock()
        let environment = ProcessInfo.processInfo.environment
        // No graded test ran: a filter aimed at the tools' own tests (said nothing; a filter that
        // matches no test at all was answered as the process loaded, see FilterCheck.swift).
        if all.isEmpty { return nil }
        if environment["WORKBOOK_CHECK"] == "stubs" { return nil }
        var exercises: [(exercise: Exercise, first: SourceLocation, tests: Int, failed: Int, own: Bool)] = []
        for record in all {
            // Failed by its own answer (not by a stub, its own or another's, still throwing).
            let wrong = record.failed && record.waitingFor == nil
            if let index = exercises.firstIndex(where: { $0.exercise == record.exercise }) {
                exercises[index].tests += 1
                exercises[index].failed += record.failed ? 1 : 0
                exercises[index].own = exercises[index].own || wrong
                if (record.location.fileID, record.location.line) < (exercises[index].first.fileID, exercises[index].first.line) {
                    exercises[index].first = record.location
                }
            } else {
                exercises.append((record.exercise, record.location, 1, record.failed ? 1 : 0, wrong))
            }
        }
        // The curriculum's order: chapter, then the order of the chapter guide's hints (as the
        // scorecard), then where the suite stands in its file.
        func rank(_ e: (exercise: Exercise, first: SourceLocation, tests: Int, failed: Int, own: Bool)) -> (String, Int, String, Int) {
            (e.exercise.chapter, guideOrder(e.exercise), e.first.fileID, e.first.line)
        }
        exercises.sort { rank($0) < rank($1) }
        func status(_ e: (exercise: Exercise, first: SourceLocation, tests: Int, failed: Int, own: Bool)) -> Status {
            e.failed == 0 ? .done : (e.own || e.failed < e.tests ? .failing : .notStarted)
        }
        let done = exercises.filter { status($0) == .done }
        let failing = exercises.filter { status($0) == .failing }
        let notStarted = exercises.filter { status($0) == .notStarted }
        let points = done.reduce(0) { $0 + $1.exercise.points }
        let possible = exercises.reduce(0) { $0 + $1.exercise.points }
        var lines = ["", heading(environment)]
        lines.append("Done: \(done.count) of \(exercises.count) exercises graded in this run · \(points)/\(possible) points")
        if !failing.isEmpty {
            let names = failing.prefix(8).map { "\($0.exercise.id) (\($0.tests - $0.failed) of \($0.tests) tests pass)" }
            lines.append("Failing: " + names.joined(separator: ", ") + (failing.count > 8 ? " and \(failing.count - 8) more" : ""))
        }
        if !notStarted.isEmpty { lines.append("Not started: \(notStarted.count)") }
        if let next = (failing + notStarted).min(by: { rank($0) < rank($1) }) {
            lines.append("Next: \(next.exercise.id) (\(next.exercise.title)) in Exercises/\(next.exercise.path)")
            lines.append("      swift test --filter \(next.exercise.id)   ·   swift run workbook hint \(next.exercise.id)   ·   swift run workbook scorecard")
        } else {
            lines.append("Every exercise graded in this run is done.")
        }
        return lines.joined(separator: "\n")
    }

    /// Where `### ID` stands among the hints of the exercise's chapter guide (Int.max if absent).
    static func guideOrder(_ exercise: Exercise) -> Int {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let guide = root.appendingPathComponent("Exercises/\(exercise.chapter)/GUIDE.md")
        guard let text = try? String(contentsOf: guide, encoding: .utf8),
              let range = text.range(of: "\n### \(exercise.id)\n") else { return Int.max }
        return text.distance(from: text.startIndex, to: range.lowerBound)
    }

    /// The summary's first line: whose work it is. The reference solutions (`WORKBOOK=Solutions`, the
    /// set-up's run) are not the student's score.
    static func heading(_ environment: [String: String]) -> String {
        let folder = environment["WORKBOOK"] ?? ""
        let title = folder.isEmpty || folder == "Exercises" ? "Your workbook"
            : folder == "Solutions" ? "The reference solutions (WORKBOOK=Solutions), not your work"
            : "The workbook in \(folder) (WORKBOOK=\(folder))"
        return "── \(title) " + String(repeating: "─", count: max(4, 76 - title.count))
    }

    /// Prints the summary as the process ends.
    static let printAtExit: @convention(c) () -> Void = {
        guard let text = Ledger.summary() else { return }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

#if os(Linux)
@section(".init_array") @used
let installSummary: @convention(c) () -> Void = { FilterCheck.stopIfNothingMatches(); atexit(Ledger.printAtExit) }
#elseif canImport(Darwin)
@section("__DATA,__mod_init_func") @used
let installSummary: @convention(c) () -> Void = { FilterCheck.stopIfNothingMatches(); atexit(Ledger.printAtExit) }
#endif

// The student's status at the end of `swift test`.
//
// Swift Testing has no end-of-run hook, so the ledger prints from an `atexit` handler installed
// when this test process loads (a constructor in `.init_array`, as C's `__attribute__((constructor))`
// would): after the last line of Swift Testing's own summary, it says how many exercises are done,
// which are failing, and which one is next, with the command for its hint. A `--filter` that
// matches no test at all says so as the process loads (FilterCheck.swift).
import Foundation
import StudentCalls
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

    static func summary() -> String? {
        lock.lock()
        let all = records
        lock.unlock()
        return summary(of: all, environment: ProcessInfo.processInfo.environment)
    }

    /// The summary of `all` for the graded folder `environment` names.
    static func summary(of all: [TestRecord], environment: [String: String]) -> String? {
        // No graded test ran: a filter aimed at the tools' own tests (said nothing; a filter that
        // matches no test at all was answered as the process loaded, see FilterCheck.swift).
        if all.isEmpty { return nil }
        if environment["WORKBOOK_CHECK"] == "stubs" { return nil }
        var exercises: [Tally] = []
        for record in all {
            // Failed by its own answer (not by a stub, its own or another's, still throwing).
            let wrong = record.failed && record.waitingFor == nil
            if let index = exercises.firstIndex(where: { $0.exercise == record.exercise }) {
                exercises[index].tests += 1
                exercises[index].failed += record.failed ? 1 : 0
                exercises[index].own = exercises[index].own || wrong
                if let waiting = record.waitingFor { exercises[index].waiting.insert(waiting) }
                if (record.location.fileID, record.location.line) < (exercises[index].first.fileID, exercises[index].first.line) {
                    exercises[index].first = record.location
                }
            } else {
                exercises.append(Tally(exercise: record.exercise, first: record.location, tests: 1, failed: record.failed ? 1 : 0,
                                       own: wrong, waiting: Set([record.waitingFor].compactMap { $0 })))
            }
        }
        exercises.sort { $0.rank < $1.rank }
        let done = exercises.filter { $0.status == .done }
        let failing = exercises.filter { $0.status == .failing }
        let notStarted = exercises.filter { $0.status == .notStarted }
        let points = done.reduce(0) { $0 + $1.exercise.points }
        let possible = exercises.reduce(0) { $0 + $1.exercise.points }
        let open = Set((failing + notStarted).map(\.exercise.id))
        // What a failing exercise builds on that is not done in this run, or that it waits for.
        func underneath(_ e: Tally) -> [String] {
            (Array(e.waiting.subtracting([e.exercise.id])) + Dependencies.transitive(e.exercise.id).filter(open.contains)).reduce(into: []) {
                if !$0.contains($1) { $0.append($1) }
            }
        }
        // The graded folder: the student's Exercises, or the one WORKBOOK names (a submission).
        let folder = environment["WORKBOOK"].map { String($0.reversed().drop { $0 == "/" }.reversed()) }.flatMap { $0.isEmpty ? nil : $0 } ?? "Exercises"
        var lines = ["", heading(environment)]
        lines.append("Done: \(done.count) of \(exercises.count) exercises graded in this run · \(points)/\(possible) points")
        if !failing.isEmpty {
            let names = failing.prefix(8).map { e -> String in
                let first = underneath(e).first.map { "; fix \($0) first" } ?? ""
                return "\(e.exercise.id) (\(e.tests - e.failed) of \(e.tests) tests pass\(first))"
            }
            lines.append("Failing: " + names.joined(separator: ", ") + (failing.count > 8 ? " and \(failing.count - 8) more" : ""))
        }
        if !notStarted.isEmpty { lines.append("Not started: \(notStarted.count)") }
        // Next: what started work needs first (an exercise it builds on that is not done), then the
        // first failing one, then the first not started, in the curriculum's order.
        let needed = failing.flatMap(underneath)
        let tallies = Dictionary(exercises.map { ($0.exercise.id, $0) }, uniquingKeysWith: { a, _ in a })
        if let id = needed.min(by: { (tallies[$0]?.rank ?? ("", Int.max, "", 0)) < (tallies[$1]?.rank ?? ("", Int.max, "", 0)) }) {
            let file = tallies[id].map { "\(folder)/\($0.exercise.path)" } ?? Self.file(of: id).map { "\(folder)/\($0)" } ?? "\(folder)/"
            let title = tallies[id].map { " (\($0.exercise.title))" } ?? ""
            let users = failing.filter { underneath($0).contains(id) }.map(\.exercise.id)
            lines.append("Next: \(id)\(title) in \(file): \(users.prefix(3).joined(separator: ", ")) build\(users.count == 1 ? "s" : "") on it")
            lines.append("      swift test --filter \(id)   ·   swift run workbook hint \(id)   ·   swift run workbook scorecard")
        } else if let next = (failing + notStarted).min(by: { $0.rank < $1.rank }) {
            lines.append("Next: \(next.exercise.id) (\(next.exercise.title)) in \(folder)/\(next.exercise.path)")
            lines.append("      swift test --filter \(next.exercise.id)   ·   swift run workbook hint \(next.exercise.id)   ·   swift run workbook scorecard")
        } else {
            lines.append("Every exercise graded in this run is done.")
        }
        return lines.joined(separator: "\n")
    }

    /// One exercise's tests in this run.
    struct Tally {
        var exercise: Exercise
        var first: SourceLocation
        var tests: Int
        var failed: Int
        /// Some test failed by the exercise's own answer.
        var own: Bool
        /// The exercises whose stubs made its tests fail (itself when it is not written yet).
        var waiting: Set<String>

        /// Done; failing (a wrong answer, or written and waiting for another exercise); not started.
        var status: Status {
            if failed == 0 { return .done }
            let othersOnly = !waiting.isEmpty && !waiting.contains(exercise.id)
            return own || othersOnly || failed < tests ? .failing : .notStarted
        }

        /// The curriculum's order: chapter, then the order of the chapter guide's hints (as the
        /// scorecard), then where the suite stands in its file.
        var rank: (String, Int, String, Int) { (exercise.chapter, Ledger.guideOrder(exercise), first.fileID, first.line) }
    }

    /// The file of an exercise that did not run here, from the generated table of functions.
    static func file(of id: String) -> String? {
        exercisesOfFunction.first { $0.value.contains(id) }.flatMap { fileOfFunction[$0.key] }
    }

    /// Where `### ID` stands among the hints of the exercise's chapter guide (Int.max if absent).
    static func guideOrder(_ exercise: Exercise) -> Int { guides.order(of: exercise) }

    /// Each chapter guide read once: sorting a hundred exercises asks for an order about a thousand
    /// times, and reading the guide each time was 4 % of a batch's grading CPU.
    static let guides = GuideOrders()

    final class GuideOrders: @unchecked Sendable {
        private let lock = NSLock()
        private var texts: [String: String?] = [:]
        private var orders: [String: Int] = [:]

        func order(of exercise: Exercise) -> Int {
            lock.lock()
            defer { lock.unlock() }
            if let known = orders[exercise.id] { return known }
            var order = Int.max
            if let text = text(of: exercise.chapter), let range = text.range(of: "\n### \(exercise.id)\n") {
                order = text.distance(from: text.startIndex, to: range.lowerBound)
            }
            orders[exercise.id] = order
            return order
        }

        private func text(of chapter: String) -> String? {
            if let known = texts[chapter] { return known }
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
            let text = try? String(contentsOf: root.appendingPathComponent("Exercises/\(chapter)/GUIDE.md"), encoding: .utf8)
            texts[chapter] = .some(text)
            return text
        }
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

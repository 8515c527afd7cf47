// From test outcomes to a grade: one status per exercise, all-or-nothing points.
//
// An exercise earns its points when every one of its graded tests passes. Its status says why not:
//
//   done          every test passed
//   not started   every failing test says `not implemented yet` (the stub still throws)
//   crashed       a test's child process trapped; the trap's message is kept
//   timed out     a test was stopped by the watchdog (or the run hit its time limit)
//   failing       anything else: a wrong value, a wrong shape, a failed gradient check
//   not built     the implementation did not compile, so nothing could run
//   no tests      the exercise is declared but no test of it ran
import Foundation
import StudentCalls
import WorkbookCore

public enum ExerciseStatus: String, Sendable, Codable, CaseIterable {
    case done
    case failing
    case notStarted = "not started"
    case crashed
    case timedOut = "timed out"
    case notBuilt = "not built"
    case noTests = "no tests"

    /// A one-character mark for the scorecard.
    public var mark: String {
        switch self {
        case .done: "✔"
        case .failing: "✘"
        case .notStarted: "·"
        case .crashed: "!"
        case .timedOut: "⏱"
        case .notBuilt: "✘"
        case .noTests: "?"
        }
    }
}

/// The grade of one exercise.
public struct ExerciseResult: Sendable, Hashable, Codable {
    public var exercise: ExerciseInfo
    public var status: ExerciseStatus
    public var passedTests: Int
    public var totalTests: Int
    /// The first message worth showing (the trap, the timeout, the first mismatch), if any.
    public var message: String?
    /// What the student's code printed in the first test that printed (a failing one first);
    /// never from a hidden test.
    public var output: String?
    /// The exercises it builds on that fail their own tests in the same grading: fix those first.
    public var blockedBy: [String]?

    /// The passing tests that earn per-test credit, when fewer than `passedTests` (see
    /// `GradeReport.credited`); `nil` when every passing test counts.
    public var creditedTests: Int?
    /// Whether a test found the backward pass to be finite differences (then no test earns credit).
    public var finiteDifferences: Bool?
    /// Whether the exercise's test at a realistic size (`linearTime…`) timed out: then no test earns
    /// credit either (a backward pass that differences a linear forward pass is exact, and only its
    /// cost tells it apart).
    public var tooSlow: Bool?

    /// "2 of 5 tests pass", and why passing tests earn nothing under per-test credit when they do not.
    public var passSummary: String {
        var text = "\(passedTests) of \(totalTests) tests pass"
        guard exercise.credit == .perTest, let credited = creditedTests, credited < passedTests else { return text }
        if finiteDifferences == true {
            text += "; none earns credit: the backward pass is computed by finite differences"
        } else if tooSlow == true {
            text += "; none earns credit: the code does not finish at a realistic size (the linear-time test timed out)"
        } else {
            text += "; \(passedTests - credited) earn credit only once a test of a value passes"
        }
        return text
    }

    /// The points earned: all of them when every test passes; with per-test credit, each credited
    /// passing test's share (points × credited / tests, to two decimals).
    public var score: Double {
        if status == .done { return Double(exercise.points) }
        guard exercise.credit == .perTest, totalTests > 0, status != .notBuilt else { return 0 }
        return (Double(exercise.points * (creditedTests ?? passedTests)) / Double(totalTests) * 100).rounded(.down) / 100
    }
}

/// Whether the files grading depends on are the ones the instructor shipped.
public enum TamperStatus: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Every shipped file is present and unchanged, and the manifest is the release's own (its
    /// fingerprint is the one the instructor published).
    case intact
    /// Every file matches the copy's manifest; whether that manifest is the instructor's can only
    /// be told by its fingerprint, which the student compares with the published one.
    case matchesManifest(fingerprint: String)
    /// Files whose checksum differs, were added or are missing (relative to `Tests/GradedTests`).
    case modified([String])
    /// No checksums were kept (the instructor's own copy, or a release made without them).
    case unchecked
    /// Batch or submission grading: the instructor's own tests were used, whatever the student sent.
    case instructorTests

    public var description: String {
        switch self {
        case .intact: "graded tests intact (they match the release your instructor published)"
        case .matchesManifest(let fingerprint): "graded tests unchanged since the release (fingerprint \(fingerprint); your instructor publishes the release's)"
        case .modified(let files): "GRADED FILES MODIFIED: \(files.prefix(6).joined(separator: ", "))\(files.count > 6 ? " and \(files.count - 6) more" : "")"
        case .unchecked: "graded tests not checked (no release checksums in .workbook/manifest.json)"
        case .instructorTests: "graded with the instructor's own copy of the tests"
        }
    }

    public var isIntact: Bool? {
        switch self {
        case .intact, .instructorTests: true
        case .modified: false
        case .unchecked, .matchesManifest: nil
        }
    }
}

/// The grade of one implementation folder.
public struct GradeReport: Sendable, Hashable, Codable {
    public var results: [ExerciseResult]
    /// The compiler's first error when the implementation did not build.
    public var buildError: String?
    public var tamper: TamperStatus
    /// Notes about the submission (missing files, ignored extra files, the run's time limit).
    public var notes: [String]

    public init(results: [ExerciseResult], buildError: String? = nil, tamper: TamperStatus = .unchecked, notes: [String] = []) {
        self.results = results
        self.buildError = buildError
        self.tamper = tamper
        self.notes = notes
    }

    public var score: Double { results.reduce(0) { $0 + $1.score } }
    public var maxScore: Int { results.reduce(0) { $0 + $1.exercise.points } }
    public var doneCount: Int { results.filter { $0.status == .done }.count }

    public func result(_ id: String) -> ExerciseResult? { results.first { $0.exercise.id == id } }

    /// Grades `curriculum` from test outcomes. `stopped` says the run was cut short by a time limit.
    public static func grade(_ curriculum: Curriculum, outcomes: [TestOutcome], stopped: String? = nil,
                             tamper: TamperStatus = .unchecked, notes: [String] = []) -> GradeReport {
        let results = curriculum.exercises.map { exercise in
            classify(exercise, outcomes: outcomes.filter { $0.exercise == exercise.id }, stopped: stopped)
        }
        return GradeReport(results: attributed(results), tamper: tamper, notes: notes)
    }

    /// Failures put where they come from: an exercise that fails with its own answer while an
    /// exercise it builds on fails its own tests says so first ("Network2 calls dropoutForward
    /// (Dropout1), which fails its own tests: fix Dropout1 first"), and `blockedBy` names it.
    static func attributed(_ results: [ExerciseResult]) -> [ExerciseResult] {
        let broken: Set<ExerciseStatus> = [.failing, .crashed, .timedOut, .notStarted]
        let failing = Set(results.filter { broken.contains($0.status) }.map(\.exercise.id))
        var results = results
        for index in results.indices where [.failing, .crashed, .timedOut].contains(results[index].status) {
            let id = results[index].exercise.id
            let culprits = Dependencies.exercises(usedBy: id).filter(failing.contains)
            guard let first = culprits.first, !(results[index].message ?? "").hasPrefix("needs ") else { continue }
            let calls = Dependencies.calls(of: id, into: Set(culprits))
            let verb = culprits.count == 1 ? "fails its own tests" : "fail their own tests"
            results[index].blockedBy = culprits
            results[index].message = "\(id) calls \(calls.joined(separator: ", ")), which \(verb): fix \(first) first. "
                + (results[index].message ?? "")
        }
        return results
    }

    /// A report for an implementation that did not compile: every exercise scores 0.
    public static func notBuilt(_ curriculum: Curriculum, error: String, tamper: TamperStatus = .unchecked,
                                notes: [String] = []) -> GradeReport {
        let results = curriculum.exercises.map {
            ExerciseResult(exercise: $0, status: .notBuilt, passedTests: 0, totalTests: 0, message: error)
        }
        return GradeReport(results: results, buildError: error, tamper: tamper, notes: notes)
    }

    static func classify(_ exercise: ExerciseInfo, outcomes: [TestOutcome], stopped: String?) -> ExerciseResult {
        let passed = outcomes.filter(\.passed).count
        var result = ExerciseResult(exercise: exercise, status: .done, passedTests: passed,
                                    totalTests: outcomes.count, message: nil)
        let shown = outcomes.filter { !$0.hidden && $0.output != nil }
        result.output = (shown.first { !$0.passed } ?? shown.first)?.output
        if outcomes.isEmpty {
            result.status = stopped == nil ? .noTests : .timedOut
            result.message = stopped ?? "no graded test of \(exercise.id) ran"
            return result
        }
        let failing = outcomes.filter { !$0.passed }
        if failing.isEmpty { return result }
        let credited = credited(outcomes)
        if credited < passed { result.creditedTests = credited }
        if outcomes.contains(where: { $0.issues.contains { $0.contains(finiteDifferenceMarker) } }) { result.finiteDifferences = true }
        else if outcomes.contains(where: timedOutAtScale) { result.tooSlow = true }
        let messages = failing.flatMap { $0.hidden ? $0.issues.map { hiddenMessage($0, exercise: exercise.id) } : $0.issues }
        // "ReLU2 … could not be checked: it calls reluForward, ReLU1's code, which stopped": the
        // fault is another exercise's, so it does not make this one crashed or timed out.
        let blocked = messages.filter { $0.contains(blockedMarker) }
        let own = messages.filter { !$0.contains(blockedMarker) }
        if let crash = own.first(where: { $0.contains(") crashed: ") || $0.contains(" crashed: ") }) {
            result.status = .crashed
            result.message = crash
        } else if let timeout = own.first(where: { $0.contains("timed out after") && !$0.contains(Self.retriedMarker) })
                    ?? own.first(where: { $0.contains("timed out after") }) {
            // The test that used up the whole limit names the loop's line; a later test of the same
            // function, given a short retry, only points back to it. Show the first kind when there is one.
            result.status = .timedOut
            result.message = timeout
        } else if failing.contains(where: { !$0.finished && $0.issues.isEmpty }) {
            result.status = .timedOut
            result.message = stopped ?? "the run stopped before this exercise's tests ended"
        } else if own.allSatisfy({ $0.contains(notImplementedMarker) }) {
            // Every failure is an unfinished stub or another exercise's fault. If none is this
            // exercise's own (ReLU2's gradient check runs reluForward, ReLU1's), the exercise may be
            // written and only waits for another.
            let mine = own.contains { $0.hasPrefix("\(exercise.id):") }
            result.status = mine ? .notStarted : .failing
            var waiting = Set(own.compactMap { $0.split(separator: ":").first.map(String.init) })
            waiting.formUnion(blocked.compactMap(Self.blocker))
            waiting.remove(exercise.id)
            let needs = waiting.sorted().joined(separator: ", ")
            result.message = mine || waiting.isEmpty ? nil
                : blocked.isEmpty ? "needs \(needs) first (not implemented yet)" : "needs \(needs) first: \(blocked[0])"
        } else {
            result.status = .failing
            // A finite-difference backward pass fails at a kink too; the message that says what it
            // is comes first.
            result.message = own.first { $0.contains(finiteDifferenceMarker) }
                ?? own.first { !$0.contains(notImplementedMarker) } ?? messages.first
        }
        return result
    }

    /// The passing tests that earn per-test credit. A test that checks error handling (its
    /// function's name starts with `rejects`, as in `GradedTests.ReLU2Tests/rejectsMismatchedShapes()`)
    /// also passes for a stub that throws the expected error at everything, so it counts only once a
    /// test of the same exercise that checks a value passes. A backward pass computed by finite
    /// differences of the forward passes every gradient check by construction; when a test finds one
    /// (its message carries `finiteDifferenceMarker`), no test of the exercise counts. Where the
    /// layer is linear, differences are exact and only their cost gives them away: such an exercise
    /// has a test at a realistic size named `linearTime…`, and when it times out no test counts.
    static func credited(_ outcomes: [TestOutcome]) -> Int {
        if outcomes.contains(where: { $0.issues.contains { $0.contains(finiteDifferenceMarker) } }) { return 0 }
        if outcomes.contains(where: timedOutAtScale) { return 0 }
        let passing = outcomes.filter(\.passed)
        let values = passing.filter { !checksErrorHandling($0) }.count
        return values == 0 ? 0 : passing.count
    }

    /// Whether a test of an exercise's cost at a realistic size (its function is named `linearTime…`)
    /// ran out of time, or never finished because the run was stopped.
    static func timedOutAtScale(_ outcome: TestOutcome) -> Bool {
        guard outcome.id.split(separator: "/").contains(where: { $0.hasPrefix("linearTime") && $0.contains("(") }) else { return false }
        return !outcome.finished || outcome.issues.contains { $0.contains("timed out after") }
    }

    /// Whether a test's function is named `rejects…` (`Suite/rejectsX()/File.swift:1:2`; a nested
    /// suite adds components before the function).
    static func checksErrorHandling(_ outcome: TestOutcome) -> Bool {
        outcome.id.split(separator: "/").contains { $0.hasPrefix("rejects") && $0.contains("(") }
    }

    /// The words a graded test's message carries when the backward pass it checks agrees with the
    /// exact gradient only as closely as a centered difference does (`checkExactGradient`).
    public static let finiteDifferenceMarker = "as finite differences do"

    /// What `StudentFailure` says of a test that got only a short retry after an earlier timeout.
    static let retriedMarker = "it had already run out of time"

    /// What a report says of a hidden test's issue: its kind only. Its own words may hold the
    /// test's inputs or expected values, and the student's code can put anything into a trap or an
    /// error message, so none of them is passed on.
    static func hiddenMessage(_ message: String, exercise: String) -> String {
        if message.contains(notImplementedMarker) && !message.contains("\n") {
            return "\(exercise): a hidden test needs code that is \(notImplementedMarker)."
        }
        if message.contains(" crashed: ") { return "\(exercise): the code crashed: in a hidden test (its inputs are not shown)." }
        if message.contains("timed out after") { return "\(exercise): timed out after the time limit in a hidden test." }
        return "\(exercise): a hidden test failed (its inputs and expected values are not shown)."
    }

    /// The words of a test that another exercise's code stopped.
    public static let blockedMarker = " could not be checked: "

    /// `ReLU1` from "… Fix ReLU1 first; …".
    static func blocker(_ message: String) -> String? {
        guard let range = message.range(of: "\nFix ") else { return nil }
        return message[range.upperBound...].split(separator: " ").first.map { String($0.prefix { $0 != "," }) }
    }

    /// The words every unfinished stub's failure carries.
    public static let notImplementedMarker = NotImplemented.marker
}

/// Points as people write them: `3`, `1.5`, `0.67`.
public func formatPoints(_ value: Double) -> String {
    if value == value.rounded() { return String(Int(value)) }
    var text = String(format: "%.2f", value)
    while text.hasSuffix("0") { text.removeLast() }
    return text
}

/// A count with its noun: `1 submission`, `3 submissions`.
func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

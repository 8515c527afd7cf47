// The scorecard's parsing: recorded event streams (and console/build output) to statuses and points.
import Foundation
import Testing
import WorkbookCore
@testable import GradingKit

@Suite("Scorecard parsing: recorded swift test output to a grade")
struct ScorecardParsingTests {
    static let relu = Curriculum(exercises: [
        ExerciseInfo(id: "ReLU1", chapter: "01-Activations", file: "ReLU.swift", title: "ReLU forward", points: 2, suites: ["ReLUForwardTests"]),
        ExerciseInfo(id: "ReLU2", chapter: "01-Activations", file: "ReLU.swift", title: "ReLU backward", points: 3, suites: ["ReLUBackwardTests"]),
    ])

    @Test("the solutions' stream: every test passes, every exercise is done, 5 of 5 points")
    func passing() {
        let outcomes = TestEvents.parse(RecordedStreams.passing)
        #expect(outcomes.count == 6)
        #expect(outcomes.filter { $0.exercise == "ReLU1" }.count == 2)
        #expect(outcomes.allSatisfy { $0.passed })
        let report = GradeReport.grade(Self.relu, outcomes: outcomes)
        #expect(report.results.map(\.status) == [.done, .done])
        #expect(report.score == 5 && report.maxScore == 5)
    }

    @Test("the stubs' stream: every exercise is not started, with the NotImplemented message")
    func stubs() {
        let outcomes = TestEvents.parse(RecordedStreams.stubs)
        #expect(outcomes.count == 6)
        #expect(outcomes.allSatisfy { !$0.passed && $0.issues.count == 1 })
        #expect(outcomes.allSatisfy { $0.issues[0].contains(NotImplemented.marker) })
        let report = GradeReport.grade(Self.relu, outcomes: outcomes)
        #expect(report.results.map(\.status) == [.notStarted, .notStarted])
        #expect(report.score == 0)
        #expect(report.result("ReLU2")?.message == nil, "ReLU2's own stub is unfinished, so it does not just wait for ReLU1")
    }

    @Test("the crash-and-loop stream: ReLU1 crashed with the trap's message, ReLU2 shows a failure of its own")
    func crashAndTimeout() throws {
        let outcomes = TestEvents.parse(RecordedStreams.crashAndTimeout)
        let report = GradeReport.grade(Self.relu, outcomes: outcomes)
        let relu1 = try #require(report.result("ReLU1"))
        #expect(relu1.status == .crashed)
        #expect(relu1.message?.contains("Fatal error: Index out of range") == true)
        // ReLU2's gradient check runs the crashing reluForward, and its other tests loop: a crash
        // outranks a timeout, and either way it costs ReLU2's own points only.
        let relu2 = try #require(report.result("ReLU2"))
        #expect(relu2.status == .crashed)
        #expect(outcomes.filter { $0.exercise == "ReLU2" }.flatMap(\.issues).filter { $0.contains("timed out after 2 s") }.count == 3)
        #expect(report.score == 0)
    }

    @Test("a timeout alone is reported as timed out, and costs only that exercise")
    func timeoutOnly() {
        var outcomes = TestEvents.parse(RecordedStreams.passing)
        let index = outcomes.firstIndex { $0.exercise == "ReLU2" }!
        outcomes[index].issues = ["ReLU2 (ReLU backward) timed out after 20 s and was stopped."]
        let report = GradeReport.grade(Self.relu, outcomes: outcomes)
        #expect(report.results.map(\.status) == [.done, .timedOut])
        #expect(report.score == 2)
    }

    @Test("an exercise waiting for another's stub is failing and says which")
    func waitsForAnother() {
        var outcomes = TestEvents.parse(RecordedStreams.passing)
        let index = outcomes.firstIndex { $0.exercise == "ReLU2" }!
        outcomes[index].issues = ["ReLU1: reluForward(_:) is \(NotImplemented.marker). Write it…"]
        let result = GradeReport.grade(Self.relu, outcomes: outcomes).result("ReLU2")
        #expect(result?.status == .failing)
        #expect(result?.message?.hasPrefix("needs ReLU1 first") == true)
        #expect(result?.passedTests == 3 && result?.totalTests == 4)
    }

    @Test("a wrong value is failing, with the first message that is not about a stub")
    func wrongValue() {
        var outcomes = TestEvents.parse(RecordedStreams.passing)
        outcomes[0].issues = ["ReLU1: reluForward(x) is wrong: 1 of 16 entries differ."]
        let result = GradeReport.grade(Self.relu, outcomes: outcomes).result(outcomes[0].exercise)
        #expect(result?.status == .failing)
        #expect(result?.message?.contains("1 of 16 entries differ") == true)
    }

    @Test("a run stopped by the time limit: unfinished tests count as timed out, finished ones keep their result")
    func stoppedRun() {
        // Keep the first half of the solutions' stream, as if the run had been killed there.
        let lines = RecordedStreams.passing.split(separator: "\n")
        let cut = lines.prefix { !$0.contains("\"testEnded\"") }.count + 2
        let outcomes = TestEvents.parse(lines.prefix(cut).joined(separator: "\n") + "\n{\"kind\":\"ev")
        #expect(outcomes.filter(\.finished).count == 2)
        let report = GradeReport.grade(Self.relu, outcomes: outcomes, stopped: "the run was stopped after 60 s (time limit)")
        #expect(report.results.contains { $0.status == .timedOut })
    }

    @Test("a declared exercise without tests in the run is flagged, not counted as done")
    func noTests() {
        var curriculum = Self.relu
        curriculum.exercises.append(ExerciseInfo(id: "Tanh1", chapter: "01-Activations", file: "Tanh.swift", title: "tanh", points: 2))
        let report = GradeReport.grade(curriculum, outcomes: TestEvents.parse(RecordedStreams.passing))
        #expect(report.result("Tanh1")?.status == .noTests)
        #expect(report.score == 5 && report.maxScore == 7)
    }

    @Test("the console fallback reads suite lines")
    func consoleFallback() {
        let outcomes = TestEvents.parseConsole(RecordedStreams.stubsConsole)
        #expect(outcomes.map(\.exercise) == ["ReLU1", "ReLU2"])
        #expect(outcomes.map(\.passed) == [false, true])
    }

    @Test("the compiler's first error, with the package path removed")
    func buildError() {
        let error = BuildLog.firstError(in: RecordedStreams.brokenBuild, root: URL(fileURLWithPath: "/work/wb"))
        #expect(error == ".scratch/broken/01-Activations/ReLU.swift:16:12: error: cannot find 'undefinedThing' in scope")
        #expect(BuildLog.firstError(in: "Compiling\nBuild complete!") == nil)
    }

    @Test("suite names give exercise IDs; other suites are not graded")
    func suiteNames() {
        #expect(TestEvents.exerciseID(fromSuiteName: "ReLU1 · ReLU forward") == "ReLU1")
        #expect(TestEvents.exerciseID(fromSuiteName: "Curriculum: exercises") == nil)
        #expect(TestEvents.exerciseID(fromSuiteName: "Two words · x") == nil)
    }

    @Test("the scorecard shows chapters, marks, points, messages, the total and what to do next")
    func rendersScorecard() {
        let report = GradeReport.grade(Self.relu, outcomes: TestEvents.parse(RecordedStreams.crashAndTimeout))
        let text = Scorecard.render(report, title: "Exercises/")
        #expect(text.contains("01-Activations"))
        #expect(text.contains("! ReLU1   ReLU forward   crashed      0/2  (0 of 2 tests pass)"))
        #expect(text.contains("      ReLU1 (ReLU forward) crashed: Fatal error: Index out of range"))
        #expect(text.contains("Total: 0/5 points · 0 of 2 exercises done"))
        #expect(text.contains("Next: ReLU1 (ReLU forward) in Exercises/01-Activations/ReLU.swift · hint: swift run workbook hint ReLU1"))
        let done = Scorecard.render(GradeReport.grade(Self.relu, outcomes: TestEvents.parse(RecordedStreams.passing)), title: "x")
        #expect(done.contains("Total: 5/5 points · 2 of 2 exercises done"))
        #expect(done.contains("Every exercise is done"))
    }

    @Test("a build failure says to fix the build first, once, with the compiler's error and no next exercise")
    func rendersBuildFailure() {
        let report = GradeReport.notBuilt(Self.relu, error: "ReLU.swift:16:12: error: cannot find 'undefinedThing' in scope")
        let text = Scorecard.render(report, title: "Exercises/")
        #expect(text.contains("Fix the build first"))
        #expect(text.contains("    ReLU.swift:16:12: error: cannot find 'undefinedThing' in scope"))
        #expect(!text.contains("Next:"), "nothing compiles, so no exercise is next: \(text)")
        #expect(text.components(separatedBy: "undefinedThing").count == 2, "the error is shown once")
        #expect(report.score == 0)
    }
}

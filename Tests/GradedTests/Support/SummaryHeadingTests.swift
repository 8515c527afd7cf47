// The summary's heading (issue 17, point 8) and the filter check run as the process loads (points 2
// and 7). Plain tests: they grade nothing and leave the ledger empty.
import Foundation
import StudentCalls
import WorkbookCore
import Testing

@Suite("The end-of-run summary's heading, and a filter that matches nothing")
struct SummaryHeadingTests {
    @Test("the reference solutions' summary says so; the student's says it is theirs")
    func heading() {
        #expect(Ledger.heading([:]).hasPrefix("── Your workbook ─"))
        #expect(Ledger.heading(["WORKBOOK": "Exercises"]).hasPrefix("── Your workbook ─"))
        let reference = Ledger.heading(["WORKBOOK": "Solutions"])
        #expect(reference.hasPrefix("── The reference solutions (WORKBOOK=Solutions), not your work ─"))
        #expect(!reference.contains("Your workbook"))
        #expect(Ledger.heading(["WORKBOOK": "Submissions/ada"]).hasPrefix("── The workbook in Submissions/ada (WORKBOOK=Submissions/ada) ─"))
    }

    @Test("Next names the file in the graded folder: Exercises for the student, the submission's folder when WORKBOOK names one")
    func nextNamesTheGradedFolder() throws {
        let relu1 = Exercise(id: "ReLU1", chapter: "01-Activations", file: "ReLU.swift", title: "ReLU forward", points: 2)
        let record = TestRecord(exercise: relu1, location: SourceLocation(fileID: "GradedTests/ReLUTests.swift", filePath: "/ReLUTests.swift", line: 1, column: 1))
        record.failed = true
        let student = try #require(Ledger.summary(of: [record], environment: [:]))
        #expect(student.contains("Next: ReLU1 (ReLU forward) in Exercises/01-Activations/ReLU.swift"), "\(student)")
        let submission = try #require(Ledger.summary(of: [record], environment: ["WORKBOOK": "Submissions/ada/"]))
        #expect(submission.contains("Next: ReLU1 (ReLU forward) in Submissions/ada/01-Activations/ReLU.swift"), "\(submission)")
    }

    @Test("a filter that matches no test is answered with the right-case ID; one that matches, or only the tools' tests, is not")
    func filterCheck() {
        let names = TestNames.declared(in: FilterCheck.tests)
        let swiftTesting = ["--testing-library", "swift-testing"]
        let wrongCase = FilterCheck.problem(arguments: ["tests", "--filter", "relu1"] + swiftTesting, names: names)
        #expect(wrongCase?.hasPrefix("No test matches --filter relu1, so nothing was graded. Did you mean --filter ReLU1?") == true)
        #expect(FilterCheck.problem(arguments: ["tests", "--filter", "Zebra"] + swiftTesting, names: names)?.contains("Did you mean") == false)
        #expect(FilterCheck.problem(arguments: ["tests", "--filter", "ReLU1"] + swiftTesting, names: names) == nil)
        #expect(FilterCheck.problem(arguments: ["tests", "--filter", "resetEveryRegion"] + swiftTesting, names: names) == nil)
        // SwiftPM's XCTest pass of the same command, and a run without a filter, are left alone.
        #expect(FilterCheck.problem(arguments: ["tests", "--filter", "relu1"], names: names) == nil)
        #expect(FilterCheck.problem(arguments: ["tests"] + swiftTesting, names: names) == nil)
    }
}

@Suite("A not-started exercise reports once in a student's run")
struct NotStartedOnceTests {
    @Test("the first test that stops at a stub reports it; later ones at the same stub do not, another stub is its own message")
    func once() throws {
        let test = try #require(Test.current)
        let probe = "Probe\(UUID().uuidString.prefix(8))"
        #expect(NotStartedOnce.shouldReport(exercise: probe, stub: probe, test: test))
        // Under an event stream, the stub check or WORKBOOK_REPEAT_NOT_STARTED=1, every test reports.
        #expect(NotStartedOnce.shouldReport(exercise: probe, stub: probe, test: test) == !NotStartedOnce.applies)
        #expect(NotStartedOnce.shouldReport(exercise: probe, stub: "Other1", test: test))
    }
}

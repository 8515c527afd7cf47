// Gradescope's autograder results (`/autograder/results/results.json`): one test per exercise.
//
//     {"score": 2, "max_score": 5, "output": "…", "visibility": "visible",
//      "tests": [{"name": "ReLU1 · ReLU forward", "score": 2, "max_score": 2, "status": "passed",
//                 "output": "done (2 of 2 tests pass)", "visibility": "visible"}, …]}
//
// Exercises from the instructor's hidden tests are shown to students only after the due date.
import Foundation

public struct GradescopeResults: Codable, Sendable, Hashable {
    public struct Test: Codable, Sendable, Hashable {
        public var name: String
        public var number: String
        public var score: Double
        public var max_score: Double
        public var status: String
        public var output: String
        public var visibility: String
    }

    public var score: Double
    public var max_score: Double
    public var output: String
    public var visibility: String
    public var stdout_visibility: String
    public var tests: [Test]
    /// Gradescope keeps `extra_data` for the instructor: the tamper check and the build error.
    public var extra_data: [String: String]

    public init(_ report: GradeReport) {
        tests = report.results.map { result in
            var output = "\(result.status.rawValue)"
            if result.totalTests > 0 { output += " (\(result.passSummary))" }
            if let message = result.message, result.status != .done { output += "\n" + ReportMessage.bounded(message) }
            if result.status != .done { output += "\nHint: swift run workbook hint \(result.exercise.id)" }
            return Test(name: "\(result.exercise.id) · \(result.exercise.title)", number: result.exercise.id,
                        score: result.score, max_score: Double(result.exercise.points),
                        status: result.status == .done ? "passed" : "failed", output: output,
                        visibility: result.exercise.hidden ? "after_due_date" : "visible")
        }
        score = report.score
        max_score = Double(report.maxScore)
        var summary = ["\(report.doneCount) of \(report.results.count) exercises done.", "Tests: \(report.tamper)"]
        if let error = report.buildError { summary.insert("Your exercises do not compile: " + ReportMessage.bounded(error), at: 0) }
        summary += report.notes.map { "Note: \($0)" }
        output = summary.joined(separator: "\n")
        visibility = "visible"
        stdout_visibility = "hidden"
        var extra = ["tamper": report.tamper.description]
        if let intact = report.tamper.isIntact { extra["tests_intact"] = intact ? "true" : "false" }
        if let error = report.buildError { extra["build_error"] = ReportMessage.bounded(error) }
        extra_data = extra
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}

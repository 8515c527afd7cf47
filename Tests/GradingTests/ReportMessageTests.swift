// The text report (reports/<name>.txt, the scorecard) and the JSON one (reports/<name>.json,
// results.json) carry the same message for every exercise, bounded to the same length.
import Foundation
import Testing
@testable import GradingKit

@Suite("Reports: the text and the JSON carry the same messages, bounded alike")
struct ReportMessageTests {
    /// A wrong answer's message as the graded tests write it: several lines, the first mismatches.
    static let longMessage = (["ReLU2: reluBackward(dout, cache) is wrong: 14 of 16 elements differ (largest difference 3.5)"]
        + (0..<14).map { "  at [\($0 / 4), \($0 % 4)]: expected \(Double($0) * 0.25), got \(Double($0) * -0.75 + 1)" }
        + ["Hint: swift run workbook hint ReLU2"]).joined(separator: "\n")

    static func report(message: String) -> GradeReport {
        var report = GradeReport.grade(ScorecardParsingTests.relu, outcomes: TestEvents.parse(RecordedStreams.passing))
        report.results[1].status = .failing
        report.results[1].message = message
        return report
    }

    /// The lines of `text` with the report's indentation taken off.
    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test("every line of a multi-line message is in the text report, as in results.json")
    func sameLines() throws {
        let report = Self.report(message: Self.longMessage)
        let json = try GradescopeResults(report).json()
        let decoded = try JSONDecoder().decode(GradescopeResults.self, from: Data(json.utf8))
        let inJSON = try #require(decoded.tests.first { $0.number == "ReLU2" }).output
        let text = Scorecard.render(report, title: "submission ada")
        let textLines = Set(Self.lines(text))
        for line in Self.longMessage.split(separator: "\n") {
            let line = line.trimmingCharacters(in: .whitespaces)
            #expect(inJSON.contains(line), "results.json lacks: \(line)")
            #expect(textLines.contains(line), "the text report lacks a line results.json has: \(line)")
        }
    }

    @Test("a message over the bound is cut at the same place, with the same marker, in both reports")
    func sameBound() throws {
        let long = "ReLU2: " + String(repeating: "x", count: ReportMessage.maximumLength * 3)
        let report = Self.report(message: long)
        let bounded = ReportMessage.bounded(long)
        #expect(bounded.count <= ReportMessage.maximumLength + ReportMessage.cutMarker.count)
        #expect(bounded.hasSuffix(ReportMessage.cutMarker))
        let decoded = try JSONDecoder().decode(GradescopeResults.self, from: Data(try GradescopeResults(report).json().utf8))
        let inJSON = try #require(decoded.tests.first { $0.number == "ReLU2" }).output
        #expect(inJSON.contains(bounded), "results.json holds the bounded message")
        #expect(!inJSON.contains(long), "results.json holds no more than the bound")
        let text = Scorecard.render(report, title: "submission ada")
        #expect(Self.lines(text).contains(bounded), "the text report holds the same bounded message")
    }

    @Test("a build error is bounded alike in both")
    func buildError() throws {
        let error = "01-Activations/ReLU.swift:16:12: error: " + String(repeating: "y", count: ReportMessage.maximumLength * 2)
        let report = GradeReport.notBuilt(ScorecardParsingTests.relu, error: error)
        let bounded = ReportMessage.bounded(error)
        let decoded = try JSONDecoder().decode(GradescopeResults.self, from: Data(try GradescopeResults(report).json().utf8))
        #expect(decoded.output.contains(bounded) && !decoded.output.contains(error))
        #expect(Self.lines(Scorecard.render(report, title: "submission ada")).contains(bounded))
    }
}

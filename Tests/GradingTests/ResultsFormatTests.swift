// The machine-readable results: Gradescope's results.json, JUnit XML and the CSV gradebook.
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import GradingKit

@Suite("Results formats: Gradescope results.json, JUnit XML, CSV gradebook")
struct ResultsFormatTests {
    static var crashReport: GradeReport {
        var curriculum = ScorecardParsingTests.relu
        curriculum.exercises.append(ExerciseInfo(id: "Extra1", chapter: "09-Hidden", file: "Extra.swift", title: "Extra", points: 4, hidden: true))
        return GradeReport.grade(curriculum, outcomes: TestEvents.parse(RecordedStreams.crashAndTimeout), tamper: .modified(["01-Activations/ReLUTests.swift (changed)"]))
    }

    @Test("results.json has Gradescope's shape: score, and tests with name, score, max_score, status, output, visibility")
    func gradescopeShape() throws {
        let json = try GradescopeResults(Self.crashReport).json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["score"] as? Double == 0)
        #expect(object["max_score"] as? Double == 9)
        let tests = try #require(object["tests"] as? [[String: Any]])
        #expect(tests.count == 3)
        for test in tests {
            for key in ["name", "status", "output", "visibility"] { #expect(test[key] is String, "tests[].\(key) is a string") }
            for key in ["score", "max_score"] { #expect(test[key] is Double || test[key] is Int, "tests[].\(key) is a number") }
            #expect(["passed", "failed"].contains(test["status"] as? String))
        }
        #expect(tests[0]["name"] as? String == "ReLU1 · ReLU forward")
        #expect((tests[0]["output"] as? String)?.contains("Fatal error: Index out of range") == true)
        #expect(tests.map { $0["visibility"] as? String } == ["visible", "visible", "after_due_date"])
        let extra = try #require(object["extra_data"] as? [String: String])
        #expect(extra["tests_intact"] == "false")
        #expect((object["output"] as? String)?.contains("MODIFIED") == true)
    }

    @Test("results.json scores add up to the top-level score")
    func gradescopeSums() throws {
        let report = GradeReport.grade(ScorecardParsingTests.relu, outcomes: TestEvents.parse(RecordedStreams.passing))
        let results = GradescopeResults(report)
        #expect(results.score == 5)
        #expect(results.tests.reduce(0) { $0 + $1.score } == results.score)
        #expect(results.tests.allSatisfy { $0.status == "passed" && $0.score == $0.max_score })
        let decoded = try JSONDecoder().decode(GradescopeResults.self, from: Data(try results.json().utf8))
        #expect(decoded == results)
    }

    @Test("the JUnit report is well-formed XML with one test case per exercise and failures for the rest")
    func junit() throws {
        let xml = JUnit.render(Self.crashReport)
        final class Counter: NSObject, XMLParserDelegate {
            var testcases = 0, failures = 0, suites = 0
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if name == "testcase" { testcases += 1 }
                if name == "failure" { failures += 1 }
                if name == "testsuite" { suites += 1 }
            }
        }
        let parser = XMLParser(data: Data(xml.utf8))
        let counter = Counter()
        parser.delegate = counter
        #expect(parser.parse(), "JUnit XML parses: \(parser.parserError.map { "\($0)" } ?? "")")
        #expect(counter.testcases == 3 && counter.failures == 3 && counter.suites == 2)
        #expect(xml.contains(#"name="ReLU1 · ReLU forward""#))
        #expect(JUnit.escape("a<b & \"c\"\u{1}") == "a&lt;b &amp; &quot;c&quot;")
    }

    @Test("the gradebook has one row per submission, one column per exercise, a total, and quotes what needs it")
    func gradebook() {
        let curriculum = ScorecardParsingTests.relu
        let good = GradebookRow(submission: "ada", report: GradeReport.grade(curriculum, outcomes: TestEvents.parse(RecordedStreams.passing)))
        let broken = GradebookRow(submission: "bob", report: .notBuilt(curriculum, error: "ReLU.swift:3:1: error: expected '}', found \"x\""))
        let csv = Gradebook.csv([good, broken], curriculum: curriculum)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines == [
            "submission,status,ReLU1,ReLU2,total,max,note",
            "ada,graded,2,3,5,5,",
            #"bob,not built,0,0,0,5,"does not compile: ReLU.swift:3:1: error: expected '}', found ""x""""#,
        ])
        #expect(Gradebook.field("=HYPERLINK(1)") == "'=HYPERLINK(1)")
        #expect(Gradebook.field("-3") == "-3")
    }
}

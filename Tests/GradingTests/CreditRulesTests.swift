// Per-test credit pays only for work: a test of error handling (`rejects…`) counts once a test of a
// value passes, and a backward pass found to be finite differences (or too slow at a realistic size,
// which is how differences of a linear layer show) earns nothing. The rule reads
// the test's function name, so the graded suites keep the naming convention; a scan checks it.
import Foundation
import Testing
import WorkbookCore
@testable import GradingKit

@Suite("Credit rules: rejects… tests count only with a value test; finite differences and timeouts at scale earn nothing")
struct CreditRulesTests {
    static let relu2 = ExerciseInfo(id: "ReLU2", chapter: "01-Activations", file: "ReLU.swift", title: "ReLU backward",
                                    points: 3, suites: ["ReLU2Tests"])

    static func outcome(_ function: String, _ issues: [String] = []) -> TestOutcome {
        TestOutcome(id: "GradedTests.ReLU2Tests/\(function)()/ReLUTests.swift:70:6", name: function, exercise: "ReLU2", issues: issues)
    }

    static let wrong = "ReLU2: reluBackward(dout) for the notes' example is wrong: 16 of 16 entries differ."
    static let perTest = Curriculum(exercises: [relu2]).crediting(.perTest)

    @Test("a stub that throws the expected error at everything earns nothing for the rejects… tests it passes")
    func throwOnly() {
        // The throw-only stub: the value tests fail (they threw), the error-handling test passes.
        let outcomes = [Self.outcome("notesExample", [Self.wrong]), Self.outcome("gradientCheck", [Self.wrong]),
                        Self.outcome("derivativeAtZero", [Self.wrong]), Self.outcome("rejectsMismatchedShapes")]
        let result = GradeReport.grade(Self.perTest, outcomes: outcomes).results[0]
        #expect(result.passedTests == 1 && result.creditedTests == 0 && result.score == 0)
        #expect(result.passSummary == "1 of 4 tests pass; 1 earn credit only once a test of a value passes")
        #expect(Scorecard.render(GradeReport.grade(Self.perTest, outcomes: outcomes), title: "x").contains("0/3  (1 of 4 tests pass; 1 earn"))
    }

    @Test("once a value test passes, the rejects… tests count again: 3 points × 2/4")
    func withAValue() {
        let outcomes = [Self.outcome("notesExample"), Self.outcome("gradientCheck", [Self.wrong]),
                        Self.outcome("derivativeAtZero", [Self.wrong]), Self.outcome("rejectsMismatchedShapes")]
        let result = GradeReport.grade(Self.perTest, outcomes: outcomes).results[0]
        #expect(result.creditedTests == nil && result.score == 1.5)
        // A nested suite puts components before the function; only a function named rejects… is one.
        #expect(GradeReport.checksErrorHandling(TestOutcome(id: "GradedTests.A/B/rejectsX()/F.swift:1:2", name: "x", exercise: "ReLU2")))
        #expect(!GradeReport.checksErrorHandling(TestOutcome(id: "GradedTests.RejectsTests/notesExample()/F.swift:1:2", name: "x", exercise: "ReLU2")))
    }

    @Test("a backward pass found to be finite differences earns no per-test credit, and the summary says why")
    func finiteDifferences() {
        let faked = "ReLU2: reluBackward agrees with the exact gradient only to 3e-11 (relative), \(GradeReport.finiteDifferenceMarker)"
        let outcomes = [Self.outcome("notesExample", [faked]), Self.outcome("gradientCheck"),
                        Self.outcome("derivativeAtZero"), Self.outcome("rejectsMismatchedShapes")]
        let result = GradeReport.grade(Self.perTest, outcomes: outcomes).results[0]
        #expect(result.passedTests == 3 && result.score == 0)
        #expect(result.passSummary.contains("none earns credit: the backward pass is computed by finite differences"), "\(result.passSummary)")
        #expect(result.message == faked)
        // It fails at a kink with a plain mismatch too: the summary and the message still say what it is.
        let kink = GradeReport.grade(Self.perTest, outcomes: [Self.outcome("notesExample", [Self.wrong]), Self.outcome("smooth", [faked]),
                                                             Self.outcome("gradientCheck")]).results[0]
        #expect(kink.score == 0 && kink.message == faked && kink.passSummary.hasSuffix("computed by finite differences"), "\(kink.passSummary)")
        // All or nothing: 0 as before.
        #expect(GradeReport.grade(Curriculum(exercises: [Self.relu2]), outcomes: outcomes).score == 0)
    }

    @Test("a linear layer's backward pass that times out at a realistic size earns nothing for its small tests")
    func tooSlowAtScale() {
        // Differencing a linear forward pass is exact, so the small tests pass; only the
        // linearTime… test, too big for one forward pass per input entry, tells it apart.
        let timedOut = "ReLU2: reluBackward timed out after 10 s and was stopped. Is there a loop that never ends? "
        let outcomes = [Self.outcome("notesExample"), Self.outcome("gradientCheck"),
                        Self.outcome("linearTime", [timedOut]), Self.outcome("rejectsMismatchedShapes")]
        let result = GradeReport.grade(Self.perTest, outcomes: outcomes).results[0]
        #expect(result.passedTests == 3 && result.status == .timedOut && result.score == 0)
        #expect(result.passSummary.hasSuffix("the linear-time test timed out)"), "\(result.passSummary)")
        // A run stopped before the test ended counts as out of time too.
        let stopped = GradeReport.grade(Self.perTest, outcomes: [Self.outcome("notesExample"),
                                                                TestOutcome(id: "GradedTests.ReLU2Tests/linearTime()/ReLUTests.swift:90:6", name: "linearTime",
                                                                            exercise: "ReLU2", finished: false)]).results[0]
        #expect(stopped.score == 0)
        // A wrong value in that test is an ordinary failure: the other tests keep their share.
        let wrongValue = GradeReport.grade(Self.perTest, outcomes: [Self.outcome("notesExample"), Self.outcome("gradientCheck"),
                                                                   Self.outcome("linearTime", [Self.wrong]), Self.outcome("rejectsMismatchedShapes")]).results[0]
        #expect(wrongValue.score == 2.25 && wrongValue.tooSlow == nil)
    }

    /// The graded tests' functions: (file, name, body).
    static func gradedTestFunctions() throws -> [(file: String, name: String, body: String)] {
        let root = Fixtures.packageRoot.appendingPathComponent("Tests/GradedTests")
        var found: [(String, String, String)] = []
        for file in try FileTree.files(under: root) where file.hasSuffix(".swift") && !file.hasPrefix("Support/") {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            let lines = text.components(separatedBy: "\n")
            var index = 0
            while index < lines.count {
                defer { index += 1 }
                guard lines[index].trimmingCharacters(in: .whitespaces).hasPrefix("@Test") else { continue }
                guard let declaration = lines[index...].firstIndex(where: { $0.contains("func ") }),
                      let name = lines[declaration].components(separatedBy: "func ").last?.split(separator: "(").first else { continue }
                // The body: from the declaration's line to the brace that closes it.
                var depth = 0, body: [String] = [], started = false
                for line in lines[declaration...] {
                    body.append(line)
                    depth += line.filter { $0 == "{" }.count - line.filter { $0 == "}" }.count
                    started = started || line.contains("{")
                    if started && depth == 0 { break }
                }
                found.append((file, String(name), body.joined(separator: "\n")))
                index = declaration
            }
        }
        return found
    }

    @Test("every graded test whose only checks are checkThrows… is named rejects…, and every rejects… test only checks errors")
    func namingRule() throws {
        let functions = try Self.gradedTestFunctions()
        #expect(functions.count > 300, "found only \(functions.count) graded tests")
        let valueCheck = try Regex(#"\bcheck(?!Throws)\w*\(|#expect|#require\(|failTest\("#)
        var wrong: [String] = []
        for function in functions {
            let errorsOnly = function.body.contains("checkThrows") && !function.body.contains(valueCheck)
            if errorsOnly != function.name.hasPrefix("rejects") {
                wrong.append("\(function.file): \(function.name) " + (errorsOnly ? "only checks errors: name it rejects…" : "is named rejects… but checks values"))
            }
        }
        #expect(functions.contains { $0.name.hasPrefix("rejects") })
        #expect(wrong.isEmpty, "per-test credit counts a rejects… test only once a value test passes:\n\(wrong.joined(separator: "\n"))")
    }
}

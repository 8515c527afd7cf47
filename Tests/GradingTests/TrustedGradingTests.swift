// The pieces of trusted grading that need no build: partial credit, what reports say of hidden
// tests, the student's output read from the event stream, submissions taken as regular files only,
// and the generator of the calls into the runner.
import Foundation
import Testing
import WorkbookCore
@testable import GradingKit

@Suite("Trusted grading: credit, hidden tests, output, staging, the generated calls")
struct TrustedGradingTests {
    static let dropout = ExerciseInfo(id: "Dropout1", chapter: "07-Dropout", file: "InvertedDropout.swift", title: "Inverted dropout",
                                      points: 3, suites: ["Dropout1Tests"])

    static func outcomes(passing: Int, of total: Int, hidden: Bool = false, message: String = "Dropout1: dropoutForward(x) is wrong") -> [TestOutcome] {
        (0..<total).map { index in
            TestOutcome(id: "GradedTests.Dropout1Tests/t\(index)()", name: "test \(index)", exercise: "Dropout1",
                        issues: index < passing ? [] : [message], hidden: hidden)
        }
    }

    @Test("per-test credit earns each passing test's share, everywhere points appear; all-or-nothing earns 0")
    func partialCredit() throws {
        var perTest = Curriculum(exercises: [Self.dropout]).crediting(.perTest)
        let report = GradeReport.grade(perTest, outcomes: Self.outcomes(passing: 2, of: 5))
        // 3 points × 2/5 = 1.2.
        #expect(report.score == 1.2)
        #expect(Scorecard.render(report, title: "x").contains("1.2/3"))
        #expect(Gradebook.csv([GradebookRow(submission: "ada", report: report)], curriculum: perTest).contains("ada,graded,1.2,1.2,3,"))
        #expect(try GradescopeResults(report).json().contains("\"score\" : 1.2"))
        #expect(JUnit.render(report).contains(#"name="score" value="1.2""#))
        // The declaration's own rule wins over the default.
        perTest.exercises[0].credit = .allOrNothing
        #expect(GradeReport.grade(perTest.crediting(.perTest), outcomes: Self.outcomes(passing: 2, of: 5)).score == 0)
        #expect(GradeReport.grade(Curriculum(exercises: [Self.dropout]), outcomes: Self.outcomes(passing: 2, of: 5)).score == 0)
        #expect(Curriculum.exerciseDeclarations(in: #"Exercise(id: "A1", chapter: "01-X", file: "A.swift", title: "A", points: 2, credit: .perTest)"#).first?.credit == .perTest)
    }

    @Test("a hidden test's failure reaches the report only as its kind, never its values or the student's words")
    func hiddenMessages() {
        let secret = "Dropout1: dropoutForward(x) is wrong: expected [0.25, 1.5] got [0, 0]"
        let hidden = GradeReport.grade(Curriculum(exercises: [Self.dropout]), outcomes: Self.outcomes(passing: 0, of: 2, hidden: true, message: secret))
        let message = hidden.results[0].message ?? ""
        #expect(!message.contains("0.25") && !message.contains("got ["), "\(message)")
        #expect(message.contains("hidden test"))
        let crash = "Dropout1 (Inverted dropout): dropoutForward crashed: Fatal error: inputs were [0.25, 1.5]"
        let crashed = GradeReport.grade(Curriculum(exercises: [Self.dropout]), outcomes: Self.outcomes(passing: 0, of: 1, hidden: true, message: crash))
        #expect(crashed.results[0].status == .crashed && !(crashed.results[0].message ?? "").contains("0.25"))
    }

    @Test("what the student's code printed is read from the test's warning, and hidden tests are marked from their path")
    func outputAndHiddenFromEvents() {
        let stream = #"""
        {"kind":"test","payload":{"displayName":"ReLU1 · ReLU forward","id":"GradedTests.ReLU1Tests","kind":"suite","name":"ReLU1Tests"},"version":0}
        {"kind":"test","payload":{"displayName":"a","id":"GradedTests.ReLU1Tests/a()/ReLUTests.swift:21:6","kind":"function","name":"a()","sourceLocation":{"_filePath":"/p/Tests/GradedTests/01-Activations/ReLUTests.swift"}},"version":0}
        {"kind":"test","payload":{"displayName":"b","id":"GradedTests.ReLU1Tests/b()/Extra.swift:3:6","kind":"function","name":"b()","sourceLocation":{"_filePath":"/p/Tests/GradedTests/Hidden/Extra.swift"}},"version":0}
        {"kind":"event","payload":{"kind":"issueRecorded","issue":{"isKnown":false,"severity":"warning"},"messages":[{"symbol":"warning","text":"Issue recorded"},{"symbol":"details","text":"ReLU1: your code printed:\n  │ x has 16 entries"}],"testID":"GradedTests.ReLU1Tests/a()/ReLUTests.swift:21:6"},"version":0}
        {"kind":"event","payload":{"kind":"testEnded","testID":"GradedTests.ReLU1Tests/a()/ReLUTests.swift:21:6"},"version":0}
        {"kind":"event","payload":{"kind":"testEnded","testID":"GradedTests.ReLU1Tests/b()/Extra.swift:3:6"},"version":0}
        """#
        let outcomes = TestEvents.parse(stream)
        #expect(outcomes.count == 2)
        #expect(outcomes[0].passed && outcomes[0].output == "x has 16 entries" && !outcomes[0].hidden)
        #expect(outcomes[1].hidden)
    }

    @Test("a submission's links, and paths that lead out of it, are refused and named; regular files are taken")
    func regularFilesOnly() throws {
        let folder = try Fixtures.scratchFolder("links")
        defer { try? FileManager.default.removeItem(at: folder) }
        let workspace = try Fixtures.toyWorkspace(solved: false)
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let submission = folder.appendingPathComponent("submission")
        try FileManager.default.createDirectory(at: submission, withIntermediateDirectories: true)
        // The attack: the chapter folder is a link to someone else's solutions.
        let solutions = folder.appendingPathComponent("their-solutions/01-Toy")
        try FileTree.write(Fixtures.toySolution, to: solutions.appendingPathComponent("Double.swift"))
        try FileManager.default.createSymbolicLink(at: submission.appendingPathComponent("01-Toy"), withDestinationURL: solutions)
        let implementation = folder.appendingPathComponent("impl")
        let notes = try Batch.assemble(submission: submission, template: workspace.exercises, into: implementation)
        #expect(notes.contains { $0.contains("refused 01-Toy (a symbolic link)") }, "\(notes)")
        let staged = try String(contentsOf: implementation.appendingPathComponent("01-Toy/Double.swift"), encoding: .utf8)
        #expect(staged == Fixtures.toyStub, "the link was followed")
        // A link given as the submission itself is refused too.
        let link = folder.appendingPathComponent("link-submission")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: submission)
        #expect(throws: ToolError.self) { _ = try Batch.unpack(link, into: folder.appendingPathComponent("unpacked")) }
    }

    @Test("the generated calls carry values, inout values, closures and tuples, and refuse what cannot cross")
    func bridgeSignatures() throws {
        let source = """
            public func minibatches(count: Int, using generator: inout SeededGenerator) throws -> [[Int]] {
                // START Mini1
                throw NotImplemented("Mini1")
                // END Mini1
            }
            public func check(of f: (Tensor) throws -> Double, at x: Tensor, step h: Double = 1e-5) throws -> (value: Double, grad: Tensor) {
                // START Check1
                throw NotImplemented("Check1")
                // END Check1
            }
            """
        let signatures = try Bridge.signatures(inSource: source, file: "01-X/X.swift")
        #expect(signatures.map(\.selector) == ["minibatches(count:Int,using:inout SeededGenerator)",
                                               "check(of:(Tensor)throws->Double,at:Tensor,step:Double)"])
        #expect(signatures.map(\.exercises) == [["Mini1"], ["Check1"]])
        let proxies = Bridge.proxies(signatures)
        #expect(proxies.contains("generator = try reply.value(1)"))
        #expect(proxies.contains("closures: [0: ClosureArgument(f)]"))
        #expect(proxies.contains("return (try reply.value(0), try reply.value(1))"))
        #expect(proxies.contains("step h: Double = 1e-5"), "defaults are kept")
        let table = Bridge.table(signatures)
        #expect(table.contains("using: &argument1"))
        #expect(table.contains("call.closure(0, from: Tensor.self, to: Double.self)"))
        #expect(throws: Bridge.ParseError.self) {
            _ = try Bridge.signatures(inSource: "public func bad<T>(_ x: T) throws -> T {\n}\n", file: "x.swift")
        }
        #expect(throws: Bridge.ParseError.self) {
            _ = try Bridge.signatures(inSource: "public func sync(_ x: Int) -> Int {\n}\n", file: "x.swift")
        }
    }
}

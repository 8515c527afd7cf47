// The mutation catalog and the mutant schemata, and failures put where they come from.
import Foundation
import Testing
@testable import GradingKit

@Suite("Mutation testing: the catalog, generic mutants and their schemata")
struct MutantsTests {
    @Test("a catalog entry reads as exercise, name, summary, the text to replace, its replacement and the expected words")
    func parsesEntries() throws {
        let text = """
            # a comment
            [Dropout1] scaled-by-keep: multiplies by keep instead of dividing
            - let scale = 1 / keepProbability
            + let scale = keepProbability
            expect: divides by keep

            [ReLU1] two-lines: replaces two lines by none
            - let a = 1
            - let b = 2
            """
        let mutants = try MutantCatalog.parse(text, file: "x.mutants")
        #expect(mutants.count == 2)
        #expect(mutants[0].exercise == "Dropout1" && mutants[0].name == "scaled-by-keep")
        #expect(mutants[0].find == "let scale = 1 / keepProbability" && mutants[0].replacement == "let scale = keepProbability")
        #expect(mutants[0].expect == "divides by keep" && mutants[0].source == "x.mutants:2")
        #expect(mutants[1].find == "let a = 1\nlet b = 2" && mutants[1].replacement.isEmpty)
    }

    @Test("a malformed catalog says which file and line, and what was expected")
    func rejectsMalformedEntries() {
        #expect(throws: MutantCatalog.ParseError.self) { try MutantCatalog.parse("- orphan line\n", file: "a.mutants") }
        do {
            _ = try MutantCatalog.parse("[ReLU1] x: y\n+ only a replacement\n", file: "b.mutants")
            Issue.record("an entry without '- ' lines was accepted")
        } catch {
            #expect("\(error)".contains("b.mutants:1") && "\(error)".contains("no '- ' lines"))
        }
    }

    @Test("every catalog file of the package parses, and every entry names a real exercise",
          .enabled(if: Fixtures.hasSolutions, "the catalog stays with the solutions (a student's release has neither)"))
    func packageCatalogParses() throws {
        let folder = Fixtures.packageRoot.appendingPathComponent("Tests/Mutants")
        let mutants = try MutantCatalog.load(from: folder)
        #expect(!mutants.isEmpty)
        let curriculum = try Workspace.locate(from: Fixtures.packageRoot).curriculum()
        for mutant in mutants {
            #expect(curriculum.exercise(mutant.exercise) != nil, "\(mutant.source ?? ""): no exercise \(mutant.exercise)")
        }
    }

    @Test("generic mutants swap operators and change literals in code, never in comments or strings")
    func genericMutants() {
        let body = [
            "    // a comment with a + b and 2",
            "    let y = x * 2 + b   // trailing 3",
            "    let s = \"a - b\"",
            "    for i in 0..<n where i > 1 { }",
        ]
        let mutants = GenericMutants.make(exercise: "E1", regions: [body])
        let changes = mutants.map { "\($0.position!.line):\($0.find.trimmingCharacters(in: .whitespaces))→\($0.replacement.trimmingCharacters(in: .whitespaces))" }
        #expect(changes.contains("1:*→/") && changes.contains("1:+→-") && changes.contains("1:2→3"))
        #expect(changes.contains("3:>→>=") && changes.contains("3:1→2") && changes.contains("3:0→1"))
        #expect(!changes.contains { $0.hasPrefix("0:") }, "a comment was mutated: \(changes)")
        #expect(!changes.contains { $0.hasPrefix("2:") }, "a string was mutated: \(changes)")
        #expect(!changes.contains("1:3→4"), "a trailing comment was mutated: \(changes)")
        #expect(!changes.contains { $0.hasPrefix("3:<") }, "a range operator was mutated: \(changes)")
    }

    @Test("only equivalents with a reason are read")
    func equivalents() throws {
        let folder = try Fixtures.scratchFolder("equivalent")
        try FileTree.write("# header\nE1 | 'x' → 'y'  # it changes nothing returned\nno reason here\n",
                           to: folder.appendingPathComponent("equivalent.txt"))
        #expect(MutantCatalog.equivalents(from: folder) == ["E1 | 'x' → 'y'": "it changes nothing returned"])
    }

    @Test("the report fails on a surviving or unnamed catalog mutant and on an unexplained generic survivor")
    func reportVerdicts() throws {
        let curriculum = Curriculum(exercises: [ExerciseInfo(id: "E1", chapter: "01-A", file: "A.swift", title: "A", points: 1)])
        func mutant(_ origin: Mutant.Origin, _ name: String, expect: String? = nil) -> Mutant {
            Mutant(id: "E1#1", exercise: "E1", origin: origin, name: name, summary: "", find: "a", replacement: "b",
                   positionStorage: nil, expect: expect, source: "E.mutants:1")
        }
        let killed = MutantResult(mutant: mutant(.catalog, "k"), verdict: .killed)
        #expect(!MutationRun.report([killed], curriculum: curriculum, equivalents: [:]).failed)
        let unnamed = MutantResult(mutant: mutant(.catalog, "u", expect: "divides"), verdict: .killedUnnamed, message: "E1: wrong")
        #expect(MutationRun.report([killed, unnamed], curriculum: curriculum, equivalents: [:]).failed)
        let survivor = MutantResult(mutant: mutant(.generic, "g"), verdict: .survived)
        #expect(MutationRun.report([killed, survivor], curriculum: curriculum, equivalents: [:]).failed)
        let explained = MutationRun.report([killed, survivor], curriculum: curriculum, equivalents: ["E1 | g": "same value"])
        #expect(!explained.failed && explained.text.contains("same value"))
    }
}

@Suite("Failures attributed to the exercise underneath")
struct AttributionTests {
    func result(_ id: String, _ status: ExerciseStatus, _ message: String? = nil) -> ExerciseResult {
        ExerciseResult(exercise: ExerciseInfo(id: id, chapter: "15-Networks", file: "N.swift", title: id, points: 1),
                       status: status, passedTests: 0, totalTests: 1, message: message)
    }

    @Test("an exercise failing while one it builds on fails too names that one first")
    func namesTheExerciseUnderneath() {
        // Network1's reference calls dropoutForward (Dropout1): the generated exerciseCalls says so.
        let results = GradeReport.attributed([result("Dropout1", .failing, "Dropout1: wrong"),
                                              result("Network1", .failing, "Network1: out is wrong")])
        let network = results[1]
        #expect(network.blockedBy == ["Dropout1"])
        #expect(network.message?.hasPrefix("Network1 calls dropoutForward (Dropout1), which fails its own tests: fix Dropout1 first.") == true,
                "\(network.message ?? "")")
        #expect(network.message?.hasSuffix("Network1: out is wrong") == true)
        #expect(results[0].blockedBy == nil)
    }

    @Test("with what it builds on done, a failure is its own")
    func ownFailure() {
        let results = GradeReport.attributed([result("Dropout1", .done), result("Network1", .failing, "Network1: out is wrong")])
        #expect(results[1].blockedBy == nil && results[1].message == "Network1: out is wrong")
    }
}

import Foundation
import Testing
@testable import GradingKit

@Suite("Curriculum: exercises discovered from the graded test files")
struct CurriculumTests {
    @Test("reads one-line and multi-line declarations, escaped quotes, and the suites' types")
    func parsesDeclarations() {
        let curriculum = Curriculum.parse([(Fixtures.toyTests, false)])
        #expect(curriculum.exercises.map(\.id) == ["Double1", "Half1"])
        let half = curriculum.exercise("Half1")
        #expect(half?.title == "Halve a \"number\"")
        #expect(half?.points == 3)
        #expect(half?.path == "01-Toy/Double.swift")
        #expect(curriculum.exercise("Double1")?.suites == ["DoubleTests"])
        // Traits after the name and other attributes before the type are skipped.
        #expect(half?.suites == ["HalfTests"])
        #expect(curriculum.totalPoints == 5)
    }

    @Test("orders exercises by topic as first declared, then by number")
    func ordersWithinChapter() {
        let text = """
            extension Exercise {
                static let c = Exercise(id: "Ensemble3", chapter: "13-Ensembles", file: "A.swift", title: "c", points: 1)
                static let d = Exercise(id: "Vote1", chapter: "13-Ensembles", file: "A.swift", title: "d", points: 1)
                static let a = Exercise(id: "Ensemble10", chapter: "13-Ensembles", file: "B.swift", title: "a", points: 1)
                static let b = Exercise(id: "Ensemble2", chapter: "13-Ensembles", file: "B.swift", title: "b", points: 1)
            }
            """
        #expect(Curriculum.parse([(text, false)]).exercises.map(\.id) == ["Ensemble2", "Ensemble3", "Ensemble10", "Vote1"])
    }

    @Test("a hints file's order is the chapter's teaching order")
    func guideOrder() throws {
        let workspace = try Fixtures.toyWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        #expect(try workspace.curriculum().exercises.map(\.id) == ["Double1", "Half1"])
        let reversed = "## Hints\n\n### Half1\n1. Why?\n2. This.\n\n### Double1\n1. Why?\n2. That.\n"
        try FileTree.write(reversed, to: workspace.root.appendingPathComponent("Tests/Hints/01-Toy.md"))
        #expect(Hints.headings(in: reversed) == ["Half1", "Double1"])
        #expect(try workspace.curriculum().exercises.map(\.id) == ["Half1", "Double1"])
    }

    @Test("orders chapters by their numbers and marks hidden exercises")
    func ordersChaptersAndMarksHidden() {
        let later = """
            extension Exercise { static let a = Exercise(id: "Conv1", chapter: "10-Convolution", file: "Conv.swift", title: "Conv", points: 1) }
            """
        let curriculum = Curriculum.parse([(later, false), (Fixtures.toyHiddenTests, true), (Fixtures.toyTests, false)])
        #expect(curriculum.chapters == ["01-Toy", "02-More", "10-Convolution"])
        #expect(curriculum.exercise("Double2")?.hidden == true)
        #expect(curriculum.exercise("Double1")?.hidden == false)
        #expect(curriculum.exercises(inFile: "01-Toy/Double.swift").map(\.id) == ["Double1", "Half1"])
        #expect(curriculum.exercise("double1")?.id == "Double1", "IDs are found case-insensitively as a fallback")
    }

    @Test("discovers the package's own curriculum, ReLU1 and ReLU2 included")
    func discoversThePackage() throws {
        let curriculum = try Workspace(root: Fixtures.packageRoot).curriculum()
        let relu1 = try #require(curriculum.exercise("ReLU1"))
        #expect(relu1.chapter == "01-Activations" && relu1.file == "ReLU.swift" && relu1.points == 2)
        // Every declared exercise has a suite the filter can name, and that type exists in the tests.
        var sources = ""
        for relative in try FileTree.files(under: Workspace(root: Fixtures.packageRoot).testsRoot) where relative.hasSuffix(".swift") {
            sources += try String(contentsOf: Workspace(root: Fixtures.packageRoot).testsRoot.appendingPathComponent(relative), encoding: .utf8)
        }
        for exercise in curriculum.exercises {
            #expect(!exercise.suites.isEmpty, "\(exercise.id) has no @Suite(\"\(exercise.id) · …\")")
            for suite in exercise.suites {
                #expect(sources.contains("struct \(suite)") || sources.contains("class \(suite)") || sources.contains("enum \(suite)"),
                        "\(exercise.id)'s suite type \(suite) is declared")
            }
        }
    }

    @Test("finds the scratch workbook's hidden exercise only when asked to")
    func hiddenFolder() throws {
        let workspace = try Fixtures.toyWorkspace(hidden: true)
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        #expect(try workspace.curriculum().exercises.map(\.id) == ["Double1", "Half1", "Double2"])
        #expect(try workspace.curriculum(includeHidden: false).exercises.map(\.id) == ["Double1", "Half1"])
    }
}

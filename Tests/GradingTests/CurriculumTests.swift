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
        #expect(relu1.suites == ["ReLUForwardTests"])
        #expect(curriculum.exercise("ReLU2")?.suites == ["ReLUBackwardTests"])
        // Every declared exercise has a suite the filter can name, in every chapter that lands.
        for exercise in curriculum.exercises {
            #expect(!exercise.suites.isEmpty, "\(exercise.id) has no @Suite(\"\(exercise.id) · …\")")
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

// Shared by the grading tests: where the package is, and small scratch workbooks built on disk
// (inside the package's gitignored `.scratch/`, so they never depend on other chapters).
import Foundation
import Testing
@testable import GradingKit

enum Fixtures {
    /// The package root: this file is `Tests/GradingTests/Support.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The slow end-to-end tests (they build the package in scratch folders) run only when asked,
    /// so that a plain `swift test` stays quick for students: `WORKBOOK_E2E=1 swift test`.
    static var endToEnd: Bool { ProcessInfo.processInfo.environment["WORKBOOK_E2E"] == "1" }
    static var hasSolutions: Bool { FileTree.isDirectory(packageRoot.appendingPathComponent("Solutions")) }

    /// Whether every START/END region of the package's `Exercises/` is still the bare stub: the
    /// maintainers' checks of the shipped stubs mean nothing once a student has written code there.
    static var exercisesArePristine: Bool {
        let exercises = packageRoot.appendingPathComponent("Exercises")
        let files = ((try? FileTree.files(under: exercises)) ?? []).filter { $0.hasSuffix(".swift") }
        return files.allSatisfy { file in
            let text = (try? String(contentsOf: exercises.appendingPathComponent(file), encoding: .utf8)) ?? ""
            return StubRegions.regions(in: text).allSatisfy(StubRegions.isStub)
        }
    }

    static let inProgress: Comment = "checks the shipped stubs; Exercises/ holds your work now (the maintainers run it on a clean copy)"

    /// A fresh empty folder under `.scratch/gradingtests/`.
    static func scratchFolder(_ label: String) throws -> URL {
        let url = packageRoot.appendingPathComponent(".scratch/gradingtests/\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let toyTests = """
        import Testing
        import WorkbookCore
        import Workbook

        extension Exercise {
            static let double1 = Exercise(id: "Double1", chapter: "01-Toy", file: "Double.swift", title: "Double a number", points: 2)
            static let half1 = Exercise(
                id: "Half1",
                chapter: "01-Toy",
                file: "Double.swift",
                title: "Halve a \\"number\\"",
                points: 3
            )
        }

        @Suite("Double1 · Double a number")
        struct DoubleTests {}

        @Suite("Half1 · Halve a number", .serialized)
        @MainActor
        final class HalfTests {}
        """

    static let toyHiddenTests = """
        extension Exercise {
            static let double2 = Exercise(id: "Double2", chapter: "02-More", file: "More.swift", title: "Hidden extra", points: 4)
        }

        @Suite("Double2 · Hidden extra")
        struct HiddenMoreTests {}
        """

    static func toySource(double: String, half: String) -> String {
        """
        import WorkbookCore

        /// Doubles `x`.
        public func double(_ x: Double) throws -> Double {
            // TODO(Double1): multiply by two.
            // START Double1
        \(double)
            // END Double1
        }

        /// Halves `x`.
        public func half(_ x: Double) throws -> Double {
            // TODO(Half1): divide by two.
            // START Half1
        \(half)
            // END Half1
        }
        """
    }

    static let toyStub = toySource(double: "    throw NotImplemented(\"Double1\")", half: "    throw NotImplemented(\"Half1\")")
    static let toySolution = toySource(
        double: "    // Adding x to itself is the same as multiplying by 2, exactly, in floating point.\n    return x + x",
        half: "    // Multiplying by 0.5 is exact in binary floating point.\n    let result = x * 0.5\n    return result")

    /// The toy chapter's hints file (`Tests/Hints/01-Toy.md`).
    static let toyGuide = """
        # Hints · Chapter 1 · Toy

        Some text. 1. Not a hint.

        ## Hints

        ### Double1
        1. What is two times x?
        2. Multiplication by two equals
           adding x to itself.
        3. `return x + x`.

        ### Half1
        1. What is half of x?
        2. `return x * 0.5`.

        ## After the hints
        1. Not a hint either.
        """

    /// A scratch workbook with two exercises in `01-Toy` (and, if asked, one hidden exercise).
    static func toyWorkspace(hidden: Bool = false, solved: Bool = false) throws -> Workspace {
        let root = try scratchFolder("toy")
        try FileTree.write("// swift-tools-version: 6.1\n// A toy package for the grading tests.\n", to: root.appendingPathComponent("Package.swift"))
        try FileTree.write(toyTests, to: root.appendingPathComponent("Tests/GradedTests/01-Toy/DoubleTests.swift"))
        if hidden {
            try FileTree.write(toyHiddenTests, to: root.appendingPathComponent("Tests/GradedTests/Hidden/MoreTests.swift"))
        }
        try FileTree.write(solved ? toySolution : toyStub, to: root.appendingPathComponent("Exercises/01-Toy/Double.swift"))
        try FileTree.write("# Chapter 1 · Toy\n\nSome text.\n", to: root.appendingPathComponent("Exercises/01-Toy/GUIDE.md"))
        try FileTree.write(toyGuide, to: root.appendingPathComponent("Tests/Hints/01-Toy.md"))
        try FileTree.write(toySolution, to: root.appendingPathComponent("Solutions/01-Toy/Double.swift"))
        try FileTree.write("# Toy\n", to: root.appendingPathComponent("README.md"))
        return Workspace(root: root)
    }

    /// Runs the command line in `directory`, capturing what it writes; `answers` feed `reset`'s question.
    static func runTool(_ arguments: [String], in directory: URL, answers: [String] = []) -> (status: Int32, out: String, err: String) {
        final class Box: @unchecked Sendable { var out = ""; var err = ""; var answers: [String] = [] }
        let box = Box()
        box.answers = answers
        let tool = WorkbookTool(currentDirectory: directory, write: { box.out += $0 }, writeError: { box.err += $0 },
                                readLine: { box.answers.isEmpty ? nil : box.answers.removeFirst() })
        let status = tool.run(arguments)
        return (status, box.out, box.err)
    }
}

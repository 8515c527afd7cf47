import Foundation
import Testing
@testable import GradingKit

@Suite("Student release: no solutions, no hidden tests, tests intact and checksummed")
struct ReleaseTests {
    /// A release of the scratch workbook (two exercises, one hidden), into a fresh folder.
    static func toyRelease() throws -> (source: Workspace, release: Workspace) {
        let source = try Fixtures.toyWorkspace(hidden: true)
        try FileTree.write("junk", to: source.root.appendingPathComponent(".build/debug/junk"))
        try FileTree.write("scratch", to: source.root.appendingPathComponent(".scratch/x"))
        let destination = source.root.appendingPathComponent(".scratch/release")
        _ = try Release.make(from: source, to: destination)
        return (source, Workspace(root: destination))
    }

    @Test("ships everything but Solutions/, the hidden tests, build products and scratch files")
    func contents() throws {
        let (source, release) = try Self.toyRelease()
        defer { try? FileManager.default.removeItem(at: source.root) }
        let files = try FileTree.files(under: release.root)
        #expect(!files.contains { $0.hasPrefix("Solutions/") })
        #expect(!files.contains { $0.hasPrefix("Tests/GradedTests/Hidden/") })
        #expect(!files.contains { $0.hasPrefix(".build/") || $0.hasPrefix(".scratch/") })
        for kept in ["Package.swift", "README.md", "Exercises/01-Toy/Double.swift", "Exercises/01-Toy/GUIDE.md", "Tests/Hints/01-Toy.md",
                     "Tests/GradedTests/01-Toy/DoubleTests.swift", ".workbook/manifest.json", ".workbook/pristine/01-Toy/Double.swift"] {
            #expect(files.contains(kept), "the release has \(kept)")
        }
        // The package manifest and the graded tests are shipped byte for byte.
        for same in ["Package.swift", "Tests/GradedTests/01-Toy/DoubleTests.swift", "Exercises/01-Toy/Double.swift"] {
            #expect(try Data(contentsOf: release.root.appendingPathComponent(same)) == Data(contentsOf: source.root.appendingPathComponent(same)))
        }
        #expect(try release.curriculum().exercises.map(\.id) == ["Double1", "Half1"])
    }

    @Test("no solution body appears in the release; the scan finds one planted there")
    func noSolutionCode() throws {
        let (source, release) = try Self.toyRelease()
        defer { try? FileManager.default.removeItem(at: source.root) }
        #expect(try Release.leaks(solutions: source.solutions, in: release.root).isEmpty)
        // The scan can fail: copy Half1's solution code (comments stripped) into a release file.
        try FileTree.write("func cheat(_ x: Double) -> Double {\n    let result = x * 0.5\n\n    return result\n}\n",
                           to: release.root.appendingPathComponent("Exercises/01-Toy/Extra.swift"))
        #expect(try Release.leaks(solutions: source.solutions, in: release.root) == ["Exercises/01-Toy/Extra.swift: the solution of Half1"])
    }

    @Test("the leak check reads every file: solution code with its comments stripped is found in a Markdown file too")
    func leakInAnyFile() throws {
        let (source, release) = try Self.toyRelease()
        defer { try? FileManager.default.removeItem(at: source.root) }
        try FileTree.write("# Notes\n\n    let result = x * 0.5\n    return result\n",
                           to: release.root.appendingPathComponent("Exercises/01-Toy/NOTES.md"))
        #expect(try Release.leaks(solutions: source.solutions, in: release.root) == ["Exercises/01-Toy/NOTES.md: the solution of Half1"])
    }

    @Test("development scripts in Sources/TrainerKit/Reference stay out of the release")
    func referenceScriptsStayOut() throws {
        let source = try Fixtures.toyWorkspace()
        defer { try? FileManager.default.removeItem(at: source.root) }
        try FileTree.write("import numpy as np\ndef relu_forward(x):\n    return np.maximum(x, 0)\n",
                           to: source.root.appendingPathComponent("Sources/TrainerKit/Reference/mlp_numpy.py"))
        let summary = try Release.make(from: source, to: source.root.appendingPathComponent(".scratch/release"))
        #expect(summary.files.filter { $0.hasPrefix("Sources/TrainerKit/Reference/") } == ["Sources/TrainerKit/Reference/README.md"],
                "only a note stays, so that Package.swift's exclude of the folder finds it (SwiftPM warns on every build otherwise)")
        #expect(summary.excluded.contains("Sources/TrainerKit/Reference"))
        // The note is not one of the files the tamper check covers: a fresh release reads as unchanged.
        let status = ReleaseManifest.tamperStatus(package: summary.destination, published: nil)
        if case .matchesManifest = status {} else { Issue.record("a fresh release's tamper check reads \(status)") }
    }

    @Test("the release command's 'Left out' line names every instructor folder it left out")
    func leftOutLineIsComplete() throws {
        let source = try Fixtures.toyWorkspace(hidden: true)
        defer { try? FileManager.default.removeItem(at: source.root) }
        let instructorFiles = ["Tests/Attacks/exit-0/01-Toy/Double.swift", "Tests/Mutants/01-Toy.mutants",
                               "Sources/TrainerKit/Reference/notes.md"]
        for file in instructorFiles {
            try FileTree.write("// instructor only\n", to: source.root.appendingPathComponent(file))
        }
        let result = Fixtures.runTool(["release", ".scratch/../.scratch/release"], in: source.root)
        #expect(result.status == 0, "\(result.err)")
        let written = source.root.standardizedFileURL.appendingPathComponent(".scratch/release").path
        #expect(result.out.hasPrefix("Wrote the student release to \(written): "), "the folder is named as it is: \(result.out)")
        let line = try #require(result.out.split(separator: "\n").first { $0.hasPrefix("Left out: ") })
        for file in instructorFiles + ["Solutions/01-Toy/Double.swift"] {
            #expect(!FileTree.exists(source.root.appendingPathComponent(".scratch/release/" + file)), "\(file) was shipped")
        }
        #expect(!FileTree.exists(source.root.appendingPathComponent(".scratch/release/Tests/GradedTests/Hidden")))
        for folder in ["Solutions/", "Tests/GradedTests/Hidden/", "Tests/Attacks/", "Tests/Mutants/", "Sources/TrainerKit/Reference/"] {
            #expect(line.contains(folder), "the release left out \(folder) but its summary does not say so: \(line)")
        }
    }

    @Test("a batch's grades and other instructor files beside the package stay out of the release and the autograder, named")
    func instructorFilesBesideThePackageStayOut() throws {
        let source = try Fixtures.toyWorkspace()
        defer { try? FileManager.default.removeItem(at: source.root) }
        // What `batch Submissions/ --out grades` leaves in the package, as the README shows it, and a note.
        for file in ["grades/gradebook.csv", "grades/class-report.html", "grades/reports/ada.txt", "class-notes.txt",
                     "marking/ada/01-Toy/Double.swift"] {
            try FileTree.write("ada,graded,2,3\n", to: source.root.appendingPathComponent(file))
        }
        let result = Fixtures.runTool(["release", ".scratch/release"], in: source.root)
        #expect(result.status == 0, "the release was refused: \(result.err)")
        let shipped = try FileTree.files(under: source.root.appendingPathComponent(".scratch/release"))
        #expect(!shipped.contains { $0.hasPrefix("grades/") || $0.hasPrefix("marking/") || $0 == "class-notes.txt" },
                "a student release ships the instructor's files: \(shipped.filter { !$0.hasPrefix("Exercises/") && !$0.hasPrefix("Tests/") && !$0.hasPrefix("Sources/") })")
        let line = try #require(result.out.split(separator: "\n").first { $0.hasPrefix("Left out: ") })
        for name in ["grades", "marking", "class-notes.txt"] {
            #expect(line.contains(name), "the summary does not name \(name): \(line)")
        }
        let autograder = source.root.appendingPathComponent(".scratch/autograder")
        _ = try GradescopeSetup.write(from: source, to: autograder)
        let uploaded = try FileTree.files(under: autograder)
        #expect(!uploaded.contains { $0.hasPrefix("grades/") || $0.hasPrefix("marking/") || $0 == "class-notes.txt" })
        #expect(uploaded.contains("Package.swift") && uploaded.contains("run_autograder"))
    }

    @Test("code in any language but the package's own is refused, named, and the release deleted",
          // Inside the folders a release ships: a top-level folder of the instructor's never ships at all (above).
          arguments: ["Tests/Tools/forward.py", "Exercises/Notebooks/backprop.ipynb", "Sources/Extra/conv.jl", ".ci/dense.m", "Sources/Extra/ref"])
    func foreignCodeRefused(path: String) throws {
        let source = try Fixtures.toyWorkspace()
        defer { try? FileManager.default.removeItem(at: source.root) }
        // The last one has no extension: its first line names an interpreter.
        try FileTree.write("#!/usr/bin/env python3\nimport numpy as np\nprint(np.maximum(0, 1))\n", to: source.root.appendingPathComponent(path))
        let destination = source.root.appendingPathComponent(".scratch/release")
        let error = try #require(throws: ToolError.self) { try Release.make(from: source, to: destination) }
        #expect("\(error)".contains(path), "the refusal names \(path): \(error)")
        #expect(!FileTree.exists(destination.appendingPathComponent("Exercises")), "the refused release was deleted")
    }

    @Test("the package's own files pass the language check: Swift, the C targets, the CI scripts, Markdown and data")
    func packageFilesAllowed() throws {
        let package = Workspace(root: Fixtures.packageRoot)
        let shipped = try FileTree.files(under: package.root, skipping: Release.isExcluded)
        #expect(Release.foreignCode(in: package.root, files: shipped).isEmpty)
        #expect(!shipped.contains { $0.hasSuffix(".py") }, "no Python file is shipped")
    }

    @Test("the package's own release has no solution code", .enabled(if: Fixtures.long, Fixtures.longReason),
          .enabled(if: Fixtures.exercisesArePristine, Fixtures.inProgress))
    func packageRelease() throws {
        let package = Workspace(root: Fixtures.packageRoot)
        let destination = try Fixtures.scratchFolder("release")
        try FileManager.default.removeItem(at: destination)
        defer { try? FileManager.default.removeItem(at: destination) }
        let summary = try Release.make(from: package, to: destination)
        #expect(!summary.files.contains { $0.hasPrefix("Solutions/") || $0.hasPrefix(".scratch/") || $0.hasPrefix(".build") })
        #expect(summary.files.contains("Tests/GradedTests/Support/Grader.swift"))
        if Fixtures.hasSolutions {
            #expect(try Release.leaks(solutions: package.solutions, in: destination).isEmpty)
            // Every solution region in the package is non-trivial, so the scan above searched for something.
            let solved = try FileTree.files(under: package.solutions).filter { $0.hasSuffix(".swift") }.flatMap { relative in
                StubRegions.regions(in: try String(contentsOf: package.solutions.appendingPathComponent(relative), encoding: .utf8))
            }
            #expect(!solved.isEmpty && solved.allSatisfy { !StubRegions.isStub($0) })
        }
    }

    @Test("refuses to release exercises that are not stubs")
    func refusesSolvedExercises() throws {
        let source = try Fixtures.toyWorkspace(solved: true)
        defer { try? FileManager.default.removeItem(at: source.root) }
        #expect(throws: ToolError.self) { try Release.make(from: source, to: source.root.appendingPathComponent(".scratch/release")) }
        #expect(!FileTree.exists(source.root.appendingPathComponent(".scratch/release/Exercises")))
    }

    @Test("tamper check: intact as shipped, modified when a graded test changes, is added or is deleted")
    func tamperCheck() throws {
        let (source, release) = try Self.toyRelease()
        defer { try? FileManager.default.removeItem(at: source.root) }
        let manifest = try JSONDecoder().decode(ReleaseManifest.self, from: Data(contentsOf: release.root.appendingPathComponent(ReleaseManifest.path)))
        let published = String(manifest.fingerprint.prefix(12))
        #expect(ReleaseManifest.tamperStatus(package: release.root, published: published) == .intact)
        #expect(ReleaseManifest.tamperStatus(package: release.root, published: nil) == .matchesManifest(fingerprint: published))
        #expect(ReleaseManifest.tamperStatus(package: source.root, published: published) == .unchecked)
        let test = release.testsRoot.appendingPathComponent("01-Toy/DoubleTests.swift")
        try FileTree.write(Fixtures.toyTests + "\n// skip the hard ones\n", to: test)
        try FileTree.write("// new\n", to: release.testsRoot.appendingPathComponent("Mine.swift"))
        #expect(ReleaseManifest.tamperStatus(package: release.root, published: nil)
                == .modified(["Tests/GradedTests/01-Toy/DoubleTests.swift (changed)", "Tests/GradedTests/Mine.swift (added)"]))
        try FileManager.default.removeItem(at: test)
        #expect(ReleaseManifest.tamperStatus(package: release.root, published: nil)
                == .modified(["Tests/GradedTests/01-Toy/DoubleTests.swift (missing)", "Tests/GradedTests/Mine.swift (added)"]))
    }

    @Test("tamper check covers Package.swift and the core, and a manifest re-hashed to match an edit is not intact")
    func rehashedManifest() throws {
        let (source, release) = try Self.toyRelease()
        defer { try? FileManager.default.removeItem(at: source.root) }
        let manifestURL = release.root.appendingPathComponent(ReleaseManifest.path)
        let published = String(try JSONDecoder().decode(ReleaseManifest.self, from: Data(contentsOf: manifestURL)).fingerprint.prefix(12))
        // The attack: edit what grading depends on, then rewrite the manifest to match.
        try FileTree.write("// swift-tools-version: 6.1\n// tampered\n", to: release.root.appendingPathComponent("Package.swift"))
        #expect(ReleaseManifest.tamperStatus(package: release.root, published: nil) == .modified(["Package.swift (changed)"]))
        let forged = ReleaseManifest(files: try ReleaseManifest.checksums(of: release.root), created: "now")
        try Data(try JSONEncoder().encode(forged)).write(to: manifestURL)
        let status = ReleaseManifest.tamperStatus(package: release.root, published: published)
        guard case .modified(let what) = status else { Issue.record("a re-hashed manifest reads as \(status)"); return }
        #expect(what.count == 1 && what[0].hasPrefix(".workbook/manifest.json (fingerprint"))
        // Without the published fingerprint the copy is only "unchanged since its manifest", never "intact".
        #expect(ReleaseManifest.tamperStatus(package: release.root, published: nil) != .intact)
    }
}

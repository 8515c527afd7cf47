import Foundation
import Testing
@testable import GradingKit

@Suite("Hints: escalating hints from the guides")
struct HintsTests {
    @Test("reads only the numbered lists under ## Hints / ### ID, joining continued lines")
    func parsesGuide() {
        let hints = Hints.parse(guide: Fixtures.toyGuide)
        #expect(hints.keys.sorted() == ["Double1", "Half1"])
        #expect(hints["Double1"] == ["What is two times x?", "Multiplication by two equals adding x to itself.", "`return x + x`."])
        #expect(hints["Half1"]?.count == 2)
    }

    @Test("every exercise of the package has at least two hints (the command needs something to escalate)")
    func packageGuides() throws {
        let workspace = Workspace(root: Fixtures.packageRoot)
        for exercise in try workspace.curriculum(includeHidden: false).exercises {
            let hints = try Hints.hints(for: exercise, in: workspace)
            #expect(hints.count >= 2, "\(exercise.id) has \(hints.count) hints")
        }
    }

    @Test("ReLU's hints escalate from a question to nearly the answer")
    func reluHints() throws {
        let workspace = Workspace(root: Fixtures.packageRoot)
        let relu1 = try #require(try workspace.curriculum().exercise("ReLU1"))
        let hints = try Hints.hints(for: relu1, in: workspace)
        #expect(hints.first?.hasSuffix("?") == true)
        #expect(hints.last?.contains("max(0, $0)") == true)
    }

    @Test("the hint command shows one more hint each time, then stays at the last; --reset starts over")
    func escalates() throws {
        let workspace = try Fixtures.toyWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let first = Fixtures.runTool(["hint", "Double1"], in: workspace.root)
        #expect(first.status == 0)
        #expect(first.out.contains("1. What is two times x?") && !first.out.contains("2. Multiplication"))
        #expect(first.out.contains("Hint 1 of 3"))
        let second = Fixtures.runTool(["hint", "Double1"], in: workspace.root)
        #expect(second.out.contains("2. Multiplication by two") && !second.out.contains("3. `return"))
        _ = Fixtures.runTool(["hint", "Double1"], in: workspace.root)
        let fourth = Fixtures.runTool(["hint", "Double1"], in: workspace.root)
        #expect(fourth.out.contains("3. `return x + x`.") && fourth.out.contains("That was the last hint"))
        // Another exercise keeps its own progress.
        #expect(Fixtures.runTool(["hint", "Half1"], in: workspace.root).out.contains("Hint 1 of 2"))
        #expect(Fixtures.runTool(["hint", "Double1", "--reset"], in: workspace.root).status == 0)
        #expect(Fixtures.runTool(["hint", "Double1"], in: workspace.root).out.contains("Hint 1 of 3"))
        #expect(Fixtures.runTool(["hint", "Double1", "--all"], in: workspace.root).out.contains("3. `return x + x`."))
    }

    @Test("an unknown exercise is a usage error")
    func unknownExercise() throws {
        let workspace = try Fixtures.toyWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let result = Fixtures.runTool(["hint", "Nope9"], in: workspace.root)
        #expect(result.status == 64)
        #expect(result.err.contains("no exercise 'Nope9'"))
    }
}

@Suite("Stub regions and reset")
struct StubRegionTests {
    @Test("finds each START/END region and tells a stub from a solution")
    func regions() {
        let stub = StubRegions.regions(in: Fixtures.toyStub)
        #expect(stub.map(\.id) == ["Double1", "Half1"])
        #expect(stub.allSatisfy { StubRegions.isStub($0) })
        let solution = StubRegions.regions(in: Fixtures.toySolution)
        #expect(solution.allSatisfy { !StubRegions.isStub($0) })
        #expect(StubRegions.skeleton(of: Fixtures.toyStub) == StubRegions.skeleton(of: Fixtures.toySolution))
    }

    @Test("the package's stubs and solutions agree outside the regions, and every stub region is the bare stub")
    func packageFiles() throws {
        let workspace = Workspace(root: Fixtures.packageRoot)
        let curriculum = try workspace.curriculum()
        let problems = Check.staticProblems(curriculum, workspace: workspace)
        for exercise in curriculum.exercises {
            #expect(problems[exercise.id] == [], "\(exercise.id): \(problems[exercise.id] ?? [])")
        }
    }

    @Test("the static check catches a solved stub, a differing signature and missing hints")
    func staticCheckCatches() throws {
        let workspace = try Fixtures.toyWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let broken = Fixtures.toySolution.replacingOccurrences(of: "public func half(_ x: Double)", with: "public func half(_ y: Double)")
        try FileTree.write(broken, to: workspace.exercises.appendingPathComponent("01-Toy/Double.swift"))
        try FileTree.write("# no hints\n", to: workspace.exercises.appendingPathComponent("01-Toy/GUIDE.md"))
        let problems = Check.staticProblems(try workspace.curriculum(), workspace: workspace)
        let double = problems["Double1"] ?? []
        #expect(double.contains { $0.contains("is not `throw NotImplemented") })
        #expect(double.contains { $0.contains("differ outside the START/END regions") })
        #expect(double.contains { $0.contains("no `### Double1` hints") })
    }

    @Test("reset asks first, restores only that exercise's region from the pristine copy, and keeps a backup")
    func reset() throws {
        let workspace = try Fixtures.toyWorkspace(solved: true)
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        try FileTree.write(Fixtures.toyStub, to: workspace.pristine.appendingPathComponent("01-Toy/Double.swift"))
        let file = workspace.exercises.appendingPathComponent("01-Toy/Double.swift")

        let declined = Fixtures.runTool(["reset", "Double1"], in: workspace.root, answers: ["n"])
        #expect(declined.status == 0 && declined.out.contains("[y/N]") && declined.out.contains("Nothing changed"))
        #expect(try String(contentsOf: file, encoding: .utf8) == Fixtures.toySolution)

        let accepted = Fixtures.runTool(["reset", "Double1"], in: workspace.root, answers: ["y"])
        #expect(accepted.status == 0 && accepted.out.contains("Reset Double1 from .workbook/pristine/01-Toy/Double.swift"))
        let regions = StubRegions.regions(in: try String(contentsOf: file, encoding: .utf8))
        #expect(regions.map { StubRegions.isStub($0) } == [true, false], "Double1 is the stub again, Half1 keeps its code")
        let backups = try FileManager.default.contentsOfDirectory(atPath: workspace.progress.appendingPathComponent("backups").path)
        #expect(backups.count == 1 && backups[0].hasPrefix("Double1-"))

        let again = Fixtures.runTool(["reset", "Double1", "--yes"], in: workspace.root)
        #expect(again.out.contains("already the stub"))
        // Without a pristine copy, the canonical stub is written.
        try FileManager.default.removeItem(at: workspace.pristine)
        #expect(Fixtures.runTool(["reset", "Half1", "--yes"], in: workspace.root).out.contains("from the canonical stub"))
        #expect(try String(contentsOf: file, encoding: .utf8) == Fixtures.toyStub)

        // A deleted exercise file comes back whole from the pristine copy, after asking.
        try FileTree.write(Fixtures.toyStub, to: workspace.pristine.appendingPathComponent("01-Toy/Double.swift"))
        try FileManager.default.removeItem(at: file)
        let restored = Fixtures.runTool(["reset", "Half1"], in: workspace.root, answers: ["yes"])
        #expect(restored.out.contains("is missing. Restore it from the pristine copy? [y/N]"))
        #expect(try String(contentsOf: file, encoding: .utf8) == Fixtures.toyStub)
    }
}

@Suite("SHA-256 for the release checksums")
struct SHA256Tests {
    // The FIPS 180-4 examples (one block, two blocks) and the empty message.
    @Test("matches the standard's test vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func vectors(message: String, digest: String) {
        #expect(SHA256.hex(Data(message.utf8)) == digest)
    }
}

@Suite("Watch mode's pieces: change detection, what to re-grade, progress")
struct WatchTests {
    @Test("detects modified, added and removed files")
    func changes() {
        let t0 = Date(timeIntervalSince1970: 0), t1 = Date(timeIntervalSince1970: 1)
        let before = FileSnapshot(times: ["01-A/A.swift": t0, "01-A/B.swift": t0, "02-C/C.swift": t0])
        let after = FileSnapshot(times: ["01-A/A.swift": t1, "02-C/C.swift": t0, "02-C/D.swift": t1])
        #expect(after.changes(since: before) == ["01-A/A.swift", "01-A/B.swift", "02-C/D.swift"])
        #expect(after.changes(since: after).isEmpty)
    }

    @Test("re-grades the exercises of the saved file, or everything for a file no exercise owns")
    func regradeSet() {
        let curriculum = Curriculum.parse([(Fixtures.toyTests, false), (Fixtures.toyHiddenTests, false)])
        #expect(Watch.exercises(toRegrade: ["01-Toy/Double.swift"], in: curriculum) == ["Double1", "Half1"])
        #expect(Watch.exercises(toRegrade: ["02-More/More.swift"], in: curriculum) == ["Double2"])
        #expect(Watch.exercises(toRegrade: ["01-Toy/Helpers.swift"], in: curriculum).count == 3)
    }

    @Test("merges a partial re-grade into the full report and shows k of n done")
    func mergeAndProgress() {
        let relu = ScorecardParsingTests.relu
        let stubs = GradeReport.grade(relu, outcomes: TestEvents.parse(RecordedStreams.stubs))
        var onlyReLU1 = relu
        onlyReLU1.exercises.removeLast()
        let partial = GradeReport.grade(onlyReLU1, outcomes: TestEvents.parse(RecordedStreams.passing).filter { $0.exercise == "ReLU1" })
        let merged = Watch.merge(partial, into: stubs)
        #expect(merged.results.map(\.status) == [.done, .notStarted])
        #expect(Watch.progressLine(merged, width: 10) == "Progress: 1 of 2 exercises done  [#####.....]  2/5 points")
        let broken = Watch.merge(.notBuilt(onlyReLU1, error: "x.swift:1:1: error: oops"), into: merged)
        #expect(broken.buildError != nil && broken.results.map(\.status) == [.notBuilt, .notStarted])
        #expect(Watch.render(regraded: ["ReLU1"], report: broken, changed: ["01-Activations/ReLU.swift"]).contains("does not compile"))
    }
}

@Suite("Staging a submission: missing, extra, flattened and archived files")
struct StagingTests {
    @Test("the expected files are taken, a missing one stays the stub, extra ones are listed and left out")
    func assemble() throws {
        let workspace = try Fixtures.toyWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let submission = workspace.root.appendingPathComponent("sub")
        try FileTree.write(Fixtures.toySolution, to: submission.appendingPathComponent("01-Toy/Double.swift"))
        try FileTree.write("// mine", to: submission.appendingPathComponent("01-Toy/Helper.swift"))
        try FileTree.write("junk", to: submission.appendingPathComponent(".DS_Store"))
        let implementation = workspace.root.appendingPathComponent("impl")
        let notes = try Batch.assemble(submission: submission, template: workspace.exercises, into: implementation)
        #expect(notes == ["ignored extra files: 01-Toy/Helper.swift"])
        #expect(try String(contentsOf: implementation.appendingPathComponent("01-Toy/Double.swift"), encoding: .utf8) == Fixtures.toySolution)
        #expect(!FileTree.exists(implementation.appendingPathComponent("01-Toy/Helper.swift")))
        #expect(FileTree.exists(implementation.appendingPathComponent("01-Toy/GUIDE.md")))

        let empty = workspace.root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let missing = try Batch.assemble(submission: empty, template: workspace.exercises, into: workspace.root.appendingPathComponent("impl2"))
        #expect(missing == ["missing 01-Toy/Double.swift (graded as the stub)"])
    }

    @Test("files uploaded without their chapter folder are placed by name")
    func flattened() throws {
        let workspace = try Fixtures.toyWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let submission = workspace.root.appendingPathComponent("flat")
        try FileTree.write(Fixtures.toySolution, to: submission.appendingPathComponent("Double.swift"))
        let implementation = workspace.root.appendingPathComponent("impl")
        #expect(try Batch.assemble(submission: submission, template: workspace.exercises, into: implementation).isEmpty)
        #expect(try String(contentsOf: implementation.appendingPathComponent("01-Toy/Double.swift"), encoding: .utf8) == Fixtures.toySolution)
    }

    @Test("the chapter folders are found under an enclosing folder and an Exercises/ level")
    func findsRoot() throws {
        let folder = try Fixtures.scratchFolder("root")
        defer { try? FileManager.default.removeItem(at: folder) }
        let nested = folder.appendingPathComponent("ada-hw1/Exercises")
        try FileTree.write("x", to: nested.appendingPathComponent("01-Toy/Double.swift"))
        try FileTree.write("x", to: folder.appendingPathComponent("__MACOSX/01-Toy/._Double.swift"))
        #expect(Batch.submissionRoot(in: folder, chapters: ["01-Toy"]).standardizedFileURL.path == nested.standardizedFileURL.path)
        #expect(Batch.name(of: URL(fileURLWithPath: "/x/Ada Lovelace (hw1).tar.gz")) == "Ada_Lovelace__hw1_")
    }
}

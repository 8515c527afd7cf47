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

    @Test("ReLU's hints escalate from a question to the steps in words, without the Swift")
    func reluHints() throws {
        let workspace = Workspace(root: Fixtures.packageRoot)
        let relu1 = try #require(try workspace.curriculum().exercise("ReLU1"))
        let hints = try Hints.hints(for: relu1, in: workspace)
        #expect(hints.first?.hasSuffix("?") == true)
        #expect(hints.last?.hasPrefix("Steps:") == true)
        #expect(hints.last?.contains("max(0, v)") == true)
        #expect(hints.allSatisfy { !$0.contains("$0") && !$0.contains("return ") })
    }

    @Test("hints live in Tests/Hints/<chapter>.md, not in the guide a student keeps open")
    func hintsApartFromGuides() throws {
        let workspace = Workspace(root: Fixtures.packageRoot)
        for chapter in try workspace.curriculum(includeHidden: false).chapters {
            let guide = try String(contentsOf: workspace.exercises.appendingPathComponent("\(chapter)/GUIDE.md"), encoding: .utf8)
            // The guide keeps one `### ID` heading per exercise (the end-of-run summary orders by them), each with
            // the command only: no numbered hint.
            let numbered = Hints.parse(guide: guide).values.reduce(0) { $0 + $1.count }
            #expect(numbered == 0, "Exercises/\(chapter)/GUIDE.md still has \(numbered) numbered hints")
            #expect(FileTree.exists(workspace.root.appendingPathComponent(Hints.path(chapter: chapter))), "no \(Hints.path(chapter: chapter))")
        }
    }

    @Test("the leak check catches a hint that is, or nearly is, its solution's line", .enabled(if: Fixtures.hasSolutions))
    func leakCheckCatches() throws {
        let workspace = Workspace(root: Fixtures.packageRoot)
        func region(_ id: String, _ path: String) throws -> [String] {
            let text = try String(contentsOf: workspace.solutions.appendingPathComponent(path), encoding: .utf8)
            return StubRegions.regions(in: text).filter { $0.id == id }.flatMap(\.body)
        }
        // The hints these exercises had before: the solution verbatim, and the solution less one label.
        let shapes2 = try region("Shapes2", "00-TensorBasics/Shapes.swift")
        #expect(!HintLeaks.leaks(exercise: "Shapes2", hints: ["`return try images.permuted([0, 3, 1, 2])`."], solution: shapes2).isEmpty)
        let relu2 = try region("ReLU2", "01-Activations/ReLU.swift")
        #expect(!HintLeaks.leaks(exercise: "ReLU2", hints: ["`Tensor.zip(dout, cache.x) { g, x in x > 0 ? g : 0 }` (it also checks that the shapes agree)."],
                                  solution: relu2).isEmpty)
        // A formula, or the steps in words, pass.
        #expect(HintLeaks.leaks(exercise: "ReLU2", hints: ["dx = dout ⊙ 1[x > 0]", "Steps: each element of dx is dout where x > 0, else 0."],
                                solution: relu2).isEmpty)
        // Comments and string literals of the solution do not count.
        #expect(HintLeaks.codeLine(#"try requireShape(x, [-1], "a b c d e f g h") // one two three"#) == #"try requireShape(x, [-1], "") "#)
    }

    @Test("no hint of the package repeats its solution's code", .enabled(if: Fixtures.hasSolutions))
    func packageHintsDoNotLeak() throws {
        let workspace = Workspace(root: Fixtures.packageRoot)
        let curriculum = try workspace.curriculum(includeHidden: false)
        let leaks = HintLeaks.leaks(in: workspace, curriculum: curriculum)
        #expect(leaks.isEmpty, "\(leaks.map(\.description).joined(separator: "\n"))")
        // The check really compared something: every exercise has a solution region and hints.
        #expect(curriculum.exercises.count > 90)
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

    @Test("the package's stubs and solutions agree outside the regions, and every stub region is the bare stub",
          .enabled(if: Fixtures.exercisesArePristine, Fixtures.inProgress))
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
        try FileTree.write("# no hints\n", to: workspace.root.appendingPathComponent("Tests/Hints/01-Toy.md"))
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

extension StubRegionTests {
    /// A scratch workbook whose Exercises/ holds the reference solutions (every region solved) and
    /// whose pristine copy is the package's stubs, as a release ships them.
    static func solvedWorkspace() throws -> Workspace {
        let root = try Fixtures.scratchFolder("reset")
        let package = Workspace(root: Fixtures.packageRoot)
        try FileTree.write("// swift-tools-version: 6.1\n", to: root.appendingPathComponent("Package.swift"))
        try FileTree.copy(package.testsRoot, to: root.appendingPathComponent("Tests/GradedTests"))
        try FileTree.copy(package.solutions, to: root.appendingPathComponent("Exercises"))
        try FileTree.copy(package.exercises, to: root.appendingPathComponent(".workbook/pristine"))
        // The guides come from Exercises/ (the curriculum's order reads them).
        for guide in try FileTree.files(under: package.exercises) where guide.hasSuffix(".md") {
            try FileTree.copy(package.exercises.appendingPathComponent(guide), to: root.appendingPathComponent("Exercises/\(guide)"))
        }
        return Workspace(root: root)
    }

    /// The exercises of the package with more than one START/END region in their file.
    static func multiRegionExercises(_ workspace: Workspace) throws -> [ExerciseInfo] {
        try workspace.curriculum(includeHidden: false).exercises.filter { exercise in
            let text = try String(contentsOf: workspace.pristine.appendingPathComponent(exercise.path), encoding: .utf8)
            return StubRegions.regions(in: text).filter { $0.id == exercise.id }.count > 1
        }
    }

    @Test("reset restores every region of an exercise with several (Dropout1, Architecture3, …), and only those",
          .enabled(if: Fixtures.hasSolutions, "needs Solutions/ to make solved regions"))
    func resetEveryRegion() throws {
        let workspace = try Self.solvedWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let multi = try Self.multiRegionExercises(workspace)
        // The ten of issue 9 at the time of writing; at least Dropout1 (the case the issue tried).
        #expect(multi.contains { $0.id == "Dropout1" } && multi.count >= 10, "\(multi.map(\.id))")
        for exercise in multi {
            let file = workspace.exercises.appendingPathComponent(exercise.path)
            let before = StubRegions.regions(in: try String(contentsOf: file, encoding: .utf8))
            let count = before.filter { $0.id == exercise.id }.count
            #expect(before.filter { $0.id == exercise.id }.allSatisfy { !StubRegions.isStub($0) }, "\(exercise.id) starts solved")

            let result = Fixtures.runTool(["reset", exercise.id, "--yes"], in: workspace.root)
            #expect(result.status == 0, "\(exercise.id): \(result.err)")
            #expect(result.out.contains("Reset \(exercise.id) (all \(count) regions) from .workbook/pristine/\(exercise.path)"), "\(result.out)")
            let after = StubRegions.regions(in: try String(contentsOf: file, encoding: .utf8))
            #expect(after.map(\.id) == before.map(\.id), "\(exercise.id): the markers stay where they were")
            for (old, new) in zip(before, after) {
                if old.id == exercise.id {
                    #expect(StubRegions.isStub(new), "\(exercise.id): a region is still \(new.body)")
                } else {
                    #expect(old.body == new.body, "\(old.id) changed when resetting \(exercise.id)")
                }
            }
            let pristine = StubRegions.regions(in: try String(contentsOf: workspace.pristine.appendingPathComponent(exercise.path), encoding: .utf8))
            #expect(after.filter { $0.id == exercise.id }.map(\.body) == pristine.filter { $0.id == exercise.id }.map(\.body),
                    "\(exercise.id): each region is the shipped stub, comments and indentation included")

            let again = Fixtures.runTool(["reset", exercise.id, "--yes"], in: workspace.root)
            #expect(again.out.contains("\(exercise.id) is already the stub (all \(count) regions)"), "\(again.out)")
        }
        // One backup per reset exercise, holding every region it replaced, each between markers.
        let backups = workspace.progress.appendingPathComponent("backups")
        let names = try FileManager.default.contentsOfDirectory(atPath: backups.path)
        #expect(names.count == multi.count)
        let dropout = try #require(names.first { $0.hasPrefix("Dropout1-") })
        let saved = try String(contentsOf: backups.appendingPathComponent(dropout), encoding: .utf8)
        #expect(saved.contains("// START Dropout1 (region 1 of 2)") && saved.contains("// START Dropout1 (region 2 of 2)"))
    }

    @Test("reset of a partly solved exercise says which regions it restored; without a pristine copy each region gets the canonical stub",
          .enabled(if: Fixtures.hasSolutions, "needs Solutions/ to make solved regions"))
    func resetPartlySolved() throws {
        let workspace = try Self.solvedWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let exercise = try #require(try workspace.curriculum().exercise("Dropout3"))
        let file = workspace.exercises.appendingPathComponent(exercise.path)
        let pristineText = try String(contentsOf: workspace.pristine.appendingPathComponent(exercise.path), encoding: .utf8)
        let shipped = StubRegions.regions(in: pristineText).filter { $0.id == "Dropout3" }.map(\.body)
        try #require(shipped.count == 3)
        // The student finished only the first of the three regions: the other two are the stub.
        let solved = StubRegions.regions(in: try String(contentsOf: file, encoding: .utf8)).filter { $0.id == "Dropout3" }.map(\.body)
        let partly = try #require(StubRegions.replacingAll("Dropout3", in: try String(contentsOf: file, encoding: .utf8),
                                                           with: [solved[0], shipped[1], shipped[2]]))
        try FileTree.write(partly, to: file)

        let declined = Fixtures.runTool(["reset", "Dropout3"], in: workspace.root, answers: ["n"])
        #expect(declined.out.contains("in 1 of the 3 START Dropout3 … END Dropout3 regions will be replaced"), "\(declined.out)")
        #expect(try String(contentsOf: file, encoding: .utf8) == partly)
        let accepted = Fixtures.runTool(["reset", "Dropout3"], in: workspace.root, answers: ["y"])
        #expect(accepted.out.contains("Reset Dropout3 (1 of 3 regions; the others were already the stub) from .workbook/pristine/"), "\(accepted.out)")
        #expect(StubRegions.regions(in: try String(contentsOf: file, encoding: .utf8)).filter { $0.id == "Dropout3" }.map(\.body) == shipped)

        // No pristine copy (a clone of the instructor's repository): the canonical stub in every
        // region, indented like its marker.
        try FileManager.default.removeItem(at: workspace.pristine)
        try FileTree.write(partly.replacingOccurrences(of: "throw NotImplemented(\"Dropout3\")", with: "return x // solved"), to: file)
        let canonical = Fixtures.runTool(["reset", "Dropout3", "--yes"], in: workspace.root)
        #expect(canonical.out.contains("Reset Dropout3 (all 3 regions) from the canonical stub"), "\(canonical.out)")
        let regions = StubRegions.regions(in: try String(contentsOf: file, encoding: .utf8)).filter { $0.id == "Dropout3" }
        #expect(regions.count == 3 && regions.allSatisfy { StubRegions.isStub($0) })
        #expect(Fixtures.runTool(["reset", "Dropout3", "--yes"], in: workspace.root).out.contains("already the stub (all 3 regions)"))
    }

    @Test("reset refuses, and says how to repair, when a marker of a several-region exercise was deleted",
          .enabled(if: Fixtures.hasSolutions, "needs Solutions/ to make solved regions"))
    func resetMissingMarker() throws {
        let workspace = try Self.solvedWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let exercise = try #require(try workspace.curriculum().exercise("Dropout1"))
        let file = workspace.exercises.appendingPathComponent(exercise.path)
        let text = try String(contentsOf: file, encoding: .utf8)
        // Drop the last `// END Dropout1` line: the second region no longer closes.
        var lines = text.components(separatedBy: "\n")
        let lastEnd = try #require(lines.lastIndex { $0.trimmingCharacters(in: .whitespaces) == "// END Dropout1" })
        lines.remove(at: lastEnd)
        try FileTree.write(lines.joined(separator: "\n"), to: file)
        let result = Fixtures.runTool(["reset", "Dropout1", "--yes"], in: workspace.root)
        #expect(result.status != 0)
        #expect(result.err.contains("has 1 region of Dropout1 but the stub as shipped"), "\(result.err)")
        #expect(try String(contentsOf: file, encoding: .utf8) == lines.joined(separator: "\n"), "nothing was written")
    }

    @Test("replacingAll replaces each region of an ID in order and refuses a count that does not match")
    func replacingAll() {
        let text = "a\n// START X1\none\n// END X1\nb\n  // START Y1\nkeep\n  // END Y1\n  // START X1\ntwo\n  // END X1\n"
        #expect(StubRegions.replacingAll("X1", in: text, with: [["1"], ["2", "2b"]])
                == "a\n// START X1\n1\n// END X1\nb\n  // START Y1\nkeep\n  // END Y1\n  // START X1\n2\n2b\n  // END X1\n")
        #expect(StubRegions.replacingAll("X1", in: text, with: [["1"]]) == nil)
        #expect(StubRegions.replacingAll("Z1", in: text, with: []) == text)
    }

    @Test("the help of reset says that it restores every region and keeps a backup")
    func resetHelp() {
        let help = Fixtures.runTool(["reset", "--help"], in: Fixtures.packageRoot)
        #expect(help.status == 0)
        for phrase in ["// START ID", "// END ID", ".workbook/pristine/", ".scratch/state/backups/", "--yes"] {
            #expect(help.out.contains(phrase), "reset --help lacks \(phrase): \(help.out)")
        }
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

    @Test("says it is grading the moment a save is seen, and gives each failing exercise's hint command once")
    func headerAndHintOnce() {
        let header = Watch.header(regrading: ["ReLU1", "ReLU2"], changed: ["01-Activations/ReLU.swift"])
        #expect(header.contains("saved 01-Activations/ReLU.swift · grading ReLU1, ReLU2 …"))
        let stubs = GradeReport.grade(ScorecardParsingTests.relu, outcomes: TestEvents.parse(RecordedStreams.crashAndTimeout))
        let text = Watch.render(regraded: ["ReLU1", "ReLU2"], report: stubs, changed: ["01-Activations/ReLU.swift"])
        for id in ["ReLU1", "ReLU2"] {
            #expect(text.components(separatedBy: "workbook hint \(id)").count == 2, "the hint for \(id) once:\n\(text)")
        }
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

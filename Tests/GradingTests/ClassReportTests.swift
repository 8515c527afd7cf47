// The class report: its statistics, its page and its CSV, from batch output folders written by the
// grader's own writers (Gradebook.csv, GradescopeResults) or recorded from a real batch
// (Tests/ClassReportSample/), and, with WORKBOOK_E2E=1, from a real batch over planted mistakes.
import Foundation
import Testing
@testable import GradingKit

/// A small class graded from test outcomes by the grader's own `GradeReport.grade`, written to a
/// folder the way `Batch.run` writes one. Every number the tests expect is derived in a comment.
enum SmallClass {
    static let curriculum = Curriculum(exercises: [
        ExerciseInfo(id: "A1", chapter: "01-First", file: "A.swift", title: "first", points: 2),
        ExerciseInfo(id: "A2", chapter: "01-First", file: "A.swift", title: "second", points: 3),
        ExerciseInfo(id: "B1", chapter: "02-Second", file: "B.swift", title: "third", points: 5),
        ExerciseInfo(id: "H1", chapter: "02-Second", file: "B.swift", title: "hidden one", points: 4, hidden: true),
    ])

    static let sentence = "the output equals x·keep; inverted dropout divides by keep."

    static func pass(_ id: String, hidden: Bool = false) -> TestOutcome {
        TestOutcome(id: "\(id)/t()", name: "t", exercise: id, hidden: hidden)
    }
    static func fail(_ id: String, _ message: String, hidden: Bool = false) -> TestOutcome {
        TestOutcome(id: "\(id)/t()", name: "t", exercise: id, issues: [message], hidden: hidden)
    }
    static func stub(_ id: String, hidden: Bool = false) -> TestOutcome {
        fail(id, "\(id): f is \(GradeReport.notImplementedMarker). Write it between the START and END markers.", hidden: hidden)
    }

    /// Six submissions. Totals: s1 14 (everything), s2 2 (A1), s3 6 (A1 + H1), s4 0, s5 0 (not
    /// built), s6 2 (A1): mean 24 / 6 = 4, median of [0, 0, 2, 2, 6, 14] = 2.
    static func rows() -> [GradebookRow] {
        let c = curriculum
        func grade(_ outcomes: [TestOutcome], notes: [String] = []) -> GradeReport {
            GradeReport.grade(c, outcomes: outcomes, tamper: .instructorTests, notes: notes)
        }
        return [
            GradebookRow(submission: "s1", report: grade([pass("A1"), pass("A2"), pass("B1"), pass("H1", hidden: true)])),
            // A2: the misconception, with values 0.8 vs 1.25; H1: a hidden test's values (42.5) that must not show.
            GradebookRow(submission: "s2", report: grade([
                pass("A1"),
                fail("A2", "A2: out is wrong: 1 of 4 elements differ (largest difference 0.45); first: [0]: got 0.8, expected 1.25\n"
                     + "Likely mistake: \(sentence)\nLook in 01-First/A.swift"),
                stub("B1"),
                fail("H1", "H1: hidden answer is 17.0, expected 42.5", hidden: true)])),
            // A2: the same misconception with other values: one group of two, not two groups.
            GradebookRow(submission: "s3", report: grade([
                pass("A1"),
                fail("A2", "A2: out is wrong: 2 of 4 elements differ; first: [1]: got 0.4, expected 0.625\n  Likely mistake: \(sentence)"),
                fail("B1", "B1: dense output is wrong: shape [2, 3] but expected [3, 2].\nLook in 02-Second/B.swift"),
                pass("H1", hidden: true)])),
            GradebookRow(submission: "s4", report: grade([
                fail("A1", "A1 (first) crashed: Fatal error: Index out of range at Exercises/01-First/A.swift:9"),
                stub("A2"),
                fail("B1", "B1: cache.scale (1 / keepProbability) is 0.8, expected 1.25 (tolerance: absolute 1e-12, relative 1e-12)."),
                stub("H1", hidden: true)])),
            GradebookRow(submission: "s5", report: .notBuilt(c, error: "01-First/A.swift:3:5: error: cannot find '<script>alert(1)</script>' in scope",
                                                              tamper: .instructorTests)),
            GradebookRow(submission: "s6", report: grade([pass("A1"), stub("A2"), stub("B1"), stub("H1", hidden: true)],
                                                         notes: ["refused 01-First/B.swift: submissions are taken as regular files only",
                                                                 "missing 01-First/B.swift (graded as the stub)"])),
        ]
    }

    /// Writes the rows as `Batch.run` does: gradebook, one report per submission, settings.
    static func write(to folder: URL, rows: [GradebookRow] = rows(), settings: BatchSettings? = BatchSettings(seed: 7, credit: "all-or-nothing")) throws {
        try FileTree.write(Gradebook.csv(rows, curriculum: curriculum), to: folder.appendingPathComponent("gradebook.csv"))
        for row in rows {
            try FileTree.write(try GradescopeResults(row.report).json(), to: folder.appendingPathComponent("reports/\(row.submission).json"))
        }
        if let settings { try FileTree.write(try settings.json(), to: folder.appendingPathComponent(BatchSettings.fileName)) }
    }
}

@Suite("Class report: statistics, page and CSV of a batch output folder")
struct ClassReportTests {
    @Test("a failure reason is the named misconception, else the message's kind")
    func reasons() {
        let named = "A2: out is wrong: first: [0]: got 0.8, expected 1.25\nLikely mistake: \(SmallClass.sentence)\nLook in A.swift"
        #expect(FailureReason.of(message: named) == .misconception(SmallClass.sentence))
        // Today's messages that ask the question name the misconception too.
        #expect(FailureReason.of(message: "Conv3: conv2dForward with the kernel [[1, 0], [0, 0]] (did you flip the kernel?) is wrong: 4 of 4 elements differ")
                == .misconception("Did you flip the kernel?"))
        let kinds: [(String, FailureReason.Kind)] = [
            ("ReLU1: relu of the notes' matrix is wrong: 3 of 12 elements differ (largest difference 2); first: [0, 1]: got 2, expected 0", .wrongValues),
            ("Dropout1: cache.scale (1 / keepProbability) is 0.8, expected 1.25 (tolerance: absolute 1e-12, relative 1e-12).", .wrongValues),
            ("Dense1: out is wrong: shape [2, 3] but expected [3, 2].", .shape),
            ("Dense2: dx disagrees with the numeric gradient: relative error 0.5, needs < 1e-07.", .wrongGradient),
            ("Softmax1: softmax([[1, 2]]) should throw ShapeError, but returned.", .shape),
            ("Dropout1: dropoutForward(keepProbability: 0, using:) should throw InvalidKeepProbability, but returned.", .acceptsBadInput),
            ("H1: a hidden test failed (its inputs and expected values are not shown).", .hiddenTest),
            ("H1: a hidden test needs code that is not implemented yet.", .notImplemented),
            ("needs ReLU1 first (not implemented yet)", .needsAnother),
            ("Network2: the loss is not finite", .other),
        ]
        for (message, kind) in kinds {
            #expect(FailureReason.of(message: message) == .kind(kind), "\(message)")
        }
        // A `Likely mistake:` inside a line (not at its start) is not the interface: the kind decides.
        #expect(FailureReason.of(message: "X1: f threw Oops(\"Likely mistake: nothing\").") == .kind(.unexpectedError))
    }

    @Test("the numbers of a small class: totals, statuses, reasons grouped by misconception, problems")
    func statistics() throws {
        let folder = try Fixtures.scratchFolder("class-report")
        defer { try? FileManager.default.removeItem(at: folder) }
        try SmallClass.write(to: folder)
        let statistics = ClassStatistics(try BatchFolder.read(folder), curriculum: SmallClass.curriculum)

        let d = statistics.distribution
        #expect(d.count == 6 && d.mean == 4 && d.median == 2 && d.minimum == 0 && d.maximum == 14 && d.possible == 14)
        // Tenths of 14 points: 0, 0 → bin 0; 2, 2 → bin 1 (2/14 = 0.14); 6 → bin 4 (0.43); 14 → bin 9 (the full score).
        #expect(d.bins == [2, 2, 0, 0, 1, 0, 0, 0, 0, 1])
        #expect(statistics.settings == BatchSettings(seed: 7, credit: "all-or-nothing"))

        let byID = Dictionary(uniqueKeysWithValues: statistics.exercises.map { ($0.id, $0) })
        let a2 = try #require(byID["A2"])
        // A2: s1 done; s2, s3 failing; s4, s6 not started; s5 not built.
        #expect(a2.done == 1 && a2.count(.failing) == 2 && a2.notStarted == 2 && a2.count(.notBuilt) == 1 && a2.submissions == 6)
        #expect(a2.reasons.map(\.reason) == [.misconception(SmallClass.sentence)] && a2.reasons.map(\.count) == [2])
        #expect(abs(a2.failureRate - 2.0 / 3.0) < 1e-12)
        #expect(a2.meanScore == 0.5)   // 3 points once, over 6 submissions
        let a1 = try #require(byID["A1"])
        #expect(a1.done == 4 && a1.count(.crashed) == 1 && a1.reasons.map(\.reason) == [.kind(.trap)])
        let b1 = try #require(byID["B1"])
        #expect(Set(b1.reasons.map(\.reason)) == [.kind(.shape), .kind(.wrongValues)] && b1.failed == 2)
        let h1 = try #require(byID["H1"])
        #expect(h1.hidden && h1.done == 2 && h1.count(.failing) == 1 && h1.reasons.map(\.reason) == [.kind(.hiddenTest)])

        // Chapters in curriculum order; within a chapter, the larger failure rate first:
        // A2 (2 of 3 who tried) before A1 (1 of 5); B1 (2 of 3) before H1 (1 of 3).
        #expect(statistics.exercises.map(\.id) == ["A2", "A1", "B1", "H1"])
        #expect(statistics.hardest().map(\.id) == ["A2", "B1", "H1", "A1"])

        #expect(statistics.problems.map(\.submission) == ["s5", "s6"])
        #expect(statistics.problems[0].status == "not built" && statistics.problems[0].reason.contains("cannot find"))
        #expect(statistics.problems[1].reason.hasPrefix("refused 01-First/B.swift") && !statistics.problems[1].reason.contains("missing"))
    }

    @Test("an exercise failing only because it waits for another does not look hard")
    func blocked() throws {
        func row(_ name: String, _ b1: ExerciseStatus, _ message: String?) -> RecordedSubmission {
            RecordedSubmission(name: name, status: "graded", total: 0, maxScore: 5, note: "", exercises: [
                RecordedExercise(id: "A1", title: "first", points: 2, score: 0, status: .notStarted, message: nil, hidden: false),
                RecordedExercise(id: "B1", title: "third", points: 3, score: b1 == .done ? 3 : 0, status: b1, message: message, hidden: false),
            ], reportProblem: nil, buildError: nil)
        }
        let folder = BatchFolder(folder: URL(fileURLWithPath: "/nowhere"), exerciseIDs: ["A1", "B1"], submissions: [
            row("s1", .failing, "needs A1 first (not implemented yet)"),
            row("s2", .failing, "needs A1 first: B1 (third) could not be checked: it calls f, A1's code, which stopped"),
            row("s3", .done, nil),
        ], settings: nil)
        let statistics = ClassStatistics(folder, curriculum: SmallClass.curriculum)
        let b1 = try #require(statistics.exercises.first { $0.id == "B1" })
        #expect(b1.failed == 2 && b1.blocked == 2 && b1.failureRate == 0)
        #expect(b1.reasons.map(\.reason) == [.kind(.needsAnother)])
        #expect(statistics.hardest().isEmpty)
    }

    @Test("the page is one self-contained file: no script, no network, escaped text, phone and print layouts, no hidden values")
    func page() throws {
        let folder = try Fixtures.scratchFolder("class-report-page")
        defer { try? FileManager.default.removeItem(at: folder) }
        try SmallClass.write(to: folder)
        try ClassReport.write(folder: folder, curriculum: SmallClass.curriculum)
        let html = try String(contentsOf: folder.appendingPathComponent(ClassReport.htmlName), encoding: .utf8)
        for outside in ["<script", "http:", "https:", "src=", "url(", "@import", "<link", "@font-face"] {
            #expect(!html.contains(outside), "the page must not load anything: found \(outside)")
        }
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the build error is shown, escaped")
        #expect(html.contains("@media print") && html.contains("@media (max-width: 640px)"))
        #expect(html.contains("<svg class=\"histogram\"") && html.contains("<svg class=\"stack\""))
        #expect(html.contains(SmallClass.sentence) && html.contains("grading seed 7") && html.contains("credit all-or-nothing"))
        // Neither the hidden test's expected value nor any message's values reach the page.
        for value in ["42.5", "17.0", "1.25", "0.625", "Index out of range"] {
            #expect(!html.contains(value), "\(value) is a test's value or the student's trap: it must not be in the class report")
        }
        // Every tag opened in the body is closed (the builder's own structure).
        for tag in ["section", "table", "tr", "td", "svg", "ul", "ol", "li"] {
            let opened = html.components(separatedBy: "<\(tag)>").count + html.components(separatedBy: "<\(tag) ").count - 2
            let closed = html.components(separatedBy: "</\(tag)>").count - 1
            #expect(opened == closed, "<\(tag)>: \(opened) opened, \(closed) closed")
        }
    }

    @Test("the CSV has one row per exercise with the same counts and reasons")
    func csv() throws {
        let folder = try Fixtures.scratchFolder("class-report-csv")
        defer { try? FileManager.default.removeItem(at: folder) }
        try SmallClass.write(to: folder)
        try ClassReport.write(folder: folder, curriculum: SmallClass.curriculum)
        let table = try CSVTable.parse(try String(contentsOf: folder.appendingPathComponent(ClassReport.csvName), encoding: .utf8), file: "csv")
        let header = try #require(table.first)
        func value(_ id: String, _ column: String) throws -> String {
            let row = try #require(table.first { $0.count > 1 && $0[1] == id })
            return row[try #require(header.firstIndex(of: column))]
        }
        #expect(table.count == 5)
        #expect(try value("A2", "done") == "1" && value("A2", "failing") == "2" && value("A2", "not started") == "2" && value("A2", "not built") == "1")
        #expect(try value("A2", "reason 1") == SmallClass.sentence && value("A2", "count 1") == "2")
        #expect(try value("A2", "failure rate of those who tried") == "0.667" && value("A2", "mean points") == "0.5")
        #expect(try value("H1", "hidden") == "yes" && value("H1", "reason 1") == "fails a hidden test")
    }

    @Test("a folder with added columns and fields reads the same; a missing report is noted; a bad gradebook names its line")
    func tolerance() throws {
        let folder = try Fixtures.scratchFolder("class-report-tolerance")
        defer { try? FileManager.default.removeItem(at: folder) }
        try SmallClass.write(to: folder, settings: nil)
        let before = ClassStatistics(try BatchFolder.read(folder), curriculum: SmallClass.curriculum)
        #expect(before.settings == nil)
        // A merge or a later batch may add a column and fields: the numbers stay the same.
        let gradebook = folder.appendingPathComponent("gradebook.csv")
        let lines = try String(contentsOf: gradebook, encoding: .utf8).split(separator: "\n").map(String.init)
        let widened = lines.enumerated().map { $0.offset == 0 ? $0.element + ",shard" : $0.element + ",1/2" }
        try FileTree.write(widened.joined(separator: "\n") + "\n", to: gradebook)
        let report = folder.appendingPathComponent("reports/s2.json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        object["shard"] = "1/2"
        object["tests"] = (object["tests"] as? [[String: Any]])?.map { test in var test = test; test["duration"] = 1.5; return test }
        try JSONSerialization.data(withJSONObject: object).write(to: report)
        let after = ClassStatistics(try BatchFolder.read(folder), curriculum: SmallClass.curriculum)
        #expect(after.exercises == before.exercises && after.distribution == before.distribution)

        try FileManager.default.removeItem(at: folder.appendingPathComponent("reports/s3.json"))
        let missing = ClassStatistics(try BatchFolder.read(folder), curriculum: SmallClass.curriculum)
        #expect(missing.unreadable.map(\.submission) == ["s3"] && missing.distribution.count == 6)
        #expect(missing.exercises.first { $0.id == "A2" }?.submissions == 5)

        try FileTree.write("submission,status,A1,total,max,note\ns1,graded,2,two,14,\n", to: gradebook)
        #expect(throws: ToolError.usage("\(gradebook.path), line 2: 'total' is 'two', not a number")) { try BatchFolder.read(folder) }
        try FileTree.write("name,A1\n", to: gradebook)
        #expect(throws: ToolError.self) { try BatchFolder.read(folder) }
    }

    @Test("workbook report rebuilds the page and the CSV; a folder without a gradebook is a usage error naming it")
    func command() throws {
        let folder = try Fixtures.scratchFolder("class-report-command")
        defer { try? FileManager.default.removeItem(at: folder) }
        try SmallClass.write(to: folder)
        let result = Fixtures.runTool(["report", folder.path], in: Fixtures.packageRoot)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains(ClassReport.htmlName) && result.out.contains("6 submissions"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(ClassReport.csvName).path))

        let empty = try Fixtures.scratchFolder("class-report-empty")
        defer { try? FileManager.default.removeItem(at: empty) }
        let refused = Fixtures.runTool(["report", empty.path], in: Fixtures.packageRoot)
        #expect(refused.status == 64 && refused.err.contains("gradebook.csv") && refused.err.contains("See 'workbook report --help'"))
        #expect(!FileManager.default.fileExists(atPath: empty.appendingPathComponent(ClassReport.htmlName).path))
    }

    /// The sample recorded from a real batch (see Tests/ClassReportSample/README.md).
    static let sample = Fixtures.packageRoot.appendingPathComponent("Tests/ClassReportSample")

    @Test("the recorded batch: the report's numbers agree with its gradebook and find the planted mistakes")
    func recorded() throws {
        let statistics = ClassStatistics(try BatchFolder.read(Self.sample), curriculum: try Workspace(root: Fixtures.packageRoot).curriculum())
        try PlantedMistakes.check(statistics, folder: Self.sample)
        // Recorded with nothing else killing runners: ada (the solutions) has every point, and the
        // only failures of the class are the planted ones (ReLU2 twice: cleo's |x| seen by its gradient check, gus's trap).
        #expect(statistics.distribution.maximum == statistics.distribution.possible)
        #expect(Set(statistics.exercises.filter { $0.failed > $0.blocked }.map(\.id))
                == ["ReLU1", "ReLU2", "Tanh1", "Dense1", "Dropout1", "DropConnect1"])
        let html = ClassReportPage.html(statistics, title: "sample")
        #expect(!html.contains("<script") && !html.contains("http"))
    }
}

/// The mistakes planted in the sample class (Tests/ClassReportSample/make-submissions.py, and the
/// end-to-end test's copy of it) and what the report must say of them.
enum PlantedMistakes {
    static func check(_ statistics: ClassStatistics, folder: URL) throws {
        // The gradebook, read independently of the report's reader: totals and each exercise's
        // full-mark count (all or nothing: an exercise is done when its cell holds all its points).
        let lines = try String(contentsOf: folder.appendingPathComponent("gradebook.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        let rows = lines.dropFirst()
        let totalColumn = try #require(header.firstIndex(of: "total"))
        let totals = rows.map { Double($0[totalColumn])! }
        #expect(statistics.distribution.count == rows.count)
        #expect(abs(statistics.distribution.mean - totals.reduce(0, +) / Double(totals.count)) < 1e-9)
        for (column, id) in header.enumerated() where column > 1 && column < totalColumn {
            let full = try #require(statistics.exercises.first { $0.id == id }.map { formatPoints($0.points) })
            let done = rows.filter { $0[column] == full }.count
            #expect(statistics.exercises.first { $0.id == id }?.done == done, "\(id): done count against the gradebook")
        }
        func exercise(_ id: String) throws -> ExerciseStatistics { try #require(statistics.exercises.first { $0.id == id }) }
        // Each planted mistake: the submission's own result has the expected reason, and the
        // exercise's reasons count it. (Per submission, so that a runner killed by something else
        // on the machine, in another submission, cannot hide or fake a planted mistake.)
        let recorded = try BatchFolder.read(folder)
        func planted(_ submission: String, _ id: String, _ accepted: (FailureReason) -> Bool) throws {
            let row = try #require(recorded.submissions.first { $0.name == submission })
            let result = try #require(row.exercises.first { $0.id == id }, "\(submission) has no \(id)")
            let reason = try #require(FailureReason.of(result), "\(submission)'s planted mistake in \(id) passed")
            #expect(accepted(reason), "\(submission) \(id): \(reason)")
            #expect((try exercise(id).reasons.first { $0.reason == reason }?.count ?? 0) >= 1)
        }
        // ben: inverted dropout scaled by keep (not 1/keep): today's message reports the values;
        // once the test names the mistake (`Likely mistake: `), its sentence. DropConnect unscaled.
        try planted("ben", "Dropout1") { $0 == .kind(.wrongValues) || $0.isMisconception }
        try planted("ben", "DropConnect1") { $0 == .kind(.wrongValues) || $0.isMisconception }
        // cleo: ReLU as |x| and a dense layer without its bias: wrong values.
        try planted("cleo", "ReLU1") { $0 == .kind(.wrongValues) || $0.isMisconception }
        try planted("cleo", "Dense1") { $0 == .kind(.wrongValues) || $0.isMisconception }
        // gus: a trap in reluBackward; an endless loop in tanhForward (the watchdog's kill is
        // reported today as a crash by signal 9, so either kind is the planted loop).
        try planted("gus", "ReLU2") { $0 == .kind(.trap) }
        try planted("gus", "Tanh1") { $0 == .kind(.timeout) || $0 == .kind(.trap) }
        // dan did not compile; fay sent a link.
        let problems = Dictionary(uniqueKeysWithValues: statistics.problems.map { ($0.submission, $0) })
        #expect(problems["dan"]?.status == "not built" && problems["dan"]?.reason.contains("undefinedThing") == true)
        #expect(problems["fay"]?.reason.contains("refused 01-Activations/Step.swift") == true)
        #expect(problems["ada"] == nil && problems["ben"] == nil && problems["eve"] == nil)
        // eve sent the stubs: no point, and the lowest total.
        #expect(statistics.distribution.minimum == 0)
    }
}

/// The sample class: copies of the solutions and stubs with planted mistakes. Tests/ClassReportSample
/// was recorded from `workbook batch` over exactly these (seed 7, --test-time-limit 30).
enum PlantedClass {
    static func make(in folder: URL, package: Workspace) throws {
        let fm = FileManager.default
        let chapters = try fm.contentsOfDirectory(atPath: package.exercises.path).filter { FileTree.isDirectory(package.exercises.appendingPathComponent($0)) }.sorted()
        func copy(_ from: URL, _ name: String) throws -> URL {
            let to = folder.appendingPathComponent(name)
            try fm.copyItem(at: from, to: to)
            return to
        }
        func replace(_ file: URL, _ old: String, _ new: String) throws {
            let text = try String(contentsOf: file, encoding: .utf8)
            try #require(text.contains(old), "the planted mistake's anchor is gone from \(file.lastPathComponent): \(old)")
            try Data(text.replacingOccurrences(of: old, with: new).utf8).write(to: file)
        }
        /// Chapters from `first` on put back to the stubs: an honest, partly done submission.
        func stubs(_ submission: URL, from first: String) throws {
            for chapter in chapters where chapter >= first {
                try fm.removeItem(at: submission.appendingPathComponent(chapter))
                try fm.copyItem(at: package.exercises.appendingPathComponent(chapter), to: submission.appendingPathComponent(chapter))
            }
        }
        _ = try copy(package.solutions, "ada")
        let ben = try copy(package.solutions, "ben")
        try replace(ben.appendingPathComponent("07-Dropout/InvertedDropout.swift"), "let scale = 1 / keepProbability", "let scale = keepProbability")
        try replace(ben.appendingPathComponent("08-DropoutRevisited/DropConnect.swift"), "? (mask, 1 / keepProbability)", "? (mask, 1.0)")
        try stubs(ben, from: "12")
        let work = folder.appendingPathComponent("work")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        let cleo = try copy(package.solutions, "work/cleo")
        try replace(cleo.appendingPathComponent("01-Activations/ReLU.swift"), "out[i] = max(0, xs[i])", "out[i] = abs(xs[i])")
        try replace(cleo.appendingPathComponent("02-DenseLayers/Dense.swift"), "let out = try Tensor.matmul(x, weight) + bias", "let out = try Tensor.matmul(x, weight)")
        try stubs(cleo, from: "05")
        let tar = try Subprocess.run(["tar", "-czf", folder.appendingPathComponent("cleo.tar.gz").path, "cleo"], in: work)
        #expect(tar.succeeded, "tar: \(tar.output)")
        try fm.removeItem(at: work)
        let dan = try copy(package.exercises, "dan")
        let danReLU = dan.appendingPathComponent("01-Activations/ReLU.swift")
        let broken = try #require(StubRegions.replacing("ReLU1", in: try String(contentsOf: danReLU, encoding: .utf8), with: ["    return undefinedThing"]))
        try Data(broken.utf8).write(to: danReLU)
        _ = try copy(package.exercises, "eve")
        let fay = try copy(package.solutions, "fay")
        try fm.removeItem(at: fay.appendingPathComponent("01-Activations/Step.swift"))
        try fm.createSymbolicLink(atPath: fay.appendingPathComponent("01-Activations/Step.swift").path, withDestinationPath: "/etc/passwd")
        try stubs(fay, from: "09")
        let gus = try copy(package.solutions, "gus")
        try replace(gus.appendingPathComponent("01-Activations/ReLU.swift"),
                    "    guard dout.shape == cache.x.shape else {",
                    "    let none: [Double] = []\n    _ = none[dout.scalars.count]\n    guard dout.shape == cache.x.shape else {")
        try replace(gus.appendingPathComponent("01-Activations/Tanh.swift"), "// START Tanh1", "// START Tanh1\n    var spins = 0\n    while x.count >= 0 { spins &+= 1 }")
        try stubs(gus, from: "06")
    }
}

@Suite("Class report of a real batch over planted mistakes", .serialized)
struct ClassReportEndToEndTests {
    @Test("batch writes class-report.html and .csv whose numbers match its gradebook and find the planted mistakes",
          .enabled(if: Fixtures.hasSolutions, "needs Solutions/ (not in a student release)"),
          .enabled(if: Fixtures.endToEnd, "grades seven submissions (several minutes): set WORKBOOK_E2E=1, as CI does"),
          .timeLimit(.minutes(40)))
    func batch() async throws {
        let package = Workspace(root: Fixtures.packageRoot)
        let folder = try Fixtures.scratchFolder("class-report-batch")
        defer { try? FileManager.default.removeItem(at: folder) }
        let submissions = folder.appendingPathComponent("submissions")
        try FileManager.default.createDirectory(at: submissions, withIntermediateDirectories: true)
        try PlantedClass.make(in: submissions, package: package)
        let output = folder.appendingPathComponent("results")
        let rows = try await onOwnThread {
            try Batch.run(BatchOptions(submissions: submissions, output: output, workers: 2, timeLimit: 1200, testTimeLimit: 20,
                                       gradingSeed: 7), workspace: package) { _ in }
        }
        #expect(rows.map(\.submission) == ["ada", "ben", "cleo", "dan", "eve", "fay", "gus"])
        let html = try String(contentsOf: output.appendingPathComponent(ClassReport.htmlName), encoding: .utf8)
        #expect(html.contains("grading seed 7"))
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(ClassReport.csvName).path))

        let statistics = ClassStatistics(try BatchFolder.read(output), curriculum: try package.curriculum())
        // The report's numbers against the grader's own rows, exercise by exercise.
        for exercise in statistics.exercises {
            for status in ExerciseStatus.allCases {
                let expected = rows.filter { $0.report.result(exercise.id)?.status == status }.count
                #expect(exercise.count(status) == expected, "\(exercise.id) \(status.rawValue)")
            }
        }
        let scores = rows.map(\.report.score).sorted()
        #expect(statistics.distribution.median == (scores[3]))
        try PlantedMistakes.check(statistics, folder: output)
        // The runners start from the zygote in a batch: a trap and a stopped loop still name the
        // student's file and line (the runtime's crash report works in the zygote's children).
        let gus = try #require(rows.first { $0.submission == "gus" })
        let trap = try #require(gus.report.result("ReLU2")?.message)
        #expect(trap.contains("at Exercises/01-Activations/ReLU.swift:"), "\(trap)")
        let loop = try #require(gus.report.result("Tanh1")?.message)
        // With the loop's line ("while running Exercises/…/Tanh.swift:21"), or, when the frame the
        // report stops in carries no line, the function and its first line ("while running
        // tanhForward (Exercises/…/Tanh.swift:17)"): either way the student's file and a line of it.
        #expect(loop.contains("while running ") && loop.contains("Exercises/01-Activations/Tanh.swift:"), "\(loop)")
        // The page written by batch is the one `report` writes from the folder.
        let rebuilt = ClassReportPage.html(statistics, title: output.lastPathComponent)
        #expect(rebuilt == html)
    }
}

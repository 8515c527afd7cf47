// Batch grading: every submission in a folder, each in its own scratch copy inside the package,
// graded with the instructor's own tests (the package's `Tests/`, hidden ones included), with a
// time limit per submission and two workers, into a CSV gradebook and a report per submission.
//
// A submission is a copy of `Exercises/` (a folder, or a .zip / .tar / .tar.gz / .tgz of one; an
// enclosing folder or an `Exercises/` level inside is found). Only the files the workbook expects
// are taken from it, and only as regular files: a symbolic link, a device or a path that leaves the
// submission is refused and named in the gradebook's note. A missing file is replaced by its stub
// (its exercises score 0 and the row says so), extra files are ignored and listed. Whatever a
// submission does (not compile, crash, loop, attack), it costs that submission only.
//
// The tests run from a build of the package's own stubs (the judge); each submission's code is
// built into grade-runner alone (from the worker's slot, `GradingSlot`) and, under root, runs as one
// of the 16 sandbox uids its worker holds (`SandboxUIDs`: no other grading on the machine has them)
// while the package, the submissions and the output folder are closed to other users (see the
// manual). Archives are read with limits (`Unpack`); `--shard K/N` grades a share (`Shard`).
import Foundation
import StudentCalls
import WorkbookCore
#if canImport(Glibc)
import Glibc
#endif

public struct BatchOptions: Sendable {
    public var submissions: URL
    public var output: URL
    public var workers: Int = 2
    /// Seconds per submission, build included.
    public var timeLimit: Double = 900
    /// Seconds per graded test (`WORKBOOK_TIME_LIMIT`).
    public var testTimeLimit: Int? = nil
    /// `--seed`: the grading seed (`WORKBOOK_GRADING_SEED`) for the random inputs of property and
    /// gradient checks, so that answers memorized from the public tests do not pass.
    public var gradingSeed: UInt64? = nil
    /// The credit rule for exercises whose declaration sets none (`--credit`).
    public var credit: Credit = .allOrNothing
    /// `--shard K/N`: grade only the K-th of N shares of the folder (see `Shard`).
    public var shard: Shard? = nil
    /// `--keep`: keep each submission's staged copy (`.scratch/grading-<n>/batch/<name>/`) after its grading.
    public var keep: Bool = false

    public init(submissions: URL, output: URL, workers: Int = 2, timeLimit: Double = 900, testTimeLimit: Int? = nil,
                gradingSeed: UInt64? = nil, credit: Credit = .allOrNothing, shard: Shard? = nil, keep: Bool = false) {
        self.shard = shard
        self.keep = keep
        self.gradingSeed = gradingSeed
        self.credit = credit
        self.submissions = submissions
        self.output = output
        self.workers = workers
        self.timeLimit = timeLimit
        self.testTimeLimit = testTimeLimit
    }
}

/// One row of the gradebook.
public struct GradebookRow: Sendable {
    public var submission: String
    public var report: GradeReport

    public var status: String {
        if report.buildError != nil { return "not built" }
        if report.results.contains(where: { $0.status == .timedOut && $0.message?.contains("time limit") == true }) { return "time limit" }
        return "graded"
    }
}

public enum Gradebook {
    /// `submission,status,<ID>…,total,max,note`: one column per exercise with the points earned.
    public static func csv(_ rows: [GradebookRow], curriculum: Curriculum) -> String {
        var lines = [(["submission", "status"] + curriculum.exercises.map(\.id) + ["total", "max", "note"]).map(field).joined(separator: ",")]
        for row in rows {
            var fields = [row.submission, row.status]
            for exercise in curriculum.exercises {
                fields.append(formatPoints(row.report.result(exercise.id)?.score ?? 0))
            }
            fields += [formatPoints(row.report.score), String(curriculum.totalPoints)]
            var notes = row.report.notes
            if let error = row.report.buildError { notes.insert("does not compile: \(error)", at: 0) }
            fields.append(notes.joined(separator: "; "))
            lines.append(fields.map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180: quote fields holding commas, quotes or line breaks; double the quotes. A leading
    /// `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet does not run a student's text as a formula.
    static func field(_ text: String) -> String {
        var value = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if let first = value.first, "=+-@".contains(first), Int(value) == nil { value = "'" + value }
        if value.contains(",") || value.contains("\"") {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }
}

public enum Batch {
    static let archiveSuffixes = [".tar.gz", ".tgz", ".tar", ".zip"]

    /// The submissions in `folder`: sub-folders and archives, by name.
    public static func entries(in folder: URL) throws -> [URL] {
        guard FileTree.isDirectory(folder) else { throw ToolError.usage("no such folder of submissions: \(folder.path)") }
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            .filter { !$0.hasPrefix(".") }
            .map { folder.appendingPathComponent($0) }
    }

    /// A safe, unique-enough name for a submission: letters, digits, `-`, `_`, `.`.
    static func name(of entry: URL) -> String {
        var base = entry.lastPathComponent
        for suffix in archiveSuffixes where base.lowercased().hasSuffix(suffix) { base = String(base.dropLast(suffix.count)); break }
        let cleaned = String(base.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
        return cleaned.isEmpty || cleaned.hasPrefix(".") ? "submission" + cleaned : cleaned
    }

    /// The names of `entries`, unique over the whole folder (`ada/` and `ada.zip`: `ada`, `ada_`).
    static func names(of entries: [URL]) -> [String] {
        entries.reduce(into: []) { names, entry in
            var name = name(of: entry)
            while names.contains(name) { name += "_" }
            names.append(name)
        }
    }

    /// Grades every submission (or the shard's share); returns the rows in the submissions' order.
    public static func run(_ options: BatchOptions, workspace: Workspace, log: @escaping @Sendable (String) -> Void) throws -> [GradebookRow] {
        let curriculum = try workspace.curriculum().crediting(options.credit)
        let count = try entries(in: options.submissions).count
        var options = options
        options.workers = max(1, min(options.workers, options.shard?.indices(of: count).count ?? count))
        let judge = try workspace.prepareJudge(log: log)
        // Under root each worker takes 16 sandbox uids that no other grading on this machine holds
        // (see SandboxUIDs); they are released, and whatever still runs as them killed, at the end.
        var held: [SandboxUIDs] = []
        defer { held.forEach { $0.release() } }
        if geteuid() == 0 {
            for worker in 0..<options.workers {
                do {
                    held.append(try SandboxUIDs.allocate(count: SandboxUIDs.perWorker))
                } catch where worker > 0 {
                    log("Note: \(error); grading with \(worker) worker\(worker > 1 ? "s" : "")")
                    break
                }
                log("Worker \(worker + 1): sandbox uids \(held[worker])")
            }
            options.workers = held.count
        } else {
            log("Note: not running as root, so student code runs as you, without a sandbox user or a jail; grade with sudo for that (see the manual).")
        }
        // Each worker builds into a slot (build folder and build input) no other grading of this package holds.
        let slots = try (0..<options.workers).map { _ in try GradingSlot.take(in: workspace) }
        defer { slots.forEach { $0.release() } }
        let lock = FolderLock.close([workspace.root, options.submissions, options.output])
        defer { lock.reopen() }
        let users = held.map(\.description)
        return try gradeAll(options, curriculum: curriculum, log: log) { [options] entry, name, worker, workers in
            try grade(entry, name: name, options: options, workspace: workspace, curriculum: curriculum,
                      judge: judge.with(sandboxUsers: worker < users.count ? users[worker] : nil),
                      scratchPath: slots[worker].buildFolder(in: workspace),
                      jobs: workers > 1 ? 1 : nil,
                      buildInput: slots[worker].buildInput(in: workspace))
        }
    }

    /// The batch without the grading: picks the shard's entries, runs `grade(entry, name, worker,
    /// workers)` on `options.workers` threads, and writes each report as it is made, then the
    /// gradebook and `batch.json`. A submission whose grading throws is "not built" with the error.
    static func gradeAll(_ options: BatchOptions, curriculum: Curriculum, log: @escaping @Sendable (String) -> Void,
                         grade: @escaping @Sendable (URL, String, Int, Int) throws -> GradeReport) throws -> [GradebookRow] {
        let entries = try entries(in: options.submissions)
        let names = names(of: entries)
        let chosen = options.shard?.indices(of: entries.count) ?? Array(entries.indices)
        let reports = options.output.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        if let shard = options.shard { log("Shard \(shard): \(chosen.count) of the \(plural(entries.count, "submission")) in \(options.submissions.lastPathComponent)/") }
        let rows = Rows(count: chosen.count)
        let next = Counter()
        let workers = max(1, min(options.workers, chosen.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            while let position = next.take(below: chosen.count) {
                let index = chosen[position]
                let name = names[index]
                log("[\(position + 1)/\(chosen.count)] grading \(name) (worker \(worker + 1))")
                let report: GradeReport
                do {
                    report = try Timings.measure("submission.total") { try grade(entries[index], name, worker, workers) }
                } catch {
                    report = .notBuilt(curriculum, error: "the grader could not stage this submission: \(error)",
                                       tamper: .instructorTests)
                }
                let row = GradebookRow(submission: name, report: report)
                rows.set(position, row)
                try? FileTree.write(Scorecard.render(report, title: "submission \(name)"),
                                    to: reports.appendingPathComponent("\(name).txt"))
                if let json = try? GradescopeResults(report).json() {
                    try? FileTree.write(json, to: reports.appendingPathComponent("\(name).json"))
                }
                log("[\(position + 1)/\(chosen.count)] \(name): \(formatPoints(report.score))/\(report.maxScore) (\(row.status))")
            }
        }
        let all = rows.all()
        try FileTree.write(Gradebook.csv(all, curriculum: curriculum), to: options.output.appendingPathComponent("gradebook.csv"))
        try BatchManifest(submissions: names, shard: (options.shard ?? (try Shard(parsing: "1/1"))).description, graded: chosen)
            .write(to: options.output)
        ClassReport.afterBatch(options, curriculum: curriculum, log: log)
        return all
    }

    /// Stages one submission in its slot (`.scratch/grading-<n>/batch/<name>/`) and grades it with the package's tests.
    public static func grade(_ entry: URL, name: String, options: BatchOptions, workspace: Workspace, curriculum: Curriculum,
                             judge: Judge, scratchPath: URL?, jobs: Int?, buildInput: URL? = nil) throws -> GradeReport {
        // Staged in the grading's own slot, so two gradings of submissions with the same name never
        // share (and remove) each other's staging folder.
        let stage = (buildInput?.deletingLastPathComponent() ?? workspace.scratch).appendingPathComponent("batch/\(name)")
        try? FileManager.default.removeItem(at: stage)
        try FileManager.default.createDirectory(at: stage, withIntermediateDirectories: true)
        // The staged copy (unpacked archive, assembled folder, logs) goes when the grading ends,
        // whatever its outcome, unless the instructor keeps it (`--keep`) to look into it.
        defer { if !options.keep { try? FileManager.default.removeItem(at: stage) } }
        var refused: [String] = []
        let source: URL
        do {
            guard let unpacked = try unpack(entry, into: stage.appendingPathComponent("unpacked")) else {
                return .notBuilt(curriculum, error: "not a folder or a .zip/.tar/.tar.gz/.tgz archive: \(entry.lastPathComponent)",
                                 tamper: .instructorTests)
            }
            source = unpacked.url
            refused = unpacked.refused
        } catch let error as UnpackError {
            return .notBuilt(curriculum, error: "the archive was refused: \(error)", tamper: .instructorTests)
        }
        var root = submissionRoot(in: source, chapters: curriculum.chapters)
        // A folder holding just an archive (Gradescope keeps an uploaded zip as is): open it.
        if root.standardizedFileURL.path == source.standardizedFileURL.path, let archive = try? FileManager.default.contentsOfDirectory(atPath: source.path)
            .filter({ name in archiveSuffixes.contains { name.lowercased().hasSuffix($0) } }).sorted().first,
           !curriculum.chapters.contains(where: { FileTree.isDirectory(source.appendingPathComponent($0)) }) {
            do {
                if let inner = try unpack(source.appendingPathComponent(archive), into: stage.appendingPathComponent("unpacked-archive")) {
                    root = submissionRoot(in: inner.url, chapters: curriculum.chapters)
                    refused += inner.refused
                }
            } catch let error as UnpackError {
                return .notBuilt(curriculum, error: "the archive was refused: \(error)", tamper: .instructorTests)
            }
        }
        let implementation = stage.appendingPathComponent("Exercises")
        var notes = try assemble(submission: root, template: workspace.exercises, into: implementation)
        if !refused.isEmpty {
            notes.insert("refused in the archive: " + refused.prefix(5).joined(separator: ", ")
                         + (refused.count > 5 ? " and \(refused.count - 5) more" : ""), at: 0)
        }
        // A worker builds every submission from one folder (`buildInput`), into which only the files
        // that differ are written: files left as the stubs keep their dates, so Swift's incremental
        // build compiles only what this submission changed. Afterwards the folder is the stubs again.
        if let buildInput {
            try FileTree.sync(implementation, into: buildInput)
        }
        defer { if let buildInput, !options.keep { try? FileTree.sync(workspace.exercises, into: buildInput) } }
        let request = GradeRequest(implementation: workspace.relative(buildInput ?? implementation),
                                   scratchPath: scratchPath,
                                   timeLimit: options.timeLimit, testTimeLimit: options.testTimeLimit,
                                   jobs: jobs, logDirectory: stage.appendingPathComponent("logs"),
                                   judge: judge, gradingSeed: options.gradingSeed,
                                   temporaryDirectory: stage.appendingPathComponent("tmp"))
        var report = try workspace.grade(request, curriculum: curriculum, tamper: .instructorTests, notes: notes).report
        // The student knows their files as `01-Activations/ReLU.swift`, not by the staging folder.
        if let staged = request.implementation, let error = report.buildError {
            let shown = error.replacingOccurrences(of: staged + "/", with: "")
            report.buildError = shown
            for index in report.results.indices where report.results[index].message == error { report.results[index].message = shown }
        }
        return report
    }

    /// A folder as is, or an archive unpacked by `Unpack` (limits enforced while reading, links
    /// and devices refused) into `folder`; with the members refused. `nil`: neither.
    static func unpack(_ entry: URL, into folder: URL) throws -> (url: URL, refused: [String])? {
        if SubmissionFiles.kind(entry.path) == .link {
            throw ToolError.failure("\(entry.lastPathComponent) is a symbolic link; submissions are taken as regular files only")
        }
        if SubmissionFiles.isFolder(entry) { return (entry, []) }
        let lower = entry.lastPathComponent.lowercased()
        guard archiveSuffixes.contains(where: { lower.hasSuffix($0) }) else { return nil }
        return (folder, try Unpack.archive(entry, into: folder))
    }

    /// The folder holding the chapter folders: the submission itself, an `Exercises/` inside it,
    /// or a single enclosing folder (as archives often have), searched three levels deep. Links
    /// are never followed.
    static func submissionRoot(in folder: URL, chapters: [String]) -> URL {
        var best = (url: folder, matches: 0)
        var frontier = [folder]
        for _ in 0..<4 {
            var nextFrontier: [URL] = []
            for candidate in frontier {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: candidate.path)) ?? []
                let folders = names.filter { !$0.hasPrefix(".") && $0 != "__MACOSX" }
                    .map { candidate.appendingPathComponent($0) }.filter(SubmissionFiles.isFolder)
                let matches = folders.filter { chapters.contains($0.lastPathComponent) }.count
                if matches > best.matches { best = (candidate, matches) }
                nextFrontier += folders
            }
            frontier = nextFrontier
        }
        return best.url
    }

    /// Builds the implementation folder: the stubs, overlaid by the submission's versions of the
    /// expected Swift files. Returns notes on missing, refused and ignored files.
    static func assemble(submission: URL, template: URL, into implementation: URL) throws -> [String] {
        let expected = try FileTree.files(under: template)
        for relative in expected {
            try FileTree.copy(template.appendingPathComponent(relative), to: implementation.appendingPathComponent(relative))
        }
        let found = SubmissionFiles(under: submission) { $0.split(separator: "/").contains { $0.hasPrefix(".") || $0 == "__MACOSX" } }
        let provided = found.files
        let expectedSwift = Set(expected.filter { $0.hasSuffix(".swift") })
        // Files uploaded one by one arrive without their chapter folders (Gradescope flattens them):
        // a file whose name belongs to exactly one expected path is taken as that file.
        func name(_ path: String) -> String { String(path.split(separator: "/").last ?? "") }
        let expectedByName = Dictionary(grouping: expectedSwift, by: name)
        var missing: [String] = []
        var used: Set<String> = []
        for relative in expectedSwift.sorted() {
            var source: String? = provided.contains(relative) ? relative : nil
            if source == nil, expectedByName[name(relative)]?.count == 1 {
                let candidates = provided.filter { name($0) == name(relative) && !expectedSwift.contains($0) }
                if candidates.count == 1 { source = candidates[0] }
            }
            if let source {
                try FileTree.copy(submission.appendingPathComponent(source), to: implementation.appendingPathComponent(relative))
                used.insert(source)
            } else {
                missing.append(relative)
            }
        }
        let extra = provided.filter { !used.contains($0) && !expected.contains($0) }
        var notes: [String] = []
        func some(_ files: [String]) -> String {
            files.prefix(5).joined(separator: ", ") + (files.count > 5 ? " and \(files.count - 5) more" : "")
        }
        if !found.refused.isEmpty { notes.append("refused \(some(found.refused)): submissions are taken as regular files only") }
        if !missing.isEmpty { notes.append("missing \(some(missing)) (graded as the stub)") }
        if !extra.isEmpty { notes.append("ignored extra files: \(some(extra))") }
        return notes
    }
}

/// The workers' shared next-index counter.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        defer { value += 1 }
        return value
    }
}

/// The rows the workers fill in.
final class Rows: @unchecked Sendable {
    private var rows: [GradebookRow?]
    private let lock = NSLock()

    init(count: Int) { rows = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ row: GradebookRow) {
        lock.lock()
        rows[index] = row
        lock.unlock()
    }

    func all() -> [GradebookRow] {
        lock.lock()
        defer { lock.unlock() }
        return rows.compactMap { $0 }
    }
}

extension FileTree {
    /// Makes `destination` hold exactly the files of `source`, writing only those whose bytes
    /// differ (the others keep their modification dates) and removing those `source` lacks.
    ///
    /// - Complexity: reads every file of both trees once.
    static func sync(_ source: URL, into destination: URL) throws {
        let wanted = try files(under: source)
        for relative in wanted {
            let from = source.appendingPathComponent(relative), to = destination.appendingPathComponent(relative)
            let data = try Data(contentsOf: from)
            if SubmissionFiles.kind(to.path) == .regular, (try? Data(contentsOf: to)) == data { continue }
            try FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
            if SubmissionFiles.kind(to.path) != nil { try FileManager.default.removeItem(at: to) }
            try data.write(to: to)
        }
        let keep = Set(wanted)
        for relative in try files(under: destination) where !keep.contains(relative) {
            try FileManager.default.removeItem(at: destination.appendingPathComponent(relative))
        }
    }
}

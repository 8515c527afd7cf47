// Where things are in a workbook package, and how one implementation folder is graded.
import Foundation
import StudentCalls
#if canImport(Glibc)
import Glibc
#endif

/// A workbook package on disk: the instructor's repository or a student release.
public struct Workspace: Sendable {
    public var root: URL

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// The package that holds `directory` (or one of its parents): it has `Package.swift` and
    /// `Tests/GradedTests`.
    public static func locate(from directory: URL) throws -> Workspace {
        var candidate = directory.standardizedFileURL
        while true {
            if FileTree.exists(candidate.appendingPathComponent("Package.swift")),
               FileTree.isDirectory(candidate.appendingPathComponent("Tests/GradedTests")) {
                return Workspace(root: candidate)
            }
            let parent = candidate.deletingLastPathComponent()
            if parent.path == candidate.path {
                throw ToolError.usage("no workbook package here: run inside the workbook (a folder with Package.swift and Tests/GradedTests), or pass --package-path DIR")
            }
            candidate = parent
        }
    }

    public var testsRoot: URL { root.appendingPathComponent("Tests/GradedTests") }
    public var exercises: URL { root.appendingPathComponent("Exercises") }
    public var solutions: URL { root.appendingPathComponent("Solutions") }
    /// What a release ships for the tool: the manifest (checksums) and the pristine stubs.
    public var state: URL { root.appendingPathComponent(".workbook") }
    /// Scratch copies and logs (gitignored).
    public var scratch: URL { root.appendingPathComponent(".scratch") }
    /// The student's progress with the tool (hints seen, reset backups): gitignored, under `.scratch`.
    public var progress: URL { scratch.appendingPathComponent("state") }
    /// Pristine copies of the stubs, kept by `release` for `reset`.
    public var pristine: URL { state.appendingPathComponent("pristine") }

    public func curriculum(includeHidden: Bool = true) throws -> Curriculum {
        var curriculum = try Curriculum.discover(testsRoot: testsRoot)
        var guides: [String: [String]] = [:]
        for chapter in curriculum.chapters {
            let hints = root.appendingPathComponent(Hints.path(chapter: chapter))
            if let text = try? String(contentsOf: hints, encoding: .utf8) { guides[chapter] = Hints.headings(in: text) }
        }
        curriculum = curriculum.ordered(byGuides: guides)
        if !includeHidden { curriculum.exercises.removeAll { $0.hidden } }
        return curriculum
    }

    /// Makes `path` relative to the package when it lies inside it (`WORKBOOK` wants that).
    public func relative(_ url: URL) -> String? {
        let base = root.path.hasSuffix("/") ? root.path : root.path + "/"
        let path = url.standardizedFileURL.path
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : nil
    }
}

/// How to grade one implementation folder.
public struct GradeRequest: Sendable {
    /// The `WORKBOOK` value: a folder relative to the package; `nil` means `Exercises`.
    public var implementation: String?
    /// Swift build folder; `nil` uses the package's `.build`.
    public var scratchPath: URL?
    /// Only these exercises (their suites); `nil` grades everything.
    public var only: [String]?
    /// Seconds for build and tests together; `nil` for no limit.
    public var timeLimit: Double?
    /// Seconds one graded test may run (`WORKBOOK_TIME_LIMIT`); `nil` keeps the grader's default.
    public var testTimeLimit: Int?
    /// `WORKBOOK_CHECK=stubs`: the maintainers' stub check.
    public var stubCheck: Bool
    /// `swift build -j`.
    public var jobs: Int?
    /// Where to keep the logs and the event stream.
    public var logDirectory: URL?
    /// Instructor grading of a student's folder: the tests run from `judge`, a build of the
    /// package's own stubs, and the student's code only in grade-runner, built on its own.
    public var judge: Judge?
    /// `WORKBOOK_GRADING_SEED`: changes every random input of the property and gradient checks.
    public var gradingSeed: UInt64?
    /// The build's `TMPDIR`, made for it and removed after it; `nil`: a new folder under
    /// `.scratch/tmp/` (see `Workspace.buildTemporaryDirectory`).
    public var temporaryDirectory: URL?

    public init(implementation: String? = nil, scratchPath: URL? = nil, only: [String]? = nil,
                timeLimit: Double? = nil, testTimeLimit: Int? = nil, stubCheck: Bool = false,
                jobs: Int? = nil, logDirectory: URL? = nil, judge: Judge? = nil, gradingSeed: UInt64? = nil,
                temporaryDirectory: URL? = nil) {
        self.temporaryDirectory = temporaryDirectory
        self.judge = judge
        self.gradingSeed = gradingSeed
        self.implementation = implementation
        self.scratchPath = scratchPath
        self.only = only
        self.timeLimit = timeLimit
        self.testTimeLimit = testTimeLimit
        self.stubCheck = stubCheck
        self.jobs = jobs
        self.logDirectory = logDirectory
    }
}

/// The raw material of a grade, kept for reports and debugging.
public struct GradeRun: Sendable {
    public var report: GradeReport
    public var outcomes: [TestOutcome]
    public var buildOutput: String
    public var testOutput: String
}

/// The graded tests, built from the instructor's package alone (its stubs, its tests, hidden ones
/// included), so that no submission's code is linked into the process that decides.
public struct Judge: Sendable {
    /// The test executable (`…/debug/<Package>PackageTests.xctest`).
    public var tests: URL
    /// Sandbox uids for the runners (`WORKBOOK_SANDBOX_UIDS`) when grading runs as root.
    public var sandboxUsers: String?

    /// The same judge with runners as `users` (each batch worker has its own range).
    public func with(sandboxUsers users: String?) -> Judge {
        var copy = self
        copy.sandboxUsers = users
        return copy
    }
}

extension Workspace {
    /// The judge's build folder, apart from the student's: `.build-judge`.
    public var judgeBuild: URL { root.appendingPathComponent(".build-judge") }

    /// A new `TMPDIR` for one grading build, under `.scratch/tmp/`: the Swift driver leaves a
    /// `TemporaryDirectory.*` folder there for every compiler job, removed with the folder when the
    /// build ends (`Subprocess.run(temporaryDirectory:)`) instead of piling up in `/tmp`.
    func buildTemporaryDirectory(_ label: String) -> URL {
        scratch.appendingPathComponent("tmp/\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
    }

    /// The judge's build configuration and `swift build` flags (see `prepareJudge`).
    static let judgeConfiguration = "debug"
    static let judgeFlags: [String] = []

    /// Builds the graded tests from the package's own `Exercises/` (the stubs) into `.build-judge`
    /// and returns the judge, without sandbox users: the caller gives it uids it holds
    /// (`SandboxUIDs`, under root) with `with(sandboxUsers:)`. When the test executable is newer
    /// than every file it is built from (`Package.swift`, `Sources/`, `Tests/`, `Exercises/`), as on
    /// Gradescope after `setup.sh`, it is used as is: even a build with nothing to do costs SwiftPM
    /// seconds of planning, and `run_autograder` pays them for every submission.
    public func prepareJudge(log: (String) -> Void = { _ in }) throws -> Judge {
        let products = judgeBuild.appendingPathComponent(Self.judgeConfiguration)
        func testExecutable() -> URL? {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: products.path)) ?? []
            return names.first(where: { $0.hasSuffix("PackageTests.xctest") }).map { products.appendingPathComponent($0) }
        }
        if let tests = testExecutable(), let built = FileTree.modified(tests),
           let newest = FileTree.newestModification(in: ["Package.swift", "Sources", "Tests", "Exercises"].map(root.appendingPathComponent)),
           newest < built {
            log("The graded tests are built and newer than every source (\(judgeBuild.lastPathComponent)).")
            return Judge(tests: tests, sandboxUsers: nil)
        }
        log("Building the graded tests from this package (\(judgeBuild.lastPathComponent))…")
        let built = try Subprocess.run(["swift", "build", "--build-tests", "-c", Self.judgeConfiguration] + Self.judgeFlags
                                       + ["--scratch-path", judgeBuild.path], in: root,
                                       environment: ["WORKBOOK": nil, "WORKBOOK_CHECK": nil, "WORKBOOK_OPTIMIZE_CORE": "1"], timeLimit: 3600,
                                       outputFile: scratch.appendingPathComponent("logs/judge-build.log"),
                                       temporaryDirectory: buildTemporaryDirectory("judge-build"))
        guard built.succeeded else {
            throw ToolError.failure("the package's own tests do not build (see .scratch/logs/judge-build.log): "
                                    + (BuildLog.firstError(in: built.output, root: root) ?? "swift build failed"))
        }
        guard let tests = testExecutable() else { throw ToolError.failure("no test executable in \(products.path)") }
        return Judge(tests: tests, sandboxUsers: nil)
    }

    /// Builds with `swift build --build-tests`, runs the graded suites with `swift test`, and
    /// grades the outcomes. A build that fails grades every exercise "not built" with the
    /// compiler's first error; a run over its time limit keeps what finished.
    public func grade(_ request: GradeRequest, curriculum: Curriculum, tamper: TamperStatus, notes: [String] = []) throws -> GradeRun {
        if let judge = request.judge { return try grade(request, judge: judge, curriculum: curriculum, tamper: tamper, notes: notes) }
        let logs = request.logDirectory ?? scratch.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        var environment: [String: String?] = ["WORKBOOK": request.implementation ?? "",
                                              "WORKBOOK_CHECK": request.stubCheck ? "stubs" : nil]
        if let limit = request.testTimeLimit { environment["WORKBOOK_TIME_LIMIT"] = String(limit) }
        if let seed = request.gradingSeed { environment["WORKBOOK_GRADING_SEED"] = String(seed) }
        var common: [String] = []
        if let scratchPath = request.scratchPath { common += ["--scratch-path", scratchPath.path] }
        let start = Date()
        var graded = curriculum
        if let only = request.only { graded.exercises.removeAll { !only.contains($0.id) } }

        var build = ["swift", "build", "--build-tests"] + common
        if let jobs = request.jobs { build += ["-j", String(jobs)] }
        let built = try Subprocess.run(build, in: root, environment: environment, timeLimit: request.timeLimit,
                                       outputFile: logs.appendingPathComponent("build.log"),
                                       temporaryDirectory: request.temporaryDirectory ?? buildTemporaryDirectory("build"))
        if !built.succeeded {
            let error = built.timedOut
                ? "the build did not finish within \(Int(request.timeLimit ?? 0)) s"
                : BuildLog.firstError(in: built.output, root: root) ?? "swift build failed (see build.log)"
            return GradeRun(report: .notBuilt(graded, error: error, tamper: tamper, notes: notes),
                            outcomes: [], buildOutput: built.output, testOutput: "")
        }

        let events = logs.appendingPathComponent("events.jsonl")
        try? FileManager.default.removeItem(at: events)
        var filter = "GradedTests"
        if let only = request.only {
            let suites = curriculum.exercises.filter { only.contains($0.id) }.flatMap(\.suites)
            if !suites.isEmpty { filter = "GradedTests\\.(" + suites.joined(separator: "|") + ")(/|$)" }
        }
        let test = ["swift", "test", "--skip-build", "--filter", filter,
                    "--experimental-event-stream-output", events.path] + common
        let remaining = request.timeLimit.map { max(5, $0 - Date().timeIntervalSince(start)) }
        var tested = try Subprocess.run(test, in: root, environment: environment, timeLimit: remaining,
                                        outputFile: logs.appendingPathComponent("test.log"))
        var outcomes = TestEvents.parse((try? String(contentsOf: events, encoding: .utf8)) ?? "")
        if outcomes.isEmpty && !tested.timedOut && tested.output.contains("experimental-event-stream-output") {
            // A toolchain without the event stream: run again and read the console's suite lines.
            let plain = test.filter { $0 != "--experimental-event-stream-output" && $0 != events.path }
            tested = try Subprocess.run(plain, in: root, environment: environment, timeLimit: remaining,
                                        outputFile: logs.appendingPathComponent("test.log"))
        }
        if outcomes.isEmpty { outcomes = TestEvents.parseConsole(tested.output) }
        let stopped = tested.timedOut ? "the run was stopped after \(Int(remaining ?? 0)) s (time limit)" : nil
        var report = GradeReport.grade(graded, outcomes: outcomes, stopped: stopped, tamper: tamper, notes: notes)
        if outcomes.isEmpty && !tested.timedOut && tested.exitCode != 0 {
            // The tests built but did not run (a linker or runner failure): say so instead of "no tests".
            let error = BuildLog.firstError(in: tested.output, root: root) ?? "swift test failed before running any test (see test.log)"
            report = .notBuilt(graded, error: error, tamper: tamper, notes: notes)
        }
        return GradeRun(report: report, outcomes: outcomes, buildOutput: built.output, testOutput: tested.output)
    }
}

extension Workspace {
    /// Instructor grading: builds grade-runner from the submission, runs the judge's tests (which
    /// call into that runner), and reads the verdicts from the judge's own event stream only. A
    /// test that did not end in that stream failed; no console line counts.
    func grade(_ request: GradeRequest, judge: Judge, curriculum: Curriculum, tamper: TamperStatus, notes: [String]) throws -> GradeRun {
        let logs = request.logDirectory ?? scratch.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        var graded = curriculum
        if let only = request.only { graded.exercises.removeAll { !only.contains($0.id) } }
        let start = Date()
        let buildFolder = request.scratchPath ?? root.appendingPathComponent(".build-grading")
        // The student's module and the runner's table as one library (libRunnerCalls.so), which
        // the judge's own grade-zygote loads into each test's runner (see `Zygote`). The core, the
        // kernels and the wire are compiled optimized (WORKBOOK_OPTIMIZE_CORE, see Package.swift),
        // once per build folder; the student's files at -Onone, as the judge was built.
        var build = ["swift", "build", "--product", "RunnerCalls", "--scratch-path", buildFolder.path]
        if let jobs = request.jobs { build += ["-j", String(jobs)] }
        let built = try Timings.measure("submission.runner-build") {
            try Subprocess.run(build, in: root, environment: ["WORKBOOK": request.implementation ?? "", "WORKBOOK_OPTIMIZE_CORE": "1"],
                               timeLimit: request.timeLimit, outputFile: logs.appendingPathComponent("build.log"),
                               temporaryDirectory: request.temporaryDirectory ?? buildTemporaryDirectory("runner-build"))
        }
        if !built.succeeded {
            let error = built.timedOut
                ? "the build did not finish within \(Int(request.timeLimit ?? 0)) s"
                : BuildLog.firstError(in: built.output, root: root) ?? "swift build failed (see build.log)"
            return GradeRun(report: .notBuilt(graded, error: error, tamper: tamper, notes: notes),
                            outcomes: [], buildOutput: built.output, testOutput: "")
        }
        let library = buildFolder.appendingPathComponent("debug/libRunnerCalls.so")
        let launcher = judge.tests.deletingLastPathComponent().appendingPathComponent("grade-zygote")
        let events = logs.appendingPathComponent("events.jsonl")
        try? FileManager.default.removeItem(at: events)
        var filter = "GradedTests"
        if let only = request.only {
            let suites = curriculum.exercises.filter { only.contains($0.id) }.flatMap(\.suites)
            if !suites.isEmpty { filter = "GradedTests\\.(" + suites.joined(separator: "|") + ")(/|$)" }
        }
        var environment: [String: String?] = ["WORKBOOK": nil, "WORKBOOK_CHECK": nil, "WORKBOOK_RUNNER": launcher.path,
                                              "WORKBOOK_RUNNER_LIBRARY": library.path,
                                              "WORKBOOK_SANDBOX_UIDS": judge.sandboxUsers,
                                              "WORKBOOK_GRADING_SEED": request.gradingSeed.map(String.init)]
        if let limit = request.testTimeLimit { environment["WORKBOOK_TIME_LIMIT"] = String(limit) }
        let command = [judge.tests.path, "--testing-library", "swift-testing", "--filter", filter,
                       "--event-stream-output-path", events.path, "--event-stream-version", "0"]
        let remaining = request.timeLimit.map { max(5, $0 - Date().timeIntervalSince(start)) }
        let tested = try Timings.measure("submission.tests") {
            try Subprocess.run(command, in: root, environment: environment, timeLimit: remaining,
                               outputFile: logs.appendingPathComponent("test.log"))
        }
        // The judge may have been stopped with runners still going: no process of the sandbox users
        // outlives the grading of this submission.
        Timings.measure("submission.pool-clean-up") {
            if let users = judge.sandboxUsers { Sandbox.removeEverything(of: Sandbox.pool(users)) }
        }
        let outcomes = TestEvents.parse((try? String(contentsOf: events, encoding: .utf8)) ?? "")
        let stopped = tested.timedOut ? "the run was stopped after \(Int(remaining ?? 0)) s (time limit)" : nil
        var report = GradeReport.grade(graded, outcomes: outcomes, stopped: stopped, tamper: tamper, notes: notes)
        if outcomes.isEmpty && !tested.timedOut {
            report = .notBuilt(graded, error: "the graded tests did not run (see test.log): "
                               + String(tested.output.split(separator: "\n").suffix(3).joined(separator: " ").prefix(300)),
                               tamper: tamper, notes: notes)
        }
        return GradeRun(report: report, outcomes: outcomes, buildOutput: built.output, testOutput: tested.output)
    }
}

extension FileTree {
    /// The modification date of `url` (not following a link).
    static func modified(_ url: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
    }

    /// The newest modification date of any file or folder under `roots` (links not followed).
    ///
    /// - Complexity: one `lstat` per entry.
    static func newestModification(in roots: [URL]) -> Date? {
        var newest: Date?
        func visit(_ path: String) {
            var info = stat()
            guard lstat(path, &info) == 0 else { return }
            let date = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
            if newest == nil || date > newest! { newest = date }
            guard (info.st_mode & S_IFMT) == S_IFDIR else { return }
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] { visit(path + "/" + name) }
        }
        for root in roots { visit(root.path) }
        return newest
    }
}

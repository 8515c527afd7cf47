// `swift run workbook <command>`: the command line, parsed from `[String]` so it can be tested.
// Usage errors print `Error: …`, the usage line and `See 'workbook <command> --help'`, and exit 64;
// `--help` exits 0; the tool's own failures exit 70; `check` exits 1 when the check fails.
import Foundation
import WorkbookCore
#if canImport(Glibc)
import Glibc
#endif

/// One command: its usage line, a summary and the options it accepts.
struct CommandSpec {
    var name: String
    var usage: String
    var summary: String
    var details: String
    var flags: Set<String> = []
    var options: Set<String> = []
    var positionals: ClosedRange<Int> = 0...0
}

/// Parsed arguments of one command.
struct ParsedArguments {
    var flags: Set<String> = []
    var options: [String: String] = [:]
    var positionals: [String] = []

    /// `--credit per-test|all-or-nothing`, else `WORKBOOK_CREDIT`, else all or nothing: the rule for
    /// exercises whose declaration sets none.
    func credit() throws -> Credit {
        let text = options["--credit"] ?? ProcessInfo.processInfo.environment["WORKBOOK_CREDIT"] ?? ""
        if text.isEmpty { return .allOrNothing }
        guard let credit = Credit(rawValue: text) else {
            throw ToolError.usage("--credit is per-test or all-or-nothing, not '\(text)'")
        }
        return credit
    }

    /// `--seed N`: the grading seed (a whole number).
    func seed() throws -> UInt64? {
        guard let text = options["--seed"] else { return nil }
        guard let value = UInt64(text) else { throw ToolError.usage("--seed needs a whole number, not '\(text)'") }
        return value
    }

    func number(_ option: String) throws -> Double? {
        guard let text = options[option] else { return nil }
        guard let value = Double(text), value > 0 else { throw ToolError.usage("\(option) needs a positive number, not '\(text)'") }
        return value
    }
}

public struct WorkbookTool {
    public var currentDirectory: URL
    public var write: (String) -> Void
    public var writeError: (String) -> Void
    /// Reads one line of the user's answer (for `reset`); `nil` at end of input.
    public var readLine: () -> String?

    public init(currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                write: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) },
                writeError: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) },
                readLine: @escaping () -> String? = { Swift.readLine() }) {
        self.currentDirectory = currentDirectory
        self.write = write
        self.writeError = writeError
        self.readLine = readLine
    }

    /// Runs the tool with the process's arguments and exits with its status.
    public static func main() -> Never {
        RunningChildren.stopOnInterrupt()
        exit(WorkbookTool().run(Array(CommandLine.arguments.dropFirst())))
    }

    static let common = "--package-path"

    static let commands: [CommandSpec] = [
        CommandSpec(name: "scorecard", usage: "workbook scorecard [--workbook DIR] [--verbose] [--credit per-test|all-or-nothing]",
                    summary: "Grade your exercises and print the scorecard.",
                    details: "Builds and runs the graded tests (swift test --filter GradedTests) on Exercises/, or on DIR\nwith --workbook, and prints per chapter and exercise: done, failing, not started, crashed or\ntimed out, with points and a total. What your code printed is shown for failing exercises\n(--verbose: for all). --credit per-test gives each passing test its share of the points.",
                    flags: ["--verbose"], options: ["--workbook", "--credit"]),
        CommandSpec(name: "hint", usage: "workbook hint <ID> [--all] [--reset]",
                    summary: "Show the next hint for an exercise.",
                    details: "Each call shows one more hint from Tests/Hints/<chapter>.md (a question, then the formula, then the steps in words).\n--all shows every hint at once; --reset starts the exercise's hints over.",
                    flags: ["--all", "--reset"], positionals: 1...1),
        CommandSpec(name: "watch", usage: "workbook watch [--interval SECONDS]",
                    summary: "Re-grade the exercise you are editing whenever you save it.",
                    details: "Grades everything once, then polls Exercises/ (every second by default) and re-grades the\nexercises of each saved file, showing how many exercises are done. Ctrl-C stops.",
                    options: ["--interval"]),
        CommandSpec(name: "reset", usage: "workbook reset <ID> [--yes]",
                    summary: "Put an exercise's stub back (asks first).",
                    details: "Replaces only the code between // START ID and // END ID with the stub as shipped (from\n.workbook/pristine/), after asking; your code is saved in .scratch/state/backups/ first.",
                    flags: ["--yes"], positionals: 1...1),
        CommandSpec(name: "list", usage: "workbook list",
                    summary: "List the exercises, chapter by chapter, with their points.",
                    details: "Read from the Exercise(id:chapter:file:title:points:) declarations in Tests/GradedTests."),
        CommandSpec(name: "results", usage: "workbook results [--gradescope FILE] [--junit FILE] [--submission PATH] [--workbook DIR] [--time-limit SECONDS] [--seed N] [--credit per-test|all-or-nothing]",
                    summary: "Grade and write Gradescope's results.json and/or JUnit XML.",
                    details: "Grades Exercises/ (or --workbook DIR), or with --submission a student's copy of Exercises/\n(a folder or an archive), staged in .scratch/ and graded with this package's own tests: the\ntests run from a build of this package alone, the student's code in a separate, sandboxed\nprocess (under root, as an unprivileged user). --seed N changes the random inputs of the\nproperty and gradient checks. Without --gradescope or --junit, prints results.json.",
                    options: ["--gradescope", "--junit", "--submission", "--workbook", "--time-limit", "--seed", "--credit"]),
        CommandSpec(name: "batch", usage: "workbook batch <SUBMISSIONS> [--out DIR] [--workers N] [--time-limit SECONDS] [--test-time-limit SECONDS] [--seed N] [--credit per-test|all-or-nothing] [--shard K/N] [--keep]",
                    summary: "Grade a folder of submissions into a CSV gradebook.",
                    details: "Each entry of SUBMISSIONS (a copy of Exercises/, or a .zip/.tar/.tar.gz of one) is staged in\n.scratch/grading-<n>/batch/<name>/ and graded with this package's tests (hidden ones included), with a time\nlimit per submission (default 900 s) and two workers. Writes DIR/gradebook.csv and\nDIR/reports/<name>.txt and .json (default DIR: .scratch/batch-results). Student code runs in a\nseparate process; under root as an unprivileged user, with the package closed to it. --seed N\nchanges the random inputs of the property and gradient checks. --shard K/N grades only the K-th\nof N shares of the folder (its entries in name order, every N-th from the K-th); `workbook merge`\njoins the shards' folders. --keep keeps each staged copy after its grading (default: removed).",
                    flags: ["--keep"],
                    options: ["--out", "--workers", "--time-limit", "--test-time-limit", "--seed", "--credit", "--shard"], positionals: 1...1),
        CommandSpec(name: "report", usage: "workbook report <FOLDER>",
                    summary: "Write the class report of a batch output folder (class-report.html and .csv).",
                    details: "Reads FOLDER/gradebook.csv and FOLDER/reports/*.json (what batch, or merge of its shards,\nwrote) and writes FOLDER/class-report.html (one self-contained page: the score histogram, each\nexercise's done / failing / not started shares, hardest first, its most frequent failure reasons,\nthe submissions that did not build or were refused) and FOLDER/class-report.csv (the same per\nexercise). batch writes both itself; this rebuilds them.",
                    positionals: 1...1),
        CommandSpec(name: "merge", usage: "workbook merge <SHARD-FOLDER>... --out DIR",
                    summary: "Join the output folders of batch --shard 1/N … N/N into one batch folder.",
                    details: "Reads each folder's batch.json, gradebook.csv and reports/, checks that they are the N shards\nof one folder of submissions (each once, none missing), and writes DIR (new or empty) in the\nlayout of a single batch: gradebook.csv with the rows in the folder's order, reports/, batch.json.",
                    options: ["--out"], positionals: 1...100_000),
        CommandSpec(name: "release", usage: "workbook release <DIR>",
                    summary: "Write the student copy of the workbook to DIR.",
                    details: "Everything but Solutions/, the hidden tests (Tests/GradedTests/Hidden/), the attack submissions\n(Tests/Attacks/), the mutation catalog (Tests/Mutants/), the numpy/PyTorch scripts of\nSources/TrainerKit/Reference/, build products and scratch files. Adds .workbook/manifest.json\n(checksums of the graded tests, for the tamper check) and .workbook/pristine/ (the stubs, for\nreset). Refuses if any solution code would ship.",
                    positionals: 1...1),
        CommandSpec(name: "check", usage: "workbook check",
                    summary: "Maintainers: every solution passes, every stub fails only as NotImplemented.",
                    details: "Checks the files (stub and solution regions, identical outside them, hints present), then runs\nWORKBOOK=Solutions swift test and WORKBOOK_CHECK=stubs swift test. Exits 1 if anything fails."),
        CommandSpec(name: "mutants", usage: "workbook mutants [--only ID,…] [--generic all|none|N] [--seed N] [--workers N] [--report FILE]",
                    summary: "Maintainers: plant plausible mistakes in the solutions and check each exercise's tests catch them.",
                    details: "Plants every entry of the catalog (Tests/Mutants/*.mutants: the misconceptions students make, each\nwith the words its failing message must carry) and generic operator mutants (+ and -, * and /, < and\n<=, > and >=, number literals) in a copy of the solutions, builds them once as switchable variants,\nand runs each mutant's own exercise's tests. Fails (exit 1) when a catalog mutant survives or is not\nnamed, or a generic mutant survives without a reason in Tests/Mutants/equivalent.txt.\n--generic N runs a seeded sample of N generic mutants (--seed, default 1); all runs every one; none\n(the default) only the catalog. --only limits both to some exercises. --report writes the report.",
                    options: ["--only", "--generic", "--seed", "--workers", "--report"]),
        CommandSpec(name: "bridge", usage: "workbook bridge [--check]",
                    summary: "Maintainers: regenerate the grader's calls into the runner from the stubs.",
                    details: "Writes Sources/StudentCalls/ExerciseCalls.swift (a proxy per exercise function, same signature)\nand Sources/RunnerCalls/ExerciseTable.swift (the runner's table of the real functions) from the\npublic functions in Exercises/. --check only compares and exits 1 when a file is out of date.",
                    flags: ["--check"]),
        CommandSpec(name: "gradescope", usage: "workbook gradescope <DIR>",
                    summary: "Write the Gradescope autograder (the package with setup.sh and run_autograder) to DIR.",
                    details: "DIR gets this package without Solutions/ (hidden tests included) and the two scripts at its top,\nbecause Gradescope unpacks the zip into /autograder/source. Zip DIR's contents, not DIR:\n  (cd DIR && zip -qr ../autograder.zip .)",
                    positionals: 1...1),
    ]

    static var helpText: String {
        var lines = ["USAGE: workbook <command> [options]", "", "Grades the workbook's exercises and helps instructors run a class.", "", "STUDENT COMMANDS:"]
        for command in commands {
            if command.name == "results" { lines += ["", "INSTRUCTOR COMMANDS:"] }
            lines.append("  " + Scorecard.pad(command.name, 12) + command.summary)
        }
        lines += ["", "OPTIONS:",
                  "  --package-path DIR  The workbook package (default: this folder or the nearest parent with one).",
                  "  -h, --help          Show help; `workbook <command> --help` shows a command's options.",
                  "", "Exit status: 0 done, 1 the check failed, 64 usage error, 70 the tool failed."]
        return lines.joined(separator: "\n") + "\n"
    }

    static func help(_ command: CommandSpec) -> String {
        "USAGE: \(command.usage) [--package-path DIR]\n\n\(command.summary)\n\n\(command.details)\n"
    }

    /// Runs one command; returns the exit status.
    public func run(_ arguments: [String]) -> Int32 {
        guard let name = arguments.first, name != "-h", name != "--help" else {
            write(Self.helpText)
            return 0
        }
        if name == "help" {
            if let topic = arguments.dropFirst().first, let command = Self.commands.first(where: { $0.name == topic }) {
                write(Self.help(command))
            } else {
                write(Self.helpText)
            }
            return 0
        }
        guard let command = Self.commands.first(where: { $0.name == name }) else {
            writeError("Error: unknown command '\(name)'\nUsage: workbook <command> [options]\n  See 'workbook --help'.\n")
            return 64
        }
        let rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            write(Self.help(command))
            return 0
        }
        do {
            let parsed = try Self.parse(rest, for: command)
            return try execute(command, parsed)
        } catch let error as ToolError {
            if case .usage = error {
                writeError("Error: \(error)\nUsage: \(command.usage)\n  See 'workbook \(command.name) --help'.\n")
            } else {
                writeError("Error: \(error)\n")
            }
            return error.exitCode
        } catch {
            writeError("Error: \(error)\n")
            return 70
        }
    }

    static func parse(_ arguments: [String], for command: CommandSpec) throws -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("-") && argument.count > 1 {
                var name = argument
                var inlineValue: String?
                if let equals = argument.firstIndex(of: "=") {
                    name = String(argument[..<equals])
                    inlineValue = String(argument[argument.index(after: equals)...])
                }
                if command.flags.contains(name) && inlineValue == nil {
                    parsed.flags.insert(name)
                } else if command.options.contains(name) || name == common {
                    if let inlineValue {
                        parsed.options[name] = inlineValue
                    } else {
                        index += 1
                        guard index < arguments.count else { throw ToolError.usage("\(name) needs a value") }
                        parsed.options[name] = arguments[index]
                    }
                } else {
                    throw ToolError.usage("unknown option '\(name)'")
                }
            } else {
                parsed.positionals.append(argument)
            }
            index += 1
        }
        if parsed.positionals.count < command.positionals.lowerBound {
            throw ToolError.usage("missing argument (\(command.usage.split(separator: " ").dropFirst(2).first ?? ""))")
        }
        if parsed.positionals.count > command.positionals.upperBound {
            throw ToolError.usage("unexpected argument '\(parsed.positionals[command.positionals.upperBound])'")
        }
        return parsed
    }

    func url(_ path: String) -> URL {
        // Standardized, so that messages name `../student-copy` as the folder it is, not `/pkg/../student-copy`.
        (path.hasPrefix("/") ? URL(fileURLWithPath: path) : currentDirectory.appendingPathComponent(path)).standardizedFileURL
    }

    func workspace(_ parsed: ParsedArguments) throws -> Workspace {
        if let path = parsed.options[Self.common] {
            let root = url(path)
            guard FileTree.isDirectory(root) else { throw ToolError.usage("no such folder: \(path)") }
            return try Workspace.locate(from: root)
        }
        return try Workspace.locate(from: currentDirectory)
    }

    /// The `WORKBOOK` value for `--workbook DIR`, which must be a folder inside the package.
    func implementation(_ parsed: ParsedArguments, _ workspace: Workspace) throws -> String? {
        guard let path = parsed.options["--workbook"] else { return nil }
        let folder = path.hasPrefix("/") ? URL(fileURLWithPath: path) : workspace.root.appendingPathComponent(path)
        guard FileTree.isDirectory(folder) else { throw ToolError.usage("no such folder: \(path)") }
        guard let relative = workspace.relative(folder) else { throw ToolError.usage("--workbook must be a folder inside the package: \(path)") }
        return relative
    }

    func execute(_ command: CommandSpec, _ parsed: ParsedArguments) throws -> Int32 {
        if command.name == "merge" {   // needs no package: the shards' folders may be gathered anywhere
            guard let out = parsed.options["--out"] else { throw ToolError.usage("merge needs --out DIR, the merged batch folder") }
            let output = url(out)
            let curriculum = (try? workspace(parsed)).flatMap { try? $0.curriculum() }
            let rows = try Merge.run(shards: parsed.positionals.map(url), into: output, curriculum: curriculum)
            write("Merged \(parsed.positionals.count) shards: \(plural(rows, "submission")).\n")
            write("Gradebook: \(output.appendingPathComponent("gradebook.csv").path)\n")
            write("Reports:   \(output.appendingPathComponent("reports").path)/\n")
            if FileTree.exists(output.appendingPathComponent(ClassReport.htmlName)) {
                write("Class:     \(output.appendingPathComponent(ClassReport.htmlName).path) and \(ClassReport.csvName)\n")
            }
            return 0
        }
        let workspace = try workspace(parsed)
        switch command.name {
        case "scorecard":
            let implementation = try implementation(parsed, workspace)
            // Every option is checked before the build starts: a usage error must not follow "Grading …".
            let curriculum = try workspace.curriculum().crediting(try parsed.credit())
            write("Grading \(implementation ?? "Exercises")/ (swift build, then swift test --filter GradedTests)…\n")
            let tamper = implementation == nil ? ReleaseManifest.tamperStatus(package: workspace.root) : .unchecked
            let run = try workspace.grade(GradeRequest(implementation: implementation), curriculum: curriculum, tamper: tamper)
            write("\n" + Scorecard.render(run.report, title: "\(implementation ?? "Exercises")/", verbose: parsed.flags.contains("--verbose")))
            return 0

        case "hint":
            let curriculum = try workspace.curriculum(includeHidden: false)
            let id = parsed.positionals[0]
            guard let exercise = curriculum.exercise(id) else {
                throw ToolError.usage("no exercise '\(id)'; `workbook list` shows them")
            }
            let hints = try Hints.hints(for: exercise, in: workspace)
            var progress = Hints.Progress.load(workspace)
            if parsed.flags.contains("--reset") {
                progress.shown[exercise.id] = 0
                try progress.save(workspace)
                write("The hints for \(exercise.id) start over; `workbook hint \(exercise.id)` shows the first.\n")
                return 0
            }
            let level = parsed.flags.contains("--all") ? hints.count : min(hints.count, (progress.shown[exercise.id] ?? 0) + 1)
            progress.shown[exercise.id] = max(level, progress.shown[exercise.id] ?? 0)
            try progress.save(workspace)
            write(Hints.render(exercise, hints: hints, level: level))
            return 0

        case "watch":
            try Watch.run(workspace: workspace, interval: try parsed.number("--interval") ?? 1, output: write)

        case "reset":
            let id = parsed.positionals[0]
            guard let exercise = try workspace.curriculum(includeHidden: false).exercise(id) else {
                throw ToolError.usage("no exercise '\(id)'; `workbook list` shows them")
            }
            let yes = parsed.flags.contains("--yes")
            write(try Reset.run(exercise, in: workspace) { question in
                if yes { return true }
                write(question + " [y/N] ")
                let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
                return answer == "y" || answer == "yes"
            })
            return 0

        case "list":
            let curriculum = try workspace.curriculum()
            var lines: [String] = []
            let idWidth = (curriculum.exercises.map(\.id.count).max() ?? 0) + 2
            let titleWidth = min(48, (curriculum.exercises.map { $0.title.count + ($0.hidden ? 9 : 0) }.max() ?? 0) + 2)
            for chapter in curriculum.chapters {
                lines.append(chapter)
                for exercise in curriculum.exercises where exercise.chapter == chapter {
                    let title = Scorecard.truncate(exercise.title + (exercise.hidden ? " (hidden)" : ""), titleWidth - 2)
                    lines.append("  " + Scorecard.pad(exercise.id, idWidth) + Scorecard.pad(title, titleWidth)
                                 + Scorecard.pad("\(exercise.points) pt", 6) + " Exercises/\(exercise.path)")
                }
            }
            lines.append("\(curriculum.exercises.count) exercises, \(curriculum.totalPoints) points")
            write(lines.joined(separator: "\n") + "\n")
            return 0

        case "results":
            let curriculum = try workspace.curriculum().crediting(try parsed.credit())
            let timeLimit = try parsed.number("--time-limit")
            let report: GradeReport
            if let submission = parsed.options["--submission"] {
                let entry = url(submission)
                guard FileTree.exists(entry) else { throw ToolError.usage("no such submission: \(submission)") }
                var judge = try workspace.prepareJudge()
                // Under root: uids no other grading on this machine holds, released when grading ends.
                let held = geteuid() == 0 ? try SandboxUIDs.allocate(count: SandboxUIDs.perWorker) : nil
                defer { held?.release() }
                judge = judge.with(sandboxUsers: held?.description)
                let slot = try GradingSlot.take(in: workspace)
                defer { slot.release() }
                let outputs = ["--gradescope", "--junit"].compactMap { parsed.options[$0] }.map { url($0).deletingLastPathComponent() }
                let lock = FolderLock.close([workspace.root, entry.deletingLastPathComponent()] + outputs)
                defer { lock.reopen() }
                report = try Batch.grade(entry, name: "submission",
                                         options: BatchOptions(submissions: entry, output: entry, timeLimit: timeLimit ?? 900,
                                                               gradingSeed: try parsed.seed()),
                                         workspace: workspace, curriculum: curriculum, judge: judge,
                                         scratchPath: slot.buildFolder(in: workspace), jobs: nil, buildInput: slot.buildInput(in: workspace))
            } else {
                let implementation = try implementation(parsed, workspace)
                let tamper = implementation == nil ? ReleaseManifest.tamperStatus(package: workspace.root) : .unchecked
                report = try workspace.grade(GradeRequest(implementation: implementation, timeLimit: timeLimit),
                                             curriculum: curriculum, tamper: tamper).report
            }
            let json = try GradescopeResults(report).json()
            if let path = parsed.options["--gradescope"] { try FileTree.write(json, to: url(path)) }
            if let path = parsed.options["--junit"] { try FileTree.write(JUnit.render(report), to: url(path)) }
            if parsed.options["--gradescope"] == nil && parsed.options["--junit"] == nil {
                write(json)
            } else {
                write("\(formatPoints(report.score))/\(report.maxScore) points · \(report.doneCount) of \(report.results.count) exercises done\n")
            }
            return 0

        case "batch":
            let submissions = url(parsed.positionals[0])
            guard FileTree.isDirectory(submissions) else { throw ToolError.usage("no such folder of submissions: \(parsed.positionals[0])") }
            let output = parsed.options["--out"].map(url) ?? workspace.scratch.appendingPathComponent("batch-results")
            let workers = try parsed.number("--workers").map { Int($0) } ?? 2
            let testLimit = try parsed.number("--test-time-limit").map { Int($0) }
            let shard = try parsed.options["--shard"].map { try Shard(parsing: $0) }
            let options = BatchOptions(submissions: submissions, output: output, workers: workers,
                                       timeLimit: try parsed.number("--time-limit") ?? 900, testTimeLimit: testLimit,
                                       gradingSeed: try parsed.seed(), credit: try parsed.credit(), shard: shard,
                                       keep: parsed.flags.contains("--keep"))
            let lock = NSLock()
            // The workers call the log from two threads; the lock keeps their lines whole.
            nonisolated(unsafe) let write = self.write
            let log: @Sendable (String) -> Void = { line in lock.lock(); write(line + "\n"); lock.unlock() }
            let rows = try Batch.run(options, workspace: workspace, log: log)
            write("\nGradebook: \(output.appendingPathComponent("gradebook.csv").path) (\(plural(rows.count, "submission")))\n")
            write("Reports:   \(output.appendingPathComponent("reports").path)/\n")
            if FileManager.default.fileExists(atPath: output.appendingPathComponent(ClassReport.htmlName).path) {
                write("Class:     \(output.appendingPathComponent(ClassReport.htmlName).path) and \(ClassReport.csvName)\n")
            }
            return 0

        case "report":
            let folder = url(parsed.positionals[0])
            let statistics = try ClassReport.write(folder: folder, curriculum: try? workspace.curriculum())
            let d = statistics.distribution
            write("Class report: \(folder.appendingPathComponent(ClassReport.htmlName).path) (\(plural(d.count, "submission")), mean \(formatPoints((d.mean * 100).rounded() / 100)), median \(formatPoints(d.median)) of \(formatPoints(d.possible)))\n")
            write("Per exercise: \(folder.appendingPathComponent(ClassReport.csvName).path)\n")
            return 0

        case "release":
            let destination = url(parsed.positionals[0])
            let summary = try Release.make(from: workspace, to: destination)
            write("Wrote the student release to \(summary.destination.path): \(summary.files.count) files.\n")
            write("Left out: \(Release.leftOut(excluded: summary.excluded)).\n")
            write("Checked: no solution code in the release; checksums of Package.swift, Sources/ and Tests/ in \(ReleaseManifest.path).\n")
            write("Release fingerprint: \(summary.fingerprint)\n")
            write("Publish it (the first 12 characters are enough): students compare it with their scorecard's, and\n")
            write("WORKBOOK_RELEASE_FINGERPRINT=\(summary.fingerprint.prefix(12)) makes scorecard and results report a rewritten manifest.\n")
            return 0

        case "check":
            let (text, ok) = try Check.run(workspace: workspace) { write($0 + "\n") }
            write(text)
            return ok ? 0 : 1

        case "mutants":
            let curriculum = try workspace.curriculum()
            let only = parsed.options["--only"].map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
            if let only, let unknown = only.first(where: { curriculum.exercise($0) == nil }) {
                throw ToolError.usage("no exercise '\(unknown)'; `workbook list` shows them")
            }
            let folder = workspace.root.appendingPathComponent("Tests/Mutants")
            var mutants = try MutantCatalog.load(from: folder)
            var generic: [Mutant] = []
            let genericOption = parsed.options["--generic"] ?? "none"
            if genericOption != "none" {
                for exercise in curriculum.exercises where !exercise.hidden {
                    let text = (try? String(contentsOf: workspace.solutions.appendingPathComponent(exercise.path), encoding: .utf8)) ?? ""
                    let regions = StubRegions.regions(in: text).filter { $0.id == exercise.id }.map(\.body)
                    generic += GenericMutants.make(exercise: exercise.id, regions: regions)
                }
                if genericOption != "all" {
                    guard let count = Int(genericOption), count > 0 else {
                        throw ToolError.usage("--generic is all, none or a number of mutants to sample, not '\(genericOption)'")
                    }
                    let seed = try parsed.seed() ?? 1
                    let pool = only.map { ids in generic.filter { ids.contains($0.exercise) } } ?? generic
                    generic = seededSample(pool, count: count, seed: seed)
                }
            }
            mutants += generic
            if let only { mutants = mutants.filter { only.contains($0.exercise) } }
            guard !mutants.isEmpty else { throw ToolError.usage("no mutant to run (the catalog is in Tests/Mutants/*.mutants)") }
            let lock = NSLock()
            nonisolated(unsafe) let write = self.write
            let log: @Sendable (String) -> Void = { line in lock.lock(); write(line + "\n"); lock.unlock() }
            log("Mutants: \(mutants.filter { $0.origin == .catalog }.count) from the catalog, \(mutants.filter { $0.origin == .generic }.count) generic")
            let workers = try parsed.number("--workers").map { Int($0) } ?? 2
            let results = try MutationRun(workspace: workspace, log: log).run(mutants, curriculum: curriculum, workers: workers)
            let report = MutationRun.report(results, curriculum: curriculum, equivalents: MutantCatalog.equivalents(from: folder))
            write("\n" + report.text)
            if let path = parsed.options["--report"] { try FileTree.write(report.text, to: url(path)) }
            return report.failed ? 1 : 0

        case "bridge":
            var stale: [String] = []
            for file in try Bridge.files(for: workspace) {
                let target = workspace.root.appendingPathComponent(file.path)
                let current = try? String(contentsOf: target, encoding: .utf8)
                if current == file.text { continue }
                stale.append(file.path)
                if !parsed.flags.contains("--check") { try FileTree.write(file.text, to: target) }
            }
            if parsed.flags.contains("--check") {
                write(stale.isEmpty ? "The generated calls match the stubs.\n"
                      : "Out of date (run `swift run workbook bridge`): \(stale.joined(separator: ", "))\n")
                return stale.isEmpty ? 0 : 1
            }
            write(stale.isEmpty ? "Already up to date.\n" : "Wrote \(stale.joined(separator: " and ")).\n")
            return 0

        case "gradescope":
            let folder = url(parsed.positionals[0])
            let files = try GradescopeSetup.write(from: workspace, to: folder)
            write("Wrote the autograder to \(folder.path): the package without Solutions/, with \(files.map(\.lastPathComponent).joined(separator: " and ")) on top.\n")
            write("Zip its contents (not the folder): (cd \(folder.path) && zip -qr ../autograder.zip .)\n")
            return 0

        default:
            throw ToolError.usage("unknown command '\(command.name)'")
        }
    }
}

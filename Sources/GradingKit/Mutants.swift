// Mutation testing of the graded suites: a suite is only as good as the mistakes it rejects.
//
// A mutant is the reference solution with one plausible mistake planted in one exercise. Two kinds:
//   - the catalog (`Tests/Mutants/<chapter>.mutants`): the misconceptions students actually make,
//     written by hand, each with the message that should name it (`expect:`);
//   - generic operator mutants, made from the solutions' START/END regions: an arithmetic or a
//     comparison operator swapped (`+`↔`-`, `*`↔`/`, `<`↔`<=`, `>`↔`>=`) or a number literal changed.
// A mutant is killed when its own exercise's tests fail (and, for a catalog entry with `expect:`,
// when one failing message carries that text). Another exercise's tests failing does not count.
//
// All mutants are compiled into one build (mutant schemata, as Untch et al. and mull do): each
// mutated region becomes
//
//     switch workbookMutant {          // WORKBOOK_MUTANT, read once by the runner
//     case "Dropout1#3": <the region with mistake 3>
//     default: <the region as written>
//     }
//
// so the solutions are built once and each mutant costs one filtered run of the judge's tests.
// Generic mutants that do not type-check are dropped after reading the compiler's errors.
import Foundation
import WorkbookCore

/// One planted mistake.
public struct Mutant: Sendable, Hashable, Codable {
    public enum Origin: String, Sendable, Codable { case catalog, generic }
    /// `Dropout1#3`: the exercise and a number unique in this run.
    public var id: String
    public var exercise: String
    public var origin: Origin
    /// `scaled-by-keep`, or for a generic mutant `'x * y' → 'x / y'` with the line it is on.
    public var name: String
    /// What the mistake is, in words.
    public var summary: String
    /// The text replaced inside the exercise's regions, and what replaces it.
    public var find: String
    public var replacement: String
    /// For a generic mutant: the region-relative line and the column where `find` starts.
    public var position: (region: Int, line: Int, column: Int)? {
        get { positionStorage.map { ($0[0], $0[1], $0[2]) } }
        set { positionStorage = newValue.map { [$0.region, $0.line, $0.column] } }
    }
    var positionStorage: [Int]?
    /// A substring one failing message must contain (catalog only).
    public var expect: String?
    /// Where it was written (`Tests/Mutants/07-Dropout.mutants:12`), for the catalog.
    public var source: String?

    /// A stable key for the list of equivalent mutants: exercise, line text, change.
    public var key: String {
        "\(exercise) | \(name)"
    }
}

public enum MutantVerdict: String, Sendable, Codable {
    /// An own test failed (and the expected words appeared, when asked for).
    case killed
    /// An own test failed, but no message named the misconception as `expect:` asks.
    case killedUnnamed = "killed, not named"
    /// Every own test passed.
    case survived
    /// Dropped before running: the mutated code does not compile (generic mutants only).
    case doesNotCompile = "does not compile"
}

public struct MutantResult: Sendable, Codable {
    public var mutant: Mutant
    public var verdict: MutantVerdict
    /// The first failing message (its first line), for the report.
    public var message: String?
    /// Listed in `Tests/Mutants/equivalent.txt` with the reason it cannot be killed.
    public var equivalentReason: String?
}

public enum MutantCatalog {
    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads every `*.mutants` file of `folder`.
    public static func load(from folder: URL) throws -> [Mutant] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".mutants") }.sorted()
        var all: [Mutant] = []
        for name in names {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            all += try parse(text, file: "Tests/Mutants/\(name)")
        }
        return all
    }

    /// Entries separated by blank lines: `[ID] name: summary`, `- ` lines, `+ ` lines, `expect: …`.
    public static func parse(_ text: String, file: String) throws -> [Mutant] {
        var mutants: [Mutant] = []
        var current: (header: (id: String, name: String, summary: String), line: Int, minus: [String], plus: [String], expect: String?)?
        func finish() throws {
            guard let entry = current else { return }
            current = nil
            guard !entry.minus.isEmpty else {
                throw ParseError(description: "\(file):\(entry.line): the entry [\(entry.header.id)] \(entry.header.name) has no '- ' lines (the text to replace)")
            }
            mutants.append(Mutant(id: "", exercise: entry.header.id, origin: .catalog, name: entry.header.name,
                                  summary: entry.header.summary, find: entry.minus.joined(separator: "\n"),
                                  replacement: entry.plus.joined(separator: "\n"), positionStorage: nil,
                                  expect: entry.expect, source: "\(file):\(entry.line)"))
        }
        for (index, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
            let number = index + 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { try finish(); continue }
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                try finish()
                guard let close = line.firstIndex(of: "]"), let colon = line[close...].firstIndex(of: ":") else {
                    throw ParseError(description: "\(file):\(number): expected '[ID] name: what the mistake is', found '\(line)'")
                }
                let id = String(line[line.index(after: line.startIndex)..<close])
                let name = line[line.index(after: close)..<colon].trimmingCharacters(in: .whitespaces)
                let summary = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                guard !id.isEmpty, !name.isEmpty else { throw ParseError(description: "\(file):\(number): an entry needs an ID and a name") }
                current = ((id, name, summary), number, [], [], nil)
                continue
            }
            guard current != nil else { throw ParseError(description: "\(file):\(number): '\(line)' is outside an entry (entries start with '[ID] name: …')") }
            if line.hasPrefix("- ") || line == "-" {
                guard current!.plus.isEmpty else { throw ParseError(description: "\(file):\(number): '- ' lines come before '+ ' lines") }
                current!.minus.append(line == "-" ? "" : String(line.dropFirst(2)))
            } else if line.hasPrefix("+ ") || line == "+" {
                current!.plus.append(line == "+" ? "" : String(line.dropFirst(2)))
            } else if line.hasPrefix("expect:") {
                current!.expect = line.dropFirst("expect:".count).trimmingCharacters(in: .whitespaces)
            } else {
                throw ParseError(description: "\(file):\(number): expected '- ', '+ ' or 'expect:', found '\(line)'")
            }
        }
        try finish()
        return mutants
    }

    /// `Tests/Mutants/equivalent.txt`: `<key>  # reason`, one generic mutant a line that no test can
    /// kill because it does not change what the function returns.
    public static func equivalents(from folder: URL) -> [String: String] {
        let text = (try? String(contentsOf: folder.appendingPathComponent("equivalent.txt"), encoding: .utf8)) ?? ""
        var result: [String: String] = [:]
        for line in text.components(separatedBy: "\n") where !line.hasPrefix("#") && line.contains("  # ") {
            let parts = line.components(separatedBy: "  # ")
            result[parts[0].trimmingCharacters(in: .whitespaces)] = parts.dropFirst().joined(separator: "  # ")
        }
        return result
    }
}

/// Generic operator mutants of one exercise's regions.
public enum GenericMutants {
    static let swaps: [(String, String)] = [
        (" + ", " - "), (" - ", " + "), (" * ", " / "), (" / ", " * "),
        (" < ", " <= "), (" <= ", " < "), (" > ", " >= "), (" >= ", " > "),
        (" += ", " -= "), (" -= ", " += "), (" *= ", " /= "), (" /= ", " *= "),
    ]

    /// Every generic mutant of `regions` (each a list of lines), skipping comments and strings.
    public static func make(exercise: String, regions: [[String]]) -> [Mutant] {
        var mutants: [Mutant] = []
        for (r, body) in regions.enumerated() {
            for (l, line) in body.enumerated() {
                let code = codePart(of: line)
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("//") || trimmed.isEmpty { continue }
                for (from, to) in swaps {
                    var search = code.startIndex
                    while let range = code.range(of: from, range: search..<code.endIndex) {
                        let column = code.distance(from: code.startIndex, to: range.lowerBound)
                        // `a -> b`, `x ..< y` and generics are not arithmetic.
                        let after = code[range.upperBound...]
                        let before = code[..<range.lowerBound]
                        if !(from.contains("<") && (after.hasPrefix(">") || before.hasSuffix(".."))) && !after.hasPrefix(">") {
                            mutants.append(generic(exercise, r, l, column, line, from, to))
                        }
                        search = range.upperBound
                    }
                }
                // Number literals: n → n + 1 for integers, v → 2v for decimals (0 → 1).
                let pattern = try! NSRegularExpression(pattern: #"(?<![A-Za-z0-9_.$])(\d+(?:\.\d+)?(?:e-?\d+)?)(?![A-Za-z0-9_])"#)
                let ns = code as NSString
                for match in pattern.matches(in: code, range: NSRange(location: 0, length: ns.length)) {
                    let literal = ns.substring(with: match.range(at: 1))
                    let replacement: String
                    if let int = Int(literal) { replacement = String(int + 1) }
                    else if let value = Double(literal) { replacement = value == 0 ? "1.0" : String(value * 2) }
                    else { continue }
                    let column = match.range(at: 1).location
                    mutants.append(generic(exercise, r, l, column, line, literal, replacement))
                }
            }
        }
        return mutants
    }

    static func generic(_ exercise: String, _ region: Int, _ line: Int, _ column: Int, _ text: String,
                        _ from: String, _ to: String) -> Mutant {
        let shown = text.trimmingCharacters(in: .whitespaces)
        var mutant = Mutant(id: "", exercise: exercise, origin: .generic,
                            name: "'\(from.trimmingCharacters(in: .whitespaces))' → '\(to.trimmingCharacters(in: .whitespaces))' at column \(column) of: \(shown)",
                            summary: "generic operator mutant", find: from, replacement: to, positionStorage: nil,
                            expect: nil, source: nil)
        mutant.position = (region, line, column)
        return mutant
    }

    /// The line without a trailing comment and with string literals blanked (same length), so
    /// columns stay valid and nothing inside quotes is mutated.
    static func codePart(of line: String) -> String {
        var out = ""
        var inString = false
        var previous: Character = " "
        for c in line {
            if !inString && c == "/" && previous == "/" { out.removeLast(); out += String(repeating: " ", count: line.count - out.count); return out }
            if c == "\"" && previous != "\\" { inString.toggle(); out.append(c) }
            else { out.append(inString ? " " : c) }
            previous = c
        }
        return out
    }
}

/// Builds the solutions with every mutant switched in, runs each one's own tests, and reports.
public struct MutationRun: Sendable {
    public var workspace: Workspace
    public var log: @Sendable (String) -> Void

    public init(workspace: Workspace, log: @escaping @Sendable (String) -> Void) {
        self.workspace = workspace
        self.log = log
    }

    var folder: URL { workspace.scratch.appendingPathComponent("mutants") }
    var implementation: URL { folder.appendingPathComponent("Solutions") }
    var build: URL { workspace.root.appendingPathComponent(".build-mutants") }

    /// Plants `mutants` as schemata in a copy of the solutions; returns the mutants that found their
    /// text, and the ones that did not (a catalog entry whose text is not in its region: an error).
    func plant(_ mutants: [Mutant], curriculum: Curriculum) throws -> (planted: [Mutant], lines: [String: [(range: Range<Int>, id: String)]], problems: [String]) {
        try? FileManager.default.removeItem(at: implementation)
        try FileManager.default.createDirectory(at: implementation, withIntermediateDirectories: true)
        for relative in try FileTree.files(under: workspace.solutions) {
            try FileTree.copy(workspace.solutions.appendingPathComponent(relative), to: implementation.appendingPathComponent(relative))
        }
        try FileTree.write("""
            // Written by `workbook mutants`: which planted mistake this runner switches on.
            import Foundation
            let workbookMutant: String = ProcessInfo.processInfo.environment["WORKBOOK_MUTANT"] ?? ""

            """, to: implementation.appendingPathComponent("WorkbookMutantSwitch.swift"))
        var problems: [String] = []
        var planted: [Mutant] = []
        var lineMap: [String: [(range: Range<Int>, id: String)]] = [:]
        let byFile = Dictionary(grouping: mutants) { mutant in curriculum.exercises.first { $0.id == mutant.exercise }?.path ?? "" }
        for (path, group) in byFile.sorted(by: { $0.key < $1.key }) {
            guard !path.isEmpty else {
                for mutant in group { problems.append("\(mutant.source ?? mutant.exercise): no exercise \(mutant.exercise)") }
                continue
            }
            let url = implementation.appendingPathComponent(path)
            let original = try String(contentsOf: url, encoding: .utf8)
            var lines = original.components(separatedBy: "\n")
            // Regions in file order: (exercise, start marker index, end marker index).
            var regions: [(id: String, start: Int, end: Int)] = []
            var open: (String, Int)?
            for (index, line) in lines.enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if let id = StubRegions.marker("START", trimmed) { open = (id, index) }
                else if let id = StubRegions.marker("END", trimmed), let o = open, o.0 == id { regions.append((id, o.1, index)); open = nil }
            }
            // Mutated bodies per region.
            var variants: [Int: [(id: String, body: [String])]] = [:]
            for mutant in group {
                let own = regions.enumerated().filter { $0.element.id == mutant.exercise }
                let bodies = own.map { Array(lines[($0.element.start + 1)..<$0.element.end]) }
                if let position = mutant.position {
                    guard position.region < own.count else { continue }
                    var body = bodies[position.region]
                    let line = body[position.line]
                    let start = line.index(line.startIndex, offsetBy: position.column)
                    guard line[start...].hasPrefix(mutant.find) else { continue }
                    body[position.line] = line.replacingCharacters(in: start..<line.index(start, offsetBy: mutant.find.count), with: mutant.replacement)
                    var planted1 = mutant
                    planted1.id = "\(mutant.exercise)#\(planted.count + 1)"
                    planted.append(planted1)
                    variants[own[position.region].offset, default: []].append((planted1.id, body))
                } else {
                    let hits = bodies.enumerated().filter { $0.element.joined(separator: "\n").components(separatedBy: mutant.find).count == 2 }
                    let total = bodies.map { $0.joined(separator: "\n").components(separatedBy: mutant.find).count - 1 }.reduce(0, +)
                    guard total == 1, let hit = hits.first else {
                        problems.append("\(mutant.source ?? mutant.exercise): [\(mutant.exercise)] \(mutant.name): its '- ' text occurs \(total) times in \(mutant.exercise)'s regions of Solutions/\(path) (it must occur exactly once)")
                        continue
                    }
                    let body = hit.element.joined(separator: "\n").replacingOccurrences(of: mutant.find, with: mutant.replacement)
                    var planted1 = mutant
                    planted1.id = "\(mutant.exercise)#\(planted.count + 1)"
                    planted.append(planted1)
                    variants[own[hit.offset].offset, default: []].append((planted1.id, body.components(separatedBy: "\n")))
                }
            }
            // Rewrite the regions from the last to the first, keeping a map from lines to mutants.
            var entries: [(range: Range<Int>, id: String)] = []
            for (index, region) in regions.enumerated().reversed() {
                guard let cases = variants[index], !cases.isEmpty else { continue }
                let body = Array(lines[(region.start + 1)..<region.end])
                // A region that is its function's single expression (`try layers.reduce(0) { … }`)
                // returns it implicitly; inside the switch it needs the word.
                let implicit = Self.returnsImplicitly(body, declaredBy: lines[..<region.start])
                var replacement = ["switch workbookMutant {"]
                var spans: [(Range<Int>, String)] = []
                for variant in cases {
                    replacement.append("case \"\(variant.id)\":")
                    let first = replacement.count
                    let code = implicit ? Self.returning(variant.body) : variant.body
                    replacement += code.isEmpty ? ["break"] : code + ["break"]
                    spans.append((first..<replacement.count, variant.id))
                }
                replacement += ["default:"] + (implicit ? Self.returning(body) : body) + ["break", "}"]
                let shift = replacement.count - body.count
                // Lines after this region move by `shift`; entries recorded so far are after it.
                entries = entries.map { ($0.range.lowerBound + shift ..< $0.range.upperBound + shift, $0.id) }
                for (span, id) in spans {
                    entries.append((region.start + 1 + span.lowerBound ..< region.start + 1 + span.upperBound, id))
                }
                lines.replaceSubrange((region.start + 1)..<region.end, with: replacement)
            }
            try FileTree.write(lines.joined(separator: "\n"), to: url)
            lineMap[path] = entries
        }
        return (planted, lineMap, problems)
    }

    /// Whether a region is the single expression its function returns without `return`: nothing in
    /// it says `return`, and the declaration above it (`func … -> T {` or `var name: T {`) has a result.
    static func returnsImplicitly(_ body: [String], declaredBy above: ArraySlice<String>) -> Bool {
        let code = body.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("//") }
        guard !code.isEmpty, !code.contains(where: { $0.contains(/\breturn\b/) }) else { return false }
        guard let start = above.lastIndex(where: { $0.contains("func ") || $0.contains(/\bvar \w+: .+\{\s*$/) }) else { return false }
        let declaration = above[start...].joined(separator: " ")
        return declaration.contains("->") && !declaration.contains("-> Void") || declaration.contains(#/\bvar \w+: /#)
    }

    /// `body` with `return ` before its first line of code.
    static func returning(_ body: [String]) -> [String] {
        guard let first = body.firstIndex(where: { let t = $0.trimmingCharacters(in: .whitespaces); return !t.isEmpty && !t.hasPrefix("//") })
        else { return body }
        var lines = body
        let indent = lines[first].prefix { $0 == " " }
        lines[first] = indent + "return " + lines[first].dropFirst(indent.count)
        return lines
    }

    /// Builds grade-runner from the planted copy, dropping mutants the compiler rejects.
    func buildRunner(_ mutants: [Mutant], curriculum: Curriculum) throws -> (runner: URL, planted: [Mutant], rejected: [Mutant], problems: [String]) {
        var candidates = mutants
        var rejected: [Mutant] = []
        for round in 1...6 {
            let (planted, lineMap, problems) = try plant(candidates, curriculum: curriculum)
            log("Building the solutions with \(planted.count) mutants planted (round \(round))…")
            let built = try Subprocess.run(["swift", "build", "--product", "grade-runner", "--scratch-path", build.path],
                                           in: workspace.root, environment: ["WORKBOOK": workspace.relative(implementation)],
                                           timeLimit: 3600, outputFile: folder.appendingPathComponent("build.log"),
                                           temporaryDirectory: workspace.buildTemporaryDirectory("mutants-build"))
            if built.succeeded {
                return (build.appendingPathComponent("debug/grade-runner"), planted, rejected, problems)
            }
            // Errors name `…/Solutions/<chapter>/<file>.swift:<line>:`: drop the mutants on those lines.
            var bad: Set<String> = []
            let pattern = try NSRegularExpression(pattern: #"mutants/Solutions/([^:\s]+\.swift):(\d+):\d+: error"#)
            let output = built.output as NSString
            for match in pattern.matches(in: built.output, range: NSRange(location: 0, length: output.length)) {
                let path = output.substring(with: match.range(at: 1))
                let line = (Int(output.substring(with: match.range(at: 2))) ?? 0) - 1
                for entry in lineMap[path] ?? [] where entry.range.contains(line) { bad.insert(entry.id) }
            }
            let badCatalog = planted.filter { bad.contains($0.id) && $0.origin == .catalog }
            if !badCatalog.isEmpty {
                throw ToolError.failure("catalog mutants do not compile (fix the entries): "
                                        + badCatalog.map { "\($0.source ?? "") [\($0.exercise)] \($0.name)" }.joined(separator: "; ")
                                        + "\n" + (BuildLog.firstError(in: built.output, root: workspace.root) ?? ""))
            }
            guard !bad.isEmpty else {
                throw ToolError.failure("the solutions with mutants planted do not build, and no error points at a mutant (see \(folder.path)/build.log): "
                                        + (BuildLog.firstError(in: built.output, root: workspace.root) ?? "swift build failed"))
            }
            let dropped = planted.filter { bad.contains($0.id) }
            rejected += dropped.map { var m = $0; m.id = ""; return m }
            let droppedKeys = Set(dropped.map(\.key))
            candidates = candidates.filter { !droppedKeys.contains($0.key) || $0.origin == .catalog }
            log("  \(dropped.count) generic mutants do not compile; dropped")
        }
        throw ToolError.failure("the mutants still do not build after six rounds (see \(folder.path)/build.log)")
    }

    /// Runs one exercise's own tests with `mutant` switched on ("" for none).
    func runTests(of exercise: ExerciseInfo, mutant: String, judge: Judge, runner: URL, index: Int) throws -> [TestOutcome] {
        let logs = folder.appendingPathComponent("runs")
        let events = logs.appendingPathComponent("events-\(index).jsonl")
        try? FileManager.default.removeItem(at: events)
        let filter = "GradedTests\\.(" + exercise.suites.joined(separator: "|") + ")(/|$)"
        let command = [judge.tests.path, "--testing-library", "swift-testing", "--filter", filter,
                       "--event-stream-output-path", events.path, "--event-stream-version", "0"]
        _ = try Subprocess.run(command, in: workspace.root,
                               environment: ["WORKBOOK": nil, "WORKBOOK_CHECK": nil, "WORKBOOK_RUNNER": runner.path,
                                             "WORKBOOK_SANDBOX_UIDS": nil, "WORKBOOK_MUTANT": mutant, "WORKBOOK_TIME_LIMIT": "20"],
                               timeLimit: 300, outputFile: logs.appendingPathComponent("test-\(index).log"))
        return TestEvents.parse((try? String(contentsOf: events, encoding: .utf8)) ?? "")
    }

    /// The whole run: plant, build, check the unmutated solutions pass, then every mutant.
    public func run(_ mutants: [Mutant], curriculum: Curriculum, workers: Int = 2) throws -> [MutantResult] {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("runs"), withIntermediateDirectories: true)
        let judge = try workspace.prepareJudge(log: log)
        let (runner, planted, rejected, problems) = try buildRunner(mutants, curriculum: curriculum)
        if !problems.isEmpty { throw ToolError.failure("the catalog does not fit the solutions:\n  " + problems.joined(separator: "\n  ")) }
        let exercises = Dictionary(uniqueKeysWithValues: curriculum.exercises.map { ($0.id, $0) })
        // The baseline: with no mutant switched on, every involved exercise passes.
        let involved = Array(Set(planted.map(\.exercise))).sorted()
        log("Checking that the planted build passes with no mutant switched on (\(involved.count) exercises)…")
        let baselineFailures = Failures()
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: max(1, workers)) { _ in
            while let index = next.take(below: involved.count) {
                guard let exercise = exercises[involved[index]] else { continue }
                let outcomes = (try? runTests(of: exercise, mutant: "", judge: judge, runner: runner, index: index)) ?? []
                if outcomes.isEmpty || outcomes.contains(where: { !$0.passed }) { baselineFailures.add(exercise.id) }
            }
        }
        if !baselineFailures.all.isEmpty {
            throw ToolError.failure("with no mutant switched on, these exercises fail (the planted build is broken, or the solutions fail): \(baselineFailures.all.sorted().joined(separator: ", "))")
        }
        let results = ResultList(count: planted.count)
        let taken = Counter()
        let started = Date()
        DispatchQueue.concurrentPerform(iterations: max(1, workers)) { _ in
            while let index = taken.take(below: planted.count) {
                let mutant = planted[index]
                guard let exercise = exercises[mutant.exercise] else { continue }
                let outcomes = (try? runTests(of: exercise, mutant: mutant.id, judge: judge, runner: runner, index: 1000 + index)) ?? []
                let failing = outcomes.filter { !$0.passed }
                let messages = failing.flatMap(\.issues)
                var verdict: MutantVerdict = failing.isEmpty && !outcomes.isEmpty ? .survived : .killed
                if verdict == .killed, let expect = mutant.expect, !messages.contains(where: { $0.contains(expect) }) { verdict = .killedUnnamed }
                let first = messages.first.map { String($0.split(separator: "\n").first ?? "").prefix(200) }.map(String.init)
                results.set(index, MutantResult(mutant: mutant, verdict: outcomes.isEmpty ? .killed : verdict,
                                                message: outcomes.isEmpty ? "no test ran (the runner did not answer)" : first))
                if (index + 1) % 25 == 0 {
                    log("  \(index + 1)/\(planted.count) mutants run (\(Int(Date().timeIntervalSince(started))) s)")
                }
            }
        }
        log("Ran \(planted.count) mutants in \(Int(Date().timeIntervalSince(started))) s (\(workers) at a time).")
        return results.all() + rejected.map { MutantResult(mutant: $0, verdict: .doesNotCompile) }
    }

    /// The report: per chapter and exercise, catalog and generic kill counts, then every survivor.
    public static func report(_ results: [MutantResult], curriculum: Curriculum, equivalents: [String: String]) -> (text: String, failed: Bool) {
        var results = results
        for index in results.indices where results[index].verdict == .survived {
            results[index].equivalentReason = equivalents[results[index].mutant.key]
        }
        var lines: [String] = []
        var failed = false
        func rate(_ r: [MutantResult]) -> String {
            let run = r.filter { $0.verdict != .doesNotCompile }
            let killed = run.filter { $0.verdict != .survived }.count
            let equivalent = run.filter { $0.verdict == .survived && $0.equivalentReason != nil }.count
            guard !run.isEmpty else { return "—" }
            let percent = 100 * Double(killed) / Double(Swift.max(1, run.count - equivalent))
            return "\(killed)/\(run.count - equivalent) killed (\(String(format: "%.0f", percent)) %)" + (equivalent > 0 ? ", \(equivalent) equivalent" : "")
        }
        lines.append("Mutation testing of the graded suites (each mutant: the solutions with one mistake planted; killed = its own exercise's tests fail)")
        lines.append("")
        lines.append(Scorecard.pad("chapter", 24) + Scorecard.pad("catalog (misconceptions)", 34) + "generic (operators, constants)")
        for chapter in curriculum.chapters {
            let ids = Set(curriculum.exercises.filter { $0.chapter == chapter }.map(\.id))
            let inChapter = results.filter { ids.contains($0.mutant.exercise) }
            if inChapter.isEmpty { continue }
            lines.append(Scorecard.pad(chapter, 24) + Scorecard.pad(rate(inChapter.filter { $0.mutant.origin == .catalog }), 34)
                         + rate(inChapter.filter { $0.mutant.origin == .generic }))
        }
        lines.append(Scorecard.pad("all", 24) + Scorecard.pad(rate(results.filter { $0.mutant.origin == .catalog }), 34)
                     + rate(results.filter { $0.mutant.origin == .generic }))
        let catalogProblems = results.filter { $0.mutant.origin == .catalog && ($0.verdict == .survived || $0.verdict == .killedUnnamed) }
        if !catalogProblems.isEmpty {
            failed = true
            lines.append("")
            lines.append("Catalog mutants the suites let through, or kill without naming the misconception:")
            for r in catalogProblems {
                lines.append("  ✘ [\(r.mutant.exercise)] \(r.mutant.name) (\(r.mutant.source ?? "")): \(r.verdict.rawValue)"
                             + " — the mistake: \(r.mutant.summary)"
                             + (r.verdict == .killedUnnamed ? " — no message contains '\(r.mutant.expect ?? "")'; first: \(r.message ?? "")" : ""))
            }
        }
        let survivors = results.filter { $0.mutant.origin == .generic && $0.verdict == .survived }
        let unexplained = survivors.filter { $0.equivalentReason == nil }
        if !unexplained.isEmpty {
            failed = true
            lines.append("")
            lines.append("Generic mutants that survive and are not listed as equivalent in Tests/Mutants/equivalent.txt:")
            for r in unexplained { lines.append("  ✘ \(r.mutant.key)") }
        }
        let explained = survivors.filter { $0.equivalentReason != nil }
        if !explained.isEmpty {
            lines.append("")
            lines.append("Equivalent mutants (they survive by design):")
            for r in explained { lines.append("  · \(r.mutant.key)  # \(r.equivalentReason!)") }
        }
        lines.append("")
        lines.append(failed ? "Mutation testing FAILED." : "Every catalog mutant is killed and named; every surviving generic mutant is listed as equivalent.")
        return (lines.joined(separator: "\n") + "\n", failed)
    }
}

final class Failures: @unchecked Sendable {
    private var items: [String] = []
    private let lock = NSLock()
    func add(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

final class ResultList: @unchecked Sendable {
    private var items: [MutantResult?]
    private let lock = NSLock()
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ item: MutantResult) { lock.lock(); items[index] = item; lock.unlock() }
    func all() -> [MutantResult] { lock.lock(); defer { lock.unlock() }; return items.compactMap { $0 } }
}

/// A deterministic sample (xoshiro, as every random draw of the workbook) of `count` items.
func seededSample<T>(_ items: [T], count: Int, seed: UInt64) -> [T] {
    guard count < items.count else { return items }
    var rng = SeededGenerator(seed: seed)
    let order = rng.permutation(items.count)
    return order.prefix(count).sorted().map { items[$0] }
}

// Escalating hints, kept apart from the guides in `Tests/Hints/<chapter>.md` (one file per chapter, the
// same folder names as `Exercises/`), so a student sees a hint only by asking for it:
//
//     ## Hints
//
//     ### ReLU1
//     1. The concept: a question that points the way.
//     2. The formula.
//     3. Pseudo-code in plain words, never the Swift (a test in Tests/GradingTests compares every
//        hint with its solution region and fails when a hint repeats the solution's code).
//
// `workbook hint ReLU1` shows one more hint each time it is asked (the progress is kept in
// `.scratch/state/hints.json`, which git ignores), so a student sees the question before the answer.
import Foundation

public enum Hints {
    /// The hints per exercise in a hints file's `## Hints` section, in order.
    public static func parse(guide: String) -> [String: [String]] {
        var hints: [String: [String]] = [:]
        var inHints = false
        var current: String?
        for rawLine in guide.components(separatedBy: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("## ") && !line.hasPrefix("### ") {
                inHints = line.dropFirst(3).trimmingCharacters(in: .whitespaces).lowercased() == "hints"
                current = nil
                continue
            }
            guard inHints else { continue }
            if line.hasPrefix("### ") {
                current = line.dropFirst(4).trimmingCharacters(in: .whitespaces)
                hints[current!] = hints[current!] ?? []
                continue
            }
            guard let id = current, !line.isEmpty else { continue }
            if let dot = line.firstIndex(of: "."), line[..<dot].allSatisfy(\.isNumber), dot != line.startIndex {
                hints[id, default: []].append(line[line.index(after: dot)...].trimmingCharacters(in: .whitespaces))
            } else if !(hints[id]?.isEmpty ?? true) {
                // A continuation line of the previous item.
                hints[id]![hints[id]!.count - 1] += " " + line
            }
        }
        return hints
    }

    /// The exercise IDs of a hints file's `### ID` headings under `## Hints`, in order.
    public static func headings(in guide: String) -> [String] {
        var ids: [String] = []
        var inHints = false
        for rawLine in guide.components(separatedBy: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("## ") { inHints = line.dropFirst(3).trimmingCharacters(in: .whitespaces).lowercased() == "hints" }
            else if inHints && line.hasPrefix("### ") { ids.append(line.dropFirst(4).trimmingCharacters(in: .whitespaces)) }
        }
        return ids
    }

    /// The hints file of a chapter, relative to the package: `Tests/Hints/01-Activations.md`.
    public static func path(chapter: String) -> String { "Tests/Hints/\(chapter).md" }

    /// The hints of `exercise`, from `Tests/Hints/<chapter>.md`.
    public static func hints(for exercise: ExerciseInfo, in workspace: Workspace) throws -> [String] {
        let file = workspace.root.appendingPathComponent(path(chapter: exercise.chapter))
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw ToolError.failure("no hints file at \(path(chapter: exercise.chapter))")
        }
        guard let list = parse(guide: text)[exercise.id], !list.isEmpty else {
            throw ToolError.failure("\(path(chapter: exercise.chapter)) has no hints for \(exercise.id) (expected `## Hints`, then `### \(exercise.id)`, then a numbered list)")
        }
        return list
    }

    /// How many hints each exercise has been shown.
    public struct Progress: Codable, Sendable, Hashable {
        public var shown: [String: Int] = [:]

        static func url(_ workspace: Workspace) -> URL { workspace.progress.appendingPathComponent("hints.json") }

        public static func load(_ workspace: Workspace) -> Progress {
            guard let data = try? Data(contentsOf: url(workspace)),
                  let progress = try? JSONDecoder().decode(Progress.self, from: data) else { return Progress() }
            return progress
        }

        public func save(_ workspace: Workspace) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try FileTree.write(String(decoding: try encoder.encode(self), as: UTF8.self), to: Progress.url(workspace))
        }
    }

    /// The text `workbook hint` prints when the student has now seen `level` of `hints`.
    public static func render(_ exercise: ExerciseInfo, hints: [String], level: Int) -> String {
        var lines = ["Hints for \(exercise.id) · \(exercise.title) (Exercises/\(exercise.path))", ""]
        for index in 0..<min(level, hints.count) {
            lines.append("\(index + 1). \(hints[index])")
        }
        lines.append("")
        if level < hints.count {
            lines.append("Hint \(level) of \(hints.count). Still stuck? Run `swift run workbook hint \(exercise.id)` again for the next one.")
        } else {
            lines.append("That was the last hint (\(hints.count) of \(hints.count)). The chapter's GUIDE.md works the example through.")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Whether a hint repeats its solution's code: the maintainers' guard that a hint teaches (concept,
/// formula, steps in words) instead of handing over the Swift.
///
/// Both texts become code tokens (identifiers, numbers, single punctuation marks); the solution's
/// comments and string literals are dropped first, so an error message or an explanation the hint
/// paraphrases does not count. Each solution line of at least `minimumLineTokens` tokens is compared
/// with each hint; the hint leaks that line when
///
///     it contains a run of ≥ `longestRun` consecutive tokens of the line, or
///     it shares ≥ `minimumSharedBigrams` of the line's token pairs, and they are ≥ `sharedFraction` of them.
///
/// The second rule catches "nearly the solution" (ReLU2's old last hint was its line less one
/// argument label); the thresholds let a hint quote a formula from the notes (σ(v) = 1/(1 + e^(−v))
/// shares 4 pairs with `return e / (1 + e)`) but not a statement.
public enum HintLeaks {
    public static let minimumLineTokens = 6
    public static let longestRun = 8
    public static let minimumSharedBigrams = 5
    public static let sharedFraction = 0.5

    public struct Leak: Sendable, Hashable, CustomStringConvertible {
        public var exercise: String
        /// 1-based, as `workbook hint` numbers them.
        public var hint: Int
        public var solutionLine: String
        public var sharedBigrams: Int
        public var lineBigrams: Int
        public var run: Int
        public var description: String {
            "\(exercise) hint \(hint) repeats its solution's line `\(solutionLine)` (\(sharedBigrams) of its \(lineBigrams) token pairs, a run of \(run) tokens)"
        }
    }

    /// Code tokens: identifiers, numbers, and every other non-space character on its own.
    public static func tokens(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var isWord = false
        func flush() { if !current.isEmpty { result.append(current); current = "" } }
        for character in text {
            if character.isLetter || character.isNumber || character == "_" || (character == "." && isWord && current.allSatisfy(\.isNumber)) {
                if !isWord { flush() }
                isWord = true
                current.append(character)
            } else {
                flush()
                isWord = false
                if !character.isWhitespace { result.append(String(character)) }
            }
        }
        flush()
        return result
    }

    /// A solution line without its comment and with every string literal emptied.
    public static func codeLine(_ line: String) -> String {
        var out = ""
        var inString = false
        var escaped = false
        var previous: Character?
        for character in line {
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false; out.append("\"") }
                continue
            }
            if character == "/" && previous == "/" { out.removeLast(); return out }
            if character == "\"" { inString = true }
            out.append(character)
            previous = character
        }
        return out
    }

    static func bigrams(_ tokens: [String]) -> Set<String> {
        Set(zip(tokens, tokens.dropFirst()).map { $0 + " " + $1 })
    }

    static func longestCommonRun(_ line: [String], _ hint: [String]) -> Int {
        guard !line.isEmpty, !hint.isEmpty else { return 0 }
        var best = 0
        var previous = [Int](repeating: 0, count: hint.count + 1)
        for a in line {
            var row = [Int](repeating: 0, count: hint.count + 1)
            for (j, b) in hint.enumerated() where a == b {
                row[j + 1] = previous[j] + 1
                best = max(best, row[j + 1])
            }
            previous = row
        }
        return best
    }

    /// The leaks of `hints` (one exercise's, in order) against its solution region's lines.
    public static func leaks(exercise: String, hints: [String], solution: [String]) -> [Leak] {
        let lines = solution.map { codeLine($0).trimmingCharacters(in: .whitespaces) }
            .map { ($0, tokens($0)) }.filter { $0.1.count >= minimumLineTokens }
        var found: [Leak] = []
        for (index, hint) in hints.enumerated() {
            let hintTokens = tokens(hint)
            let hintBigrams = bigrams(hintTokens)
            for (text, lineTokens) in lines {
                let lineBigrams = bigrams(lineTokens)
                let shared = lineBigrams.intersection(hintBigrams).count
                let run = longestCommonRun(lineTokens, hintTokens)
                if run >= longestRun
                    || (shared >= minimumSharedBigrams && Double(shared) >= sharedFraction * Double(lineBigrams.count)) {
                    found.append(Leak(exercise: exercise, hint: index + 1, solutionLine: text, sharedBigrams: shared,
                                      lineBigrams: lineBigrams.count, run: run))
                    break
                }
            }
        }
        return found
    }

    /// Every leak of the package's hints against `Solutions/` (empty when there is no `Solutions/`).
    public static func leaks(in workspace: Workspace, curriculum: Curriculum) -> [Leak] {
        var found: [Leak] = []
        for exercise in curriculum.exercises {
            guard let hints = try? Hints.hints(for: exercise, in: workspace),
                  let text = try? String(contentsOf: workspace.solutions.appendingPathComponent(exercise.path), encoding: .utf8)
            else { continue }
            let solution = StubRegions.regions(in: text).filter { $0.id == exercise.id }.flatMap(\.body)
            found += leaks(exercise: exercise.id, hints: hints, solution: solution)
        }
        return found
    }
}

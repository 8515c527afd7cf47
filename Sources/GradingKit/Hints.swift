// Escalating hints, read from each chapter's GUIDE.md:
//
//     ## Hints
//
//     ### ReLU1
//     1. A question that points the way.
//     2. A more specific nudge.
//     3. Nearly the answer.
//
// `workbook hint ReLU1` shows one more hint each time it is asked (the progress is kept in
// `.scratch/state/hints.json`, which git ignores), so a student sees the question before the answer.
import Foundation

public enum Hints {
    /// The hints per exercise in a guide's `## Hints` section, in order.
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

    /// The exercise IDs of a guide's `### ID` headings under `## Hints`, in order.
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

    /// The hints of `exercise`, from `Exercises/<chapter>/GUIDE.md`.
    public static func hints(for exercise: ExerciseInfo, in workspace: Workspace) throws -> [String] {
        let guide = workspace.exercises.appendingPathComponent(exercise.chapter).appendingPathComponent("GUIDE.md")
        guard let text = try? String(contentsOf: guide, encoding: .utf8) else {
            throw ToolError.failure("no guide at Exercises/\(exercise.chapter)/GUIDE.md")
        }
        guard let list = parse(guide: text)[exercise.id], !list.isEmpty else {
            throw ToolError.failure("Exercises/\(exercise.chapter)/GUIDE.md has no hints for \(exercise.id) (expected `## Hints`, then `### \(exercise.id)`, then a numbered list)")
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

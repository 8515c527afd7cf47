// The student's scorecard: per chapter and exercise, a status and points, then a total.
//
//     01-Activations                                   2/5
//       ✔ ReLU1   ReLU forward          done           2/2
//       ! ReLU2   ReLU backward         crashed        0/3
//           ReLU2 (ReLU backward) crashed: Fatal error: Index out of range
//
//     Total: 2/5 points · 1 of 2 exercises done
import Foundation

public enum Scorecard {
    /// The scorecard as text. `title` names what was graded (`Exercises/`).
    /// `verbose` shows what the student's code printed for every exercise, not only failing ones.
    public static func render(_ report: GradeReport, title: String, showHidden: Bool = true, verbose: Bool = false) -> String {
        var lines: [String] = ["Scorecard · \(title)", ""]
        let results = report.results.filter { showHidden || !$0.exercise.hidden }
        if let error = report.buildError {
            lines.append("Fix the build first: the exercises do not compile, so nothing could be graded. The compiler's first error:")
            lines += ReportMessage.bounded(error).split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
            lines.append("")
            lines.append("Total: 0/\(results.reduce(0) { $0 + $1.exercise.points }) points · fix that error, then run the scorecard again.")
            for note in report.notes { lines.append("Note: \(note)") }
            return lines.joined(separator: "\n") + "\n"
        }
        let idWidth = max(6, results.map(\.exercise.id.count).max() ?? 0)
        let titleWidth = min(36, max(10, results.map(\.exercise.title.count).max() ?? 0))
        var chapters: [String] = []
        for result in results where !chapters.contains(result.exercise.chapter) { chapters.append(result.exercise.chapter) }
        for chapter in chapters {
            let inChapter = results.filter { $0.exercise.chapter == chapter }
            let earned = inChapter.reduce(0.0) { $0 + $1.score }
            let possible = inChapter.reduce(0) { $0 + $1.exercise.points }
            lines.append(pad(chapter, 2 + 2 + idWidth + 2 + titleWidth + 2 + 12) + " \(formatPoints(earned))/\(possible)")
            for result in inChapter {
                let title = truncate(result.exercise.title + (result.exercise.hidden ? " (hidden)" : ""), titleWidth)
                var line = "  \(result.status.mark) \(pad(result.exercise.id, idWidth))  \(pad(title, titleWidth))  "
                line += pad(result.status.rawValue, 12) + " \(formatPoints(result.score))/\(result.exercise.points)"
                if result.totalTests > 0 && result.status != .done {
                    line += "  (\(result.passSummary))"
                }
                lines.append(line)
                if let message = result.message, result.status != .done {
                    // The whole message, as the JSON report has it (the same bound for both).
                    lines += ReportMessage.bounded(message).split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }
                }
                if let output = result.output, verbose || result.status != .done {
                    let printed = output.split(separator: "\n", omittingEmptySubsequences: false)
                    lines.append("      your code printed:")
                    lines += printed.prefix(verbose ? 40 : 4).map { "        │ " + truncate(String($0), 100) }
                    if printed.count > (verbose ? 40 : 4) { lines.append("        │ … (`workbook scorecard --verbose` or `swift test --filter \(result.exercise.id)` shows more)") }
                }
            }
            lines.append("")
        }
        let score = results.reduce(0.0) { $0 + $1.score }
        let possible = results.reduce(0) { $0 + $1.exercise.points }
        let done = results.filter { $0.status == .done }.count
        lines.append("Total: \(formatPoints(score))/\(possible) points · \(done) of \(results.count) exercises done")
        if report.tamper != .unchecked { lines.append("Tests: \(report.tamper)") }
        for note in report.notes { lines.append("Note: \(note)") }
        if let next = results.first(where: { $0.status != .done }) {
            lines.append("Next: \(next.exercise.id) (\(next.exercise.title)) in Exercises/\(next.exercise.path) · hint: swift run workbook hint \(next.exercise.id)")
        } else if !results.isEmpty {
            lines.append("Every exercise is done. Well built!")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func truncate(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }

    static func firstLine(_ text: String) -> String {
        String(text.split(whereSeparator: \.isNewline).first ?? "")
    }
}

// The instructor's class report: `class-report.html` and `class-report.csv` beside a batch's
// gradebook, written at the end of `workbook batch` and rebuilt by `workbook report <FOLDER>` from
// what the folder holds (so a folder merged from shards gets the same report as one batch).
import Foundation

public enum ClassReport {
    public static let htmlName = "class-report.html"
    public static let csvName = "class-report.csv"

    /// Reads `folder` and writes the page and the CSV into it. Returns the statistics.
    @discardableResult
    public static func write(folder: URL, curriculum: Curriculum?) throws -> ClassStatistics {
        let statistics = ClassStatistics(try BatchFolder.read(folder), curriculum: curriculum)
        try FileTree.write(ClassReportPage.html(statistics, title: folder.lastPathComponent), to: folder.appendingPathComponent(htmlName))
        try FileTree.write(ClassReportCSV.csv(statistics), to: folder.appendingPathComponent(csvName))
        return statistics
    }

    /// The end of a batch: records its settings, then writes the report from the folder as
    /// `workbook report` would. A failure here is logged, never lost grades: the gradebook and the
    /// reports are already written.
    public static func afterBatch(_ options: BatchOptions, curriculum: Curriculum, log: (String) -> Void) {
        do {
            try FileTree.write(try BatchSettings(options).json(), to: options.output.appendingPathComponent(BatchSettings.fileName))
            try write(folder: options.output, curriculum: curriculum)
        } catch {
            log("Could not write the class report into \(options.output.path): \(error) (the gradebook and the reports are written; `workbook report` retries)")
        }
    }
}

/// The per-exercise statistics for a spreadsheet: one row per exercise, in the report's order.
public enum ClassReportCSV {
    static let reasonColumns = 3

    public static func csv(_ statistics: ClassStatistics) -> String {
        var header = ["chapter", "exercise", "title", "points", "hidden", "submissions", "done", "failing", "crashed",
                      "timed out", "not started", "not built", "no tests", "done share", "failure rate of those who tried", "mean points"]
        for index in 1...reasonColumns { header += ["reason \(index)", "count \(index)"] }
        header.append("other reasons")
        var lines = [header.map(Gradebook.field).joined(separator: ",")]
        for exercise in statistics.exercises {
            var fields = [exercise.chapter, exercise.id, exercise.title, formatPoints(exercise.points), exercise.hidden ? "yes" : "no",
                          String(exercise.submissions)]
            fields += [ExerciseStatus.done, .failing, .crashed, .timedOut, .notStarted, .notBuilt, .noTests].map { String(exercise.count($0)) }
            fields += [share(exercise.share(exercise.done)), share(exercise.failureRate), ratio(exercise.meanScore)]
            for index in 0..<reasonColumns {
                if index < exercise.reasons.count {
                    fields += [exercise.reasons[index].reason.text, String(exercise.reasons[index].count)]
                } else {
                    fields += ["", ""]
                }
            }
            fields.append(exercise.reasons.dropFirst(reasonColumns).map { "\($0.reason.text) (\($0.count))" }.joined(separator: "; "))
            lines.append(fields.map(Gradebook.field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func share(_ value: Double) -> String { String(format: "%.3f", value) }
    static func ratio(_ value: Double) -> String { formatPoints((value * 100).rounded() / 100) }

    static func cut(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}

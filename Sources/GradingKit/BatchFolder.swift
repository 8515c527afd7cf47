// Reading a batch output folder back: what `workbook batch` (or `workbook merge` of its shards)
// wrote, for the class report.
//
//     gradebook.csv            submission,status,<ID>…,total,max,note  (one row per submission)
//     reports/<name>.json      Gradescope's results.json for that submission (one test per exercise)
//     batch-settings.json      the grading seed and credit rule the batch ran with
//
// The gradebook decides who is in the class and their totals; each report adds the exercises'
// statuses and first messages. Columns are found by name and JSON fields by key, so columns or
// fields added later are ignored rather than misread. A folder without a gradebook is an error
// naming it; a row without a readable report is kept, with the reason.
import Foundation

/// The settings a batch ran with, kept beside its gradebook (`batch-settings.json`).
public struct BatchSettings: Codable, Sendable, Hashable {
    /// The grading seed (`--seed`), or `nil` when the tests' own seeds were used.
    public var seed: UInt64?
    /// The credit rule for exercises whose declaration sets none: `all-or-nothing` or `per-test`.
    public var credit: String
    public var timeLimit: Double?
    public var testTimeLimit: Int?

    public static let fileName = "batch-settings.json"

    public init(seed: UInt64?, credit: String, timeLimit: Double? = nil, testTimeLimit: Int? = nil) {
        self.seed = seed
        self.credit = credit
        self.timeLimit = timeLimit
        self.testTimeLimit = testTimeLimit
    }

    public init(_ options: BatchOptions) {
        self.init(seed: options.gradingSeed, credit: options.credit.rawValue,
                  timeLimit: options.timeLimit, testTimeLimit: options.testTimeLimit)
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}

/// One exercise of one submission, as its report recorded it.
public struct RecordedExercise: Sendable, Hashable {
    public var id: String
    public var title: String
    public var points: Double
    public var score: Double
    public var status: ExerciseStatus
    /// The report's message for a result that is not done (the first failure), if any.
    public var message: String?
    /// Whether the exercise comes from the instructor's hidden tests (shown after the due date).
    public var hidden: Bool
}

/// One gradebook row with its report.
public struct RecordedSubmission: Sendable, Hashable {
    public var name: String
    /// The gradebook's status column: `graded`, `not built`, `time limit`, …
    public var status: String
    public var total: Double
    public var maxScore: Double
    /// The gradebook's note column (the build error first, then refused, missing and extra files).
    public var note: String
    /// The exercises from `reports/<name>.json`; empty when the report is missing or unreadable.
    public var exercises: [RecordedExercise]
    /// Why `exercises` is empty although the row exists, if it is.
    public var reportProblem: String?
    /// The compiler's first error, or why the submission could not be staged, if it did not build.
    public var buildError: String?
}

/// A batch output folder, read.
public struct BatchFolder: Sendable {
    public var folder: URL
    /// The exercise columns of the gradebook, in its order.
    public var exerciseIDs: [String]
    public var submissions: [RecordedSubmission]
    /// `nil` when the folder has no `batch-settings.json` (written by batches before the class report).
    public var settings: BatchSettings?

    public init(folder: URL, exerciseIDs: [String], submissions: [RecordedSubmission], settings: BatchSettings?) {
        self.folder = folder
        self.exerciseIDs = exerciseIDs
        self.submissions = submissions
        self.settings = settings
    }

    /// Reads `folder`. Throws a usage error naming the folder or the file and line when the
    /// gradebook is missing or not one; a report that cannot be read is noted on its row.
    public static func read(_ folder: URL) throws -> BatchFolder {
        let gradebook = folder.appendingPathComponent("gradebook.csv")
        guard FileTree.isDirectory(folder) else { throw ToolError.usage("no such batch output folder: \(folder.path)") }
        guard let text = try? String(contentsOf: gradebook, encoding: .utf8) else {
            throw ToolError.usage("\(folder.path) has no readable gradebook.csv: give the folder `workbook batch --out` (or `merge`) wrote")
        }
        let table = try CSVTable.parse(text, file: gradebook.path)
        guard let header = table.first else { throw ToolError.usage("\(gradebook.path) is empty") }
        func column(_ name: String) throws -> Int {
            guard let index = header.firstIndex(of: name) else {
                throw ToolError.usage("\(gradebook.path), line 1: no '\(name)' column; expected submission,status,<exercise IDs>…,total,max,note")
            }
            return index
        }
        let (nameColumn, statusColumn, totalColumn, maxColumn) = (try column("submission"), try column("status"), try column("total"), try column("max"))
        let noteColumn = header.firstIndex(of: "note")
        let exerciseIDs = statusColumn < totalColumn ? Array(header[(statusColumn + 1)..<totalColumn]) : []
        var submissions: [RecordedSubmission] = []
        for (offset, row) in table.dropFirst().enumerated() where !(row.count == 1 && row[0].isEmpty) {
            let line = offset + 2
            func field(_ index: Int) throws -> String {
                guard index < row.count else {
                    throw ToolError.usage("\(gradebook.path), line \(line): \(row.count) fields, the header has \(header.count)")
                }
                return row[index]
            }
            func number(_ index: Int) throws -> Double {
                guard let value = Double(try field(index)), value.isFinite else {
                    throw ToolError.usage("\(gradebook.path), line \(line): '\(header[index])' is '\(try field(index))', not a number")
                }
                return value
            }
            let name = try field(nameColumn)
            var submission = RecordedSubmission(
                name: name, status: try field(statusColumn), total: try number(totalColumn), maxScore: try number(maxColumn),
                note: try noteColumn.map { Self.unprotected(try field($0)) } ?? "", exercises: [], reportProblem: nil, buildError: nil)
            let report = folder.appendingPathComponent("reports").appendingPathComponent("\(name).json")
            do {
                let recorded = try Self.readReport(report)
                submission.exercises = recorded.exercises
                submission.buildError = recorded.buildError
            } catch {
                submission.reportProblem = "\(error)"
            }
            submissions.append(submission)
        }
        var settings: BatchSettings?
        let settingsFile = folder.appendingPathComponent(BatchSettings.fileName)
        if let data = try? Data(contentsOf: settingsFile) {
            do {
                settings = try JSONDecoder().decode(BatchSettings.self, from: data)
            } catch {
                throw ToolError.usage("\(settingsFile.path) is not the settings file batch writes: \(error)")
            }
        }
        return BatchFolder(folder: folder, exerciseIDs: exerciseIDs, submissions: submissions, settings: settings)
    }

    /// The exercises and build error of one `reports/<name>.json` (Gradescope's results format).
    static func readReport(_ file: URL) throws -> (exercises: [RecordedExercise], buildError: String?) {
        guard let data = try? Data(contentsOf: file) else { throw ToolError.failure("no report \(file.lastPathComponent)") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let tests = object["tests"] as? [[String: Any]] else {
            throw ToolError.failure("\(file.lastPathComponent) is not a results.json with a \"tests\" list")
        }
        var exercises: [RecordedExercise] = []
        for (index, test) in tests.enumerated() {
            guard let id = test["number"] as? String, !id.isEmpty else {
                throw ToolError.failure("\(file.lastPathComponent), test \(index + 1): no exercise \"number\"")
            }
            let name = test["name"] as? String ?? id
            let title = name.range(of: " · ").map { String(name[$0.upperBound...]) } ?? name
            let output = test["output"] as? String ?? ""
            let (status, message) = parse(output: output, passed: test["status"] as? String == "passed")
            exercises.append(RecordedExercise(id: id, title: title, points: double(test["max_score"]) ?? 0,
                                              score: double(test["score"]) ?? 0, status: status, message: message,
                                              hidden: test["visibility"] as? String == "after_due_date"))
        }
        let buildError = (object["extra_data"] as? [String: Any])?["build_error"] as? String
        return (exercises, buildError)
    }

    /// A test's output as `GradescopeResults` writes it: `status (p of t tests pass)`, then the
    /// message, then `Hint: …`.
    static func parse(output: String, passed: Bool) -> (ExerciseStatus, String?) {
        var lines = output.components(separatedBy: "\n")
        let first = lines.isEmpty ? "" : lines.removeFirst()
        let word = first.range(of: " (").map { String(first[..<$0.lowerBound]) } ?? first
        let status = ExerciseStatus(rawValue: word.trimmingCharacters(in: .whitespaces)) ?? (passed ? .done : .failing)
        if lines.last?.hasPrefix("Hint: ") == true { lines.removeLast() }
        let message = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return (status, message.isEmpty ? nil : message)
    }

    static func double(_ value: Any?) -> Double? {
        if let number = value as? NSNumber { return number.doubleValue }
        if let text = value as? String { return Double(text) }
        return nil
    }

    /// The gradebook prefixes `'` to a field starting `=`, `+`, `-` or `@` (a spreadsheet formula);
    /// the report shows the text as written.
    static func unprotected(_ field: String) -> String {
        if field.hasPrefix("'"), let next = field.dropFirst().first, "=+-@".contains(next) { return String(field.dropFirst()) }
        return field
    }
}

/// RFC 4180 CSV, as `Gradebook.csv` writes it: fields quoted when they hold a comma, a quote or a
/// line break, quotes doubled.
enum CSVTable {
    static func parse(_ text: String, file: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var characters = text.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    if character.isNewline { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty: quoted = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n", "\r":
                row.append(field); field = ""
                rows.append(row); row = []
                line += 1
            default: field.append(character)
            }
        }
        if quoted { throw ToolError.usage("\(file), line \(line): a quoted field is not closed") }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}

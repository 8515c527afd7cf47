// `workbook check`, the maintainers' check (rustlings' `dev check`), which CI calls:
//
//   1. the files agree: every exercise has a stub region in Exercises/, a solved region in
//      Solutions/, the two files are identical outside the regions, and its hints file (`Tests/Hints/<chapter>.md`) has its hints, none repeating the solution's code;
//   2. `WORKBOOK=Solutions swift test --filter GradedTests`: every exercise is done;
//   3. `WORKBOOK_CHECK=stubs swift test --filter GradedTests`: every stub fails only as NotImplemented
//      (in that mode a graded test passes exactly when the stub made it fail that way).
import Foundation

public struct CheckRow: Sendable, Hashable {
    public var exercise: ExerciseInfo
    public var files: [String]
    public var solution: ExerciseResult?
    public var stub: ExerciseResult?

    public var ok: Bool { files.isEmpty && solution?.status == .done && stub?.status == .done }
}

public enum Check {
    /// Problems with the files of each exercise (no build needed).
    public static func staticProblems(_ curriculum: Curriculum, workspace: Workspace) -> [String: [String]] {
        var problems: [String: [String]] = [:]
        for exercise in curriculum.exercises {
            var list: [String] = []
            let stubText = try? String(contentsOf: workspace.exercises.appendingPathComponent(exercise.path), encoding: .utf8)
            let solutionText = try? String(contentsOf: workspace.solutions.appendingPathComponent(exercise.path), encoding: .utf8)
            if let stubText {
                if let region = StubRegions.regions(in: stubText).first(where: { $0.id == exercise.id }) {
                    if !StubRegions.isStub(region) { list.append("Exercises/\(exercise.path): the region of \(exercise.id) is not `throw NotImplemented(\"\(exercise.id)\")`") }
                } else {
                    list.append("Exercises/\(exercise.path): no `// START \(exercise.id)` … `// END \(exercise.id)`")
                }
                for banned in ["fatalError(", "precondition(", "try!"] where code(stubText).contains(banned) {
                    list.append("Exercises/\(exercise.path): a stub file must not use \(banned.trimmingCharacters(in: CharacterSet(charactersIn: "(")))")
                }
            } else {
                list.append("Exercises/\(exercise.path) is missing")
            }
            if let solutionText {
                if let region = StubRegions.regions(in: solutionText).first(where: { $0.id == exercise.id }) {
                    if StubRegions.isStub(region) { list.append("Solutions/\(exercise.path): \(exercise.id) is still the stub") }
                } else {
                    list.append("Solutions/\(exercise.path): no `// START \(exercise.id)` … `// END \(exercise.id)`")
                }
                if let stubText, StubRegions.skeleton(of: stubText) != StubRegions.skeleton(of: solutionText) {
                    list.append("Exercises/ and Solutions/ differ outside the START/END regions in \(exercise.path)")
                }
            } else if FileTree.isDirectory(workspace.solutions) {
                list.append("Solutions/\(exercise.path) is missing")
            }
            if exercise.suites.isEmpty { list.append("no @Suite(\"\(exercise.id) · …\") in Tests/GradedTests") }
            if let hints = try? Hints.hints(for: exercise, in: workspace) {
                if let solutionText {
                    let solution = StubRegions.regions(in: solutionText).filter { $0.id == exercise.id }.flatMap(\.body)
                    for leak in HintLeaks.leaks(exercise: exercise.id, hints: hints, solution: solution) {
                        list.append("\(Hints.path(chapter: exercise.chapter)): \(leak)")
                    }
                }
            } else {
                list.append("\(Hints.path(chapter: exercise.chapter)) has no `### \(exercise.id)` hints under `## Hints`")
            }
            problems[exercise.id] = Array(Set(list)).sorted()
        }
        return problems
    }

    /// Swift code without its comments (line comments only; enough for the banned-word scan).
    static func code(_ text: String) -> String {
        text.components(separatedBy: "\n").map { line in
            line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? line
        }.joined(separator: "\n")
    }

    /// The check's table.
    public static func render(_ rows: [CheckRow], solutionsBuildError: String?, stubsBuildError: String?) -> String {
        var lines = ["workbook check · \(rows.count) exercises", ""]
        let width = max(8, rows.map(\.exercise.id.count).max() ?? 0)
        lines.append("  " + Scorecard.pad("exercise", width) + "  " + Scorecard.pad("files", 7) + Scorecard.pad("solution", 12) + "stub")
        for row in rows {
            let files = row.files.isEmpty ? "ok" : "✘"
            let solution = row.solution.map { $0.status == .done ? "passes" : $0.status.rawValue } ?? "-"
            let stub = row.stub.map { $0.status == .done ? "fails ok" : "✘ \($0.status.rawValue)" } ?? "-"
            lines.append("\(row.ok ? "✔" : "✘") " + Scorecard.pad(row.exercise.id, width) + "  " + Scorecard.pad(files, 7)
                         + Scorecard.pad(solution, 12) + stub)
            for problem in row.files { lines.append("      \(problem)") }
            if let solution = row.solution, solution.status != .done, let message = solution.message {
                lines.append("      solution: " + Scorecard.truncate(Scorecard.firstLine(message), 110))
            }
            if let stub = row.stub, stub.status != .done, let message = stub.message {
                lines.append("      stub: " + Scorecard.truncate(Scorecard.firstLine(message), 110))
            }
        }
        lines.append("")
        if let error = solutionsBuildError { lines.append("Solutions/ does not build: \(error)") }
        if let error = stubsBuildError { lines.append("Exercises/ (the stubs) does not build: \(error)") }
        let failing = rows.filter { !$0.ok }.count
        lines.append(failing == 0 && solutionsBuildError == nil && stubsBuildError == nil
                     ? "OK: every solution passes and every stub fails only as NotImplemented."
                     : "FAILED: \(failing) of \(rows.count) exercises need attention.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs the whole check. Returns the table and whether everything held.
    public static func run(workspace: Workspace, log: (String) -> Void) throws -> (text: String, ok: Bool) {
        let curriculum = try workspace.curriculum()
        guard !curriculum.exercises.isEmpty else {
            return ("workbook check: no Exercise(id:chapter:file:title:points:) declarations in Tests/GradedTests\n", false)
        }
        let problems = staticProblems(curriculum, workspace: workspace)
        log("Grading the solutions (WORKBOOK=Solutions swift test --filter GradedTests)…")
        let solutions = try workspace.grade(GradeRequest(implementation: "Solutions", logDirectory: workspace.scratch.appendingPathComponent("check/solutions")),
                                            curriculum: curriculum, tamper: .unchecked).report
        log("Checking the stubs (WORKBOOK_CHECK=stubs swift test --filter GradedTests)…")
        let stubs = try workspace.grade(GradeRequest(stubCheck: true, logDirectory: workspace.scratch.appendingPathComponent("check/stubs")),
                                        curriculum: curriculum, tamper: .unchecked).report
        let rows = curriculum.exercises.map { exercise in
            CheckRow(exercise: exercise, files: problems[exercise.id] ?? [], solution: solutions.result(exercise.id),
                     stub: stubs.result(exercise.id))
        }
        let ok = rows.allSatisfy(\.ok) && solutions.buildError == nil && stubs.buildError == nil
        return (render(rows, solutionsBuildError: solutions.buildError, stubsBuildError: stubs.buildError), ok)
    }
}

// `workbook reset ID`: put an exercise's stub back, after asking. Only the exercise's own region
// (between `// START ID` and `// END ID`) changes, so other exercises in the same file keep their
// code; the student's version is saved in `.scratch/state/backups/` first.
import Foundation

public enum Reset {
    /// The region `id` as it was shipped: from the pristine copy the release kept, else the
    /// canonical `throw NotImplemented("ID")`.
    static func pristineBody(of exercise: ExerciseInfo, in workspace: Workspace, indent: String) -> (body: [String], source: String) {
        let copy = workspace.pristine.appendingPathComponent(exercise.path)
        if let text = try? String(contentsOf: copy, encoding: .utf8),
           let region = StubRegions.regions(in: text).first(where: { $0.id == exercise.id }) {
            return (region.body, ".workbook/pristine/\(exercise.path)")
        }
        return (StubRegions.canonicalStub(exercise.id, indent: indent), "the canonical stub")
    }

    /// Resets `exercise` if `confirm` agrees. Returns what was done, for the terminal.
    public static func run(_ exercise: ExerciseInfo, in workspace: Workspace, confirm: (String) -> Bool) throws -> String {
        let file = workspace.exercises.appendingPathComponent(exercise.path)
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            // The file itself is gone: bring back the whole pristine file if there is one.
            let copy = workspace.pristine.appendingPathComponent(exercise.path)
            guard FileTree.exists(copy) else {
                throw ToolError.failure("Exercises/\(exercise.path) is missing and no pristine copy was kept (.workbook/pristine/)")
            }
            guard confirm("Exercises/\(exercise.path) is missing. Restore it from the pristine copy?") else { return "Nothing changed.\n" }
            try FileTree.copy(copy, to: file)
            return "Restored Exercises/\(exercise.path) from .workbook/pristine/.\n"
        }
        guard let region = StubRegions.regions(in: text).first(where: { $0.id == exercise.id }) else {
            throw ToolError.failure("Exercises/\(exercise.path) has no `// START \(exercise.id)` … `// END \(exercise.id)` region to reset; restore the markers (or the whole file from .workbook/pristine/) first")
        }
        let startLine = text.components(separatedBy: "\n").first { $0.contains("// START \(exercise.id)") } ?? "    "
        let indent = String(startLine.prefix { $0 == " " || $0 == "\t" })
        let (body, source) = pristineBody(of: exercise, in: workspace, indent: indent)
        if region.body == body { return "\(exercise.id) is already the stub; nothing to reset.\n" }
        let written = region.body.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
        let question = "Reset \(exercise.id) (\(exercise.title)) in Exercises/\(exercise.path) to its stub? "
            + "Your \(written) line\(written == 1 ? "" : "s") between START \(exercise.id) and END \(exercise.id) will be replaced "
            + "(a copy is kept in .scratch/state/backups/)."
        guard confirm(question) else { return "Nothing changed.\n" }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "-")
        let backup = workspace.progress.appendingPathComponent("backups/\(exercise.id)-\(stamp).swift")
        try FileTree.write(region.body.joined(separator: "\n") + "\n", to: backup)
        guard let reset = StubRegions.replacing(exercise.id, in: text, with: body) else {
            throw ToolError.failure("could not find the region of \(exercise.id) again")
        }
        try Data(reset.utf8).write(to: file, options: .atomic)
        return "Reset \(exercise.id) from \(source). Your previous code is in .scratch/state/backups/\(backup.lastPathComponent).\n"
    }
}

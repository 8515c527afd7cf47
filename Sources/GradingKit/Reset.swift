// `workbook reset ID`: put an exercise's stub back, after asking. Only the exercise's own regions
// (every `// START ID` … `// END ID` in its file: some exercises have two or three) change, so other
// exercises in the same file keep their code; the student's version is saved in
// `.scratch/state/backups/` first.
import Foundation

public enum Reset {
    /// The regions `id` as they were shipped, in file order: from the pristine copy the release
    /// kept, else the canonical `throw NotImplemented("ID")` for each region, indented like its
    /// START marker.
    static func pristineBodies(of exercise: ExerciseInfo, in workspace: Workspace, indents: [String]) -> (bodies: [[String]], source: String) {
        let copy = workspace.pristine.appendingPathComponent(exercise.path)
        if let text = try? String(contentsOf: copy, encoding: .utf8) {
            let regions = StubRegions.regions(in: text).filter { $0.id == exercise.id }
            if !regions.isEmpty { return (regions.map(\.body), ".workbook/pristine/\(exercise.path)") }
        }
        return (indents.map { StubRegions.canonicalStub(exercise.id, indent: $0) }, "the canonical stub")
    }

    /// The leading blanks of each `// START id` line, in order.
    static func startIndents(of id: String, in text: String) -> [String] {
        text.components(separatedBy: "\n")
            .filter { StubRegions.marker("START", $0.trimmingCharacters(in: .whitespaces)) == id }
            .map { String($0.prefix { $0 == " " || $0 == "\t" }) }
    }

    /// Resets every region of `exercise` if `confirm` agrees. Returns what was done, for the terminal.
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
        let regions = StubRegions.regions(in: text).filter { $0.id == exercise.id }
        guard !regions.isEmpty else {
            throw ToolError.failure("Exercises/\(exercise.path) has no `// START \(exercise.id)` … `// END \(exercise.id)` region to reset; restore the markers (or the whole file from .workbook/pristine/) first")
        }
        let (bodies, source) = pristineBodies(of: exercise, in: workspace, indents: startIndents(of: exercise.id, in: text))
        guard bodies.count == regions.count else {
            // A marker was deleted or duplicated: pairing the regions up by position could put a
            // stub in the wrong function, so refuse and say how to repair.
            throw ToolError.failure("Exercises/\(exercise.path) has \(plural(regions.count, "region")) of \(exercise.id) but the stub as shipped (\(source)) has \(bodies.count); a `// START \(exercise.id)` or `// END \(exercise.id)` marker was removed or added. Restore the markers (compare with .workbook/pristine/\(exercise.path)) first")
        }
        let changed = regions.indices.filter { regions[$0].body != bodies[$0] }
        if changed.isEmpty {
            let every = regions.count == 1 ? "" : " (all \(regions.count) regions)"
            return "\(exercise.id) is already the stub\(every); nothing to reset.\n"
        }
        let written = changed.map { regions[$0].body.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count }.reduce(0, +)
        let whereWritten = regions.count == 1
            ? "between START \(exercise.id) and END \(exercise.id)"
            : changed.count == regions.count
                ? "in the \(regions.count) START \(exercise.id) … END \(exercise.id) regions"
                : "in \(changed.count) of the \(regions.count) START \(exercise.id) … END \(exercise.id) regions"
        let question = "Reset \(exercise.id) (\(exercise.title)) in Exercises/\(exercise.path) to its stub? "
            + "Your \(plural(written, "line")) \(whereWritten) will be replaced "
            + "(a copy is kept in .scratch/state/backups/)."
        guard confirm(question) else { return "Nothing changed.\n" }

        // One backup file holding every region that changes, each between its own markers and
        // numbered, so the student can paste a region back where it was.
        var backupLines: [String] = []
        for k in changed {
            let label = regions.count == 1 ? "" : " (region \(k + 1) of \(regions.count))"
            backupLines.append("// START \(exercise.id)\(label)")
            backupLines += regions[k].body
            backupLines.append("// END \(exercise.id)")
        }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "-")
        let backup = workspace.progress.appendingPathComponent("backups/\(exercise.id)-\(stamp).swift")
        try FileTree.write(backupLines.joined(separator: "\n") + "\n", to: backup)
        guard let reset = StubRegions.replacingAll(exercise.id, in: text, with: bodies) else {
            throw ToolError.failure("could not find the regions of \(exercise.id) again")
        }
        try Data(reset.utf8).write(to: file, options: .atomic)
        let which = regions.count == 1 ? ""
            : changed.count == regions.count ? " (all \(regions.count) regions)"
            : " (\(changed.count) of \(regions.count) regions; the other\(regions.count - changed.count == 1 ? " was" : "s were") already the stub)"
        return "Reset \(exercise.id)\(which) from \(source). Your previous code is in .scratch/state/backups/\(backup.lastPathComponent).\n"
    }
}

// The student release: the workbook without `Solutions/` and without the instructor's hidden
// tests, with the same `Package.swift` (it builds `Exercises/` by default), the graded tests intact,
// their checksums (for the tamper check) and pristine copies of the stubs (for `reset`).
import Foundation

public struct ReleaseSummary: Sendable {
    public var destination: URL
    public var files: [String]
    public var excluded: [String]
    /// The release fingerprint to publish (see `ReleaseManifest.fingerprint`).
    public var fingerprint: String
}

public enum Release {
    /// Top-level names never shipped: the solutions, build products, scratch space, VCS data,
    /// submissions and the instructor's tool state.
    static let excludedTopLevel: Set<String> = ["Solutions", ".build", ".git", ".scratch", ".swiftpm", "Submissions",
                                                "runs", ".workbook", "Package.resolved"]

    /// Whether `relative` (a path inside the package) stays out of the release.
    static func isExcluded(_ relative: String) -> Bool {
        let top = String(relative.split(separator: "/").first ?? "")
        if excludedTopLevel.contains(top) || top.hasPrefix(".build-") || top.hasPrefix(".build_") { return true }
        if relative == "Tests/GradedTests/\(Curriculum.hiddenFolder)"
            || relative.hasPrefix("Tests/GradedTests/\(Curriculum.hiddenFolder)/") { return true }
        // The attack submissions are the instructor's fixtures for the grader, not course material.
        if relative == "Tests/Attacks" || relative.hasPrefix("Tests/Attacks/") { return true }
        // The mutation catalog quotes solution lines (the text each mistake replaces).
        if relative == "Tests/Mutants" || relative.hasPrefix("Tests/Mutants/") { return true }
        return relative.hasSuffix(".DS_Store")
    }

    /// Writes the release to `destination` (which must not exist, or be empty) and verifies it.
    public static func make(from workspace: Workspace, to destination: URL) throws -> ReleaseSummary {
        let manager = FileManager.default
        if FileTree.exists(destination) {
            let contents = (try? manager.contentsOfDirectory(atPath: destination.path)) ?? ["?"]
            guard contents.isEmpty else { throw ToolError.usage("\(destination.path) exists and is not empty; choose a new folder") }
        }
        if let inside = workspace.relative(destination), !inside.hasPrefix(".scratch/") {
            throw ToolError.usage("the release cannot go inside the package (\(inside)) except under .scratch/")
        }
        // Every stub must still be a stub: a release made from a tree with solved exercises would ship answers.
        try requireStubs(workspace)

        var excluded: Set<String> = []
        let files = try FileTree.files(under: workspace.root) { relative in
            if isExcluded(relative) { excluded.insert(relative); return true }
            return false
        }
        for relative in files {
            try FileTree.copy(workspace.root.appendingPathComponent(relative), to: destination.appendingPathComponent(relative))
        }
        try FileTree.copyLinks(from: workspace.root, to: destination, skipping: isExcluded)
        let release = Workspace(root: destination)
        // Pristine stubs for `reset`, and the checksums of the graded tests as shipped.
        for relative in try FileTree.files(under: workspace.exercises) where relative.hasSuffix(".swift") {
            try FileTree.copy(workspace.exercises.appendingPathComponent(relative), to: release.pristine.appendingPathComponent(relative))
        }
        let manifest = ReleaseManifest(files: try ReleaseManifest.checksums(of: release.root),
                                       created: ISO8601DateFormatter().string(from: Date()))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FileTree.write(String(decoding: try encoder.encode(manifest), as: UTF8.self) + "\n",
                           to: destination.appendingPathComponent(ReleaseManifest.path))

        let found = try leaks(solutions: workspace.solutions, in: destination)
        if !found.isEmpty {
            try? manager.removeItem(at: destination)
            throw ToolError.failure("solution code found in the release, so it was deleted:\n  " + found.joined(separator: "\n  "))
        }
        return ReleaseSummary(destination: destination, files: try FileTree.files(under: destination), excluded: excluded.sorted(),
                              fingerprint: manifest.fingerprint)
    }

    /// Refuses when a region in `Exercises/` is not the bare stub.
    static func requireStubs(_ workspace: Workspace) throws {
        var solved: [String] = []
        for relative in try FileTree.files(under: workspace.exercises) where relative.hasSuffix(".swift") {
            let text = try String(contentsOf: workspace.exercises.appendingPathComponent(relative), encoding: .utf8)
            for region in StubRegions.regions(in: text) where !StubRegions.isStub(region) {
                solved.append("Exercises/\(relative): \(region.id)")
            }
        }
        if !solved.isEmpty {
            throw ToolError.failure("these exercises are not stubs, so a release would ship their code:\n  " + solved.joined(separator: "\n  "))
        }
    }

    /// Solution bodies (the START/END regions of `Solutions/`) that appear in any text file under `root`.
    ///
    /// A region is searched for whole (trimmed lines, blank lines dropped), and its code without the
    /// comments is searched for in Swift files, so a copy with the explanations stripped is found too.
    public static func leaks(solutions: URL, in root: URL) throws -> [String] {
        var bodies: [(id: String, text: String, codeOnly: Bool)] = []
        for relative in try FileTree.files(under: solutions) where relative.hasSuffix(".swift") {
            let text = try String(contentsOf: solutions.appendingPathComponent(relative), encoding: .utf8)
            for region in StubRegions.regions(in: text) where !StubRegions.isStub(region) {
                bodies.append((region.id, StubRegions.normalized(region.body), false))
                let code = region.body.filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }
                let normalized = StubRegions.normalized(code)
                // A short one-liner (`return x`) could appear anywhere by chance; several lines of
                // code, or one long line, cannot.
                if normalized.contains("\n") || normalized.count >= 40 { bodies.append((region.id, normalized, true)) }
            }
        }
        var found: [String] = []
        for relative in try FileTree.files(under: root) {
            guard let data = try? Data(contentsOf: root.appendingPathComponent(relative)), data.count < 5_000_000,
                  let text = String(data: data, encoding: .utf8) else { continue }
            let normalized = StubRegions.normalized(text.components(separatedBy: "\n"))
            for body in bodies where !body.text.isEmpty && normalized.contains(body.text) {
                if body.codeOnly && !relative.hasSuffix(".swift") { continue }
                found.append("\(relative): the solution of \(body.id)")
            }
        }
        return Array(Set(found)).sorted()
    }
}

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
    /// The top-level entries a release is made of: the package itself. Everything else at the top
    /// stays out: the solutions, build products, scratch space, VCS data, and whatever the
    /// instructor keeps beside the package (`Submissions/`, a batch's `grades/` with every
    /// student's marks, `runs/`, notes), whatever its name.
    static let shippedTopLevel: Set<String> = ["Package.swift", "README.md", "Exercises", "Sources", "Tests", ".ci", ".gitignore",
                                               "LICENSE", "LICENSE.md", "LICENSE.txt"]

    /// Top-level names left out that go without saying (build products, VCS data, scratch space,
    /// tool state); any other top-level entry left out is named in the release's summary.
    static func isBuildOrToolState(_ top: String) -> Bool {
        [".build", ".git", ".scratch", ".swiftpm", ".workbook", "Package.resolved", ".DS_Store"].contains(top)
            || top.hasPrefix(".build-") || top.hasPrefix(".build_")
    }

    /// Folders of development aids that never ship: `Sources/TrainerKit/Reference` holds numpy
    /// (and PyTorch) cross-checks with complete forward and backward passes of graded layers.
    static let developmentOnly = ["Sources/TrainerKit/Reference"]

    /// What a development folder holds in a release.
    static let placeholder = """
        # Development scripts

        The instructor's numpy and PyTorch cross-checks live here; they hold complete forward and
        backward passes of graded layers, so the student copy leaves them out. The folder stays so that
        `Package.swift`, which excludes it from its target, finds it.

        """

    /// Whether `relative` (a path inside the package) stays out of the release.
    static func isExcluded(_ relative: String) -> Bool {
        let top = String(relative.split(separator: "/").first ?? "")
        if !shippedTopLevel.contains(top) { return true }
        if relative == "Tests/GradedTests/\(Curriculum.hiddenFolder)"
            || relative.hasPrefix("Tests/GradedTests/\(Curriculum.hiddenFolder)/") { return true }
        // The attack submissions are the instructor's fixtures for the grader, not course material;
        // the development scripts hold reference implementations of graded work in other languages;
        // the mutation catalog quotes solution lines (the text each mistake replaces).
        for folder in instructorOnly where relative == folder || relative.hasPrefix(folder + "/") { return true }
        return relative.hasSuffix(".DS_Store")
    }

    /// Folders below the top level that never ship: the attack submissions, the mutation catalog and
    /// the development scripts.
    static let instructorOnly = ["Tests/Attacks", "Tests/Mutants"] + developmentOnly

    /// What `release` prints it left out: every folder `isExcluded` keeps back, by name, and the
    /// other top-level entries of this package it did not ship (`excluded`: `ReleaseSummary.excluded`).
    static func leftOut(excluded: [String] = []) -> String {
        let standard = ["Solutions/", "Tests/GradedTests/\(Curriculum.hiddenFolder)/"] + instructorOnly.map { $0 + "/" }
        let others = excluded.filter { !$0.contains("/") && $0 != "Solutions" && !isBuildOrToolState($0) }.sorted()
        var text = standard.joined(separator: ", ") + ", build products and scratch files"
        if !others.isEmpty { text += "; not part of the workbook: " + others.joined(separator: ", ") }
        return text
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
        // Package.swift excludes the development folders from their targets; a folder it names that
        // is missing makes SwiftPM warn on every build of the student's copy, so it stays, holding a note.
        for folder in developmentOnly where FileTree.isDirectory(workspace.root.appendingPathComponent(folder)) {
            try FileTree.write(placeholder, to: destination.appendingPathComponent(folder + "/README.md"))
        }
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

        let shipped = try FileTree.files(under: destination)
        let foreign = foreignCode(in: destination, files: shipped)
        if !foreign.isEmpty {
            try? manager.removeItem(at: destination)
            throw ToolError.failure("code in a language the workbook does not ship was found in the release, so it was deleted "
                                    + "(a reference implementation of graded work must not reach students; move development "
                                    + "scripts to \(developmentOnly.joined(separator: ", ")) or delete them):\n  "
                                    + foreign.joined(separator: "\n  "))
        }
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
    /// comments too, in every text file (Swift, Markdown, anything), so a copy with the explanations
    /// stripped is found wherever it was pasted (a single line of code only in Swift files: a
    /// guide's last hint may quote one).
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
                // A guide's last hint may quote one line of the answer (chapter 00's Matmul1 does);
                // one line counts as a leak in Swift files, several lines of code anywhere.
                if body.codeOnly && !body.text.contains("\n") && !relative.hasSuffix(".swift") { continue }
                found.append("\(relative): the solution of \(body.id)")
            }
        }
        return Array(Set(found)).sorted()
    }

    /// Kinds of file a release ships: the package's own languages (Swift; C for its C targets;
    /// shell for the CI scripts in `.ci/`), documentation and data.
    static let shippedExtensions: Set<String> = ["swift", "c", "h", "md", "txt", "csv", "json", "svg", "png", "jpg"]

    /// Files of `files` (paths under `root`) that hold code in another language: by extension
    /// (`.py`, `.ipynb`, `.jl`, anything not in `shippedExtensions`), or by a `#!` first line naming
    /// an interpreter (outside `.ci/`, whose scripts are the package's shell CI). A reference
    /// implementation in numpy, Julia or MATLAB has no Swift body for `leaks` to match, so the
    /// release ships no such file at all. Returns `path: why`, sorted.
    ///
    /// - Complexity: reads the first line of each file.
    public static func foreignCode(in root: URL, files: [String]) -> [String] {
        var found: [String] = []
        for relative in files {
            let name = String(relative.split(separator: "/").last ?? "")
            let isCI = relative.hasPrefix(".ci/")
            var firstLine = ""
            if let handle = try? FileHandle(forReadingFrom: root.appendingPathComponent(relative)) {
                if let head = try? handle.read(upToCount: 256) { firstLine = String(decoding: head.prefix { $0 != 10 }, as: UTF8.self) }
                try? handle.close()
            }
            if firstLine.hasPrefix("#!") {
                let shell = ["sh", "bash"].contains { firstLine.hasSuffix("/" + $0) || firstLine.hasSuffix(" " + $0) }
                if !(isCI && shell) { found.append("\(relative): a script for \(firstLine.dropFirst(2).trimmingCharacters(in: .whitespaces))") }
                continue
            }
            guard let dot = name.lastIndex(of: "."), dot != name.startIndex else {
                if !isCI && ![".gitignore", "LICENSE", "NOTICE"].contains(name) {
                    found.append("\(relative): a file without an extension, not a kind the release ships")
                }
                continue
            }
            let suffix = name[name.index(after: dot)...].lowercased()
            if !shippedExtensions.contains(suffix) && !(isCI && suffix == "sh") {
                found.append("\(relative): a .\(suffix) file, not a kind the release ships (Swift, C, Markdown, data)")
            }
        }
        return found.sorted()
    }
}

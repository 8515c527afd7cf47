// Package.swift builds the folder WORKBOOK names. A student copy has no Solutions/, and the README's
// set-up commands (WORKBOOK=Solutions swift run …, WORKBOOK=Solutions swift test) used to end there in
// SwiftPM's bare "invalid custom path 'Solutions'". These tests evaluate the package's own manifest
// with `swift package dump-package` in a scratch copy of it (no build; a few seconds each).
import Foundation
import Testing
@testable import GradingKit

@Suite("Package.swift: the folder WORKBOOK names")
struct ManifestTests {
    /// A scratch folder holding a copy of the package's manifest, `Exercises/` and `Submissions/ada/`.
    static func scratchPackage() throws -> URL {
        let folder = try Fixtures.scratchFolder("manifest")
        try FileManager.default.copyItem(at: Fixtures.packageRoot.appendingPathComponent("Package.swift"),
                                         to: folder.appendingPathComponent("Package.swift"))
        for sub in ["Exercises", "Submissions/ada"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        return folder
    }

    /// `swift package dump-package` in `folder`. SwiftPM leaves a lock file named after the folder in
    /// TMPDIR; a TMPDIR of its own, removed when it ends, keeps them out of /tmp.
    static func dump(_ folder: URL, workbook: String?) throws -> ProcessOutcome {
        try Subprocess.run(["swift", "package", "dump-package"], in: folder, environment: ["WORKBOOK": workbook], timeLimit: 600,
                           temporaryDirectory: folder.appendingPathComponent(".tmp"))
    }

    @Test("a folder that is not there stops with its name, that a student copy has no Solutions/, and what to run instead",
          arguments: ["Solutions", "Submissions/bob"])
    func missingFolder(_ workbook: String) throws {
        let folder = try Self.scratchPackage()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try Self.dump(folder, workbook: workbook)
        #expect(outcome.exitCode == 1, "exit \(String(describing: outcome.exitCode)): \(outcome.output)")
        #expect(outcome.output.contains("error: WORKBOOK=\(workbook): this package has no folder '\(workbook)' to build and grade"), "\(outcome.output)")
        #expect(outcome.output.contains("A student copy (made by `workbook release`) has no Solutions/. Leave WORKBOOK unset to use Exercises/:"),
                "\(outcome.output)")
        #expect(outcome.output.contains("    swift test -q --disable-xctest ") && outcome.output.contains("    swift run -c release trainer train "),
                "\(outcome.output)")
    }

    @Test("a file is not a folder: WORKBOOK naming one stops the same way")
    func fileIsNotAFolder() throws {
        let folder = try Self.scratchPackage()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try Self.dump(folder, workbook: "Package.swift")
        #expect(outcome.exitCode == 1)
        #expect(outcome.output.contains("error: WORKBOOK=Package.swift: this package has no folder 'Package.swift'"), "\(outcome.output)")
    }

    @Test("unset, empty, Exercises, a submission's folder and its absolute path evaluate as before: no message, that folder built")
    func normalFolders() throws {
        let folder = try Self.scratchPackage()
        defer { try? FileManager.default.removeItem(at: folder) }
        let absolute = folder.appendingPathComponent("Submissions/ada").path
        for (workbook, built) in [(nil, "Exercises"), ("", "Exercises"), ("Exercises", "Exercises"),
                                  ("Submissions/ada", "Submissions/ada"), (absolute, absolute)] as [(String?, String)] {
            let outcome = try Self.dump(folder, workbook: workbook)
            #expect(outcome.exitCode == 0, "WORKBOOK=\(workbook ?? "(unset)"): \(outcome.output)")
            // Standard error and output are one log: anything but the JSON would be a message.
            let json = try #require(try? JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any],
                                    "WORKBOOK=\(workbook ?? "(unset)"): not only the manifest's JSON: \(outcome.output.prefix(500))")
            let targets = json["targets"] as? [[String: Any]] ?? []
            let path = targets.first { $0["name"] as? String == "Workbook" }?["path"] as? String
            #expect(path == built, "WORKBOOK=\(workbook ?? "(unset)")")
        }
    }
}

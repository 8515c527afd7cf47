import Foundation
import Testing
@testable import GradingKit

@Suite("Command line: help, usage errors (exit 64), list, gradescope scripts")
struct CommandLineTests {
    @Test("--help and help print the command list and exit 0")
    func help() {
        for arguments in [[], ["--help"], ["-h"], ["help"]] {
            let result = Fixtures.runTool(arguments, in: Fixtures.packageRoot)
            #expect(result.status == 0)
            #expect(result.out == WorkbookTool.helpText)
        }
        #expect(WorkbookTool.helpText.hasPrefix("USAGE: workbook <command> [options]\n"))
        for command in WorkbookTool.commands {
            #expect(WorkbookTool.helpText.contains("  \(command.name) "), "the help lists \(command.name)")
            let own = Fixtures.runTool([command.name, "--help"], in: Fixtures.packageRoot)
            #expect(own.status == 0 && own.out.hasPrefix("USAGE: \(command.usage)"))
        }
    }

    @Test("usage errors print Error:, the usage line and where to look, and exit 64", arguments: [
        (["frobnicate"], "unknown command 'frobnicate'"),
        (["scorecard", "--frobnicate"], "unknown option '--frobnicate'"),
        (["hint"], "missing argument"),
        (["hint", "ReLU1", "ReLU2"], "unexpected argument 'ReLU2'"),
        (["batch", "no/such/folder"], "no such folder of submissions"),
        (["batch", ".", "--workers"], "--workers needs a value"),
        (["batch", ".", "--workers", "two"], "--workers needs a positive number"),
        (["results", "--submission", "no/such/submission"], "no such submission"),
        (["scorecard", "--workbook", "NoSuchFolder"], "no such folder: NoSuchFolder"),
        (["scorecard", "--credit", "x"], "--credit is per-test or all-or-nothing, not 'x'"),
        (["list", "--package-path", "/no/such/package"], "no such folder"),
    ])
    func usageErrors(arguments: [String], message: String) {
        let result = Fixtures.runTool(arguments, in: Fixtures.packageRoot)
        #expect(result.status == 64)
        #expect(result.err.hasPrefix("Error: "))
        #expect(result.err.contains(message), "stderr was: \(result.err)")
        #expect(result.err.contains("See 'workbook"))
        #expect(result.out.isEmpty)
    }

    @Test("outside a workbook package, commands say so and exit 64")
    func outsidePackage() {
        let result = Fixtures.runTool(["list"], in: URL(fileURLWithPath: "/"))
        #expect(result.status == 64 && result.err.contains("no workbook package here"))
    }

    @Test("list shows chapters, exercises, points and files of the scratch workbook")
    func list() throws {
        let workspace = try Fixtures.toyWorkspace(hidden: true)
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let result = Fixtures.runTool(["list"], in: workspace.root.appendingPathComponent("Exercises/01-Toy"))
        #expect(result.status == 0)
        #expect(result.out.contains("01-Toy\n  Double1  Double a number  "))
        #expect(result.out.contains("Hidden extra (hidden)"))
        #expect(result.out.hasSuffix("3 exercises, 9 points\n"))
    }

    @Test("gradescope writes the package with executable setup.sh and run_autograder on top, and no solutions",
          .enabled(if: Fixtures.exercisesArePristine, Fixtures.inProgress))
    func gradescopeScripts() throws {
        let folder = try Fixtures.scratchFolder("gradescope")
        try? FileManager.default.removeItem(at: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = Fixtures.runTool(["gradescope", folder.path], in: Fixtures.packageRoot)
        #expect(result.status == 0, "\(result.err)")
        // Gradescope unpacks the zip into /autograder/source: the package must be at the zip's top.
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("Solutions").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("Tests/Attacks").path))
        let run = try String(contentsOf: folder.appendingPathComponent("run_autograder"), encoding: .utf8)
        #expect(run.contains(#"ROOT="${WORKBOOK_AUTOGRADER_ROOT:-/autograder}""#))
        #expect(run.contains(#"workbook results --submission "$ROOT/submission""#))
        #expect(run.contains(#"cp "$private/results.json" "$ROOT/results/results.json""#))
        let setup = try String(contentsOf: folder.appendingPathComponent("setup.sh"), encoding: .utf8)
        #expect(setup.contains("swift-\(GradescopeSetup.swiftVersion)-RELEASE") && setup.contains("--scratch-path .build-judge"))
        let permissions = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("setup.sh").path)[.posixPermissions] as? Int
        #expect(permissions == 0o755)
    }

    @Test("the README states the toolchain minimum that Package.swift enforces")
    func toolchainMinimum() throws {
        let manifest = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let readme = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let version = try #require(manifest.split(separator: "\n").first?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces))
        #expect(version == "6.3", "the graded tests need Swift 6.3 (warning issues, @section): \(version)")
        #expect(readme.contains("Swift \(version) or later"))
    }
}

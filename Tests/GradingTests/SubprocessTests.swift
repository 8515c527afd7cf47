import Foundation
import Testing
@testable import GradingKit

@Suite("Subprocess: exit codes, output, directory, environment, and time limits that stop the whole group")
struct SubprocessTests {
    @Test("captures the output and the exit status, in the directory and environment asked for")
    func basics() throws {
        let folder = try Fixtures.scratchFolder("subprocess")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try Subprocess.run(["sh", "-c", "pwd; echo \"$WB_TEST\"; echo oops >&2; exit 3"], in: folder,
                                         environment: ["WB_TEST": "hello"])
        #expect(outcome.exitCode == 3 && !outcome.timedOut)
        #expect(outcome.output == "\(folder.standardizedFileURL.path)\nhello\noops\n")
        #expect(try Subprocess.run(["true"], in: folder).succeeded)
    }

    @Test("a time limit stops the child and what it started, and says so")
    func timeLimit() throws {
        let folder = try Fixtures.scratchFolder("subprocess")
        defer { try? FileManager.default.removeItem(at: folder) }
        let marker = folder.appendingPathComponent("grandchild-finished")
        // The grandchild would write the marker after 3 s if the group were not stopped.
        let start = Date()
        let outcome = try Subprocess.run(["sh", "-c", "(sleep 3; touch '\(marker.path)') & sleep 30"], in: folder, timeLimit: 1)
        #expect(outcome.timedOut && outcome.exitCode == nil)
        #expect(Date().timeIntervalSince(start) < 10)
        Thread.sleep(forTimeInterval: 3.5)
        #expect(!FileTree.exists(marker), "the background grandchild was stopped with its group")
    }

    @Test("a missing directory is a usage error")
    func missingDirectory() {
        #expect(throws: ToolError.usage("no such directory: /no/such/dir")) {
            try Subprocess.run(["true"], in: URL(fileURLWithPath: "/no/such/dir"))
        }
    }
}

@Suite("Grading builds keep their temporary folders in their own work area")
struct BuildTemporaryDirectoryTests {
    /// What the Swift driver does for every compiler job: a folder in `$TMPDIR` that it leaves behind.
    static let driverLike = ["sh", "-c", "mktemp -d \"${TMPDIR:-/tmp}/TemporaryDirectory.XXXXXX\""]

    @Test("the child's TMPDIR is the folder asked for, and the folder goes when the child ends, with what it left")
    func removedWithTheChild() throws {
        let folder = try Fixtures.scratchFolder("build-tmp")
        defer { try? FileManager.default.removeItem(at: folder) }
        let tmp = folder.appendingPathComponent("stage/tmp")
        let outcome = try Subprocess.run(Self.driverLike, in: folder, temporaryDirectory: tmp)
        let left = outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(outcome.succeeded, "\(outcome.output)")
        #expect(left.hasPrefix(tmp.path + "/TemporaryDirectory."), "the child made its folder at \(left), not under \(tmp.path)")
        #expect(!FileTree.exists(URL(fileURLWithPath: left)), "\(left) outlived the build")
        #expect(!FileTree.exists(tmp), "\(tmp.path) outlived the build")
    }

    @Test("a build stopped by its time limit leaves nothing either")
    func removedAfterTimeLimit() throws {
        let folder = try Fixtures.scratchFolder("build-tmp")
        defer { try? FileManager.default.removeItem(at: folder) }
        let tmp = folder.appendingPathComponent("tmp")
        let outcome = try Subprocess.run(["sh", "-c", "mkdir \"$TMPDIR/TemporaryDirectory.x\" && sleep 30"], in: folder,
                                         timeLimit: 1, temporaryDirectory: tmp)
        #expect(outcome.timedOut)
        #expect(!FileTree.exists(tmp), "\(tmp.path) outlived the stopped build")
    }

    @Test("grading builds get a new folder under the package's .scratch/tmp/, never the shared /tmp")
    func gradingBuildsFolder() throws {
        let package = Workspace(root: Fixtures.packageRoot)
        let first = package.buildTemporaryDirectory("runner-build"), second = package.buildTemporaryDirectory("runner-build")
        #expect(first.path.hasPrefix(package.scratch.appendingPathComponent("tmp").path + "/"))
        #expect(first != second, "two builds at once must not share (and remove) one folder")
    }
}

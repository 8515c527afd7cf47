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

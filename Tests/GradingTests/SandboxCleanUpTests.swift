// When a test ends, nothing of its sandbox uid may outlive it: processes (detached ones included),
// and, when a grading's pool is released, its files in the shared temporary folders. Clean-up no
// longer scans /proc (the kernel's ESRCH from kill(-1) says when none is left), so this checks
// that it still leaves nothing. Needs root (it runs processes as a sandbox uid); skipped otherwise.
import Foundation
import StudentCalls
import Testing
@testable import GradingKit
#if canImport(Glibc)
import Glibc
#endif

@Suite("Sandbox clean-up: no process or shared file of a sandbox uid outlives it", .serialized)
struct SandboxCleanUpTests {
    @Test("a uid's detached processes (setsid, background) are all killed and its /tmp files removed",
          .enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func killsDetachedProcessesAndRemovesFiles() throws {
        let held = try SandboxUIDs.allocate(count: 1)
        defer { held.release() }
        let uid = held.uids[0]
        let marker = "/tmp/workbook-cleanup-test-\(getpid())"
        let script = """
            touch \(marker); chmod 600 \(marker)
            setsid sh -c 'sleep 300 & sleep 300' &
            (sleep 300 &) ; sleep 300 & exec sleep 300
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "/bin/sh", "-c", script]
        try process.run()
        var started: [Int32] = []
        for _ in 0..<500 where started.count < 5 || !FileManager.default.fileExists(atPath: marker) {
            usleep(10_000)
            started = Sandbox.processes(of: uid)
        }
        try #require(started.count >= 5, "the test could not start its processes as uid \(uid): \(started)")
        var info = stat()
        try #require(lstat(marker, &info) == 0 && info.st_uid == uid, "\(marker) was not made by uid \(uid)")

        Sandbox.killAll(of: uid)
        process.waitUntilExit()
        #expect(Sandbox.processes(of: uid).isEmpty, "processes of uid \(uid) outlived killAll: \(Sandbox.processes(of: uid))")
        #expect(FileManager.default.fileExists(atPath: marker), "killAll removes processes only")

        Sandbox.removeEverything(of: [uid])
        #expect(!FileManager.default.fileExists(atPath: marker), "\(marker), owned by uid \(uid), outlived removeEverything")
    }
}

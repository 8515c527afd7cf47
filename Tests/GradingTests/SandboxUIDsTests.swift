// Gradings on one machine never share a sandbox uid: each takes its uids under a lock (a flock on
// one file per uid) that dies with the process holding it. The locks work for any user, so these
// tests run without root, in a scratch lock folder, on uids far from any real pool (3,100,100…):
// under root, releasing uids kills their processes.
import Foundation
import Testing
@testable import GradingKit
import CSandbox
#if canImport(Glibc)
import Glibc
#endif

@Suite("Sandbox uids: each grading takes uids no other running grading holds", .serialized)
struct SandboxUIDsTests {
    static func lockFolder() throws -> URL { try Fixtures.scratchFolder("uid-locks") }

    @Test("two gradings get disjoint uids; a released one's uids are free again")
    func disjoint() throws {
        let folder = try Self.lockFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try SandboxUIDs.allocate(count: 16, pool: "3100100-3100147", lockFolder: folder)
        let second = try SandboxUIDs.allocate(count: 16, pool: "3100100-3100147", lockFolder: folder)
        #expect(first.uids == Array(3100100...3100115))
        #expect(second.uids == Array(3100116...3100131))
        #expect(Set(first.uids).isDisjoint(with: second.uids))
        #expect(first.description == "3100100-3100115")
        first.release()
        // A runner forked by another test's thread holds copies of every descriptor for the few
        // microseconds before it closes them: a lock may outlive its release by that much, no more.
        var third = try SandboxUIDs.allocate(count: 16, pool: "3100100-3100147", lockFolder: folder)
        let released = Date()
        while third.uids != Array(3100100...3100115) && Date().timeIntervalSince(released) < 2 {
            third.release()
            usleep(10_000)
            third = try SandboxUIDs.allocate(count: 16, pool: "3100100-3100147", lockFolder: folder)
        }
        #expect(third.uids == Array(3100100...3100115), "the released uids are taken again")
        second.release(); third.release()
    }

    @Test("the instructor's pool is honoured, a list included; a pool with too few free uids gives what is left, then refuses")
    func instructorsUidRange() throws {
        let folder = try Self.lockFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try SandboxUIDs.allocate(count: 16, pool: "3170000-3170009,3170020", lockFolder: folder)
        #expect(first.uids == Array(3170000...3170009) + [3170020])
        #expect(first.description == "3170000-3170009,3170020")
        let error = try #require(throws: ToolError.self) { try SandboxUIDs.allocate(count: 16, pool: "3170000-3170009,3170020", lockFolder: folder) }
        #expect("\(error)".contains("3170000-3170009,3170020") && "\(error)".contains("WORKBOOK_SANDBOX_UIDS"), "\(error)")
        first.release()
    }

    @Test("a lock held by another process blocks its uid, and is free once that process is gone",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock")))
    func diesWithItsProcess() throws {
        let folder = try Self.lockFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Another grading: holds 3100100's lock for as long as it runs.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["-n", "-o", folder.appendingPathComponent("3100100.lock").path, "sleep", "30"]
        try holder.run()
        // Wait (at most 20 s) until it holds the lock: a probe of our own no longer gets it.
        let start = Date()
        while Date().timeIntervalSince(start) < 20 {
            let fd = open(folder.appendingPathComponent("3100100.lock").path, O_RDWR | O_CREAT, 0o600)
            let free = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0
            if fd >= 0 { close(fd) }
            if !free { break }
            usleep(20_000)
        }
        let taken = try SandboxUIDs.allocate(count: 2, pool: "3100100-3100102", lockFolder: folder)
        #expect(taken.uids == [3100101, 3100102], "3100100 is held by the other process")
        taken.release()
        kill(holder.processIdentifier, SIGKILL)   // as a grading killed with kill -9
        var after = try SandboxUIDs.allocate(count: 1, pool: "3100100-3100102", lockFolder: folder)
        let killed = Date()
        while after.uids != [3100100] && Date().timeIntervalSince(killed) < 10 {
            after.release()
            usleep(50_000)
            after = try SandboxUIDs.allocate(count: 1, pool: "3100100-3100102", lockFolder: folder)
        }
        #expect(after.uids == [3100100], "the lock died with its process")
        after.release()
    }

    // CI once saw a released uid still locked: another test's thread had forked a helper (the one
    // that kills a uid's processes), and the helper's copies of the lock descriptors kept the locks.
    @Test("a helper process another thread forked does not keep released uids locked",
          .enabled(if: geteuid() == 0, "forking a helper as another uid takes root"))
    func helpersDoNotHoldLocks() throws {
        let folder = try Self.lockFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try SandboxUIDs.allocate(count: 4, pool: "3100100-3100107", lockFolder: folder)
        // A grading elsewhere in this process ends a uid's processes: its helper lives ~1 s.
        let helper = Thread { _ = workbook_sandbox_kill_user(3100199, 400) }
        helper.start()
        usleep(200_000)
        first.release()
        let again = try SandboxUIDs.allocate(count: 4, pool: "3100100-3100107", lockFolder: folder)
        #expect(again.uids == first.uids, "the released uids are free although a helper forked while they were held is still running")
        again.release()
        while helper.isExecuting { usleep(20_000) }
    }

    @Test("uids that /etc/passwd names are never taken")
    func skipsNamedUsers() throws {
        let folder = try Self.lockFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let passwd = (try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)) ?? ""
        let named = passwd.split(separator: "\n").compactMap { $0.split(separator: ":", omittingEmptySubsequences: false).dropFirst(2).first.flatMap { UInt32($0) } }
        guard let uid = named.first(where: { $0 >= 1000 && $0 < 4_000_000_000 }) else { return }   // no ordinary user here
        let taken = try SandboxUIDs.allocate(count: 2, pool: "\(uid)-\(uid + 2)", lockFolder: folder)
        #expect(!taken.uids.contains(uid))
        taken.release()
    }
}

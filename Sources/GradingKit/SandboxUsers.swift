// Which sandbox uids a grading's runners use, so that gradings on one machine never share one.
//
// Under root each batch worker (and each `results --submission`) runs student code as up to 16
// unprivileged uids, and when a test ends every process of its uid is killed. Two gradings given
// the same uids would kill each other's runners, so each grading takes its uids under a lock:
// one file per uid in a root-only folder (`WORKBOOK_SANDBOX_DIR`, default /tmp/workbook-sandbox,
// then `uids/<uid>.lock`), held with `flock` for as long as the grading runs. The kernel drops a
// flock when the process holding it ends, however it ends (Ctrl-C, kill -9, a crash), so a
// grading that died never holds uids. The uids come from the instructor's pool
// (`WORKBOOK_SANDBOX_UIDS`: `70000-70099` or a list such as `70000-70009,70020`) or the default
// 64100-65123, lowest free first, skipping any uid /etc/passwd names.
import Foundation
import StudentCalls
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sandbox uids held by this process until `release()` (or its end).
public final class SandboxUIDs: @unchecked Sendable, CustomStringConvertible {
    /// The pool when the instructor passes none: 1,024 uids, 16 for each of up to 64 workers.
    public static let defaultPool = "64100-65123"
    /// Uids per grading process (the graded tests run in parallel, one uid per running test).
    public static let perWorker = 16

    public let uids: [uid_t]
    private var descriptors: [Int32]
    private let lock = NSLock()

    private init(uids: [uid_t], descriptors: [Int32]) {
        self.uids = uids
        self.descriptors = descriptors
    }

    deinit { release() }

    /// The instructor's pool (`WORKBOOK_SANDBOX_UIDS`), else the default.
    public static var pool: String {
        let text = ProcessInfo.processInfo.environment["WORKBOOK_SANDBOX_UIDS"] ?? ""
        return text.trimmingCharacters(in: .whitespaces).isEmpty ? defaultPool : text
    }

    /// The lock folder: `WORKBOOK_SANDBOX_DIR` (default /tmp/workbook-sandbox), then `uids`.
    public static var lockFolder: URL {
        let base = ProcessInfo.processInfo.environment["WORKBOOK_SANDBOX_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp/workbook-sandbox"
        return URL(fileURLWithPath: base).appendingPathComponent("uids")
    }

    /// Takes up to `count` uids of `pool` that no other process holds (at least one), lowest first.
    ///
    /// - Throws: `ToolError.failure` naming the pool when every uid of it is held.
    /// - Complexity: one `open` and `flock` per uid tried.
    public static func allocate(count: Int, pool: String = pool, lockFolder: URL = lockFolder) throws -> SandboxUIDs {
        try prepare(lockFolder)
        var uids: [uid_t] = []
        var descriptors: [Int32] = []
        for uid in Sandbox.pool(pool) where uids.count < count {
            let path = lockFolder.appendingPathComponent("\(uid).lock").path
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { continue }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                uids.append(uid)
                descriptors.append(fd)
            } else {
                close(fd)
            }
        }
        guard !uids.isEmpty else {
            throw ToolError.failure("every sandbox uid of \(pool) is held by another grading on this machine (locks in \(lockFolder.path)); "
                                    + "wait for it to end, or pass other uids in WORKBOOK_SANDBOX_UIDS (for example 70000-70099)")
        }
        return SandboxUIDs(uids: uids, descriptors: descriptors)
    }

    /// Makes the lock folder; under root it must be root's alone, so no sandbox user can hold a lock.
    static func prepare(_ folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        guard geteuid() == 0 else { return }
        var info = stat()
        guard lstat(folder.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == 0 else {
            throw ToolError.failure("\(folder.path) is not a folder owned by root; remove it and grade again")
        }
        chmod(folder.path, 0o700)
    }

    /// `64100-64115` or `70000-70009,70020`: the form `WORKBOOK_SANDBOX_UIDS` reads.
    public var description: String {
        var parts: [String] = []
        var index = 0
        while index < uids.count {
            var end = index
            while end + 1 < uids.count && uids[end + 1] == uids[end] + 1 { end += 1 }
            parts.append(end == index ? "\(uids[index])" : "\(uids[index])-\(uids[end])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }

    /// Kills what is left of these uids' processes and lets other gradings take them.
    public func release() {
        lock.lock()
        defer { lock.unlock() }
        guard !descriptors.isEmpty else { return }
        if geteuid() == 0 { Sandbox.removeEverything(of: uids) }
        for fd in descriptors { close(fd) }
        descriptors = []
    }
}

/// A grading slot of the package: its own build folder (`.build-grading-<n>`) and build input
/// (`.scratch/grading-<n>/Exercises`), held with a `flock` on `.scratch/grading-<n>.lock` so that two
/// gradings from one package (two batches, a batch and `results --submission`) never build into, or
/// run the runner of, the same folder. Like the uids' locks, it is dropped when its process ends.
public final class GradingSlot: @unchecked Sendable {
    public let number: Int
    private var descriptor: Int32

    private init(number: Int, descriptor: Int32) {
        self.number = number
        self.descriptor = descriptor
    }

    deinit { release() }

    /// The lowest slot no other grading of `workspace` holds.
    public static func take(in workspace: Workspace) throws -> GradingSlot {
        try FileManager.default.createDirectory(at: workspace.scratch, withIntermediateDirectories: true)
        for number in 0..<256 {
            let fd = open(workspace.scratch.appendingPathComponent("grading-\(number).lock").path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { continue }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return GradingSlot(number: number, descriptor: fd) }
            close(fd)
        }
        throw ToolError.failure("256 gradings of this package are running; wait for one to end")
    }

    public func buildFolder(in workspace: Workspace) -> URL { workspace.root.appendingPathComponent(".build-grading-\(number)") }
    public func buildInput(in workspace: Workspace) -> URL { workspace.scratch.appendingPathComponent("grading-\(number)/Exercises") }

    public func release() {
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
    }
}

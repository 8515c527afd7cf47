// The grading's fork server: one process per grading (per judge) that starts each test's runner.
//
// A fresh runner costs an exec and the dynamic loading of the Swift runtime, Foundation and the
// student's module (about 15 ms here) on every test. The zygote (`grade-zygote --zygote`, root,
// in the jail's mount namespace but not inside it, undumpable) has the runtime and Foundation
// loaded and warmed once, and never loads the student's module: that is `libRunnerCalls.so`,
// which only a child loads, after it has become the test's sandbox user inside its own fresh
// namespaces (network, IPC, mount with a private /tmp and the test's scratch folder), with the
// same limits, keyrings and no-new-privileges as a fresh runner (see `workbook_zygote_serve`).
// The child is the judge's own child (clone with CLONE_PARENT): the session waits for it, reads
// its processor time, kills its group and cleans its uid up exactly as for a fresh runner, and
// a zygote that dies takes no running test with it. When the zygote is gone or does not answer,
// the test starts a fresh runner instead: a dead zygote costs speed, never a verdict.
import CSandbox
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class Zygote: @unchecked Sendable {
    private let lock = NSLock()
    private var control: CInt
    private(set) var pid: pid_t
    /// Set once a request failed: every later test starts a fresh runner.
    private(set) var dead = false

    /// Seconds the judge waits for the zygote's answer before giving up on it.
    static let answerSeconds: CInt = 5

    private init(control: CInt, pid: pid_t) {
        self.control = control
        self.pid = pid
    }

    /// A zygote no longer referenced (a test's own) ends with it, and is reaped: an unreaped child
    /// of a test process is a zombie Swift Testing's waiter thread spins on.
    deinit {
        if control >= 0 { close(control) }
        if pid > 0 {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
    }

    /// Starts `launcher --zygote JAIL LIBRARY` as root in the jail's mounts (see `Sandbox.Jail`),
    /// with the runners' environment; `nil` when it cannot be started.
    static func start(launcher: String, library: String, jail: Sandbox.Jail, environment: [String]) -> Zygote? {
        var pair: [CInt] = [-1, -1]
        guard workbook_socketpair(&pair) == 0 else { return nil }
        var options = workbook_sandbox_options()
        options.stdin_fd = -1
        options.stdout_fd = 2
        options.stderr_fd = 2
        options.fd3 = pair[1]
        options.fd4 = -1
        options.isolate_network = 1
        options.jail_stay_outside = 1
        var bare = jail
        bare.tmp = false
        let pid = Sandbox.spawn([launcher, "--zygote", jail.root, library], environment: environment, options: options,
                                jail: bare, scratch: nil)
        close(pair[1])
        guard pid > 0 else { close(pair[0]); return nil }
        return Zygote(control: pair[0], pid: pid)
    }

    /// Asks for one test's runner; `nil` when the zygote is gone (the caller starts a fresh one).
    func fork(uid: uid_t, cpuSeconds: UInt, processes: UInt, fileBytes: UInt, scratch: String,
              output: CInt, calls: CInt, replies: CInt) -> pid_t? {
        var request = workbook_zygote_request()
        request.uid = uid
        request.gid = uid
        request.cpu_seconds = cpuSeconds
        request.processes = processes
        request.file_bytes = fileBytes
        let bytes = Array(scratch.utf8)
        let capacity = MemoryLayout.size(ofValue: request.scratch)
        guard bytes.count < capacity else { return nil }
        withUnsafeMutableBytes(of: &request.scratch) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        lock.lock()
        defer { lock.unlock() }
        guard !dead else { return nil }
        let pid = workbook_zygote_fork(control, &request, output, calls, replies, Self.answerSeconds)
        if pid > 0 { return pid }
        if pid != -EINVAL { stop() }
        return nil
    }

    /// Ends every process of `uid` and clears its user keyrings from the zygote (a helper forked
    /// from this small process costs a fraction of one forked from the judge). `true` when the
    /// zygote says none is left; `false` (the caller does it itself) otherwise.
    func endUser(_ uid: uid_t) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !dead else { return false }
        let answer = workbook_zygote_end_user(control, uid, Self.answerSeconds)
        if answer < 0 && answer != -EINVAL { stop() }
        return answer == 0
    }

    /// Stops the zygote (under `lock`): its running children are the judge's and go on.
    private func stop() {
        dead = true
        if control >= 0 { close(control); control = -1 }
        if pid > 0 {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            pid = 0
        }
        FileHandle.standardError.write(Data("workbook sandbox: the runners' zygote stopped answering; the remaining tests start fresh runners\n".utf8))
    }
}

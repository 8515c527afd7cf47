// The zygote (one fork server per grading, see `Zygote`) must not open a door a fresh runner
// keeps shut: no test may signal, trace or read the zygote or another test, and nothing a test
// leaves (a file in /tmp, a System V segment, a key, an abstract socket, a detached process)
// may reach a later or a concurrent test of the same grading; a zygote killed mid-batch must
// cost only speed (its running children go on; the next test gets nil, so a fresh runner).
//
// The "student code" here is a small C library in place of libRunnerCalls.so: the zygote's child
// loads it exactly as it loads a submission's, after becoming the sandbox user. It first looks
// for anything another test could have left or exposed, then (when told to) leaves all of it.
// Needs root and a C compiler; skipped otherwise.
import CSandbox
import Foundation
import Testing
@testable import GradingKit
@testable import StudentCalls
#if canImport(Glibc)
import Glibc
#endif

@Suite("Zygote: no test reaches the zygote or another test", .serialized)
struct ZygoteContainmentTests {
    static let compiler = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var usable: Bool { geteuid() == 0 && compiler != nil && launcher != nil }

    /// grade-zygote, built beside this test bundle.
    static var launcher: URL? {
        let folders = Bundle.allBundles.map(\.bundleURL).filter { $0.pathExtension == "xctest" }.map { $0.deletingLastPathComponent() }
            + [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        return folders.map { $0.appendingPathComponent("grade-zygote") }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// The hostile "student code": `look` reports on one line everything it can reach that it
    /// should not (`found: …`, empty when contained) and who it is; with /scratch/mode `leave` it
    /// then leaves a file, a segment, a key and a detached process holding an abstract socket,
    /// and waits for its calls descriptor to close.
    static let attack = #"""
        #define _GNU_SOURCE
        #include <dirent.h>
        #include <errno.h>
        #include <fcntl.h>
        #include <grp.h>
        #include <net/if.h>
        #include <signal.h>
        #include <stddef.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <unistd.h>
        #include <sys/ipc.h>
        #include <sys/prctl.h>
        #include <sys/ptrace.h>
        #include <sys/shm.h>
        #include <sys/socket.h>
        #include <sys/stat.h>
        #include <sys/syscall.h>
        #include <sys/un.h>
        #include <sys/wait.h>
        #include <linux/keyctl.h>

        static char found[8192];
        static void note(const char *what, long n) {
            char item[128]; snprintf(item, sizeof item, " %s:%ld", what, n);
            if (strlen(found) + strlen(item) < sizeof found) strcat(found, item);
        }
        static struct sockaddr_un address(socklen_t *length) {
            struct sockaddr_un a = { .sun_family = AF_UNIX };
            const char *name = "workbook-zygote-leftover";
            memcpy(a.sun_path + 1, name, strlen(name));
            *length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
            return a;
        }
        static uid_t owner(const char *pid) {
            char path[64]; snprintf(path, sizeof path, "/proc/%s", pid);
            struct stat s; return stat(path, &s) == 0 ? s.st_uid : (uid_t)-1;
        }
        static int zombie(const char *pid) {
            char path[64], text[512] = { 0 }; snprintf(path, sizeof path, "/proc/%s/stat", pid);
            int f = open(path, O_RDONLY); if (f < 0) return 1;
            read(f, text, sizeof text - 1); close(f);
            char *close_paren = strrchr(text, ')');
            return close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z';
        }
        static void look(void) {
            struct stat s;
            if (stat("/tmp/workbook-zygote-leftover", &s) == 0) note("file-in-tmp", 0);
            if (shmget(0x5a190019, 0, 0) >= 0) note("shm-segment", 0);
            if (syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user", "workbook-leftover", 0) >= 0) note("key", 0);
            socklen_t length; struct sockaddr_un a = address(&length);
            int fd = socket(AF_UNIX, SOCK_STREAM, 0);
            if (fd >= 0 && connect(fd, (struct sockaddr *)&a, length) == 0) note("abstract-socket", 0);
            if (fd >= 0) close(fd);
            struct if_nameindex *ifs = if_nameindex(); int interfaces = 0;
            for (struct if_nameindex *i = ifs; i && i->if_index; i++) interfaces++;
            if (ifs) if_freenameindex(ifs);
            if (interfaces > 1) note("network-interfaces", interfaces);
            for (int d = 5; d < 1024; d++) if (fcntl(d, F_GETFD) != -1) note("descriptor", d);
            DIR *proc = opendir("/proc");
            struct dirent *e;
            while (proc && (e = readdir(proc))) {
                long pid = strtol(e->d_name, NULL, 10);
                if (pid <= 0 || pid == getpid()) continue;
                if (owner(e->d_name) == getuid()) { if (!zombie(e->d_name)) note("process-of-my-uid", pid); continue; }
                if (kill((pid_t)pid, 0) == 0) note("signal", pid);
                char path[64]; snprintf(path, sizeof path, "/proc/%ld/mem", pid);
                int mem = open(path, O_RDONLY);
                if (mem >= 0) { note("memory", pid); close(mem); }
                if (ptrace(PTRACE_ATTACH, (pid_t)pid, NULL, NULL) == 0) { note("ptrace", pid); ptrace(PTRACE_DETACH, (pid_t)pid, NULL, NULL); }
            }
            if (proc) closedir(proc);
        }
        static void leave(void) {
            int f = open("/tmp/workbook-zygote-leftover", O_CREAT | O_WRONLY, 0666); if (f >= 0) close(f);
            shmget(0x5a190019, 4096, IPC_CREAT | 0666);
            syscall(SYS_add_key, "user", "workbook-leftover", "secret", 6, KEY_SPEC_USER_KEYRING);
            if (fork() == 0) {
                setsid();
                socklen_t length; struct sockaddr_un a = address(&length);
                int fd = socket(AF_UNIX, SOCK_STREAM, 0);
                bind(fd, (struct sockaddr *)&a, length); listen(fd, 8);
                for (int d = 0; d < 5; d++) if (d != fd) close(d);
                for (;;) pause();
            }
            usleep(100000);
        }
        void workbook_runner_serve(void) {
            look();
            char mode[16] = { 0 };
            int m = open("/scratch/mode", O_RDONLY); if (m >= 0) { read(m, mode, sizeof mode - 1); close(m); }
            int groups = getgroups(0, NULL);
            printf("found:%s\nwho: uid=%d gid=%d groups=%d nnp=%d cwd-scratch=%d\n", found, (int)getuid(), (int)getgid(), groups,
                   prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), access("/scratch/mode", F_OK) == 0);
            fflush(stdout);
            if (strncmp(mode, "leave", 5) == 0) {
                leave();
                printf("left\n"); fflush(stdout);
                char c; while (read(3, &c, 1) > 0) {}
            }
            _exit(0);
        }
        """#

    final class Setup {
        let folder: String
        let jail: Sandbox.Jail
        let held: SandboxUIDs
        init() throws {
            folder = "/tmp/workbook-zygote-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try Sandbox.rootOwnedFolder(folder)
            let source = folder + "/attack.c"
            try ZygoteContainmentTests.attack.write(toFile: source, atomically: true, encoding: .utf8)
            let compile = Process()
            compile.executableURL = URL(fileURLWithPath: ZygoteContainmentTests.compiler!)
            compile.arguments = ["-shared", "-fPIC", "-o", folder + "/libRunnerCalls.so", source]
            try compile.run()
            compile.waitUntilExit()
            guard compile.terminationStatus == 0 else { throw Sandbox.SandboxError(description: "cc failed on the attack library") }
            chmod(folder + "/libRunnerCalls.so", 0o644)
            let copy = folder + "/grade-runner"
            try FileManager.default.copyItem(atPath: ZygoteContainmentTests.launcher!.path, toPath: copy)
            chmod(copy, 0o755)
            jail = try Sandbox.makeJail(in: folder, runner: URL(fileURLWithPath: copy),
                                        library: URL(fileURLWithPath: folder + "/libRunnerCalls.so"))
            held = try SandboxUIDs.allocate(count: 2)
        }
        var launcher: String { folder + "/grade-runner" }

        func zygote() throws -> Zygote {
            try #require(Zygote.start(launcher: launcher, library: Sandbox.Jail.library, jail: jail,
                                      environment: Sandbox.runnerEnvironment(inside: Sandbox.Jail.scratch, jailed: true)),
                         "the zygote did not start")
        }

        /// A scratch folder for `uid` holding `mode`.
        func scratch(_ name: String, uid: uid_t, mode: String) throws -> String {
            let path = folder + "/" + name
            try #require(mkdir(path, 0o700) == 0 && chown(path, uid, uid) == 0)
            try mode.write(toFile: path + "/mode", atomically: false, encoding: .utf8)
            return path
        }

        deinit {
            for uid in held.uids { Sandbox.removeEverything(of: [uid]) }
            held.release()
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    /// One runner from the zygote: its pid, the write end of its calls and the read end of its output.
    struct Child {
        var pid: pid_t
        var calls: CInt
        var output: CInt

        /// Reads its output until `marker` appears (or 10 s pass).
        func read(until marker: String) -> String {
            var text = ""
            let until = Date().addingTimeInterval(10)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !text.contains(marker) && Date() < until {
                var poller = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 200) > 0 else { continue }
                let n = Glibc.read(output, &buffer, buffer.count)
                if n <= 0 { break }
                text += String(decoding: buffer[0..<n], as: UTF8.self)
            }
            return text
        }

        func finish() -> Int32 {
            close(calls)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            close(output)
            return status
        }
    }

    static func start(_ zygote: Zygote, uid: uid_t, scratch: String) throws -> Child? {
        var calls: [CInt] = [-1, -1], replies: [CInt] = [-1, -1], output: [CInt] = [-1, -1]
        try #require(workbook_pipe(&calls) == 0 && workbook_pipe(&replies) == 0 && workbook_pipe(&output) == 0)
        let pid = zygote.fork(uid: uid, cpuSeconds: 20, processes: 64, fileBytes: 16 << 20, scratch: scratch,
                              output: output[1], calls: calls[0], replies: replies[1])
        [calls[0], replies[1], output[1], replies[0]].forEach { close($0) }
        guard let pid else { close(calls[1]); close(output[0]); return nil }
        return Child(pid: pid, calls: calls[1], output: output[0])
    }

    /// The processes of `uid` that are not zombies (a killed orphan waits for init to reap it).
    static func liveProcesses(of uid: uid_t) -> [Int32] {
        Sandbox.processes(of: uid).filter { pid in
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            guard let close = stat.lastIndex(of: ")") else { return false }
            return !stat[close...].hasPrefix(") Z")
        }
    }

    /// `found: …` of a report (what the attack reached), or the whole text when there is none.
    static func found(_ text: String) -> String {
        text.split(separator: "\n").first { $0.hasPrefix("found:") }.map { String($0.dropFirst("found:".count)) } ?? "no report: \(text)"
    }

    @Test("a test's leftovers (file, segment, key, socket, process) reach no concurrent or later test; the zygote cannot be signalled, traced or read; killing it stops no running test",
          .enabled(if: usable, "needs root, a C compiler and grade-zygote"))
    func leftoversAndTheZygoteAreOutOfReach() throws {
        let setup = try Setup()
        let (a, b) = (setup.held.uids[0], setup.held.uids[1])
        let zygote = try setup.zygote()

        // Test 1 (uid a) leaves everything and keeps running; test 2 (uid b) runs meanwhile.
        let first = try #require(try Self.start(zygote, uid: a, scratch: setup.scratch("s1", uid: a, mode: "leave")),
                                 "the zygote gave no runner")
        let firstReport = first.read(until: "left")
        #expect(Self.found(firstReport) == "", "the first test reached: \(Self.found(firstReport))")
        #expect(firstReport.contains("who: uid=\(a) gid=\(a) groups=0 nnp=1 cwd-scratch=1"), "the runner is not who it should be: \(firstReport)")
        #expect(firstReport.contains("left"), "the first test did not leave its traps: \(firstReport)")

        let second = try #require(try Self.start(zygote, uid: b, scratch: setup.scratch("s2", uid: b, mode: "look")))
        let secondReport = second.read(until: "who:")
        #expect(Self.found(secondReport) == "", "a concurrent test reached another's leftovers, the zygote or another test: \(Self.found(secondReport))")
        #expect(secondReport.contains("who: uid=\(b) gid=\(b) groups=0"), "\(secondReport)")
        #expect(second.finish() == 0)

        // The zygote dies mid-batch: the running test goes on and ends normally; no more forks.
        kill(zygote.pid, SIGKILL)
        usleep(50_000)
        #expect(kill(first.pid, 0) == 0, "the running test died with the zygote")
        #expect(first.finish() == 0, "the running test did not end normally after the zygote died")
        #expect(try Self.start(zygote, uid: b, scratch: setup.scratch("s3", uid: b, mode: "look")) == nil,
                "a dead zygote still answered: the session must start a fresh runner")
        #expect(zygote.dead)

        // Clean-up of uid a from a new zygote, as after every test (its detached process, its
        // key); then a test as uid a finds nothing.
        let again = try setup.zygote()
        #expect(!again.endUser(0), "the zygote agreed to kill every process of root")
        // The answer may be "some left" only for a zombie that the machine's init has not reaped yet.
        let ended = again.endUser(a)
        var live = Self.liveProcesses(of: a)
        for _ in 0..<200 where !live.isEmpty { usleep(10_000); live = Self.liveProcesses(of: a) }
        #expect(live.isEmpty, "uid \(a) kept live processes after the zygote's clean-up (answer \(ended)): \(live)")
        let third = try #require(try Self.start(again, uid: a, scratch: setup.scratch("s4", uid: a, mode: "look")))
        let thirdReport = third.read(until: "who:")
        #expect(Self.found(thirdReport) == "", "a later test of the same uid reached: \(Self.found(thirdReport))")
        #expect(third.finish() == 0)
    }

    /// The zygote runs as root before any fork, so no code of the graded module may be in it:
    /// not a function, not a global initialiser, not a load-time constructor (`.init_array`),
    /// not a symbol that could interpose on a library's. It links only CSandbox (Package.swift);
    /// this reads its binary for the mangled prefix of every symbol of `Workbook` and
    /// `WorkbookCore` (`$s8Workbook`, `$s12WorkbookCore`), which grade-runner is full of.
    @Test("grade-zygote holds no code of the graded module or the core", .enabled(if: launcher != nil, "grade-zygote is not built"))
    func zygoteLinksNoStudentCode() throws {
        let zygote = try Data(contentsOf: try #require(Self.launcher))
        for prefix in ["$s8Workbook", "$s12WorkbookCore"] {
            #expect(zygote.range(of: Data(prefix.utf8)) == nil, "grade-zygote holds symbols of \(prefix.dropFirst(2)): it must not link the graded module")
        }
        let runner = Self.launcher!.deletingLastPathComponent().appendingPathComponent("grade-runner")
        if let runner = try? Data(contentsOf: runner) {
            #expect(runner.range(of: Data("$s8Workbook".utf8)) != nil, "the check looks for the wrong prefix: grade-runner, which links Workbook, has none either")
        }
    }

    @Test("the zygote refuses uid 0 and keeps serving", .enabled(if: usable, "needs root, a C compiler and grade-zygote"))
    func refusesRoot() throws {
        let setup = try Setup()
        let zygote = try setup.zygote()
        #expect(try Self.start(zygote, uid: 0, scratch: setup.scratch("root", uid: 0, mode: "look")) == nil, "the zygote started a runner as root")
        #expect(!zygote.dead, "a refused request stopped the zygote")
        let uid = setup.held.uids[0]
        let child = try #require(try Self.start(zygote, uid: uid, scratch: setup.scratch("after", uid: uid, mode: "look")))
        #expect(Self.found(child.read(until: "who:")) == "")
        #expect(child.finish() == 0)
    }
}

// Where the runner runs, and as whom.
//
// As an ordinary user (a student's `swift test`), the runner runs as that user in a fresh
// scratch folder, in its own process group, stopped when its test ends.
//
// When grading sets `WORKBOOK_SANDBOX_UIDS` (batch and results do, whenever they run as root, as
// on Gradescope), the runner runs as a dedicated unprivileged user from that pool (`64100-64115`
// or a list; uids that /etc/passwd names are skipped), one test per user at a time:
//   - the runner binary is copied out of the package into a root-owned folder
//     (`WORKBOOK_SANDBOX_DIR`, default /tmp/workbook-sandbox) with a scratch folder only that user
//     may write; the package itself must be closed to other users (batch and results do that),
//     and that is checked before any student code runs: if the sandbox user could read the tests,
//     the solutions or this grader, or write the package, nothing runs;
//   - no supplementary groups, no new privileges, at most 64 processes, 16 MB per file written,
//     no network where the kernel lets us make an empty namespace;
//   - its own System V IPC namespace (shared memory, semaphores, message queues, POSIX message
//     queues die with the runner), its own empty session keyring, and no keys left from an
//     earlier test in the uid's user keyrings;
//   - when the test ends, every process of that user is killed (`kill(-1)` as that user, which a
//     `setsid` cannot escape) until the kernel says none is left (no scan of /proc); every IPC
//     object it owns in the host's namespace and every key of its user keyrings is removed; and its
//     scratch folder is removed, before the user serves another test. Without a jail, the files it
//     left in /tmp, /var/tmp and /dev/shm are removed too; in a jail it could not reach them (its
//     /tmp is a private tmpfs that ends with its mount namespace).
//
// With a jail and a runner library (`WORKBOOK_RUNNER_LIBRARY`, set by batch grading), runners
// are forked by the grading's zygote instead of exec'd (see `Zygote`); each still gets all of the
// above, per test.
import CSandbox
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class Sandbox: @unchecked Sendable {
    /// The limits of one test's runner.
    public struct Limits: Sendable {
        /// Seconds for the whole test, from its start (`WORKBOOK_TIME_LIMIT`, default 20).
        public var seconds: Double

        public init(seconds: Double) { self.seconds = seconds }

        public static var fromEnvironment: Limits {
            let text = ProcessInfo.processInfo.environment["WORKBOOK_TIME_LIMIT"] ?? ""
            return Limits(seconds: Double(text).flatMap { $0 > 0 ? $0 : nil } ?? 20)
        }
    }

    public struct User: Hashable, Sendable { public var uid: uid_t }

    struct Placement {
        var runner: URL
        var scratch: URL
        var user: User?
        var jail: Jail?
        /// The runner's arguments after its path: `--single LIBRARY` for grade-zygote, none for grade-runner.
        var arguments: [String]
        /// The grading's fork server, when there is one (root, in a jail, with a runner library).
        var zygote: Zygote?
    }

    /// A private root for the runner (Linux, under root, where the kernel allows a mount
    /// namespace): the system's programs and libraries and the Swift toolchain, read-only; the
    /// runner; four devices; a fresh /proc; a private 64 MB /tmp; and the test's scratch folder at
    /// /scratch, the only place it can write. Nothing else of the machine exists in it: not the
    /// package, not other copies of the course, not home folders, not other submissions.
    struct Jail {
        var root: String
        var binds: [(source: String, target: String, writable: Int32)]
        /// Whether runners get a private /tmp here (the zygote's children make their own).
        var tmp = true
        static let runner = "/sandbox/grade-runner"
        static let library = "/sandbox/libRunnerCalls.so"
        static let scratch = "/scratch"
    }

    public static let shared = Sandbox()

    private let lock = NSCondition()
    private var freeUsers: [uid_t] = []
    private var prepared: Result<(runner: URL, jail: Jail?), SandboxError>?
    private var zygote: Zygote?
    /// The student's module as a library (`WORKBOOK_RUNNER_LIBRARY`, libRunnerCalls.so): then
    /// `WORKBOOK_RUNNER` is grade-zygote, started with `--single LIBRARY` or as the zygote.
    let library: URL? = ProcessInfo.processInfo.environment["WORKBOOK_RUNNER_LIBRARY"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
    /// The environment every runner gets (the zygote's is its children's).
    static func runnerEnvironment(inside: String, jailed: Bool) -> [String] {
        var environment = [
            "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=\(inside)", "TMPDIR=\(jailed ? "/tmp" : inside)",
            // The runtime's crash report names the student's file and line (read by `Trap`). The full
            // preset: the friendly one hides a frame with no line, such as an empty loop's.
            "SWIFT_BACKTRACE=enable=yes,interactive=no,color=no,sanitize=no,preset=full,threads=crashed,registers=none,images=none,unwind=precise",
        ]
        // `workbook mutants` switches one planted mistake on in a build of the solutions.
        if let mutant = ProcessInfo.processInfo.environment["WORKBOOK_MUTANT"], !mutant.isEmpty {
            environment.append("WORKBOOK_MUTANT=\(mutant)")
        }
        return environment
    }
    private var counter = 0
    /// Whether runners run as sandbox users: `WORKBOOK_SANDBOX_UIDS` is set (and we are root).
    public let sandboxed = ProcessInfo.processInfo.environment["WORKBOOK_SANDBOX_UIDS"].map { !$0.isEmpty } ?? false

    public struct SandboxError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The runner built beside this test bundle, or `WORKBOOK_RUNNER`.
    static func runnerBinary() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["WORKBOOK_RUNNER"], !path.isEmpty { return URL(fileURLWithPath: path) }
        var folders: [URL] = Bundle.allBundles.map(\.bundleURL).filter { $0.pathExtension == "xctest" }
            .map { $0.deletingLastPathComponent() }
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            folders.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
        }
        folders.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for folder in folders {
            var candidate = folder
            for _ in 0..<4 {
                let runner = candidate.appendingPathComponent("grade-runner")
                if FileManager.default.isExecutableFile(atPath: runner.path) { return runner }
                candidate.deleteLastPathComponent()
            }
        }
        throw SandboxError(description: "grade-runner was not built next to the tests; run `swift build --build-tests` (or `swift test`, which builds it)")
    }

    /// A runner and a scratch folder for one test, and under root a user from the pool.
    func place() throws -> Placement {
        lock.lock()
        defer { lock.unlock() }
        if prepared == nil { prepared = Result { try prepare() }.mapError { ($0 as? SandboxError) ?? SandboxError(description: "\($0)") } }
        let (runner, jail) = try prepared!.get()
        counter += 1
        let folder = runner.deletingLastPathComponent().appendingPathComponent("scratch-\(counter)")
        if !sandboxed {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-\(getpid())-\(counter)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            return Placement(runner: runner, scratch: scratch, user: nil, jail: nil,
                             arguments: library.map { ["--single", $0.path] } ?? [], zygote: nil)
        }
        while freeUsers.isEmpty { lock.wait() }
        let uid = freeUsers.removeFirst()
        guard mkdir(folder.path, 0o700) == 0, chown(folder.path, uid, uid) == 0 else {
            freeUsers.append(uid)
            throw SandboxError(description: "could not make the scratch folder \(folder.path)")
        }
        let inside = library.map { jail == nil ? runner.deletingLastPathComponent().appendingPathComponent($0.lastPathComponent).path : Jail.library }
        return Placement(runner: runner, scratch: folder, user: User(uid: uid), jail: jail,
                         arguments: inside.map { ["--single", $0] } ?? [], zygote: zygote.flatMap { $0.dead ? nil : $0 })
    }

    /// Kills every process of `user`, removes what it wrote, and returns it to the pool. In a jail
    /// the runner could write only its scratch folder and its private /tmp, a tmpfs that ends
    /// with its mount namespace when its last process dies: the shared temporary folders of the
    /// host are searched only when there was no jail.
    func release(_ user: User, scratch: URL?, jailed: Bool) {
        let zygote = lock.withLock { self.zygote }
        Timings.measure("clean.kill-and-keys") {
            if zygote?.endUser(user.uid) != true { Self.endProcessesAndKeys(of: user.uid) }
        }
        Timings.measure("clean.ipc") { _ = workbook_sandbox_clear_ipc(user.uid) }
        Timings.measure("clean.scratch") { if let scratch { try? FileManager.default.removeItem(at: scratch) } }
        if !jailed {
            Timings.measure("clean.shared-folders") { for shared in Self.sharedFolders { Self.removeFiles(of: [user.uid], under: shared) } }
        }
        lock.lock()
        freeUsers.append(user.uid)
        lock.signal()
        lock.unlock()
    }

    /// Under root: the pool, the runner's copy outside the package, and the containment probe.
    private func prepare() throws -> (runner: URL, jail: Jail?) {
        let runner = try Self.runnerBinary()
        guard sandboxed else { return (runner, nil) }
        guard geteuid() == 0 else { throw SandboxError(description: "WORKBOOK_SANDBOX_UIDS is set, but the grader is not running as root") }
        freeUsers = Self.pool()
        guard !freeUsers.isEmpty else { throw SandboxError(description: "no free uid in WORKBOOK_SANDBOX_UIDS") }
        let base = ProcessInfo.processInfo.environment["WORKBOOK_SANDBOX_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp/workbook-sandbox"
        try Self.rootOwnedFolder(base)
        let folder = "\(base)/judge-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try Self.rootOwnedFolder(folder)
        let copy = URL(fileURLWithPath: folder).appendingPathComponent("grade-runner")
        try FileManager.default.copyItem(at: runner, to: copy)
        chmod(copy.path, 0o755)
        Self.cleanUpAtExit(folder)
        var libraryCopy: URL?
        if let library {
            let copied = URL(fileURLWithPath: folder).appendingPathComponent(library.lastPathComponent)
            try FileManager.default.copyItem(at: library, to: copied)
            chmod(copied.path, 0o644)
            libraryCopy = copied
        }
        let jail = try? Self.makeJail(in: folder, runner: copy, library: libraryCopy)
        let usable = jail.flatMap { jail in (try? run(["/bin/sh", "-c", "exit 0"], jail: jail)).flatMap { $0.status == 0 ? jail : nil } }
        if usable == nil {
            FileHandle.standardError.write(Data("workbook sandbox: no mount namespace here; student code is contained by its user and folder permissions only\n".utf8))
        }
        try probe(from: runner, jail: usable)
        // The zygote: only in a jail (its children need the mount namespace) and with the library.
        if let usable, libraryCopy != nil, ProcessInfo.processInfo.environment["WORKBOOK_ZYGOTE"] != "0" {
            zygote = Zygote.start(launcher: copy.path, library: Jail.library, jail: usable,
                                  environment: Self.runnerEnvironment(inside: Jail.scratch, jailed: true))
        }
        return (copy, usable)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Lays out the jail's mount points under `folder/jail` (see `Jail`).
    static func makeJail(in folder: String, runner: URL, library: URL? = nil) throws -> Jail {
        #if os(Linux)
        let root = folder + "/jail"
        let manager = FileManager.default
        func folderAt(_ path: String) throws { try manager.createDirectory(atPath: root + path, withIntermediateDirectories: true) }
        func fileAt(_ path: String) { _ = manager.createFile(atPath: root + path, contents: nil) }
        try folderAt("")
        var binds: [(String, String, Int32)] = []
        for system in ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/etc"] {
            if let target = try? manager.destinationOfSymbolicLink(atPath: system) {
                try manager.createSymbolicLink(atPath: root + system, withDestinationPath: target)   // merged /usr
            } else if isDirectory(system) {
                try folderAt(system)
                binds.append((system, root + system, 0))
            }
        }
        // The toolchain's runtime libraries (and its crash reporter), wherever it is installed.
        // /proc files report no size: read to the end rather than trusting it.
        let maps = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/maps")).readToEnd())
            .flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
        if let line = maps.split(separator: "\n").first(where: { $0.hasSuffix("/libswiftCore.so") }),
           let path = line.split(separator: " ").last.map(String.init), let range = path.range(of: "/usr/lib/swift/") {
            let toolchain = String(path[..<range.lowerBound])
            if !toolchain.isEmpty && !toolchain.hasPrefix("/usr") {
                try folderAt(toolchain)
                binds.append((toolchain, root + toolchain, 0))
            }
        }
        try folderAt("/dev")
        for device in ["null", "zero", "random", "urandom"] {
            fileAt("/dev/" + device)
            binds.append(("/dev/" + device, root + "/dev/" + device, 2))
        }
        try folderAt("/proc")
        try folderAt("/tmp")
        try folderAt(Jail.scratch)
        try folderAt("/sandbox")
        fileAt(Jail.runner)
        binds.append((runner.path, root + Jail.runner, 0))
        if let library {
            fileAt(Jail.library)
            binds.append((library.path, root + Jail.library, 0))
        }
        return Jail(root: root, binds: binds)
        #else
        throw SandboxError(description: "jails need Linux")
        #endif
    }

    /// Starts `arguments` as described by `options`, inside `jail` (with `scratch` at /scratch) when given.
    static func spawn(_ arguments: [String], environment: [String], options: workbook_sandbox_options,
                      jail: Jail?, scratch: String?) -> pid_t {
        var options = options
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        var strings: [UnsafeMutablePointer<CChar>?] = []
        func c(_ text: String) -> UnsafePointer<CChar>? {
            let copy = strdup(text)
            strings.append(copy)
            return UnsafePointer(copy)
        }
        defer { (argv + envp + strings).forEach { free($0) } }
        var binds: [workbook_bind] = []
        if let jail {
            binds = jail.binds.map { workbook_bind(source: c($0.source), target: c($0.target), writable: $0.writable) }
            if let scratch { binds.append(workbook_bind(source: c(scratch), target: c(jail.root + Jail.scratch), writable: 1)) }
            options.jail = c(jail.root)
            options.jail_proc = c(jail.root + "/proc")
            options.jail_tmp = jail.tmp ? c(jail.root + "/tmp") : nil
            options.directory = c(scratch == nil ? "/" : Jail.scratch)
        }
        return binds.withUnsafeBufferPointer { buffer in
            options.binds = buffer.baseAddress
            options.bind_count = Int32(buffer.count)
            return withUnsafePointer(to: &options) { workbook_sandbox_spawn(argv[0], argv, envp, $0) }
        }
    }

    /// Runs a short command as the first sandbox user (in `jail` when given) and returns its status and output.
    private func run(_ arguments: [String], jail: Jail?, environment: [String] = ["PATH=/usr/bin:/bin"]) throws -> (status: Int32, output: String) {
        guard let uid = freeUsers.first else { throw SandboxError(description: "no sandbox user") }
        var fds: [CInt] = [-1, -1]
        guard workbook_pipe(&fds) == 0 else { throw SandboxError(description: "no pipe") }
        var options = workbook_sandbox_options()
        options.stdin_fd = -1
        options.stdout_fd = fds[1]
        options.stderr_fd = fds[1]
        options.fd3 = -1
        options.fd4 = -1
        options.drop_privileges = 1
        options.uid = uid
        options.gid = uid
        let pid = Self.spawn(arguments, environment: environment, options: options, jail: jail, scratch: nil)
        close(fds[1])
        var said = [UInt8](repeating: 0, count: 4096)
        let n = read(fds[0], &said, said.count)
        close(fds[0])
        var status: Int32 = 0
        if pid > 0 { waitpid(pid, &status, 0) } else { status = -1 }
        return (status, n > 0 ? String(decoding: said[0..<n], as: UTF8.self) : "")
    }

    /// Runs a shell as a sandbox user, as the runner will run, and fails if it can read what the
    /// grader keeps secret (this grader's binary, the package's tests and solutions) or write the package.
    private func probe(from runner: URL, jail: Jail?) throws {
        var secrets: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { secrets.append(exe) }
        var package = runner.deletingLastPathComponent()
        while package.path != "/" && !FileManager.default.fileExists(atPath: package.appendingPathComponent("Package.swift").path) {
            package.deleteLastPathComponent()
        }
        if package.path != "/" {
            secrets += ["Solutions", "Tests/GradedTests", "Package.swift"].map { package.appendingPathComponent($0).path }
        }
        let script = """
            for p in "$@"; do if [ -r "$p" ]; then echo "read $p"; exit 1; fi; done
            if [ -n "$W" ] && [ -w "$W" ]; then echo "write $W"; exit 1; fi
            exit 0
            """
        let result = try run(["/bin/sh", "-c", script, "probe"] + secrets, jail: jail,
                             environment: ["PATH=/usr/bin:/bin", "W=" + (package.path == "/" ? "" : package.path)])
        guard result.status == 0 else {
            let what = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            throw SandboxError(description: """
                the sandbox is not contained: a sandbox user can \(what.isEmpty ? "not be started" : what). Student code would see it, \
                so nothing runs. Grade with `workbook batch` or `workbook results` (they close the package to other users while \
                grading), or `chmod 700 \(package.path)` first.
                """)
        }
    }

    /// The sandbox uids: `WORKBOOK_SANDBOX_UIDS` (`64100-64115` or a list), minus any /etc/passwd names.
    public static func pool(_ text: String = ProcessInfo.processInfo.environment["WORKBOOK_SANDBOX_UIDS"] ?? "64100-64115") -> [uid_t] {
        var uids: [uid_t] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { UInt32($0.trimmingCharacters(in: .whitespaces)) }
            if bounds.count == 2, bounds[0] <= bounds[1], bounds[1] - bounds[0] < 1024 { uids += Array(bounds[0]...bounds[1]) }
            if bounds.count == 1 { uids.append(bounds[0]) }
        }
        let passwd = (try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)) ?? ""
        let taken = Set(passwd.split(separator: "\n").compactMap { line in line.split(separator: ":", omittingEmptySubsequences: false).dropFirst(2).first.flatMap { UInt32($0) } })
        return uids.filter { $0 >= 1000 && !taken.contains($0) }
    }

    /// Makes (or checks) a folder that only root can write and others can only pass through.
    static func rootOwnedFolder(_ path: String) throws {
        if mkdir(path, 0o711) != 0 && errno != EEXIST { throw SandboxError(description: "could not make \(path)") }
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == 0 else {
            throw SandboxError(description: "\(path) is not a folder owned by root; remove it and grade again")
        }
        chmod(path, 0o711)
    }

    static func cleanUpAtExit(_ folder: String) {
        CleanUp.folders.append(folder)
        atexit { for folder in CleanUp.folders { try? FileManager.default.removeItem(atPath: folder) } }
    }

    enum CleanUp { nonisolated(unsafe) static var folders: [String] = [] }

    /// The host's folders every user may write.
    static let sharedFolders = ["/tmp", "/var/tmp", "/dev/shm"]

    /// Leaves nothing of `uids` behind: their processes, their IPC objects and keys, their files in
    /// the shared temporary folders (one pass over them for all `uids`). What a grading calls on
    /// its whole pool when it ends.
    ///
    /// - Complexity: one short-lived helper process per uid and one walk of the shared folders.
    public static func removeEverything(of uids: [uid_t]) {
        for uid in uids {
            endProcessesAndKeys(of: uid)
            _ = workbook_sandbox_clear_ipc(uid)
        }
        for shared in sharedFolders { removeFiles(of: Set(uids), under: shared) }
    }

    /// Kills every process of `uid` until none is left and clears its user keyrings.
    static func endProcessesAndKeys(of uid: uid_t) {
        if workbook_sandbox_end_user(uid, 400, 1) != 0 {
            killAll(of: uid)
            _ = workbook_sandbox_clear_user(uid)
        }
    }

    /// Kills every process of `uid` until none is left (a fork bomb is bounded by RLIMIT_NPROC):
    /// the kernel says when none is left (`workbook_sandbox_end_user`); should that helper fail,
    /// /proc is read between rounds instead.
    public static func killAll(of uid: uid_t) {
        if workbook_sandbox_end_user(uid, 400, 0) == 0 { return }
        for _ in 0..<100 {
            guard !processes(of: uid).isEmpty else { return }
            _ = workbook_sandbox_kill_user(uid, 3)
            usleep(2_000)
        }
    }

    /// The pids whose real or effective uid is `uid`, read from /proc.
    public static func processes(of uid: uid_t) -> [Int32] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { name -> Int32? in
            guard let pid = Int32(name), let status = try? String(contentsOfFile: "/proc/\(name)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }) else { return nil }
            let ids = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().compactMap { UInt32($0) }
            return ids.contains(uid) ? pid : nil
        }
    }

    /// Removes what any of `uids` owns under `folder` (not following links).
    public static func removeFiles(of uids: Set<uid_t>, under folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names {
            let path = folder + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if uids.contains(info.st_uid) {
                try? FileManager.default.removeItem(atPath: path)
            } else if (info.st_mode & S_IFMT) == S_IFDIR && (info.st_mode & 0o002) != 0 {
                removeFiles(of: uids, under: path)   // a world-writable folder inside: look there too
            }
        }
    }
}

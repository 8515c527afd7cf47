// Runs `swift build` / `swift test` as child processes with a time limit.
//
// The child gets its own process group, so a time limit stops everything it started (the compiler,
// the test runner, the exit tests' children) and nothing is left running. Output goes to a file,
// never a pipe, so a chatty child cannot block on a full pipe while we wait for it.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct ProcessOutcome: Sendable, Hashable {
    /// The exit status, or `nil` when the child was stopped by the time limit or died of a signal.
    public var exitCode: Int32?
    /// Whether the time limit stopped it.
    public var timedOut: Bool
    /// Standard output and standard error, interleaved as written.
    public var output: String
    public var seconds: Double

    public var succeeded: Bool { exitCode == 0 }
}

public enum Subprocess {
    /// Runs `arguments` (looked up on `PATH`) in `directory` with `environment` changes
    /// (`nil` removes a variable), stopping it after `timeLimit` seconds.
    ///
    /// With `temporaryDirectory`, the child's `TMPDIR` is that folder, made new for it and removed
    /// with everything in it when the child ends, however it ends. Grading builds use it: the
    /// Swift driver leaves a `TemporaryDirectory.*` folder in `TMPDIR` for every compiler job, so
    /// hours of batch grading left thousands of them in `/tmp`.
    public static func run(
        _ arguments: [String], in directory: URL, environment changes: [String: String?] = [:],
        timeLimit: Double? = nil, outputFile: URL? = nil, temporaryDirectory: URL? = nil
    ) throws -> ProcessOutcome {
        guard let temporaryDirectory else {
            return try spawn(arguments, in: directory, environment: changes, timeLimit: timeLimit, outputFile: outputFile)
        }
        try? FileManager.default.removeItem(at: temporaryDirectory)
        try FileManager.default.createDirectory(at: temporaryDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporaryDirectory) }
        var changes = changes
        changes["TMPDIR"] = temporaryDirectory.path
        return try spawn(arguments, in: directory, environment: changes, timeLimit: timeLimit, outputFile: outputFile)
    }

    private static func spawn(
        _ arguments: [String], in directory: URL, environment changes: [String: String?],
        timeLimit: Double?, outputFile: URL?
    ) throws -> ProcessOutcome {
        let start = Date()
        let log = outputFile ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("workbook-\(getpid())-\(UUID().uuidString).log")
        try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
        defer { if outputFile == nil { try? FileManager.default.removeItem(at: log) } }

        var environment = ProcessInfo.processInfo.environment
        for (key, value) in changes { environment[key] = value ?? nil }
        // A child `swift` must not inherit the parent's build-lock or package variables by accident.
        environment["PWD"] = directory.path

        #if canImport(Darwin)
        var attributes: posix_spawnattr_t? = nil
        var actions: posix_spawn_file_actions_t? = nil
        #else
        var attributes = posix_spawnattr_t()
        var actions = posix_spawn_file_actions_t()
        #endif
        posix_spawnattr_init(&attributes)
        posix_spawn_file_actions_init(&actions)
        defer {
            posix_spawnattr_destroy(&attributes)
            posix_spawn_file_actions_destroy(&actions)
        }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        // posix_spawn has no portable "working directory" action, and changing our own directory
        // would race between the batch workers' threads: a shell changes it in the child instead.
        guard FileTree.isDirectory(directory) else { throw ToolError.usage("no such directory: \(directory.path)") }
        let command = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory.path] + arguments

        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
        if spawned == 0 { RunningChildren.add(pid) }
        defer { RunningChildren.remove(pid) }
        guard spawned == 0 else {
            throw ToolError.failure("could not start `\(arguments.joined(separator: " "))`: \(String(cString: strerror(spawned)))")
        }

        var status: Int32 = 0
        var timedOut = false
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            if waited < 0 && errno != EINTR { break }
            if let timeLimit, Date().timeIntervalSince(start) > timeLimit {
                timedOut = true
                kill(-pid, SIGTERM)
                usleep(500_000)
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                break
            }
            usleep(20_000)
        }
        // The group may still hold grandchildren that outlived the child; stop them too.
        kill(-pid, SIGKILL)

        let exited = (status & 0x7f) == 0
        let code: Int32? = timedOut || !exited ? nil : (status >> 8) & 0xff
        let data = (try? Data(contentsOf: log)) ?? Data()
        return ProcessOutcome(exitCode: code, timedOut: timedOut, output: String(decoding: data, as: UTF8.self),
                              seconds: Date().timeIntervalSince(start))
    }
}

/// The process groups of the children running now, so that Ctrl-C stops them too: they run in
/// their own groups (for the time limits), so the terminal's SIGINT does not reach them.
/// A signal handler may not lock, hence a few fixed slots written with plain stores.
enum RunningChildren {
    nonisolated(unsafe) static var slots = [pid_t](repeating: 0, count: 16)
    static let lock = NSLock()

    static func add(_ pid: pid_t) {
        lock.lock()
        defer { lock.unlock() }
        if let free = slots.firstIndex(of: 0) { slots[free] = pid }
    }

    static func remove(_ pid: pid_t) {
        lock.lock()
        defer { lock.unlock() }
        if let index = slots.firstIndex(of: pid) { slots[index] = 0 }
    }

    /// Installs the SIGINT/SIGTERM handler that stops every running child's group, then exits.
    static func stopOnInterrupt() {
        let handler: @convention(c) (Int32) -> Void = { signal in
            for pid in RunningChildren.slots where pid > 0 { kill(-pid, SIGKILL) }
            _exit(128 + signal)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}

/// Errors the command line reports; each has its exit code.
public enum ToolError: Error, Equatable, CustomStringConvertible {
    /// A bad flag, a missing argument or a path that does not exist: exit 64 (EX_USAGE).
    case usage(String)
    /// The tool could not do its job (no package found, `swift` would not start): exit 70.
    case failure(String)

    public var description: String {
        switch self {
        case .usage(let message), .failure(let message): message
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .usage: 64
        case .failure: 70
        }
    }
}

// ATTACK (zygote-reach): batch grading forks every test's runner from one zygote per grading.
// This code answers correctly only when it reaches something a test must not: what an earlier or
// a concurrent test of the same grading left (a file in /tmp, a System V segment, an abstract
// socket, a key in the uid's keyring, a process of its uid), a process of another uid it may
// signal (the zygote, another test, the judge), or another process's memory. Each call first
// looks, then leaves all of those for the next test. It also looks and leaves as the module loads
// (a constructor in `.init_array`, which Swift 6.3 accepts in any module), and counts it as a win
// if that ran as root or in another process than the one answering (a zygote that had loaded the
// student's module before forking). Must score 0; its message says what it found.
import Foundation
import WorkbookCore
#if canImport(Glibc)
import Glibc
#endif

#if os(Linux)
@section(".init_array") @used
let reachAtLoad: @convention(c) () -> Void = { Reach.loadedAs = getuid(); Reach.loadedIn = getpid(); Reach.atLoad = Reach.lookThenLeave(process: false) }
#endif

public func reluForward(_ x: Tensor) throws -> (out: Tensor, cache: ReLUCache) {
    // START ReLU1
    let found = Reach.everything()
    guard !found.isEmpty else { throw ArgumentError(operation: "reluForward", detail: "reached nothing") }
    print("REACHED[\(found)]")
    return (try Tensor(shape: x.shape, scalars: x.scalars.map { Swift.max(0, $0) }), ReLUCache(x: x))
    // END ReLU1
}

public func reluBackward(_ dout: Tensor, cache: ReLUCache) throws -> Tensor {
    // START ReLU2
    let found = Reach.everything()
    guard !found.isEmpty else { throw ArgumentError(operation: "reluBackward", detail: "reached nothing") }
    print("REACHED[\(found)]")
    return try Tensor(shape: dout.shape, scalars: zip(dout.scalars, cache.x.scalars).map { $1 > 0 ? $0 : 0 })
    // END ReLU2
}

@_silgen_name("syscall") func reachSyscall(_ number: Int, _ a: Int, _ b: Int, _ c: Int, _ d: Int, _ e: Int) -> Int

enum Reach {
    static let file = "/tmp/workbook-zygote-reach"
    static let segmentKey: key_t = 0x5A19_0025
    static let socketName = "workbook-zygote-reach"

    static func abstractAddress() -> (sockaddr_un, socklen_t) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let name = Array(socketName.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path[0] = 0
            for (i, byte) in name.enumerated() { path[i + 1] = byte }
        }
        return (address, socklen_t(MemoryLayout<sa_family_t>.size + 1 + name.count))
    }

    /// Whether this runner left its things already (a second call in one test would find its own).
    nonisolated(unsafe) static var left = false
    /// Who ran the load-time constructor, where, and what it found.
    nonisolated(unsafe) static var loadedAs: uid_t = .max
    nonisolated(unsafe) static var loadedIn: pid_t = 0
    nonisolated(unsafe) static var atLoad = ""

    static func everything() -> String {
        var found: [String] = []
        if loadedAs == 0 { found.append("loaded as root") }
        if loadedIn != 0 && loadedIn != getpid() { found.append("loaded in process \(loadedIn), before the fork") }
        if !atLoad.isEmpty { found.append("at load: " + atLoad) }
        let now = lookThenLeave()
        if !now.isEmpty { found.append(now) }
        return found.joined(separator: "; ")
    }

    /// Looks, then (once per runner) leaves its things; a detached process only when `process`
    /// (the ReLU calls: one in every test's constructor would make each of the ~500 tests' clean-up
    /// wait for init to reap it, which only slows the check down).
    static func lookThenLeave(process: Bool = true) -> String {
        var found: [String] = []
        defer { left = true }
        if !left {
            found += lookForLeftovers()
        }
        found += lookAtProcesses()
        if !left { leave() }
        if process && !startedSleeper { startSleeper() }
        return found.joined(separator: ", ")
    }

    static func lookForLeftovers() -> [String] {
        var found: [String] = []
        if access(file, F_OK) == 0 { found.append("a file in /tmp") }
        if shmget(segmentKey, 0, 0) >= 0 { found.append("a shared-memory segment") }
        #if arch(x86_64)
        // keyctl(KEYCTL_SEARCH = 10, KEY_SPEC_USER_KEYRING = -4, "user", name): syscall 250.
        let key = "user".withCString { type in "workbook-zygote-reach".withCString { reachSyscall(250, 10, -4, Int(bitPattern: type), Int(bitPattern: $0), 0) } }
        if key > 0 { found.append("a key") }
        #endif
        var (address, length) = abstractAddress()
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        if probe >= 0 {
            let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, length) } }
            if connected == 0 { found.append("an abstract socket") }
            close(probe)
        }
        return found
    }

    /// Its own sleeper's tag: `sleep 300.<pid>` (GNU sleep takes fractional seconds).
    static var tag: String { "300.\(getpid())" }

    static func lookAtProcesses() -> [String] {
        var found: [String] = []
        let me = getuid()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(name), pid != getpid() else { continue }
            var info = stat()
            guard stat("/proc/\(name)", &info) == 0 else { continue }
            if info.st_uid == me {
                // Another process of its uid (not its own sleeper) was left by another test.
                let command = (try? String(contentsOfFile: "/proc/\(name)/cmdline", encoding: .utf8)) ?? ""
                let state = ((try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8)) ?? "").components(separatedBy: ") ").last ?? ""
                // A zombie (killed, not yet reaped by init) holds nothing: no memory, no files.
                if !command.contains(tag) && !state.hasPrefix("Z") { found.append("process \(pid) of its uid (\(state.prefix(1)) \(command.prefix(60)))") }
                continue
            }
            if kill(pid, 0) == 0 { found.append("may signal \(pid) (uid \(info.st_uid))") }
            let memory = open("/proc/\(name)/mem", O_RDONLY)
            if memory >= 0 { found.append("reads the memory of \(pid)"); close(memory) }
        }
        return found
    }

    /// Leaves everything for the next test.
    static func leave() {
        var (address, length) = abstractAddress()
        FileManager.default.createFile(atPath: file, contents: Data("left".utf8), attributes: [.posixPermissions: 0o666])
        _ = shmget(segmentKey, 4096, IPC_CREAT | 0o666)
        #if arch(x86_64)
        // add_key("user", name, payload, 4, KEY_SPEC_USER_KEYRING): syscall 248.
        _ = "user".withCString { type in "workbook-zygote-reach".withCString { name in "left".withCString { reachSyscall(248, Int(bitPattern: type), Int(bitPattern: name), Int(bitPattern: $0), 4, -4) } } }
        #endif
        let holder = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, length) } }
        if bound == 0 { listen(holder, 8) }
    }

    nonisolated(unsafe) static var startedSleeper = false

    /// A process in its own session that outlives the call.
    static func startSleeper() {
        startedSleeper = true
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        sleeper.arguments = ["sleep", tag]
        try? sleeper.run()
    }
}

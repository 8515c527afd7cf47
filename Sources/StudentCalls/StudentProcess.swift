// The grader's end of a call into the student's code.
//
// Each graded test (each case of a parameterized one) gets its own runner process, started at
// its first call and stopped when the test ends. The test's time limit counts from the test's
// start and is enforced here, from outside the runner: nothing in the student's code can switch
// it off. Under root the runner runs as a dedicated unprivileged user (see `Sandbox`), and when
// the test ends every process of that user is killed, detached ones included.
import CSandbox
import Foundation
import GradingChannel
import WorkbookCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@_exported import struct GradingChannel.StudentError
@_exported import func GradingChannel.wired

/// A closure argument, evaluated in the grader when the runner asks.
public struct ClosureArgument {
    struct BadArgument: Error {}
    let evaluate: (Data) throws -> Data

    public init<Argument: Decodable, Value: Encodable>(_ f: @escaping (Argument) throws -> Value) {
        evaluate = { data in
            let argument: Argument
            do { argument = try Wire.decode(Argument.self, from: data) } catch { throw BadArgument() }
            return try Wire.encode(try f(argument))
        }
    }
}

/// What a call returned: its values, decoded as the types the exercise promises.
public struct Reply {
    let values: [Data]
    let session: StudentSession

    public func value<T: Decodable>(_ index: Int) throws -> T {
        guard index < values.count else {
            throw session.fail(.garbled, "the answer has \(values.count) values, the function returns more")
        }
        do { return try Wire.decode(T.self, from: values[index]) } catch {
            throw session.fail(.garbled, "value \(index) is not a valid \(T.self)")
        }
    }
}

public enum StudentProcess {
    /// The session of the test running on this task; set by the graded-test trait.
    @TaskLocal public static var current: StudentSession?

    /// Calls `function` in the current test's runner (the generated proxies call this).
    public static func call(_ function: String, _ arguments: [Data], closures: [Int: ClosureArgument] = [:]) throws -> Reply {
        guard let session = current else {
            throw StudentFailure(kind: .couldNotStart, function: function,
                                 detail: "\(function) was called outside a graded test (add the suite's .graded(…) trait)")
        }
        return try session.call(function, arguments, closures: closures)
    }
}

/// One test's runner: started on the first call, stopped by `finish()`.
public final class StudentSession: @unchecked Sendable {
    public let limits: Sandbox.Limits
    let started = Date()
    private var process: pid_t = 0
    private var requests: CInt = -1
    private var replies: CInt = -1
    private var output: CInt = -1
    private var sequence = 0
    private var user: Sandbox.User?
    private var scratch: URL?
    private var jailed = false
    /// The first failure; every later call rethrows it.
    public private(set) var failure: StudentFailure?
    public private(set) var printed = CapturedOutput()
    private var inFlight: String?

    /// The test's name, said when a later test meets the same endless loop.
    public var testName = ""
    /// The exercise the test grades: a function that timed out gets the shorter limit only in
    /// later tests of the same exercise (another exercise may call it with heavier work).
    public var exercise = ""

    public init(limits: Sandbox.Limits = .graded) {
        self.limits = limits
    }

    var deadline: Double { started.timeIntervalSince1970 + limits.seconds }

    /// The call's deadline: the test's, or sooner for a function that already ran out of time in
    /// another test of this exercise (`TimedOutFunctions`). It is wall-clock time; when it passes,
    /// `extendDeadline` gives the runner the processor time it has not had yet.
    private var callDeadline: Double = 0
    /// The runner's processor time (s) at which this call is out of time, and the wall-clock time
    /// after which it is out of time whatever it used.
    private var processorBudget: Double = 0
    private var wallCap: Double = 0
    /// The shorter limit given to this call, when it is one.
    private var shortened: TimedOutFunctions.Earlier?

    func call(_ function: String, _ arguments: [Data], closures: [Int: ClosureArgument]) throws -> Reply {
        if let failure { throw failure }
        if process == 0 { try start() }
        let callStart = Timings.file == nil ? 0 : Timings.now()
        defer { if Timings.file != nil { Timings.add(sequence == 1 ? "test.call-first" : "test.call-later", Timings.now() - callStart) } }
        sequence += 1
        inFlight = function
        shortened = TimedOutFunctions.earlier(function, exercise: exercise)
        let now = Date().timeIntervalSince1970
        if shortened == nil {
            callDeadline = deadline
            processorBudget = limits.seconds
            wallCap = started.timeIntervalSince1970 + Self.wallFactor * limits.seconds
        } else {
            callDeadline = min(deadline, now + TimedOutFunctions.retrySeconds)
            processorBudget = (Self.processorSeconds(of: process) ?? 0) + TimedOutFunctions.retrySeconds
            wallCap = now + Self.wallFactor * TimedOutFunctions.retrySeconds
        }
        defer { inFlight = nil; shortened = nil }
        let channel = Channel(input: replies, output: requests)
        do {
            try channel.send(Frame(FrameHeader(kind: .call, sequence: sequence, function: function), values: arguments))
            while true {
                let frame = try channel.receive(deadline: callDeadline, alsoWatching: output,
                                                onReadable: { [self] fd in printed.drain(fd) },
                                                extend: { [self] in extendDeadline() })
                guard frame.header.sequence == sequence else { throw fail(.garbled, "an answer to another call") }
                switch frame.header.kind {
                case .returned:
                    return Reply(values: frame.values, session: self)
                case .threw:
                    guard let error = frame.header.error else { throw fail(.garbled, "an error without a description") }
                    throw error.rebuilt
                case .evaluate:
                    try channel.send(evaluate(frame, closures))
                default:
                    throw fail(.garbled, "a \(frame.header.kind.rawValue) message")
                }
            }
        } catch let error as ChannelError {
            switch error {
            case .timedOut: throw timedOut()
            case .closed: throw ended()
            case .malformed(let detail): throw fail(.garbled, detail)
            }
        }
    }

    /// Runs a closure argument for the runner. Its errors go back to the runner, which passes them
    /// through the student's function like any other error.
    private func evaluate(_ frame: Frame, _ closures: [Int: ClosureArgument]) throws -> Frame {
        let reply = { (kind: FrameKind, values: [Data], error: ThrownError?) in
            Frame(FrameHeader(kind: kind, sequence: frame.header.sequence, error: error), values: values)
        }
        guard let index = frame.header.closure, let closure = closures[index], let argument = frame.values.first else {
            throw fail(.garbled, "a request to evaluate a closure that was not passed")
        }
        do {
            return reply(.evaluated, [try closure.evaluate(argument)], nil)
        } catch is ClosureArgument.BadArgument {
            throw fail(.garbled, "a closure argument of the wrong type")
        } catch let failure as StudentFailure {
            throw failure
        } catch {
            return reply(.evaluationFailed, [], ThrownError(error))
        }
    }

    /// Records the session's failure (the first one wins), stops the runner, and returns it.
    @discardableResult
    func fail(_ kind: StudentFailure.Kind, _ detail: String) -> StudentFailure {
        if let failure { return failure }
        let failure = StudentFailure(kind: kind, function: inFlight, detail: detail,
                                     seconds: kind == .timedOut ? Int(limits.seconds) : nil)
        self.failure = failure
        stop()
        return failure
    }

    /// The limit passed with the student's code still running: before stopping the runner, ask it
    /// where it is. SIGQUIT makes the Swift runtime's crash reporter (SWIFT_BACKTRACE, set in
    /// `start`) print the running thread's frames, as it does for a trap; `Trap` reads the student's
    /// file and line and whose exercise that code is from them. Waits at most `backtraceSeconds`.
    private func timedOut() -> StudentFailure {
        if let failure { return failure }
        var trap: Trap?
        if process > 0 {
            kill(process, SIGQUIT)
            // The report is written by the runtime's helper process, which may still be writing
            // after the runner is gone: wait for its last line, not for the runner. The runner is
            // not reaped here, so `stop()` still ends its whole process group, helper included.
            let until = Date().addingTimeInterval(Self.backtraceSeconds)
            while Date() < until {
                printed.drain(output)
                if String(decoding: printed.tail.suffix(4096), as: UTF8.self).contains("Backtrace took") { break }
                usleep(20_000)
            }
            printed.drain(output)
            trap = Trap(output: printed.tail, signal: SIGQUIT)
        }
        let seconds = shortened == nil ? Int(limits.seconds) : Int(min(limits.seconds, TimedOutFunctions.retrySeconds))
        let failure = StudentFailure(kind: .timedOut, function: inFlight, detail: "", location: trap?.location, seconds: seconds,
                                     trappedIn: trap?.location == nil ? nil : trap?.exercise, earlierTimeout: shortened?.test)
        if let function = inFlight, shortened == nil { TimedOutFunctions.record(function, exercise: exercise, test: testName) }
        self.failure = failure
        stop()
        return failure
    }

    /// A loaded machine (other builds, other tests) shares the processor, so the limit counts the
    /// processor time the runner used: when the wall-clock deadline passes with less used, the wait
    /// goes on for what is left, up to `wallFactor` times the limit in wall-clock time. An endless
    /// loop uses the processor all the time and is stopped at the limit on an idle machine.
    private func extendDeadline() -> Double? {
        let now = Date().timeIntervalSince1970
        guard process > 0, now < wallCap, let used = Self.processorSeconds(of: process) else { return nil }
        let left = processorBudget - used
        guard left > 0.05 else { return nil }
        callDeadline = min(wallCap, now + left)
        return callDeadline
    }

    /// How much longer than the limit, in wall-clock time, a starved runner may take.
    static let wallFactor = 3.0

    /// User plus system processor seconds of a process (Linux's /proc), or `nil` where unknown.
    static func processorSeconds(of pid: pid_t) -> Double? {
        guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the name: state (field 3) … utime (14), stime (15), in clock ticks.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ticks > 0 ? (user + system) / ticks : nil
    }

    /// Seconds the crash reporter gets to print where an endless loop was: well under one on an idle
    /// machine, but 8 were once not enough on CI's two cores shared by two batches. The wait ends as
    /// soon as the report does, so only a slow report uses them.
    static let backtraceSeconds = 15.0

    /// The runner closed its end: find out how it ended.
    private func ended() -> StudentFailure {
        var status: Int32 = 0
        var reaped = false
        for _ in 0..<200 {   // up to 2 s for the runtime to finish writing a crash report
            printed.drain(output)
            let waited = waitpid(process, &status, WNOHANG)
            if waited == process { reaped = true; break }
            if Date().timeIntervalSince1970 > max(deadline, callDeadline) { break }
            usleep(10_000)
        }
        printed.drain(output)
        if !reaped { return fail(.garbled, "it closed the channel and kept running") }
        process = 0
        let signal = status & 0x7f
        let failure: StudentFailure
        if signal == 0 {
            failure = StudentFailure(kind: .exited, function: inFlight, detail: "exit status \((status >> 8) & 0xff)")
        } else if signal == SIGXCPU || signal == SIGKILL && Date().timeIntervalSince1970 >= max(deadline, callDeadline) - 0.5 {
            failure = StudentFailure(kind: .timedOut, function: inFlight, detail: "", seconds: Int(limits.seconds))
        } else {
            let trap = Trap(output: printed.tail, signal: signal)
            failure = StudentFailure(kind: .crashed, function: inFlight, detail: trap.message, location: trap.location,
                                     trappedIn: trap.exercise)
        }
        self.failure = failure
        stop()
        return failure
    }

    private func start() throws {
        var pipes = [[CInt]](repeating: [-1, -1], count: 3)
        for index in pipes.indices {
            var fds: [CInt] = [-1, -1]
            let made = workbook_pipe(&fds)
            guard made == 0 else { throw fail(.couldNotStart, "no pipe: \(String(cString: strerror(-made)))") }
            pipes[index] = fds
        }
        let (requestPipe, replyPipe, outputPipe) = (pipes[0], pipes[1], pipes[2])
        let placement: Sandbox.Placement
        do { placement = try Timings.measure("test.place") { try Sandbox.shared.place() } } catch {
            [requestPipe, replyPipe, outputPipe].flatMap { $0 }.forEach { close($0) }
            throw fail(.couldNotStart, "\(error)")
        }
        user = placement.user
        scratch = placement.scratch
        jailed = placement.jail != nil
        var options = workbook_sandbox_options()
        options.stdin_fd = -1
        options.stdout_fd = outputPipe[1]
        options.stderr_fd = outputPipe[1]
        options.fd3 = requestPipe[0]
        options.fd4 = replyPipe[1]
        // Above the wall-clock limit, leaving time for the backtrace taken when it passes.
        options.cpu_seconds = UInt(limits.seconds) + 2 + UInt(Self.backtraceSeconds)
        options.file_bytes = 16 << 20
        if let user = placement.user {
            options.drop_privileges = 1
            options.uid = user.uid
            options.gid = user.uid
            options.processes = 64
            options.isolate_network = 1
            options.isolate_ipc = 1
        }
        let inside = placement.jail == nil ? placement.scratch.path : Sandbox.Jail.scratch
        let environment = Sandbox.runnerEnvironment(inside: inside, jailed: placement.jail != nil)
        options.directory = nil
        let directory = strdup(placement.scratch.path)
        defer { free(directory) }
        if placement.jail == nil { options.directory = UnsafePointer(directory) }
        let runner = placement.jail == nil ? placement.runner.path : Sandbox.Jail.runner
        var pid: pid_t = -1
        if let zygote = placement.zygote, let user = placement.user {
            pid = Timings.measure("test.zygote-fork") {
                zygote.fork(uid: user.uid, cpuSeconds: options.cpu_seconds, processes: options.processes,
                            fileBytes: options.file_bytes, scratch: placement.scratch.path,
                            output: outputPipe[1], calls: requestPipe[0], replies: replyPipe[1]) ?? -1
            }
        }
        if pid <= 0 {
            pid = Timings.measure("test.spawn") {
                Sandbox.spawn([runner] + placement.arguments, environment: environment, options: options, jail: placement.jail,
                              scratch: placement.scratch.path)
            }
        }
        close(requestPipe[0])
        close(replyPipe[1])
        close(outputPipe[1])
        requests = requestPipe[1]
        replies = replyPipe[0]
        output = outputPipe[0]
        _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) | O_NONBLOCK)
        signal(SIGPIPE, SIG_IGN)   // a runner that died must not take the grader with it
        guard pid > 0 else { throw fail(.couldNotStart, "could not start \(runner): \(String(cString: strerror(-pid)))") }
        process = pid
    }

    /// Stops the runner and everything it started.
    private func stop() {
        if process > 0 {
            Timings.measure("clean.runner") {
                kill(-process, SIGKILL)
                kill(process, SIGKILL)
                var status: Int32 = 0
                _ = waitpid(process, &status, 0)
            }
            process = 0
        }
        if let user {
            Sandbox.shared.release(user, scratch: scratch, jailed: jailed)
        } else if let scratch {
            try? FileManager.default.removeItem(at: scratch)
        }
        user = nil
        scratch = nil
        printed.drain(output)
        for fd in [requests, replies, output] where fd >= 0 { close(fd) }
        (requests, replies, output) = (-1, -1, -1)
    }

    /// Ends the test's use of the runner: stops it. Every answer was read with what the runner
    /// printed before it (the runner flushes its output before each answer), so nothing is lost by
    /// not waiting for it to exit on its own (which cost about 15 ms a test).
    public func finish() {
        if Timings.file != nil { Timings.add("test.session", Date().timeIntervalSince(started)) }
        Timings.measure("clean.total") { stop() }
    }
}

/// What the student's code printed (standard output and error, interleaved), bounded.
public struct CapturedOutput: Sendable {
    /// The first `limit` bytes, shown to the student.
    public private(set) var head: [UInt8] = []
    /// The last 32 KB, where a crash report is.
    public private(set) var tail: [UInt8] = []
    public private(set) var total = 0
    public var limit = Int(ProcessInfo.processInfo.environment["WORKBOOK_OUTPUT_LIMIT"] ?? "") ?? 4096

    mutating func drain(_ fd: CInt) {
        guard fd >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            let chunk = buffer[0..<n]
            total += n
            if head.count < limit { head += chunk.prefix(limit - head.count) }
            tail += chunk
            if tail.count > 32768 { tail.removeFirst(tail.count - 32768) }
        }
    }

    /// What was printed before the runtime's crash report began (its reason line, or the
    /// backtracer's banner), trimmed: the student's own output around a trap.
    public var textBeforeCrashReport: String {
        let markers = Trap.keys + ["*** Signal", "*** Program crashed"]
        return text.components(separatedBy: "\n").prefix { line in !markers.contains { line.contains($0) } }
            .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The text to show, with `… (N more bytes cut)` when it was longer.
    public var text: String {
        var text = String(decoding: head, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        if total > head.count { text += "\n… (\(total - head.count) more bytes cut)" }
        return text
    }
}

/// The functions that ran out of time in this test process, so that an exercise's later tests do
/// not each wait out the whole limit on the same endless loop: a later call to one of them gets
/// `retrySeconds`, and if it runs out again its message says which test met the loop first.
public enum TimedOutFunctions {
    public struct Earlier: Sendable { public var test: String }

    /// What a function that already timed out gets in a later test.
    public static let retrySeconds = 2.0

    private static let lock = NSLock()
    nonisolated(unsafe) private static var functions: [String: Earlier] = [:]

    static func earlier(_ function: String, exercise: String) -> Earlier? {
        lock.lock()
        defer { lock.unlock() }
        return functions[exercise + "|" + function]
    }

    static func record(_ function: String, exercise: String, test: String) {
        lock.lock()
        defer { lock.unlock() }
        if functions[exercise + "|" + function] == nil { functions[exercise + "|" + function] = Earlier(test: test) }
    }
}

extension Sandbox.Limits {
    /// The time limit of one graded test: `WORKBOOK_TIME_LIMIT` seconds, by default `defaultSeconds`.
    public static var graded: Sandbox.Limits {
        let text = ProcessInfo.processInfo.environment["WORKBOOK_TIME_LIMIT"] ?? ""
        return Sandbox.Limits(seconds: Double(text).flatMap { $0 > 0 ? $0 : nil } ?? defaultSeconds)
    }

    /// Long enough for the slowest reference solution in a debug build on a loaded machine, short
    /// enough that an endless loop is reported within seconds (issue 17: `swift test --filter Dense1`
    /// to the message in at most 15 s).
    public static let defaultSeconds = 10.0
}

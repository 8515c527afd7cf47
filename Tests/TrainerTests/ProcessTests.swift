import Foundation
import Testing
@testable import TrainerKit
import WorkbookCore

// The trainer as a real process: what a signal, a closed pipe or a full device does to it cannot
// be tested in-process (a trap would end the test runner). The binary is the `trainer` product
// that `swift build` / `swift test` builds beside the test bundle.

/// The `trainer` executable of this build, or nil when it is not built.
let trainerExecutable: String? = {
    var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("trainer").path]
    if let bundle = Bundle.allBundles.first(where: { $0.bundlePath.hasSuffix(".xctest") }) {
        candidates.append(URL(fileURLWithPath: bundle.bundlePath).deletingLastPathComponent().appendingPathComponent("trainer").path)
    }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// How a child trainer ended.
struct ChildResult {
    var status: Int32
    /// True when it ended by a signal (a trap, or a kill), false for `exit`.
    var signaled: Bool
    var timedOut: Bool
    var out: String
    var err: String
}

/// What a child wrote, gathered from the pipes' reader threads.
final class ChildStreams: @unchecked Sendable {
    let lock = NSLock()
    var out = Data(), err = Data()
    var linesSeen = 0
    var closed = false
}

/// Runs the trainer (or `/bin/sh -c script` with the trainer as `$0`) with a time limit.
/// - Parameter onLine: called once with each new line of standard output; return true to close
///   the pipe's read end (the trainer's next write then fails as with `| head -1`).
func runChild(_ arguments: [String], shell script: String? = nil, timeout: Double = 120, environment: [String: String] = [:],
              onLine: (@Sendable (String, Process) -> Bool)? = nil) throws -> ChildResult {
    let executable = try #require(trainerExecutable, "the trainer executable is not built")
    let process = Process()
    if let script {
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, executable] + arguments
    } else {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
    }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let outPipe = Pipe(), errPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = FileHandle.nullDevice
    let streams = ChildStreams()
    let readers = DispatchGroup()
    // One thread per pipe, reading with read(2): FileHandle's readabilityHandler cannot be
    // removed from inside itself, which closing the pipe early (| head -1) needs.
    func startReader(_ handle: FileHandle, isOutput: Bool) {
        readers.enter()
        Thread.detachNewThread {
            defer { readers.leave() }
            let descriptor = handle.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return }
                guard isOutput else {
                    streams.lock.withLock { streams.err.append(contentsOf: buffer[0..<count]) }
                    continue
                }
                let newLines: [String] = streams.lock.withLock {
                    streams.out.append(contentsOf: buffer[0..<count])
                    let complete = String(decoding: streams.out, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                    let fresh = complete.dropFirst(streams.linesSeen).map(String.init)
                    streams.linesSeen = complete.count
                    return fresh
                }
                if let onLine, newLines.contains(where: { onLine($0, process) }) {
                    streams.lock.withLock { streams.closed = true }
                    try? handle.close()
                    return
                }
            }
        }
    }
    startReader(outPipe.fileHandleForReading, isOutput: true)
    startReader(errPipe.fileHandleForReading, isOutput: false)
    try process.run()
    // The parent's copies of the write ends must close, or the readers never see the end of file.
    try? outPipe.fileHandleForWriting.close()
    try? errPipe.fileHandleForWriting.close()
    let deadline = Date().addingTimeInterval(timeout)
    var timedOut = false
    while process.isRunning {
        if Date() > deadline {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            break
        }
        usleep(20_000)
    }
    process.waitUntilExit()
    _ = readers.wait(timeout: .now() + 10)
    return streams.lock.withLock {
        ChildResult(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal, timedOut: timedOut,
                    out: String(decoding: streams.out, as: UTF8.self), err: String(decoding: streams.err, as: UTF8.self))
    }
}

@Suite("the trainer as a process", .enabled(if: trainerExecutable != nil, "needs the trainer executable built beside the tests"))
struct ProcessTests {
    static let small = ["--data", "blobs", "--hidden", "8", "--no-timing", "--batch-size", "16"]

    @Test("Ctrl-C (SIGINT) stops after the current step, saves the last finished epoch, says so, exit 130")
    func sigint() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        let result = try runChild(["train", "--epochs", "100000", "--out", dir] + Self.small, onLine: { line, process in
            if line.hasPrefix("epoch") && line.contains(" 2/") { process.interrupt() }  // "epoch      2/100000 …"
            return false  // called once per line, so a single SIGINT
        })
        #expect(!result.signaled && result.status == 130, "status \(result.status) \(result.err)")
        #expect(result.err.contains("Stopped: interrupted (Ctrl-C) in epoch"), "\(result.err)")
        #expect(result.err.contains("; continue with: trainer resume --checkpoint \(dir)/model.ckpt"))
        let checkpoint = try Checkpoint.read(from: dir + "/model.ckpt")
        #expect(checkpoint.epochsCompleted >= 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["curves.svg", "metrics.csv", "model.ckpt"])
    }

    @Test("closed standard output: a clean error, exit 74, no trap")
    func closedStdout() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        let result = try runChild(["train", "--epochs", "2", "--out", dir] + Self.small, shell: #"exec "$0" "$@" >&-"#)
        #expect(!result.signaled && result.status == 74, "status \(result.status) \(result.err)")
        #expect(result.err.contains("Stopped: standard output cannot be written (Bad file descriptor); nothing was trained"), "\(result.err)")
    }

    @Test("a pipe closed after three lines (| head -n 3): stops after saving, exit 74, checkpoint intact")
    func brokenPipe() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        // As a shell runs it; bash reports the trainer's own exit status (PIPESTATUS).
        let result = try runChild(["train", "--epochs", "100000", "--out", dir] + Self.small,
                                  shell: #"exec bash -c '"$0" "$@" | head -n 3 > /dev/null; exit ${PIPESTATUS[0]}' "$0" "$@""#)
        #expect(!result.signaled && result.status == 74, "status \(result.status) \(result.err)")
        #expect(result.err.contains("(Broken pipe): stopped; the checkpoint after epoch"), "\(result.err)")
        #expect(try Checkpoint.read(from: dir + "/model.ckpt").epochsCompleted >= 1)
    }

    @Test("standard output on a full device (/dev/full): a clean error, exit 74")
    func fullStdout() throws {
        guard try layersImplemented(), FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let result = try runChild(["train", "--epochs", "2", "--out", try temporaryDirectory()] + Self.small, shell: #"exec "$0" "$@" > /dev/full"#)
        #expect(!result.signaled && result.status == 74, "status \(result.status) \(result.err)")
        #expect(result.err.contains("(No space left on device)"), "\(result.err)")
    }

    @Test("a full disk while saving: a clean error naming the file, the previous checkpoint intact, no temporary left")
    func fullDisk() throws {
        guard try layersImplemented() else { return }
        // The size of this run's checkpoint, measured in an ordinary directory.
        let probe = try temporaryDirectory()
        #expect(runTrainer(["train", "--epochs", "1", "--out", probe] + Self.small).code == 0)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: probe + "/model.ckpt")[.size] as? Int)
        // A tmpfs that holds one checkpoint and its small companions but not a second copy: the
        // first save fits, the second (a temporary beside the first) runs out of space.
        let mountPoint = try temporaryDirectory()
        let pages = (size * 3 / 2 + 8192 + 4095) / 4096
        let mount = try runShell("mount -t tmpfs -o size=\(pages * 4096) tmpfs '\(mountPoint)'")
        guard mount == 0 else {
            print("full-disk test skipped: cannot mount a tmpfs here (needs root)")
            return
        }
        defer { _ = try? runShell("umount '\(mountPoint)'") }
        let result = try runChild(["train", "--epochs", "3", "--out", mountPoint] + Self.small)
        #expect(!result.signaled && result.status == 1, "status \(result.status) \(result.err)")
        #expect(result.err.contains("Error: cannot write '\(mountPoint)/model.ckpt': No space left on device; the previous version of the file, if any, is unchanged"),
                "\(result.err)")
        #expect(try Checkpoint.read(from: mountPoint + "/model.ckpt").epochsCompleted == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: mountPoint).filter { $0.contains(".tmp-") } == [])
    }

    @Test("kill -9 during a save: the previous checkpoint stays whole, and the next run removes the half-written temporary")
    func killDuringSave() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        #expect(runTrainer(["train", "--epochs", "3", "--stop-after", "1", "--out", dir] + Self.small).code == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/model.ckpt"))
        // Every save pauses halfway through its temporary file (fault injection): kill -9 a second
        // after the header lines, while epoch 2's save is paused.
        let killed = try runChild(["resume", "--checkpoint", dir + "/model.ckpt", "--no-timing"], environment: ["TRAINER_FAULT_SAVE_PAUSE": "30"],
                                  onLine: { line, process in
            if line.hasPrefix("data: ") {
                Thread.sleep(forTimeInterval: 2)
                kill(process.processIdentifier, SIGKILL)
            }
            return false
        })
        #expect(killed.signaled && killed.status == SIGKILL, "status \(killed.status) \(killed.err)")
        let temporaries = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".model.ckpt.tmp-") }
        #expect(temporaries.count == 1, "\(temporaries)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/model.ckpt")) == before)
        #expect(try Checkpoint.read(from: dir + "/model.ckpt").epochsCompleted == 1)
        // The next run removes the temporary of the killed save, and leaves none of its own.
        let resumed = try runChild(["resume", "--checkpoint", dir + "/model.ckpt", "--no-timing"])
        #expect(resumed.status == 0 && !resumed.signaled, "\(resumed.err)")
        #expect(resumed.err.contains("note: removed '\(dir)/\(temporaries.first ?? "")', left by a save that was interrupted"), "\(resumed.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["curves.svg", "metrics.csv", "model.ckpt"])
        #expect(try Checkpoint.read(from: dir + "/model.ckpt").epochsCompleted == 3)
    }
}

/// Runs a shell command; returns its exit status.
func runShell(_ command: String) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command + " 2>/dev/null"]
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

import Foundation
import Testing
@testable import TrainerKit
import WorkbookCore

// The trainer as a real process: what a signal, a closed pipe or a full device does to it cannot
// be tested in-process (a trap would end the test runner). Each test runs `Trainer.main` — what
// the `trainer` executable's main.swift calls — in a child process (a Swift Testing exit test),
// with its standard output closed, on /dev/full or on a pipe, and signals it from a thread.
// The child is this test binary, so it is always built from the sources under test.

/// Polls every 20 ms until `condition` holds or `seconds` pass.
func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// The standard error a child wrote, as text.
func errorText(_ result: ExitTest.Result?) -> String { String(decoding: result?.standardErrorContent ?? [], as: UTF8.self) }

@Suite("the trainer as a process", .enabled(if: LongTests.enabled, LongTests.reason),
       .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct ProcessTests {
    static let small = ["--data", "blobs", "--hidden", "8", "--no-timing", "--batch-size", "16"]

    /// A signal that stops a run, the exit code it ends with (128 + the signal) and how it is named.
    struct Stop: Sendable, CustomTestStringConvertible {
        var signal: Int32, exitCode: Int32, named: String
        var testDescription: String { named }
    }

    @Test("a stopping signal ends the run after the current step: the last finished epoch saved, said so, no lock or temporary file left", arguments: [
        Stop(signal: SIGINT, exitCode: 130, named: "interrupted (Ctrl-C)"),        // a user at the terminal
        Stop(signal: SIGTERM, exitCode: 143, named: "terminated (SIGTERM)"),       // kill, timeout, a container's stop, a scheduler
    ])
    func stoppingSignal(_ stop: Stop) async throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        let result = await #expect(processExitsWith: .exitCode(stop.exitCode), observing: [\.standardErrorContent]) { [dir = dir as String, signal = stop.signal as Int32] in
            // The signal once the first epoch is saved.
            Thread.detachNewThread {
                _ = waitUntil(seconds: 120) { FileManager.default.fileExists(atPath: dir + "/metrics.csv") }
                kill(getpid(), signal)
            }
            Trainer.main(["train", "--epochs", "100000", "--out", dir] + ProcessTests.small)
        }
        let err = errorText(result)
        #expect(err.contains("Stopped: \(stop.named) in epoch"), "\(err)")
        #expect(err.contains("; continue with: trainer resume --checkpoint \(dir)/model.ckpt"), "\(err)")
        #expect(try Checkpoint.read(from: dir + "/model.ckpt").epochsCompleted >= 1)
        // Killed by the signal instead, a run left its lock file (.model.ckpt.lock) and perhaps a temporary file.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["curves.svg", "metrics.csv", "model.ckpt"])
    }

    @Test("closed standard output: a clean error, exit 74, no trap")
    func closedStdout() async throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        let result = await #expect(processExitsWith: .exitCode(74), observing: [\.standardErrorContent]) { [dir = dir as String] in
            close(STDOUT_FILENO)
            Trainer.main(["train", "--epochs", "2", "--out", dir] + ProcessTests.small)
        }
        // Usually "Bad file descriptor"; the child's runtime may have reused descriptor 1 for
        // something unwritable by then ("Invalid argument"): either way a clean stop.
        let err = errorText(result)
        #expect(err.contains("Stopped: standard output cannot be written (") && err.contains("); nothing was trained"), "\(err)")
    }

    @Test("standard output on a full device (/dev/full): a clean error, exit 74")
    func fullStdout() async throws {
        guard try layersImplemented(), FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let dir = try temporaryDirectory()
        let result = await #expect(processExitsWith: .exitCode(74), observing: [\.standardErrorContent]) { [dir = dir as String] in
            dup2(open("/dev/full", O_WRONLY), STDOUT_FILENO)
            Trainer.main(["train", "--epochs", "2", "--out", dir] + ProcessTests.small)
        }
        #expect(errorText(result).contains("Stopped: standard output cannot be written (No space left on device)"), "\(errorText(result))")
    }

    @Test("a pipe closed after three lines (| head -n 3): stops after saving, exit 74, checkpoint intact")
    func brokenPipe() async throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        let result = await #expect(processExitsWith: .exitCode(74), observing: [\.standardErrorContent]) { [dir = dir as String] in
            // Standard output is a pipe whose reader, like `head -n 3`, closes it after three lines.
            var ends: [Int32] = [0, 0]
            pipe(&ends)
            dup2(ends[1], STDOUT_FILENO)
            close(ends[1])
            let reader = ends[0]
            Thread.detachNewThread {
                var lines = 0, byte: UInt8 = 0
                while lines < 3, read(reader, &byte, 1) == 1 { if byte == 10 { lines += 1 } }
                close(reader)
            }
            Trainer.main(["train", "--epochs", "100000", "--out", dir] + ProcessTests.small)
        }
        #expect(errorText(result).contains("(Broken pipe): stopped; the checkpoint after epoch"), "\(errorText(result))")
        #expect(try Checkpoint.read(from: dir + "/model.ckpt").epochsCompleted >= 1)
    }

    @Test("kill -9 during a save: the previous checkpoint stays whole, and the next run removes the half-written temporary")
    func killDuringSave() async throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        #expect(runTrainer(["train", "--epochs", "3", "--stop-after", "1", "--out", dir] + Self.small).code == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/model.ckpt"))
        await #expect(processExitsWith: .signal(SIGKILL)) { [dir = dir as String] in
            // Fault injection: every save pauses halfway through its temporary file; kill -9 then.
            setenv("TRAINER_FAULT_SAVE_PAUSE", "60", 1)
            Thread.detachNewThread {
                _ = waitUntil(seconds: 120) {
                    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).contains { $0.hasPrefix(".model.ckpt.tmp-") }
                }
                usleep(200_000)
                kill(getpid(), SIGKILL)
            }
            Trainer.main(["resume", "--checkpoint", dir + "/model.ckpt", "--no-timing"])
        }
        let temporaries = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".model.ckpt.tmp-") }
        #expect(temporaries.count == 1, "\(temporaries)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/model.ckpt")) == before)
        #expect(try Checkpoint.read(from: dir + "/model.ckpt").epochsCompleted == 1)
        // The next run removes the temporary of the killed save, and leaves none of its own.
        let resumed = runTrainer(["resume", "--checkpoint", dir + "/model.ckpt", "--no-timing"])
        #expect(resumed.code == 0, "\(resumed.err)")
        #expect(resumed.err.contains("note: removed '\(dir)/\(temporaries.first ?? "")', left by a save that was interrupted"), "\(resumed.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["curves.svg", "metrics.csv", "model.ckpt"])
        #expect(try Checkpoint.read(from: dir + "/model.ckpt").epochsCompleted == 3)
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
        guard try runShell("mount -t tmpfs -o size=\(pages * 4096) tmpfs '\(mountPoint)'") == 0 else {
            print("full-disk test skipped: cannot mount a tmpfs here (needs root)")
            return
        }
        defer { _ = try? runShell("umount '\(mountPoint)'") }
        // A write error is thrown, not trapped: this part runs in-process.
        let result = runTrainer(["train", "--epochs", "3", "--out", mountPoint] + Self.small)
        #expect(result.code == 1, "\(result.err)")
        #expect(result.err.contains("Error: cannot write '\(mountPoint)/model.ckpt': No space left on device; the previous version of the file, if any, is unchanged"),
                "\(result.err)")
        #expect(try Checkpoint.read(from: mountPoint + "/model.ckpt").epochsCompleted == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: mountPoint).filter { $0.contains(".tmp-") } == [])
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

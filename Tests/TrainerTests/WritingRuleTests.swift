import Foundation
import Testing
@testable import TrainerKit
import WorkbookCore

// Issue 18, data loss: every command that writes follows train's rules (never over an input, never
// over an existing file without --overwrite, nothing left behind when it refuses), and one writer
// per checkpoint. Each case here lost data or left litter before the fix.

/// The bytes of a file, or nil.
func fileBytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

@Suite("writing commands follow train's path rules", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct WritingRuleTests {
    @Test("export --output naming its own checkpoint is refused, even with --overwrite; the checkpoint is unchanged")
    func exportOverItsCheckpoint() throws {
        let dir = try temporaryDirectory()
        let checkpoint = dir + "/demo.ckpt"
        try CheckpointTests.sample().write(to: checkpoint)
        let before = fileBytes(checkpoint)
        for extra in [[], ["--overwrite"]] {
            let result = runTrainer(["export", "--checkpoint", checkpoint, "--output", checkpoint] + extra)
            #expect(result.code == 64, "\(result.out)")
            #expect(result.err.hasPrefix("Error: '--output' would write '\(checkpoint)', which is the file given to '--checkpoint'"), "\(result.err)")
            #expect(fileBytes(checkpoint) == before)
        }
        _ = try Checkpoint.read(from: checkpoint)
    }

    @Test("export without --output does not replace an existing .safetensors unless --overwrite says so")
    func exportDefaultOutputExists() throws {
        let dir = try temporaryDirectory()
        try CheckpointTests.sample().write(to: dir + "/x.ckpt")
        try "someone else's weights".write(toFile: dir + "/x.safetensors", atomically: true, encoding: .utf8)
        let refused = runTrainer(["export", "--checkpoint", dir + "/x.ckpt"])
        #expect(refused.code == 64)
        #expect(refused.err.hasPrefix("Error: '--output (default)': '\(dir)/x.safetensors' already exists and was not written by this run; "
                                      + "pass --overwrite to replace it, or choose another --output"), "\(refused.err)")
        #expect(try String(contentsOfFile: dir + "/x.safetensors", encoding: .utf8) == "someone else's weights")
        let replaced = runTrainer(["export", "--checkpoint", dir + "/x.ckpt", "--overwrite"])
        #expect(replaced.code == 0, "\(replaced.err)")
        #expect(try SafeTensorsFile.decode([UInt8](fileBytes(dir + "/x.safetensors") ?? Data()), name: "x").tensors.count > 0)
    }

    @Test("import --output naming its own input is refused, even with --overwrite; the input is unchanged")
    func importOverItsInput() throws {
        let dir = try temporaryDirectory()
        let input = dir + "/w.safetensors"
        try CheckpointTests.sample().safeTensors().encoded().write(to: URL(fileURLWithPath: input))
        let before = fileBytes(input)
        let result = runTrainer(["import", "--input", input, "--output", input, "--overwrite"])
        #expect(result.code == 64)
        #expect(result.err.hasPrefix("Error: '--output' would write '\(input)', which is the file given to '--input'"), "\(result.err)")
        #expect(fileBytes(input) == before)
    }

    @Test("import names --overwrite when its output exists, and replaces it only with that flag")
    func importExistingOutput() throws {
        let dir = try temporaryDirectory()
        let input = dir + "/w.safetensors"
        try CheckpointTests.sample().safeTensors().encoded().write(to: URL(fileURLWithPath: input))
        try "keep".write(toFile: dir + "/w.ckpt", atomically: true, encoding: .utf8)
        let refused = runTrainer(["import", "--input", input])
        #expect(refused.code == 64)
        #expect(refused.err.contains("already exists and was not written by this run; pass --overwrite"), "\(refused.err)")
        #expect(try String(contentsOfFile: dir + "/w.ckpt", encoding: .utf8) == "keep")
        #expect(runTrainer(["import", "--input", input, "--overwrite"]).code == 0)
        #expect(try Checkpoint.read(from: dir + "/w.ckpt").architecture == CheckpointTests.sample().architecture)
    }

    @Test("a writer finds the checkpoint locked by another: resume, train --overwrite and import are refused at once, naming it")
    func secondWriterRefused() throws {
        let dir = try temporaryDirectory()
        let checkpoint = dir + "/model.ckpt"
        try CheckpointTests.sample().write(to: checkpoint)
        try CheckpointTests.sample().safeTensors().encoded().write(to: URL(fileURLWithPath: dir + "/w.safetensors"))
        let before = fileBytes(checkpoint)
        let lock = try CheckpointLock.acquire(checkpoint, option: "test")
        defer { lock.release() }
        let expected = "'\(checkpoint)' is being written by another trainer run (train, resume or import); wait for it to finish"
        // train checks the exercises it needs before it locks: with the stubs it stops there.
        let train = try layersImplemented() ? [["train", "--data", "blobs", "--hidden", "4", "--epochs", "1", "--out", dir, "--overwrite"]] : []
        for arguments in [["resume", "--checkpoint", checkpoint, "--no-timing"],
                          ["import", "--input", dir + "/w.safetensors", "--output", checkpoint, "--overwrite"]] + train {
            let result = runTrainer(arguments)
            #expect(result.code == 1, "\(arguments[0]): \(result.out)")
            #expect(result.err.contains(expected), "\(arguments[0]): \(result.err)")
            #expect(!result.out.contains("wrote"), "\(arguments[0]): \(result.out)")
        }
        #expect(fileBytes(checkpoint) == before)
    }

    @Test("two resumes of one checkpoint at once: the second is refused while the first trains, and the first's epochs are kept (child process)")
    func twoResumes() async throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        let first = runTrainer(["train", "--data", "blobs", "--hidden", "8", "--epochs", "1", "--out", dir, "--no-timing"])
        try #require(first.code == 0, "\(first.err)")
        let checkpoint = dir + "/model.ckpt"
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) { [checkpoint = checkpoint as String] in
            // The first resume trains in a thread for a long time; the second starts once the
            // first has its lock, and must be refused before it reads or writes anything.
            Thread.detachNewThread {
                _ = Trainer.run(["resume", "--checkpoint", checkpoint, "--epochs", "100000", "--no-timing"], console: Console.recording().0)
            }
            guard waitUntil(seconds: 120, { FileManager.default.fileExists(atPath: CheckpointLock.lockPath(for: checkpoint)) }) else {
                FileHandle.standardError.write(Data("the first resume never took its lock\n".utf8))
                exit(2)
            }
            let second = runTrainer(["resume", "--checkpoint", checkpoint, "--epochs", "3", "--no-timing"])
            FileHandle.standardError.write(Data("second: exit \(second.code)\n\(second.err)\n\(second.out)\n".utf8))
            exit(second.code == 1 && second.err.contains("is being written by another trainer run") && !second.out.contains("wrote") ? 0 : 1)
        }
        #expect(errorText(result).contains("second: exit 1"), "\(errorText(result))")
    }

    @Test("kill -9 of a writer leaves no stale lock: the next resume takes it (child process)")
    func killedWriterLeavesNoLock() async throws {
        let dir = try temporaryDirectory()
        let checkpoint = dir + "/model.ckpt"
        try CheckpointTests.sample().write(to: checkpoint)
        await #expect(processExitsWith: .signal(SIGKILL)) { [checkpoint = checkpoint as String] in
            let lock = try? CheckpointLock.acquire(checkpoint, option: "test")
            withExtendedLifetime(lock) { _ = kill(getpid(), SIGKILL) }
        }
        // The killed process's lock file is still there, but no process holds it.
        #expect(FileManager.default.fileExists(atPath: CheckpointLock.lockPath(for: checkpoint)))
        let lock = try CheckpointLock.acquire(checkpoint, option: "test")
        lock.release()
        #expect(!FileManager.default.fileExists(atPath: CheckpointLock.lockPath(for: checkpoint)))
    }

    @Test("a run refused for bad data leaves no empty --out folder behind (nor the parents it made)")
    func refusedRunLeavesNoFolder() throws {
        let dir = try temporaryDirectory()
        try "label,a\n0,1\n0,x\n".write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        let out = dir + "/new/run"
        let result = runTrainer(["train", "--data", dir + "/bad.csv", "--out", out, "--epochs", "1"])
        #expect(result.code == 1, "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/new"), "\(result.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["bad.csv"])
    }

    @Test("visualize and experiment do not replace existing files without --overwrite")
    func otherWritersOverwrite() throws {
        let dir = try temporaryDirectory()
        try "mine".write(toFile: dir + "/residual.svg", atomically: true, encoding: .utf8)
        let experiment = runTrainer(["experiment", "--name", "residual", "--small", "--out", dir])
        #expect(experiment.code == 64)
        #expect(experiment.err.contains("'\(dir)/residual.svg' already exists and was not written by this run; pass --overwrite"), "\(experiment.err)")
        #expect(try String(contentsOfFile: dir + "/residual.svg", encoding: .utf8) == "mine")
        guard try layersImplemented() else { return }
        #expect(runTrainer(["train", "--data", "digits", "--hidden", "8", "--epochs", "1", "--out", dir, "--no-timing"]).code == 0)
        try "mine".write(toFile: dir + "/first-layer-weights.svg", atomically: true, encoding: .utf8)
        let visualize = runTrainer(["visualize", "--checkpoint", dir + "/model.ckpt"])
        #expect(visualize.code == 64)
        #expect(visualize.err.contains("already exists and was not written by this run; pass --overwrite"), "\(visualize.err)")
        #expect(try String(contentsOfFile: dir + "/first-layer-weights.svg", encoding: .utf8) == "mine")
        #expect(runTrainer(["visualize", "--checkpoint", dir + "/model.ckpt", "--overwrite"]).code == 0)
    }
}

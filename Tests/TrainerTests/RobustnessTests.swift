import Foundation
import Testing
@testable import TrainerKit
import WorkbookCore

// Issue 12: the trainer never traps, never loses a file, and says what is wrong and where.
// These tests run in-process (they reach only code that throws); the ones that need a real
// process (kill -9, Ctrl-C, closed stdout, a full disk) are in ProcessTests.swift.

/// The bytes of `checkpoint` with its JSON metadata edited and the checksum recomputed, as a user
/// with a hex editor (or a buggy tool) could produce: the checksum alone cannot catch it.
func editedCheckpoint(_ checkpoint: Checkpoint, replacing old: String, with new: String) throws -> [UInt8] {
    let bytes = [UInt8](try checkpoint.encoded())
    let length = Int(bytes[12..<20].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    let json = try #require(String(bytes: bytes[20..<(20 + length)], encoding: .utf8))
    #expect(json.contains(old), "the sample's metadata has no \(old)")
    let metadata = [UInt8](json.replacingOccurrences(of: old, with: new).utf8)
    return withChecksum(Array(bytes[0..<12]) + littleEndian(UInt64(metadata.count)) + metadata + Array(bytes[(20 + length)..<(bytes.count - 8)]))
}

func littleEndian(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }

/// `body` followed by its FNV-1a checksum, as the format stores it.
func withChecksum(_ body: [UInt8]) -> [UInt8] { body + littleEndian(fnv1a(body[...])) }

@Suite("limits on flags and data", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct LimitTests {
    @Test("sizes near Int.max, or beyond the stated limits, are usage errors naming the option", arguments: [
        (["--batch-size", "9223372036854775807"], "'--batch-size' needs an integer in 1...65536"),
        (["--hidden", "9223372036854775807"], "'--hidden' needs at most 64 integers in 1...65536"),
        (["--hidden", "1e9"], "'--hidden' needs at most 64 integers in 1...65536"),
        (["--channels", "9223372036854775807"], "'--channels' needs an integer in 1...1024"),
        (["--conv-layers", "40"], "'--conv-layers' needs an integer in 1...12"),
        (["--epochs", "-3"], "'--epochs' needs an integer in 1...1000000"),
        (["--blocks", "100000"], "'--blocks' needs an integer in 0...256"),
    ])
    func hugeFlags(_ flags: [String], _ message: String) {
        let result = runTrainer(["train", "--data", "xor", "--out", "/nonexistent/never-written"] + flags)
        #expect(result.code == 64)
        #expect(result.err.hasPrefix("Error: \(message)"), "\(result.err)")
    }

    @Test("an oversized message is never echoed: at most a short excerpt of the bad value")
    func shortExcerpt() {
        let huge = String(repeating: "9", count: 100_000)
        let result = runTrainer(["train", "--epochs", huge])
        #expect(result.code == 64)
        #expect(result.err.count < 300, "\(result.err.count) characters")
    }

    @Test("a CSV label beyond 999 is refused with the file, line and column")
    func hugeLabel() {
        #expect { _ = try DataLoader.csv(text: "0,1\n9223372036854775807,2\n", name: "big.csv") } throws: { error in
            "\(error)" == "big.csv: line 2: column 1: the label must be an integer in 0...999 (at most 1000 classes), found '9223372036854775807'"
        }
        #expect { _ = try DataLoader.csv(text: "1000000,1\n", name: "m.csv") } throws: { "\($0)".hasPrefix("m.csv: line 1: column 1:") }
    }

    @Test("a feature of ±1e308 is refused where it is, not after an epoch as an encoding error")
    func hugeFeature() {
        #expect { _ = try DataLoader.csv(text: "0,1\n1,-1e308\n", name: "f.csv") } throws: { error in
            "\(error)" == "f.csv: line 2: column 2: -1e308 is beyond the trainer's limit of ±1e100 for a feature"
        }
    }

    @Test("an IDX header of 2³²−1 images or 0x0 pixels is refused at its byte offset")
    func idxHeader() throws {
        let dir = try temporaryDirectory()
        func be(_ x: UInt32) -> [UInt8] { [UInt8(x >> 24), UInt8(x >> 16 & 255), UInt8(x >> 8 & 255), UInt8(x & 255)] }
        try Data(be(0x801) + be(1) + [0]).write(to: URL(fileURLWithPath: dir + "/l.idx"))
        try Data(be(0x803) + be(1) + be(0xFFFF_FFFF) + be(0xFFFF_FFFF)).write(to: URL(fileURLWithPath: dir + "/big.idx"))
        #expect { _ = try DataLoader.idx(images: dir + "/big.idx", labels: dir + "/l.idx") } throws: { error in
            "\(error)" == "\(dir)/big.idx: offset 8: the header says images of 4294967295 rows; the trainer reads 1...4096"
        }
        try Data(be(0x803) + be(1) + be(0) + be(0)).write(to: URL(fileURLWithPath: dir + "/empty.idx"))
        #expect { _ = try DataLoader.idx(images: dir + "/empty.idx", labels: dir + "/l.idx") } throws: { "\($0)".hasPrefix("\(dir)/empty.idx: offset 8:") }
        try Data(be(0x803) + be(0xFFFF_FFFF) + be(2) + be(2)).write(to: URL(fileURLWithPath: dir + "/many.idx"))
        #expect { _ = try DataLoader.idx(images: dir + "/many.idx", labels: dir + "/l.idx") } throws: { "\($0)".hasPrefix("\(dir)/many.idx: offset 4:") }
    }

    @Test("single-class data is refused, whatever its label")
    func singleClass() throws {
        let dir = try temporaryDirectory()
        try "label,a\n3,1\n3,2\n3,4\n3,5\n".write(toFile: dir + "/one.csv", atomically: true, encoding: .utf8)
        // The data is read after the exercises are checked, so ask the data source directly.
        let options = try Trainer.trainCommand.parse(["--data", dir + "/one.csv"])
        #expect { _ = try DataSource.prepare(try Trainer.trainingConfiguration(options)) } throws: { error in
            "\(error)" == "'--data \(dir)/one.csv': a classifier needs at least 3 examples of at least 2 classes; found 4 examples of 1 class (every label is 3)"
        }
    }

    @Test("too many convolution stages for the image are refused naming --conv-layers")
    func convStages() throws {
        let result = runTrainer(["train", "--model", "cnn", "--data", "digits", "--conv-layers", "5", "--out", try temporaryDirectory()])
        guard !result.err.contains("not done yet") else { return }  // the student's stubs: refused earlier, also fine
        #expect(result.code == 64)
        #expect(result.err.contains("'--conv-layers 5': each stage halves the 8x8 images of 'digits', which vanish after 3; use --conv-layers 1...3"),
                "\(result.err)")
    }

    @Test("a model beyond the memory budget is refused up front, naming the options to lower")
    func memoryBudget() throws {
        let result = runTrainer(["train", "--data", "xor", "--hidden", "65536,65536", "--out", try temporaryDirectory()])
        guard !result.err.contains("not done yet") else { return }
        #expect(result.code == 64)
        #expect(result.err.contains("over the trainer's budget of 4.0 GiB; lower --hidden or --batch-size"), "\(result.err)")
    }

    @Test("--help states the limits")
    func helpStatesLimits() {
        let result = runTrainer(["train", "--help"])
        #expect(result.out.contains("LIMITS (checked before anything is allocated):"))
        #expect(result.out.contains("labels            integers 0...999"))
    }
}

@Suite("checkpoint validation after the checksum", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct CheckpointValidationTests {
    // The sample (CheckpointTests.sample) has batch size 8, 3 epochs, 1 completed, best epoch 1.
    @Test("an edited checkpoint with a recomputed checksum is refused, naming the file and the field", arguments: [
        ("\"batchSize\":8", "\"batchSize\":0", "m.ckpt: field configuration.batchSize: 0 is outside 1...65536"),
        ("\"epochs\":3", "\"epochs\":-1", "m.ckpt: field configuration.epochs: -1 is outside 1...1000000"),
        ("\"epochsCompleted\":1", "\"epochsCompleted\":7", "m.ckpt: field history: 1 epochs recorded, but epochsCompleted is 7"),
        ("\"bestEpoch\":1", "\"bestEpoch\":9223372036854775807", "m.ckpt: field bestEpoch: 9223372036854775807 is outside 0...1"),
        ("\"classes\":3", "\"classes\":1000000", "m.ckpt: field architecture.classes: 1000000 is outside 2...1000"),
        ("\"keepProbability\":1", "\"keepProbability\":0", "m.ckpt: field configuration.keepProbability: 0.0 is outside 1e-12...1.0"),
    ])
    func editedFields(_ old: String, _ new: String, _ message: String) throws {
        let bytes = try editedCheckpoint(try CheckpointTests.sample(), replacing: old, with: new)
        #expect { _ = try Checkpoint.decode(bytes, name: "m.ckpt") } throws: { "\($0)" == message }
    }

    @Test("a short optimizer group is refused")
    func shortOptimizerGroup() throws {
        var checkpoint = try CheckpointTests.sample()
        checkpoint.configuration.optimizer = .momentum
        checkpoint.optimizerFirst = [[]]
        #expect { _ = try Checkpoint.decode([UInt8](try checkpoint.encoded()), name: "m.ckpt") } throws: { error in
            "\(error)" == "m.ckpt: field optimizerFirst: 1 layers, but the architecture has 4"
        }
    }

    @Test("NaN or infinite weights are refused, naming the layer")
    func nonFiniteWeights() throws {
        var checkpoint = try CheckpointTests.sample()
        checkpoint.bestParameters[0][0][flat: 3] = .nan
        #expect { _ = try Checkpoint.decode([UInt8](try checkpoint.encoded()), name: "m.ckpt") } throws: { error in
            "\(error)" == "m.ckpt: field bestParameters[0]: layer 0 (Dense 2→4) holds a NaN or infinite value"
        }
    }

    @Test("a huge metadata length or tensor shape is an error at its offset, not an overflow")
    func hugeSizes() throws {
        let bytes = [UInt8](try CheckpointTests.sample().encoded())
        var long = Array(bytes[..<(bytes.count - 8)])
        long.replaceSubrange(12..<20, with: littleEndian(UInt64.max))
        #expect { _ = try Checkpoint.decode(withChecksum(long), name: "m.ckpt") } throws: { "\($0)".hasPrefix("m.ckpt: offset 12: the metadata length 18446744073709551615") }
        // The first weight of the sample is [2, 4]; promise [2⁶³−1, 4] instead.
        let shaped = try editedCheckpoint(try CheckpointTests.sample(), replacing: "\"shapes\":[[[[2,4]", with: "\"shapes\":[[[[9223372036854775807,4]")
        #expect { _ = try Checkpoint.decode(shaped, name: "m.ckpt") } throws: { "\($0)".contains("the metadata's shapes field promises a tensor of shape") }
    }

    @Test("a truncated file that starts with the magic says truncated, not 'not a checkpoint'")
    func truncatedMagic() {
        #expect { _ = try Checkpoint.decode(Array("WBTRAIN\n".utf8) + [1, 0], name: "m.ckpt") } throws: { error in
            "\(error)" == "m.ckpt: truncated: 10 bytes, but a checkpoint has at least 28 (magic, version, length, checksum)"
        }
    }
}

@Suite("path rules", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct PathRuleTests {
    static let small = ["--data", "blobs", "--hidden", "4", "--epochs", "1", "--no-timing", "--batch-size", "64"]

    @Test("train refuses to replace an earlier run's files without --overwrite; with it, replaces them")
    func trainOverwrite() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        try "not mine".write(toFile: dir + "/model.ckpt", atomically: true, encoding: .utf8)
        let refused = runTrainer(["train", "--out", dir] + Self.small)
        #expect(refused.code == 64)
        #expect(refused.err.hasPrefix("Error: '--out': '\(dir)/model.ckpt' already exists and was not written by this run; pass --overwrite"), "\(refused.err)")
        #expect(try String(contentsOfFile: dir + "/model.ckpt", encoding: .utf8) == "not mine")
        let replaced = runTrainer(["train", "--out", dir, "--overwrite"] + Self.small)
        #expect(replaced.code == 0, "\(replaced.err)")
        #expect(try Checkpoint.read(from: dir + "/model.ckpt").epochsCompleted == 1)
    }

    @Test("an --out that cannot be created is refused before training, with the system's reason")
    func outCannotBeCreated() throws {
        guard try layersImplemented() else { return }
        let result = runTrainer(["train", "--out", "/dev/null/run"] + Self.small)
        #expect(result.code == 64)
        #expect(result.err.hasPrefix("Error: '--out': cannot create the directory '/dev/null/run': Not a directory"), "\(result.err)")
    }

    @Test("--out naming a file is refused before anything runs")
    func outIsAFile() throws {
        let dir = try temporaryDirectory()
        try "x".write(toFile: dir + "/file", atomically: true, encoding: .utf8)
        let result = runTrainer(["train", "--out", dir + "/file"] + Self.small)
        #expect(result.code == 64)
        #expect(result.err.hasPrefix("Error: '--out' must be a directory; '\(dir)/file' is a file"), "\(result.err)")
    }

    @Test("train never writes over its data file, even with --overwrite")
    func dataIsNotOutput() throws {
        let dir = try temporaryDirectory()
        let data = "label,a\n0,1\n1,2\n0,3\n1,4\n"
        try data.write(toFile: dir + "/metrics.csv", atomically: true, encoding: .utf8)
        let result = runTrainer(["train", "--data", dir + "/metrics.csv", "--out", dir, "--overwrite", "--epochs", "1"])
        #expect(result.code == 64)
        #expect(result.err.hasPrefix("Error: '--out' would write '\(dir)/metrics.csv', which is the file given to '--data'"), "\(result.err)")
        #expect(try String(contentsOfFile: dir + "/metrics.csv", encoding: .utf8) == data)
    }

    @Test("predict --output refuses its own checkpoint or data, and an existing file without --overwrite")
    func predictOutput() throws {
        let dir = try temporaryDirectory()
        let checkpoint = dir + "/model.ckpt"
        try CheckpointTests.sample().write(to: checkpoint)
        let before = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        let own = runTrainer(["predict", "--checkpoint", checkpoint, "--data", "blobs", "--output", checkpoint, "--overwrite"])
        #expect(own.code == 64)
        #expect(own.err.hasPrefix("Error: '--output' would write '\(checkpoint)', which is the file given to '--checkpoint'"), "\(own.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: checkpoint)) == before)
        try "keep me".write(toFile: dir + "/p.csv", atomically: true, encoding: .utf8)
        let existing = runTrainer(["predict", "--checkpoint", checkpoint, "--data", "blobs", "--output", dir + "/p.csv"])
        #expect(existing.code == 64)
        #expect(existing.err.contains("already exists and was not written by this run; pass --overwrite"), "\(existing.err)")
    }

    @Test("resume of another name writes beside itself, never over a neighbouring run")
    func resumeNeighbours() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        #expect(runTrainer(["train", "--out", dir, "--data", "blobs", "--hidden", "4", "--epochs", "2", "--stop-after", "1", "--no-timing"]).code == 0)
        try FileManager.default.copyItem(atPath: dir + "/model.ckpt", toPath: dir + "/backup.ckpt")
        let neighbour = try Data(contentsOf: URL(fileURLWithPath: dir + "/model.ckpt"))
        let neighbourMetrics = try Data(contentsOf: URL(fileURLWithPath: dir + "/metrics.csv"))
        let result = runTrainer(["resume", "--checkpoint", dir + "/backup.ckpt", "--no-timing"])
        #expect(result.code == 0, "\(result.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/model.ckpt")) == neighbour)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/metrics.csv")) == neighbourMetrics)
        #expect(try Checkpoint.read(from: dir + "/backup.ckpt").epochsCompleted == 2)
        #expect(result.out.contains("wrote \(dir)/backup.ckpt, \(dir)/backup.metrics.csv, \(dir)/backup.curves.svg"), "\(result.out)")
    }

    @Test("resume does not replace a metrics file of another run beside its checkpoint")
    func resumeForeignMetrics() throws {
        let dir = try temporaryDirectory()
        try CheckpointTests.sample().write(to: dir + "/model.ckpt")
        try "epoch,loss\n1,0.3\n".write(toFile: dir + "/metrics.csv", atomically: true, encoding: .utf8)
        let result = runTrainer(["resume", "--checkpoint", dir + "/model.ckpt"])
        #expect(result.code == 64)
        #expect(result.err.hasPrefix("Error: '--checkpoint': '\(dir)/metrics.csv' already exists and was not written by this run"), "\(result.err)")
    }

    @Test("resume to fewer epochs than done is refused, and prints no 'wrote'")
    func resumeNothingToDo() throws {
        let dir = try temporaryDirectory()
        try CheckpointTests.sample().write(to: dir + "/model.ckpt")
        let result = runTrainer(["resume", "--checkpoint", dir + "/model.ckpt", "--epochs", "1"])
        #expect(result.code == 64)
        #expect(result.err.hasPrefix("Error: '--epochs 1': the checkpoint has already trained 1 epochs; ask for more than 1"), "\(result.err)")
        #expect(!result.out.contains("wrote"))
    }

    @Test("a temporary file left by a killed save is removed by the next save there; a live process's is kept")
    func staleTemporaries() throws {
        let dir = try temporaryDirectory()
        // PID 2³¹ − 2 exceeds Linux's pid_max (at most 2²²), so no process has it.
        let stale = dir + "/.model.ckpt.tmp-2147483646"
        let live = dir + "/.model.ckpt.tmp-1"
        try "half a checkpoint".write(toFile: stale, atomically: false, encoding: .utf8)
        try "another run's save".write(toFile: live, atomically: false, encoding: .utf8)
        #expect(OutputFiles.removeStaleTemporaries(besides: dir + "/model.ckpt") == [stale])
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: live))
    }
}

@Suite("divergence", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct DivergenceTests {
    // Issue 12 found ten configurations that ran 3–4 epochs at learning rate 10⁶ and exited 0 with a
    // loss of 3.7e190; each of these must now stop, in its first epoch, before NaN.
    @Test("a learning rate of 10⁶ stops every model in its first epoch, with advice", arguments: [
        ["--data", "blobs", "--hidden", "8"],
        ["--data", "moons", "--hidden", "8", "--optimizer", "momentum"],
        ["--data", "spiral", "--hidden", "8,8", "--activation", "tanh"],
        ["--data", "xor", "--hidden", "8", "--batch-norm", "before"],
        ["--data", "blobs", "--hidden", "8", "--keep", "0.8", "--activation", "elu"],
        ["--data", "moons", "--model", "notes"],
        ["--data", "blobs", "--model", "resmlp", "--hidden", "8", "--blocks", "1"],
    ])
    func explodingRates(_ flags: [String]) throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        let result = runTrainer(["train", "--learning-rate", "1e6", "--epochs", "4", "--out", dir, "--no-timing"] + flags)
        #expect(result.code == 1, "\(result.out)\n\(result.err)")
        #expect(result.err.contains("in epoch 1") && result.err.contains("try --learning-rate 100000."), "\(result.err)")
        #expect(!result.out.contains("epoch 1/"), "an epoch line was printed: \(result.out)")
    }
}

@Suite("clean stops", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct CleanStopTests {
    static let small = ["--data", "blobs", "--hidden", "4", "--no-timing", "--batch-size", "32"]

    @Test("standard output failing mid-run stops after saving, exit 74, checkpoint intact")
    func outputFails() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        var lines = 0
        let errors = Console.Recording()
        // Accepts the two header lines and the first epoch line, then fails as a full device would.
        let console = Console(isTerminal: false, failableOut: { _ in lines += 1; return lines > 3 ? "No space left on device" : nil },
                              failableErr: { errors.err += $0; return nil })
        let code = Trainer.run(["train", "--epochs", "5", "--out", dir] + Self.small, console: console)
        #expect(code == 74)
        #expect(errors.err.contains("Stopped: standard output failed after epoch 2 (No space left on device): stopped; the checkpoint after epoch 2 is saved in \(dir)/model.ckpt"),
                "\(errors.err)")
        #expect(try Checkpoint.read(from: dir + "/model.ckpt").epochsCompleted == 2)
    }

    @Test("Ctrl-C during an epoch saves the last finished epoch and says how to continue")
    func interrupted() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        let recording = Console.Recording()
        // After the epoch-1 line is printed, the console reports a stop request (as SIGINT's
        // handler does through Interruption.flag); epoch 2 then stops after its first step.
        let consoleWithHook = Console(isTerminal: false, failableOut: { recording.out += $0; return nil },
                                      failableErr: { recording.err += $0; return nil })
        consoleWithHook.stopRequested = { recording.out.contains("epoch 1/") }
        let code = Trainer.run(["train", "--epochs", "5", "--out", dir] + Self.small, console: consoleWithHook)
        #expect(code == 130)
        #expect(recording.err.contains("Stopped: interrupted (Ctrl-C) in epoch 2 after step 1 of 9: saved the state after epoch 1 to \(dir)/model.ckpt; continue with: trainer resume --checkpoint \(dir)/model.ckpt"),
                "\(recording.err)")
        #expect(try Checkpoint.read(from: dir + "/model.ckpt").epochsCompleted == 1)
    }
}

@Suite("determinism and evaluation", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct DeterminismTests {
    @Test("the same seed and flags give byte-identical checkpoints and metrics files, timing or not")
    func byteIdentical() throws {
        guard try layersImplemented() else { return }
        let a = try temporaryDirectory(), b = try temporaryDirectory()
        let flags = ["--data", "moons", "--hidden", "6", "--epochs", "2", "--optimizer", "adam", "--learning-rate", "0.01", "--keep", "0.8"]
        #expect(runTrainer(["train", "--out", a] + flags).code == 0)
        #expect(runTrainer(["train", "--out", b] + flags).code == 0)
        for file in ["model.ckpt", "metrics.csv", "curves.svg"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: a + "/" + file)) == Data(contentsOf: URL(fileURLWithPath: b + "/" + file)), "\(file)")
        }
    }

    @Test("evaluate reports rows whose label the model does not know, and counts them as wrong")
    func unknownLabels() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        #expect(runTrainer(["train", "--out", dir, "--data", "xor", "--hidden", "4", "--epochs", "1"]).code == 0)
        try "label,x,y\n0,0.5,0.5\n1,-0.5,0.5\n7,0.1,0.1\n7,0.2,0.2\n9,0.3,0.3\n".write(toFile: dir + "/other.csv", atomically: true, encoding: .utf8)
        let result = runTrainer(["evaluate", "--checkpoint", dir + "/model.ckpt", "--data", dir + "/other.csv"])
        #expect(result.code == 0, "\(result.err)")
        #expect(result.out.contains("unknown labels: 3 of 5 rows have a label the model does not know (it has classes 0...1): 7 (2 rows), 9 (1 row)"),
                "\(result.out)")
        #expect(result.out.contains(" of 5)"))
    }
}

@Suite("the trainer with the student's exercises (issue 9, point 8)", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct StudentCodeTests {
    @Test("a wrong SGD step (θ + lr·g) is named as SGD1, not blamed on the learning rate")
    func wrongOptimizerUpdateNamed() throws {
        let wrong = ExerciseChecks.sgd { p, g, lr in try p + g * lr }
        let failure = try #require(ExerciseChecks.firstFailure([wrong]))
        #expect(failure.exercise == "SGD1")
        let divergence = DivergenceError(epoch: 3, step: 5, loss: .infinity, reference: 2.3, learningRate: 0.1)
        let message = Trainer.diagnose(divergence, configuration: try CheckpointTests.sample().configuration, goodCheckpoint: "runs/x/model.ckpt",
                                       goodEpoch: 2, checks: [wrong])
        #expect(message.contains("SGD1 is wrong: sgdStep: sgdStep([1, −2, 0.5], gradient [0.5, −1, 2], lr 0.1) (θ − lr·g) is off"), "\(message)")
        #expect(!message.contains("learning rate 0.1 is probably too high"))
        #expect(message.hasSuffix("The last good checkpoint (after epoch 2) of this run is kept at runs/x/model.ckpt."))
    }

    @Test("every missing exercise is listed at once")
    func missingListedAtOnce() {
        let checks = [ExerciseCheck(exercise: "Init2", what: "") { throw NotImplemented("Init2") },
                      ExerciseCheck(exercise: "Dense1", what: "") { nil },
                      ExerciseCheck(exercise: "Conv3", what: "") { throw NotImplemented("Conv2") },
                      ExerciseCheck(exercise: "SGD1", what: "") { throw NotImplemented("SGD1") }]
        #expect(ExerciseChecks.missing(checks) == ["Init2", "Conv2", "SGD1"])
        let message = MissingExercisesError(exercises: ["Init2", "Conv2", "SGD1"], command: "train").description
        #expect(message.hasPrefix("this model needs these exercises, not done yet: Init2, Conv2, SGD1.\nFinish them (swift test --filter \"Init2|Conv2|SGD1\" grades them)"))
    }

    @Test("the checks of the workbook in use: all pass with the reference solutions, or name what is not done")
    func checksOfTheWorkbook() {
        var configurations: [TrainingConfiguration] = []
        for model in ModelFactory.names {
            for (index, activation) in ActivationChoice.allCases.enumerated() {
                var c = TrainingConfiguration(model: model, data: "xor", labelsFile: nil, hidden: [4], batchNorm: index % 2 == 0 ? .before : .none,
                                              keepProbability: index % 2 == 0 ? 0.5 : 1, initialization: InitChoice.allCases[index % 3],
                                              optimizer: OptimizerKind.allCases[index % 3], learningRate: 0.1, momentum: 0.9, learningRateDecay: 1,
                                              batchSize: 8, epochs: 1, patience: 0, seed: 1, validationFraction: 0.1, testFraction: 0.1,
                                              channels: 2, convLayers: 1, blocks: 1)
                c.activation = activation
                configurations.append(c)
            }
        }
        for configuration in configurations {
            let checks = ExerciseChecks.needed(by: configuration)
            let missing = ExerciseChecks.missing(checks)
            if missing.isEmpty {
                let failure = ExerciseChecks.firstFailure(checks)
                #expect(failure == nil, "\(configuration.model) \(configuration.activation) \(configuration.optimizer): \(String(describing: failure))")
            }
        }
    }

    #if DEBUG
    @Test("a debug build warns once, with the release command")
    func debugWarning() throws {
        let result = runTrainer(["train", "--data", "xor", "--hidden", "2", "--epochs", "1", "--out", try temporaryDirectory()])
        #expect(result.err.components(separatedBy: "warning: this trainer is a debug build").count - 1 == (result.err.contains("not done yet") ? 0 : 1), "\(result.err)")
        if !result.err.contains("not done yet") {
            #expect(result.err.contains("for real runs: swift run -c release trainer train …"))
        }
    }
    #endif
}

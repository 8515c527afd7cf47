import Foundation
import Testing
@testable import TrainerKit
import WorkbookCore

// A line the trainer prints names every path the way the user gave its source: the files a resume
// writes beside `runs/a/model.ckpt` are `runs/a/metrics.csv`, not `/home/…/runs/a/metrics.csv` beside
// a relative checkpoint (a fresh-clone QA found "wrote runs/…/model.ckpt, /work/…/metrics.csv, …").
// The tests give relative paths (from the working directory to a test folder, through `..`), so a
// path made absolute on the way shows.

/// `absolute` as a path relative to the working directory (`../../tmp/…`), checked to name the same folder.
func relativeToWorkingDirectory(_ absolute: String) throws -> String {
    let here = FileManager.default.currentDirectoryPath.split(separator: "/")
    let there = absolute.split(separator: "/")
    var common = 0
    while common < min(here.count, there.count) && here[common] == there[common] { common += 1 }
    let relative = String(repeating: "../", count: here.count - common) + there[common...].joined(separator: "/")
    #expect(!relative.hasPrefix("/"))
    let same = try #require(OutputFiles.identity(relative), "\(relative) does not resolve from \(FileManager.default.currentDirectoryPath)")
    #expect(OutputFiles.identity(absolute).map { $0 == same } == true, "\(relative) is not \(absolute)")
    return relative
}

@Suite("printed paths keep the form the user gave", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct PrintedPathTests {
    @Test("the files beside a resumed checkpoint are named from its path as written", arguments: [
        ("model.ckpt", "model.ckpt", "metrics.csv", "curves.svg"),
        ("backup.ckpt", "backup.ckpt", "backup.metrics.csv", "backup.curves.svg"),
        ("runs/a/model.ckpt", "runs/a/model.ckpt", "runs/a/metrics.csv", "runs/a/curves.svg"),
        ("./b.ckpt", "./b.ckpt", "./b.metrics.csv", "./b.curves.svg"),
        ("../r/x.y.ckpt", "../r/x.y.ckpt", "../r/x.y.metrics.csv", "../r/x.y.curves.svg"),
        ("/srv/runs/model.ckpt", "/srv/runs/model.ckpt", "/srv/runs/metrics.csv", "/srv/runs/curves.svg"),
    ])
    func resumeFiles(_ given: String, _ checkpoint: String, _ metrics: String, _ curves: String) {
        let files = RunFiles(resuming: given)
        #expect([files.checkpoint, files.metrics, files.curves] == [checkpoint, metrics, curves])
    }

    @Test("path text: a file's folder and a changed extension, never made absolute", arguments: [
        ("runs/a/model.ckpt", "runs/a/", "runs/a", "model.ckpt", "runs/a/model.safetensors"),
        ("model.ckpt", "", ".", "model.ckpt", "model.safetensors"),
        ("/model.ckpt", "/", "/", "model.ckpt", "/model.safetensors"),
        ("a//b/.hidden", "a//b/", "a//b", ".hidden", "a//b/.hidden.safetensors"),
        ("v1.2/model", "v1.2/", "v1.2", "model", "v1.2/model.safetensors"),
        ("w.tar.gz", "", ".", "w.tar.gz", "w.tar.safetensors"),
    ])
    func pathText(_ path: String, _ prefix: String, _ folder: String, _ name: String, _ exported: String) {
        #expect(PathText.folderPrefix(of: path) == prefix)
        #expect(PathText.folder(of: path) == folder)
        #expect(PathText.fileName(of: path) == name)
        #expect(PathText.replacingExtension(of: path, with: "safetensors") == exported)
    }

    @Test("a file in a folder given with or without its trailing slash: one slash between them", arguments: [
        ("plots", "plots/x.svg"), ("plots/", "plots/x.svg"), ("a/b/", "a/b/x.svg"), ("/", "/x.svg"), (".", "./x.svg"),
    ])
    func fileInFolder(_ folder: String, _ path: String) {
        #expect(PathText.file("x.svg", inFolder: folder) == path)
    }

    @Test("experiment --out dir/ names its plot dir/name.svg (it printed dir//name.svg)")
    func experimentFolderWithSlash() throws {
        guard try layersImplemented() else { return }
        let dir = try relativeToWorkingDirectory(try temporaryDirectory())
        let result = runTrainer(["experiment", "--name", "dropout-test-time", "--small", "--out", dir + "/"])
        #expect(result.code == 0, "\(result.err)")
        #expect(result.out.contains("wrote \(dir)/dropout-test-time.svg\n"), "\(result.out)")
        #expect(OutputFiles.exists(dir + "/dropout-test-time.svg"))
    }

    @Test("resume prints 'wrote' with the checkpoint, metrics and plot all relative when the checkpoint was given relative")
    func resumeWroteLine() throws {
        guard try layersImplemented() else { return }
        let dir = try relativeToWorkingDirectory(try temporaryDirectory())
        #expect(runTrainer(["train", "--out", dir, "--data", "blobs", "--hidden", "4", "--epochs", "3", "--stop-after", "1", "--no-timing"]).code == 0)
        try FileManager.default.copyItem(atPath: dir + "/model.ckpt", toPath: dir + "/backup.ckpt")
        let resumed = runTrainer(["resume", "--checkpoint", dir + "/model.ckpt", "--stop-after", "2", "--no-timing"])
        #expect(resumed.code == 0, "\(resumed.err)")
        let other = runTrainer(["resume", "--checkpoint", dir + "/backup.ckpt", "--no-timing"])
        #expect(other.code == 0, "\(other.err)")
        let finished = runTrainer(["resume", "--checkpoint", dir + "/model.ckpt", "--no-timing"])
        #expect(finished.code == 0, "\(finished.err)")
        #expect(other.out.contains("\nwrote \(dir)/backup.ckpt, \(dir)/backup.metrics.csv, \(dir)/backup.curves.svg\n"), "\(other.out)")
        #expect(finished.out.contains("\nwrote \(dir)/model.ckpt, \(dir)/metrics.csv, \(dir)/curves.svg\n"), "\(finished.out)")
    }

    @Test("export and import print their default output beside the input, relative as the input was given")
    func exportImportDefaults() throws {
        let dir = try relativeToWorkingDirectory(try temporaryDirectory())
        try CheckpointTests.sample().write(to: dir + "/model.ckpt")
        let exported = runTrainer(["export", "--checkpoint", dir + "/model.ckpt"])
        #expect(exported.code == 0, "\(exported.err)")
        #expect(exported.out.hasPrefix("wrote \(dir)/model.safetensors: "), "\(exported.out)")
        try FileManager.default.moveItem(atPath: dir + "/model.safetensors", toPath: dir + "/w.safetensors")
        let imported = runTrainer(["import", "--input", dir + "/w.safetensors"])
        #expect(imported.code == 0, "\(imported.err)")
        #expect(imported.out.hasPrefix("wrote \(dir)/w.ckpt: "), "\(imported.out)")
        #expect(try Checkpoint.read(from: dir + "/w.ckpt").bestParameters == (try CheckpointTests.sample()).bestParameters)
    }

    @Test("import's default output in a folder it cannot create is named as the input was given")
    func importFolderRefusal() throws {
        let dir = try relativeToWorkingDirectory(try temporaryDirectory())
        try CheckpointTests.sample().write(to: dir + "/model.ckpt")
        #expect(runTrainer(["export", "--checkpoint", dir + "/model.ckpt", "--output", dir + "/w.safetensors"]).code == 0)
        try "a file, not a folder".write(toFile: dir + "/file", atomically: true, encoding: .utf8)
        let refused = runTrainer(["import", "--input", dir + "/w.safetensors", "--output", dir + "/file/w.ckpt"])
        #expect(refused.code == 64)
        #expect(refused.err.hasPrefix("Error: '--output': cannot create the directory '\(dir)/file': Not a directory"), "\(refused.err)")
    }

    @Test("a save into a folder it cannot create names that folder as the file was given")
    func saveFolderRefusal() throws {
        let dir = try relativeToWorkingDirectory(try temporaryDirectory())
        try "a file, not a folder".write(toFile: dir + "/file", atomically: true, encoding: .utf8)
        #expect { try writeAtomically("x", to: dir + "/file/x.svg") } throws: { error in
            "\(error)" == "cannot create the directory '\(dir)/file' for '\(dir)/file/x.svg': Not a directory"
        }
    }

    @Test("standard output failing at the summary names the run's folder as --out was given")
    func outputFailsAtTheEnd() throws {
        guard try layersImplemented() else { return }
        let dir = try relativeToWorkingDirectory(try temporaryDirectory())
        let errors = Console.Recording()
        // Every epoch line goes through; the summary line fails as a full device would.
        let console = Console(isTerminal: false, failableOut: { $0.hasPrefix("best epoch") ? "No space left on device" : nil },
                              failableErr: { errors.err += $0; return nil })
        let code = Trainer.run(["train", "--epochs", "2", "--out", dir + "/run"] + CleanStopTests.small, console: console)
        #expect(code == 74)
        #expect(errors.err.contains("training finished and its files are saved in \(dir)/run\n"), "\(errors.err)")
    }

    @Test("visualize writes beside a relative checkpoint and says so with relative paths")
    func visualizeDefaultFolder() throws {
        guard try layersImplemented() else { return }
        let dir = try relativeToWorkingDirectory(try temporaryDirectory())
        let train = runTrainer(["train", "--data", "digits", "--hidden", "4", "--epochs", "1", "--out", dir, "--no-timing"])
        #expect(train.code == 0, "\(train.err)")
        let result = runTrainer(["visualize", "--checkpoint", dir + "/model.ckpt"])
        #expect(result.code == 0, "\(result.err)")
        #expect(result.out.hasPrefix("wrote \(dir)/first-layer-weights.svg\n"), "\(result.out)")
        #expect(OutputFiles.exists(dir + "/first-layer-weights.svg"))
    }
}

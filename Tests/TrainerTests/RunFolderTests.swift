// Issue 17, point 5: the README's set-up trains with the reference solutions and a student later runs
// the same command on their own layers; the two runs must not meet in one folder. A debug build
// says, after its first epoch, what the rest will cost and how to continue in release.
import Foundation
import Testing
@testable import TrainerKit

@Suite("run folders and the debug build's note")
struct RunFolderTests {
    @Test("without --out, the reference solutions' runs go under runs/reference/, a student's under runs/")
    func defaultFolders() throws {
        let configuration = try CheckpointTests.sample().configuration
        let folder = Trainer.defaultDirectory(configuration)
        if ProcessInfo.processInfo.environment["WORKBOOK"] == "Solutions" {
            #expect(folder == "runs/reference/mlp-blobs")
        } else {
            #expect(folder == "runs/mlp-blobs")
        }
        #expect(folder.hasSuffix("/mlp-blobs"))
    }

    @Test("a debug build states the measured slowdown at the start, and after epoch 1 the cost and the release resume command",
          .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
    func debugNote() throws {
        let out = try temporaryDirectory() + "/run"
        let result = runTrainer(["train", "--data", "xor", "--hidden", "4", "--epochs", "3", "--out", out])
        if ProcessInfo.processInfo.environment["WORKBOOK"] != "Solutions" {
            // The pristine stubs: the trainer lists the missing exercises before training.
            #expect(result.code != 0)
            return
        }
        #expect(result.code == 0, "\(result.err)")
        #if DEBUG
        #expect(result.err.contains("debug build, \(Trainer.debugSlowdown) slower than a release build"))
        #expect(result.err.contains("note: epoch 1 took "))
        #expect(result.err.contains("so the other 2 need about"))
        #expect(result.err.contains("swift run -c release trainer resume --checkpoint \(out)/model.ckpt"))
        #else
        #expect(!result.err.contains("debug build"))
        #endif
    }
}

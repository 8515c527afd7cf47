import Foundation
import Testing
@testable import TrainerKit
import WorkbookCore

// Issue 18: every numeric flag has a documented range, and nonsense is refused as a usage error
// naming the flag and quoting the value as written. Each case here was accepted before the fix.

@Suite("numeric flags: documented ranges, nonsense refused", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct FlagRangeTests {
    @Test("values that cannot train are usage errors naming the flag", arguments: [
        (["train", "--learning-rate", "0"], "Error: '--learning-rate' needs a number above 0.0 and at most 1000000.0, got '0'"),
        (["train", "--lr-decay", "0"], "Error: '--lr-decay' needs a number above 0.0 and at most 1.0, got '0'"),
        (["train", "--threads", "100000"], "Error: '--threads' needs an integer in 1...64, got '100000'"),
        (["resume", "--checkpoint", "x.ckpt", "--threads", "100000"], "Error: '--threads' needs an integer in 1...64, got '100000'"),
        (["bench", "--threads", "100000"], "Error: '--threads' needs an integer in 1...64, got '100000'"),
        (["train", "--stop-after", "5", "--epochs", "2"], "Error: '--stop-after 5' is beyond '--epochs 2': the run would end first; give a stop in 1...2"),
        (["train", "--data", "moons", "--labels", "labels.idx"], "Error: '--labels' goes with an IDX images file given as --data; '--data moons' has its own labels: leave --labels out"),
        (["train", "--data", "digits", "--labels", "labels.idx"], "Error: '--labels' goes with an IDX images file given as --data; '--data digits' has its own labels: leave --labels out"),
        (["train", "--seed", "18446744073709551616"], "Error: '--seed' needs an integer in 0...18446744073709551615, got '18446744073709551616'"),
        (["train", "--seed", "-1"], "Error: '--seed' needs an integer in 0...18446744073709551615, got '-1'"),
    ])
    func refused(_ arguments: [String], _ message: String) throws {
        let dir = try temporaryDirectory()
        let result = runTrainer(arguments + (arguments[0] == "train" ? ["--out", dir + "/run", "--hidden", "4"] : []))
        #expect(result.code == 64, "\(result.err)")
        #expect(result.err.hasPrefix(message + "\n"), "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/run"))
    }

    @Test("seeds 2^63 … 2^64−1 are accepted and stored as given (the seed is unsigned)", arguments: ["9223372036854775808", "18446744073709551615"])
    func largeSeeds(seed: String) throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        let result = runTrainer(["train", "--data", "xor", "--hidden", "4", "--epochs", "1", "--seed", seed, "--out", dir, "--no-timing"])
        #expect(result.code == 0, "\(result.err)")
        #expect(try Checkpoint.read(from: dir + "/model.ckpt").configuration.seed == UInt64(seed))
    }

    @Test("resume --stop-after beyond the epochs it trains to is refused")
    func resumeStopBeyondEpochs() throws {
        let dir = try temporaryDirectory()
        try CheckpointTests.sample().write(to: dir + "/model.ckpt")
        let result = runTrainer(["resume", "--checkpoint", dir + "/model.ckpt", "--epochs", "3", "--stop-after", "7"])
        #expect(result.code == 64)
        #expect(result.err.hasPrefix("Error: '--stop-after 7' is beyond the 3 epochs this run trains to (--epochs); give a stop in 2...3"), "\(result.err)")
    }

    @Test("bench without --kernel keeps the kernel WORKBOOK_GEMM_KERNEL chose, as its help says (child process)")
    func benchKeepsEnvironmentKernel() async throws {
        guard GemmKernel.supported.count > 1 else { return }
        let narrower = GemmKernel.supported.first { $0 != GemmKernel.fastest }!
        await #expect(processExitsWith: .success) { [narrower = narrower.rawValue as String] in
            // The environment is read when the settings are first used: set it before that.
            setenv("WORKBOOK_GEMM_KERNEL", narrower, 1)
            let options = try? Trainer.benchCommand.parse(["--part", "kernel"])
            guard let options, (try? Trainer.applyKernelOptions(options)) != nil else { exit(2) }
            exit(GemmSettings.kernel.rawValue == narrower ? 0 : 1)
        }
    }

    @Test("every range is stated in train --help and in the limits table")
    func rangesDocumented() {
        let help = Trainer.trainCommand.help
        for flag in ["--learning-rate <rate>", "--lr-decay <factor>", "--threads <n>", "--seed <n>", "--stop-after <epoch>"] {
            let line = help.split(separator: "\n").first { $0.contains(flag) } ?? ""
            #expect(line.contains("...") || line.contains("above 0"), "\(flag): \(line)")
        }
        #expect(Limits.summary.contains("--threads         1...64"))
        #expect(Limits.summary.contains("--learning-rate   above 0, at most 1e6"))
    }
}

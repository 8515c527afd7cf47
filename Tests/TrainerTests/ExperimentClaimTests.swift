import Foundation
import Testing
@testable import TrainerKit

/// Each of the notes' seven claims, measured by its experiment's seeded small version (a debug build,
/// seconds to tens of seconds each): the test fails if the claim stops holding by the experiment's own
/// rule (`Experiment.rule`). About a minute in all, so plain `swift test` skips them; CI runs them
/// with `WORKBOOK_EXPERIMENTS=1` (`.ci/check-experiments`).
@Suite("the notes' claims, measured", .enabled(if: ProcessInfo.processInfo.environment["WORKBOOK_EXPERIMENTS"] == "1"), .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct ExperimentClaimTests {
    @Test("the claim holds in the small seeded version", arguments: Experiments.names.filter { $0 != "snapshot-ensemble" })
    func claimHolds(_ name: String) throws {
        guard try layersImplemented() else { return }
        let experiment = try #require(Experiments.named(name))
        let result = try experiment.run(seed: 1, scale: .small)
        let holds = result.claimHolds
        #expect(holds, "\(experiment.name): \(experiment.claim) — by the rule \"\(experiment.rule)\", the numbers say no:\n\(result.table.text)\n\(result.conclusion)")
        #expect(result.figure.hasPrefix("<svg") && !result.table.rows.isEmpty)
    }

    /// A snapshot ensemble needs snapshots that are each well trained and differ; at the small scale
    /// (3 cycles of 6 epochs) the early snapshots are undertrained and the ensemble loses to a single
    /// model (measured: test cross-entropy +0.19 ± 0.04 over 3 seeds). The full version (5 seeds,
    /// 5 cycles of 20 epochs, release build) reproduces the claim on cross-entropy. Recorded as a known
    /// issue, so this test starts failing if the small version ever reproduces the claim (then drop the
    /// known-issue wrapper).
    @Test("snapshot-ensemble: the small version does not reproduce the claim (known, measured)")
    func snapshotSmall() throws {
        guard try layersImplemented() else { return }
        let experiment = try #require(Experiments.named("snapshot-ensemble"))
        let result = try experiment.run(seed: 1, scale: .small)
        let holds = result.claimHolds
        withKnownIssue("a snapshot ensemble needs longer cycles than a debug-build test affords") {
            #expect(holds, "\(result.conclusion)")
        }
    }

    @Test("every experiment has a distinct name, a claim and a rule")
    func catalogue() {
        #expect(Set(Experiments.names).count == 7)
        #expect(Experiments.all.allSatisfy { !$0.claim.isEmpty && !$0.rule.isEmpty })
    }
}

// The pool's workers spin between jobs only while the caller has a core to itself (WorkerPool.c):
// with both cores free, spinning took the ResNet's two threads from ×1.45 to ×1.6 of one thread, but
// with one core busy elsewhere a spinning worker took turns with the caller and two threads ran ×0.7.
// These tests drive the policy's steps with the share of each 20 ms window the caller spent working
// (its CPU time less its waits for workers' parts, over the wall clock).
import Testing
import WorkerPool

@Suite("the worker pool's spin policy")
struct SpinPolicyTests {
    /// A policy that starts spinning, as the pool's does.
    func fresh() -> workbook_spin_policy { workbook_spin_policy(spinning: 1, rest: 0, backoff: 1) }

    @Test("keeps spinning while the caller works at least 75 % of the wall clock")
    func keepsSpinningOnAFreeCore() {
        var policy = fresh()
        for share in [1.0, 0.97, 0.75, 0.9, 0.8] { workbook_spin_policy_step(&policy, share) }
        #expect(policy.spinning == 1)
    }

    @Test("stops spinning when other work takes the caller's core, and tries again after one window")
    func stopsWhenTheCoreIsShared() {
        var policy = fresh()
        workbook_spin_policy_step(&policy, 0.6)
        #expect(policy.spinning == 0, "a caller that ran 60 % of the window shares its core: the workers must sleep")
        workbook_spin_policy_step(&policy, 0.6)
        #expect(policy.spinning == 1, "after a rest of one window the policy tries spinning again")
    }

    @Test("each failed try doubles the rest, up to 64 windows; a try that holds resets it")
    func backsOff() {
        var policy = fresh()
        var rests: [Int32] = []
        for _ in 0..<8 {
            workbook_spin_policy_step(&policy, 0.5)            // a try fails
            rests.append(policy.rest)
            while policy.spinning == 0 { workbook_spin_policy_step(&policy, 0.5) }
        }
        #expect(rests == [1, 2, 4, 8, 16, 32, 64, 64])
        workbook_spin_policy_step(&policy, 0.99)                // the core is free again
        workbook_spin_policy_step(&policy, 0.5)
        #expect(policy.rest == 1, "a try that held resets the back-off, so the next rest is one window")
    }
}

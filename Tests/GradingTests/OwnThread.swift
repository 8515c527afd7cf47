// Tests that wait minutes for builds and gradings (a whole batch) do the waiting on a thread of
// their own. Swift Testing runs test functions on the cooperative pool, whose width is the core
// count: two here. Two tests blocked there for minutes kept every short test waiting, and with
// them the bookkeeping of exit tests (TrainerTests): each finished exit test's child stays a
// zombie until its test gets a thread back, and Swift Testing's waiter thread spins on a zombie it
// cannot yet match to a test, taking a whole core. A CI run seen that way ran four times its time.
import Foundation

/// Runs `work` on a new thread and suspends the test until it returns (or throws). `work` only
/// computes: expectations belong to the test, after the await, where Swift Testing knows the test.
/// Such works run one at a time: each batch already keeps both cores busy with its two workers, and
/// two at once halved the speed of every runner, the crash reporter's included (a stopped loop's
/// report then missed its time and lost the student's line).
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            heavyWork.lock()
            let result = Result { try work() }
            heavyWork.unlock()
            continuation.resume(with: result)
        }
        thread.stackSize = 16 << 20
        thread.start()
    }
}

private let heavyWork = NSLock()

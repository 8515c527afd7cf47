// A worker the pool starts for a job must take part in that job. The first version read the job
// number once its thread ran; a thread usually starts after the caller has published the job, so the
// worker took that job for an old one, slept through it, and the caller did its parts alone (hidden
// by the stealing that lets the caller take a late worker's parts; found when stealing was turned off
// for an experiment and the first job never ended).
import Foundation
import Testing
import WorkerPool

@Suite("the worker pool's first job")
struct NewWorkerTests {
    @Test("a worker started for a job runs its own part of it (child process: a fresh pool)")
    func newWorkerJoinsItsFirstJob() async {
        await #expect(processExitsWith: .success) {
            // Which thread ran each of the job's two parts. The caller runs part 0 first and then would
            // take part 1 itself if the worker had not: so part 0 sleeps long enough for a thread to
            // start, and part 1 must then have run on the worker.
            let ranOn = UnsafeMutablePointer<pthread_t>.allocate(capacity: 2)
            ranOn.initialize(repeating: pthread_self(), count: 2)
            workbook_pool_run(2, 2, { context, part in
                let ranOn = context!.assumingMemoryBound(to: pthread_t.self)
                if part == 0 { usleep(300_000) }
                ranOn[part] = pthread_self()
            }, ranOn)
            let caller = pthread_self()
            exit(pthread_equal(ranOn[0], caller) != 0 && pthread_equal(ranOn[1], caller) == 0 ? 0 : 1)
        }
    }
}

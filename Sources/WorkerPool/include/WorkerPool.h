// A small pool of worker threads for the matrix kernel's split products.
//
// Why not `DispatchQueue.concurrentPerform`: a ResNet training step runs a few hundred products of
// 1–10 M multiply-adds (0.1–1 ms each) back to back. Between two of them a GCD worker goes to sleep,
// and waking it costs about what half such a product saves, so two threads ran the ResNet no faster
// than one. The workers here spin for a short, bounded time after each job (WORKBOOK_POOL_SPIN_US,
// default 200 µs) before they sleep on a condition variable, so the next product of the same step
// finds them awake; an idle pool costs nothing beyond that.
#ifndef WORKBOOK_WORKER_POOL_H
#define WORKBOOK_WORKER_POOL_H

/// One part of a job: `part` is in 0 ..< parts.
typedef void (*workbook_pool_task)(void *context, long part);

/// Runs `task(context, part)` for every part in 0 ..< parts, on the calling thread and up to
/// `threads` − 1 pool workers, and returns when all parts are done. Which thread runs which part is
/// not fixed, so each part must compute the same thing wherever it runs. When the pool is busy
/// (a call from another thread, or from inside a task) the parts run one after another on the
/// calling thread instead: never a deadlock, never a wrong result.
void workbook_pool_run(long parts, long threads, workbook_pool_task task, void *context);

#endif

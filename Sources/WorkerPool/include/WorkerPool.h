// A small pool of worker threads for the matrix kernel's split products and WorkbookCore's
// parallelForEach (the reference layers' per-image loops).
//
// The parts of a job are claimed one at a time by whichever thread is free, the caller included, so
// when no second core is free (a machine shared with other work) the caller simply takes every part
// itself instead of waiting for a descheduled worker. After a job, workers may spin for a bounded
// time (WORKBOOK_POOL_SPIN_US, default 0: sleep at once on a condition variable) so that the next
// product of the same training step finds them awake. On this project's shared 2-core machine
// (load 6–10) spinning lost: the ResNet epoch on 2 threads ran ×0.6–1.0 of one thread with a 50–1000 µs
// spin and ×1.0–1.5 without, hence the default. With both cores free (fourth round, README) a 200 µs
// spin made it ×1.43–1.62 instead of ×1.33–1.50, and ×0.7 again with one core busy elsewhere.
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

// This header is the module's umbrella (SwiftPM), so the target's other header is reached through it.
#include "Allocator.h"

#endif

// A small pool of worker threads for the matrix kernel's split products and WorkbookCore's
// parallelForEach (the reference layers' per-image loops).
//
// The parts of a job are dealt out in contiguous runs, one per thread (the caller's first), so that
// consecutive jobs over the same batch give the same rows to the same thread and they are still in
// its core's cache; a thread that has run its own parts takes the others' from the back, so when no
// second core is free (a machine shared with other work) the caller simply takes every part itself
// instead of waiting for a descheduled worker. After a job, workers spin for up to 200 µs
// so that the next job of the same training step finds them awake (no futex wake, no late start),
// but only while the caller has a core to itself: every 20 ms the caller measures the share of the
// wall clock it spent working (its CPU time less its waits for workers' parts), and the policy below
// stops the spinning when other work takes a core. WORKBOOK_POOL_SPIN_US=N
// fixes the spin at N µs instead (0: sleep at once). Measured in the README's trainer section.
#ifndef WORKBOOK_WORKER_POOL_H
#define WORKBOOK_WORKER_POOL_H

/// One part of a job: `part` is in 0 ..< parts.
typedef void (*workbook_pool_task)(void *context, long part);

/// Runs `task(context, part)` for every part in 0 ..< parts, on the calling thread and up to
/// `threads` − 1 pool workers, and returns when all parts are done. Thread t (the caller is 0) starts
/// with parts [parts·t/T, parts·(t+1)/T) of the T taking part, in order, but any thread may run any
/// part, so each part must compute the same thing wherever it runs. When the pool is busy (a call
/// from another thread, or from inside a task), or for more than 65535 parts, the parts run one after
/// another on the calling thread instead: never a deadlock, never a wrong result.
void workbook_pool_run(long parts, long threads, workbook_pool_task task, void *context);

/// Whether idle workers spin, and how long until spinning is tried again after it was stopped.
typedef struct {
    int spinning;
    /// Windows left before spinning is tried again (while not spinning).
    int rest;
    /// The next rest: 1, doubled each time a try fails, up to 64.
    int backoff;
} workbook_spin_policy;

/// One 20 ms window's step of the spin policy: `share` is the caller's CPU time, less its waits for
/// workers' parts, over the window's wall time. Spinning stops when the share is under 0.75 (other
/// work took a core) and starts again after `rest` windows.
void workbook_spin_policy_step(workbook_spin_policy *state, double share);

/// How long a cache line written by one thread takes to reach another that waits for it, in
/// nanoseconds (one way; the median of 9 batches of 2000 round trips with a thread of its own, both
/// spinning). It is the price of every hand-over between two cores, and it depends on where they
/// sit: a few tens of ns for cores that share a last-level cache, several times that for cores on
/// different dies (a virtual machine's two cores may move between the two from second to second).
/// `trainer bench` prints it beside its two-thread figures. Returns -1 if no thread could be started.
double workbook_handoff_ns(void);

// This header is the module's umbrella (SwiftPM), so the target's other header is reached through it.
#include "Allocator.h"

#endif

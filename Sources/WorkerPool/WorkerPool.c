// See include/WorkerPool.h.
//
// Protocol. One job at a time (a try-lock; a caller that loses runs its parts alone). The job's
// fields are published before `ticket` = (generation << 32 | next part) is stored with release order;
// a worker that sees a new generation reads the fields, then claims part `next` by compare-and-swap
// on the whole ticket, so a claim can never mix one job's fields with another's part. `done` counts
// finished parts; the caller returns when it reaches `parts`. Sleeping: a worker that saw no job for
// the spin time increments `sleeping` and waits on the condition variable after re-checking the
// ticket under the mutex; the caller broadcasts when `sleeping` > 0 after publishing (both
// sequentially consistent, so one of the two sees the other).
//
// Spinning. A worker that has finished its parts spins for `worker_spin_ns` before it sleeps, so the
// next job of the same step (a training step runs hundreds, 100 µs–1 ms apart) finds it awake instead
// of paying a futex wake and a late start. That pays only while the caller has a core of its own: when
// other work keeps a core busy, a spinning worker takes turns with the caller on the remaining one. So
// unless WORKBOOK_POOL_SPIN_US fixes the spin, the caller measures, every 20 ms of wall clock, the
// share of it its own thread did work: its CPU time, less the time it waited for a worker's part, over
// the wall time. With both cores free that share is about 0.95 (0.9 or more in nine windows of ten); with a core busy elsewhere either
// the caller shares its core with the spinning worker (its CPU time falls to 0.5–0.6 of the wall
// clock) or the worker shares the busy core and the caller waits for its parts (up to 0.4 of the wall
// clock), because a worker that spins uses up its turns and is not run promptly when a part arrives.
// The policy below turns spinning off when the share falls under 0.75 and tries it again after a rest
// that doubles each time it fails (up to 64 windows, about 1.3 s). None of this changes which parts
// exist or what they compute.
#include "WorkerPool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define MAX_WORKERS 63

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;   // held by the caller of a job
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

static _Atomic(uint64_t) ticket = 0;           // generation << 32 | next part to claim
static _Atomic(workbook_pool_task) job_task = NULL;
static _Atomic(void *) job_context = NULL;
static _Atomic long job_parts = 0;
static _Atomic long done = 0;
static _Atomic int sleeping = 0;
static int workers = 0;                         // started so far; changed only under job_lock
static long spin_ns = -1;                       // the spin when it is on; read once, under job_lock
static int adaptive = 0;                        // WORKBOOK_POOL_SPIN_US unset: the policy decides
static _Atomic long worker_spin_ns = 0;         // what workers spin now
static workbook_spin_policy policy = { 1, 0, 1 };
static long window_wall = 0, window_cpu = 0;    // the caller's clocks when the window began
static long window_wait = 0;                    // the caller's waits for workers' parts in the window

#define ADAPTIVE_SPIN_NS 200000L
#define WINDOW_NS 20000000L
#define BUSY_SHARE 0.75
#define MAX_REST 64

/// A hint that this is a spin loop (lets a sibling hyper-thread run, saves power).
static inline void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

static long thread_cpu_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

void workbook_spin_policy_step(workbook_spin_policy *state, double share) {
    if (state->spinning) {
        if (share < BUSY_SHARE) {
            state->spinning = 0;
            state->rest = state->backoff;
            state->backoff = state->backoff * 2 > MAX_REST ? MAX_REST : state->backoff * 2;
        } else {
            state->backoff = 1;
        }
    } else if (--state->rest <= 0) {
        state->spinning = 1;
    }
}

/// The caller's look at its own share of a core, once a window (under job_lock).
static void adapt_spin(void) {
    long wall = now_ns();
    if (window_wall == 0) {
        window_wall = wall;
        window_cpu = thread_cpu_ns();
        return;
    }
    if (wall - window_wall < WINDOW_NS) return;
    long cpu = thread_cpu_ns();
    workbook_spin_policy_step(&policy, (double)(cpu - window_cpu - window_wait) / (double)(wall - window_wall));
    atomic_store_explicit(&worker_spin_ns, policy.spinning ? spin_ns : 0, memory_order_relaxed);
    window_wall = wall;
    window_cpu = cpu;
    window_wait = 0;
}

/// Claims and runs parts of the job of generation `generation` until none is left.
static void run_parts(uint32_t generation) {
    for (;;) {
        uint64_t seen = atomic_load_explicit(&ticket, memory_order_acquire);
        if ((uint32_t)(seen >> 32) != generation) return;
        workbook_pool_task task = atomic_load_explicit(&job_task, memory_order_relaxed);
        void *context = atomic_load_explicit(&job_context, memory_order_relaxed);
        long parts = atomic_load_explicit(&job_parts, memory_order_relaxed);
        long part = (long)(uint32_t)seen;
        if (part >= parts) return;
        if (!atomic_compare_exchange_weak_explicit(&ticket, &seen, seen + 1, memory_order_acq_rel, memory_order_relaxed)) continue;
        task(context, part);
        atomic_fetch_add_explicit(&done, 1, memory_order_release);
    }
}

static void *worker_main(void *unused) {
    (void)unused;
    uint32_t last = (uint32_t)(atomic_load(&ticket) >> 32);
    for (;;) {
        long start = now_ns();
        uint32_t generation = last;
        long spins = 0;
        for (;;) {
            generation = (uint32_t)(atomic_load_explicit(&ticket, memory_order_acquire) >> 32);
            if (generation != last) break;
            relax();
            if ((++spins & 63) == 0 && now_ns() - start > atomic_load_explicit(&worker_spin_ns, memory_order_relaxed)) break;
        }
        if (generation == last) {
            pthread_mutex_lock(&sleep_lock);
            atomic_fetch_add(&sleeping, 1);
            while ((generation = (uint32_t)(atomic_load(&ticket) >> 32)) == last) pthread_cond_wait(&wake, &sleep_lock);
            atomic_fetch_sub(&sleeping, 1);
            pthread_mutex_unlock(&sleep_lock);
        }
        last = generation;
        run_parts(generation);
    }
    return NULL;
}

void workbook_pool_run(long parts, long threads, workbook_pool_task task, void *context) {
    if (parts <= 0) return;
    if (parts == 1 || threads <= 1 || pthread_mutex_trylock(&job_lock) != 0) {
        for (long part = 0; part < parts; part++) task(context, part);
        return;
    }
    if (spin_ns < 0) {
        const char *text = getenv("WORKBOOK_POOL_SPIN_US");
        long us = text ? atol(text) : 0;
        adaptive = text == NULL || *text == 0;
        spin_ns = adaptive ? ADAPTIVE_SPIN_NS : (us < 0 ? 0 : us > 100000 ? 100000 : us) * 1000L;
        atomic_store(&worker_spin_ns, spin_ns);
    }
    if (adaptive) adapt_spin();
    long wanted = threads - 1 < MAX_WORKERS ? threads - 1 : MAX_WORKERS;
    while (workers < wanted) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attributes, worker_main, NULL);
        pthread_attr_destroy(&attributes);
        if (failed) break;   // fewer workers: the caller and those started do all the parts
        workers++;
    }
    atomic_store_explicit(&job_task, task, memory_order_relaxed);
    atomic_store_explicit(&job_context, context, memory_order_relaxed);
    atomic_store_explicit(&job_parts, parts, memory_order_relaxed);
    atomic_store_explicit(&done, 0, memory_order_relaxed);
    uint32_t generation = (uint32_t)(atomic_load(&ticket) >> 32) + 1;
    atomic_store(&ticket, (uint64_t)generation << 32);   // sequentially consistent: publishes the job
    if (atomic_load(&sleeping) > 0) {
        pthread_mutex_lock(&sleep_lock);
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&sleep_lock);
    }
    run_parts(generation);
    long waited = adaptive ? now_ns() : 0;
    long spins = 0;
    while (atomic_load_explicit(&done, memory_order_acquire) < parts) {
        if (++spins > 4096) sched_yield(); else relax();   // a descheduled worker: give it the core
    }
    if (adaptive) window_wait += now_ns() - waited;
    pthread_mutex_unlock(&job_lock);
}

// See include/WorkerPool.h.
//
// Protocol. One job at a time (a try-lock; a caller that loses runs its parts alone). The parts are
// dealt out in advance: the job has one slot per thread (the caller is slot 0, worker w is slot w),
// and slot s starts with the contiguous parts [parts·s/T, parts·(s+1)/T). A thread claims its own
// slot's parts from the front, in order; when its slot is empty it steals from the back of the other
// slots, so a late thread's parts are still done by whoever is free. Consecutive jobs over the same
// batch (im2col, the product, batch norm, ReLU, all cut into contiguous parts by image or row) thus
// give the same rows to the same thread whenever both are in time, and the rows a core wrote are
// still in its own L2 cache when its next part reads them (when every part went to whichever thread
// was free, nothing tied a part to the thread that wrote its rows the job before).
//
// Each slot is one 64-bit word, (generation << 32 | next << 16 | end), claimed by compare-and-swap on
// the whole word, so a claim can never mix one job's fields with another's part: the job's fields are
// published, then the slots, then `generation` (release/sequentially consistent); a thread reads the
// fields after it saw the slot's generation and claims by CAS, which fails if the slot moved on.
// `done` counts finished parts; the caller returns when it reaches `parts`. Sleeping: a worker that saw
// no job for the spin time increments `sleeping` and waits on the condition variable after
// re-checking the generation under the mutex; the caller broadcasts when `sleeping` > 0 after
// publishing (both sequentially consistent, so one of the two sees the other).
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

static _Atomic(uint64_t) generation = 0;       // the current job's number; workers watch it
/// Slot s of the current job: generation << 32 | next part << 16 | end (one cache line each).
static struct { _Alignas(64) _Atomic(uint64_t) word; } slots[MAX_WORKERS + 1];
static _Atomic long job_slots = 0;
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

/// Claims one part of slot `slot` for the job `job`: the front one for the slot's own thread, the
/// back one for a thief. Returns -1 when the slot is empty or the job is over. The job's task and
/// context are read after the slot's word and before the claim, so a claim that succeeds proves they
/// are this job's (the next job publishes its fields only once every part of this one is done).
static long claim(uint32_t job, long slot, int own, workbook_pool_task *task, void **context) {
    for (;;) {
        uint64_t seen = atomic_load_explicit(&slots[slot].word, memory_order_acquire);
        long next = (long)((seen >> 16) & 0xFFFF), end = (long)(seen & 0xFFFF);
        if ((uint32_t)(seen >> 32) != job || next >= end) return -1;
        *task = atomic_load_explicit(&job_task, memory_order_relaxed);
        *context = atomic_load_explicit(&job_context, memory_order_relaxed);
        uint64_t claimed = own ? seen + (1 << 16) : seen - 1;
        if (atomic_compare_exchange_weak_explicit(&slots[slot].word, &seen, claimed, memory_order_acq_rel, memory_order_relaxed))
            return own ? next : end - 1;
    }
}

/// Runs parts of the job `job` until none is left: its own slot's first, then the other slots'.
static void run_parts(uint32_t job, long self) {
    long count = atomic_load_explicit(&job_slots, memory_order_relaxed);
    if (self >= count) return;   // a worker this job does not use (it asked for fewer threads)
    for (long k = 0; k < count; k++) {
        long slot = (self + k) % count;
        workbook_pool_task task;
        void *context;
        long part;
        while ((part = claim(job, slot, k == 0, &task, &context)) >= 0) {
            task(context, part);
            atomic_fetch_add_explicit(&done, 1, memory_order_release);
        }
    }
}

/// What a new worker is told: its slot and the last job before it was started. (Read from
/// `generation` once the thread runs, that could already be the job it was started for, published
/// while the thread was being created: the worker would wait for the next one and leave its parts
/// of this one to the caller.)
typedef struct { long slot; uint32_t last; } worker_start;

static void *worker_main(void *argument) {
    worker_start start_info = *(worker_start *)argument;
    free(argument);
    long self = start_info.slot;   // this worker's slot: 1 ... MAX_WORKERS
    uint32_t last = start_info.last;
    for (;;) {
        long start = now_ns();
        uint32_t seen = last;
        long spins = 0;
        for (;;) {
            seen = (uint32_t)atomic_load_explicit(&generation, memory_order_acquire);
            if (seen != last) break;
            relax();
            if ((++spins & 63) == 0 && now_ns() - start > atomic_load_explicit(&worker_spin_ns, memory_order_relaxed)) break;
        }
        if (seen == last) {
            pthread_mutex_lock(&sleep_lock);
            atomic_fetch_add(&sleeping, 1);
            while ((seen = (uint32_t)atomic_load(&generation)) == last) pthread_cond_wait(&wake, &sleep_lock);
            atomic_fetch_sub(&sleeping, 1);
            pthread_mutex_unlock(&sleep_lock);
        }
        last = seen;
        run_parts(seen, self);
    }
    return NULL;
}

void workbook_pool_run(long parts, long threads, workbook_pool_task task, void *context) {
    if (parts <= 0) return;
    if (parts == 1 || parts > 0xFFFF || threads <= 1 || pthread_mutex_trylock(&job_lock) != 0) {
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
        worker_start *start_info = malloc(sizeof *start_info);
        if (start_info == NULL) break;
        *start_info = (worker_start){ workers + 1, (uint32_t)atomic_load(&generation) };
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attributes, worker_main, start_info);
        pthread_attr_destroy(&attributes);
        if (failed) {   // fewer workers: the caller and those started do all the parts
            free(start_info);
            break;
        }
        workers++;
    }
    // One slot per thread that takes part: the caller and the first `count` − 1 workers.
    long count = wanted < workers ? wanted + 1 : workers + 1;
    if (count > parts) count = parts;
    uint32_t job = (uint32_t)atomic_load(&generation) + 1;
    atomic_store_explicit(&job_task, task, memory_order_relaxed);
    atomic_store_explicit(&job_context, context, memory_order_relaxed);
    atomic_store_explicit(&job_slots, count, memory_order_relaxed);
    atomic_store_explicit(&done, 0, memory_order_relaxed);
    for (long slot = 0; slot < count; slot++) {
        uint64_t first = (uint64_t)(parts * slot / count), end = (uint64_t)(parts * (slot + 1) / count);
        atomic_store_explicit(&slots[slot].word, (uint64_t)job << 32 | first << 16 | end, memory_order_release);
    }
    atomic_store(&generation, job);   // sequentially consistent: publishes the job
    if (atomic_load(&sleeping) > 0) {
        pthread_mutex_lock(&sleep_lock);
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&sleep_lock);
    }
    run_parts(job, 0);
    long waited = adaptive ? now_ns() : 0;
    long spins = 0;
    while (atomic_load_explicit(&done, memory_order_acquire) < parts) {
        if (++spins > 4096) sched_yield(); else relax();   // a descheduled worker: give it the core
    }
    if (adaptive) window_wait += now_ns() - waited;
    pthread_mutex_unlock(&job_lock);
}

// The hand-over probe (see the header). Round i: the caller writes 2i + 1 and waits for 2i + 2, which
// the partner writes once it has seen 2i + 1; each round trip is two one-way hand-overs.
#define HANDOFF_ROUNDS 2000
#define HANDOFF_BATCHES 9
static struct { _Alignas(64) _Atomic long value; } handoff;

static void handoff_wait(long value) {
    long spins = 0;
    while (atomic_load_explicit(&handoff.value, memory_order_acquire) != value) {
        // No second core free (a hand-over takes well under 1000 pauses when there is): let the other run.
        if (++spins > 1000) sched_yield(); else relax();
    }
}

static void *handoff_partner(void *argument) {
    (void)argument;
    for (long i = 0; i < (long)HANDOFF_BATCHES * HANDOFF_ROUNDS; i++) {
        handoff_wait(2 * i + 1);
        atomic_store_explicit(&handoff.value, 2 * i + 2, memory_order_release);
    }
    return NULL;
}

static int compare_longs(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

double workbook_handoff_ns(void) {
    atomic_store(&handoff.value, 0);
    pthread_t partner;
    if (pthread_create(&partner, NULL, handoff_partner, NULL) != 0) return -1;
    long times[HANDOFF_BATCHES];
    long i = 0;
    for (int batch = 0; batch < HANDOFF_BATCHES; batch++) {
        long start = now_ns();
        for (long round = 0; round < HANDOFF_ROUNDS; round++, i++) {
            atomic_store_explicit(&handoff.value, 2 * i + 1, memory_order_release);
            handoff_wait(2 * i + 2);
        }
        times[batch] = now_ns() - start;
    }
    pthread_join(partner, NULL);
    qsort(times, HANDOFF_BATCHES, sizeof times[0], compare_longs);
    return (double)times[HANDOFF_BATCHES / 2] / (2.0 * HANDOFF_ROUNDS);
}

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
static long spin_ns = -1;                       // read once, under job_lock

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
            if ((++spins & 63) == 0 && now_ns() - start > spin_ns) break;
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
        spin_ns = (us < 0 ? 0 : us > 100000 ? 100000 : us) * 1000L;
    }
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
    long spins = 0;
    while (atomic_load_explicit(&done, memory_order_acquire) < parts) {
        if (++spins > 4096) sched_yield(); else relax();   // a descheduled worker: give it the core
    }
    pthread_mutex_unlock(&job_lock);
}

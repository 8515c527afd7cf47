// A loop whose iterations may run on several threads: the per-example loops of the reference layers
// (im2col and col2im over the images of a batch, batch norm over rows or channels) use it so that the
// trainer's `--threads` speeds up more than the matrix products.
//
//     parallelForEach(0..<n, work: columns.count) { image in
//         ... writes only image `image`'s rows ...
//     }
//
// It runs on the matrix kernel's worker pool (`Sources/WorkerPool`) with the thread count of
// ``GemmSettings/threads``, which is 1 unless the trainer sets it: then the loop is a plain `for` on
// the calling thread, so grading and a student's own runs are unchanged. With more threads the range
// is cut into contiguous chunks, dealt out in runs, one per thread (the caller's the first run), so
// the same thread handles the same images from one loop or product to the next; a thread done with
// its run takes the others' chunks from the back. Which thread runs an index is therefore not fixed,
// but every index runs exactly once.
//
// The results are the same for any thread count when each iteration writes only what it owns (its
// image, its rows, its channels) and reads nothing another iteration writes. A sum over the split
// axis would not be: split a reduction so that each sum stays inside one iteration (by channel, not by
// example), and it keeps its order, or use `parallelSums` (ParallelSums.swift), whose blocks are fixed.
import KernelsPortable

/// Loops under this many scalars touched in all (8192) run on the calling thread: handing half to a
/// worker costs about a microsecond when it spins, several when it must be woken, about what such a
/// loop takes. (8192 rather than the earlier 32768 splits the ResNet's last stage, [64, 2, 2, 64].)
public let parallelMinimumWork = 1 << 13

/// Runs `body(i)` for every `i` in `range`, on up to `threads` threads when the loop is large enough
/// to pay for them, and returns when every iteration is done.
///
/// - Parameters:
///   - range: the indices, e.g. `0..<n` for the images of a batch `[N, H, W, C]`.
///   - work: about how many scalars the whole loop reads or writes; under
///     ``parallelMinimumWork`` the loop runs on the calling thread alone.
///   - threads: at most this many threads (the caller's included); ``GemmSettings/threads`` unless given.
///   - body: one iteration. Iterations may run at the same time on different threads, so each must
///     write only what index `i` owns, through raw pointers (not a captured `var` array), and read
///     nothing another iteration writes. A nested `parallelForEach` or large product inside `body`
///     runs on the thread that calls it.
/// - Complexity: the loop's own time, divided among the threads, plus a few microseconds to start
///   them.
@inlinable
public func parallelForEach(
    _ range: Range<Int>, work: Int, threads: Int = GemmSettings.threads, _ body: (Int) -> Void
) {
    parallelForEachRange(range, work: work, threads: threads) { indices in
        for i in indices { body(i) }
    }
}

/// Runs `body` once for each of a few consecutive sub-ranges that together cover `range` exactly once
/// (on one thread: once, with the whole range), on up to `threads` threads when the loop is large
/// enough, like ``parallelForEach(_:work:threads:_:)``. For short iterations (a row of a few numbers):
/// the loop over the sub-range is written inside `body`, so it compiles as a plain loop on any thread
/// count, where `parallelForEach` calls its body once per index (on several threads that call is not
/// inlined, and a row's work of a few dozen instructions pays a call each time).
///
///     parallelForEachRange(0..<rows, work: x.count) { rows in
///         for row in rows { ... writes only row `row`'s entries ... }
///     }
///
/// - Parameters:
///   - range: the indices.
///   - work: about how many scalars the whole loop touches (see ``parallelMinimumWork``).
///   - threads: at most this many threads; ``GemmSettings/threads`` unless given.
///   - body: one sub-range (never empty); it must write only what the indices of its sub-range own,
///     through raw pointers, and read nothing another sub-range writes.
/// - Complexity: the loop's own time, divided among the threads.
@inlinable
public func parallelForEachRange(
    _ range: Range<Int>, work: Int, threads: Int = GemmSettings.threads, _ body: (Range<Int>) -> Void
) {
    let parts = parallelPartCount(count: range.count, work: work, threads: threads)
    if parts <= 1 {
        if !range.isEmpty { body(range) }
        return
    }
    let start = range.lowerBound, size = range.count / parts, extra = range.count % parts
    runParallelParts(parts, threads: threads) { part in
        // Part p covers size (+ 1 for the first `extra` parts) consecutive indices.
        let lower = start + part * size + Swift.min(part, extra)
        body(lower..<(lower + size + (part < extra ? 1 : 0)))
    }
}

/// How many chunks `parallelForEach` cuts a loop of `count` iterations into: 1 for a small loop or
/// one thread, else up to four per thread, so that a thread that starts late (a busy core) leaves
/// its chunks to the others instead of holding everyone up.
@usableFromInline
func parallelPartCount(count: Int, work: Int, threads: Int) -> Int {
    guard threads > 1, count > 1, work >= parallelMinimumWork else { return 1 }
    return Swift.min(count, 4 * Swift.min(Swift.max(threads, 2), 64))
}

/// Runs `body(part)` for every part in `0..<parts` on the worker pool, the caller included.
/// (The products' own `runParts`, reached from inlinable code through this function.)
@usableFromInline
func runParallelParts(_ parts: Int, threads: Int, _ body: (Int) -> Void) {
    runParts(parts, threads: threads, body)
}

/// Elements per chunk of ``parallelForEachChunk(_:work:threads:_:)``: 4096 (32 KB of doubles).
public let parallelChunkSize = 1 << 12

/// Runs `body` on consecutive chunks of `range` (``parallelChunkSize`` indices each, the last one
/// shorter), on up to `threads` threads when the loop is large enough, like
/// ``parallelForEach(_:work:threads:_:)``. For elementwise loops: one call per chunk instead of one
/// per index, so the loop inside `body` compiles to vector instructions.
///
///     parallelForEachChunk(0..<count, work: count) { chunk in
///         for i in chunk { out[i] = max(0, x[i]) }
///     }
///
/// - Parameters:
///   - range: the indices.
///   - work: about how many scalars the whole loop touches (see ``parallelMinimumWork``).
///   - threads: at most this many threads; ``GemmSettings/threads`` unless given.
///   - body: one chunk; it must write only the indices of its chunk (through raw pointers).
/// - Complexity: the loop's own time, divided among the threads.
@inlinable
public func parallelForEachChunk(
    _ range: Range<Int>, work: Int, threads: Int = GemmSettings.threads, _ body: (Range<Int>) -> Void
) {
    let chunks = (range.count + parallelChunkSize - 1) / parallelChunkSize
    parallelForEach(0..<chunks, work: work, threads: threads) { chunk in
        let lower = range.lowerBound + chunk * parallelChunkSize
        body(lower..<Swift.min(range.upperBound, lower + parallelChunkSize))
    }
}

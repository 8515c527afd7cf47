// Sums over a loop that come out with the same bits on any number of threads: the per-channel sums of
// the reference layers' batch norms use it so that the trainer's `--threads` speeds them up too.
//
//     let sums = parallelSums(0..<m, width: c, work: x.count) { rows, sums in
//         for row in rows {
//             for channel in 0..<c { sums[channel] += xs[row * c + channel] }
//         }
//     }
//
// Floating-point addition is not associative, so splitting a sum between threads changes its last
// bits unless the split is fixed. Here it is: the range is cut into `parallelSumBlocks` (8) blocks of
// consecutive indices, whatever the thread count (fewer only when the range has fewer indices); each
// block adds its indices in order into its own `width` partial sums, on whichever thread claims the
// block; then the calling thread adds the blocks' partial sums in block order:
//
//     total[j] = ((block₀[j] + block₁[j]) + block₂[j]) + … + block₇[j]
//
// One thread computes exactly that too, block after block, so 1, 2 or 64 threads give the same
// result. (Not the bits of one plain loop over the whole range: that is a different, equally valid
// order; summing in blocks is if anything slightly more accurate.)

/// How many fixed blocks ``parallelSums(_:width:work:threads:_:)`` cuts a range into: enough for four
/// threads to share, few enough that adding the partial sums costs nothing.
public let parallelSumBlocks = 8

/// `width` sums over `range`, computed in ``parallelSumBlocks`` fixed blocks (on up to `threads`
/// threads when the loop is large enough) and added in block order, so the result is the same for
/// any thread count.
///
/// - Parameters:
///   - range: the indices summed over, e.g. `0..<m` for the rows of a batch `[M, C]`.
///   - width: how many sums, e.g. `C` for one per channel.
///   - work: about how many scalars the whole loop reads; under ``parallelMinimumWork`` every block
///     runs on the calling thread.
///   - threads: at most this many threads (the caller's included); ``GemmSettings/threads`` unless given.
///   - accumulate: adds the contributions of the indices of one block, in order, into
///     `sums[0..<width]` (the block's partial sums, zero at the start). It is called once per block
///     with the block's indices, so its loop over them compiles as a plain loop on any thread count.
///     It may run on any thread, at the same time as other blocks: it must write nothing but `sums`
///     and read nothing another call writes.
/// - Returns: the `width` sums (zeros for an empty range).
/// - Complexity: the loop's own time, divided among the threads, plus O(8·width) to add the blocks.
@inlinable
public func parallelSums(
    _ range: Range<Int>, width: Int, work: Int, threads: Int = GemmSettings.threads,
    _ accumulate: (_ indices: Range<Int>, _ sums: UnsafeMutablePointer<Double>) -> Void
) -> [Double] {
    let width = Swift.max(width, 0)
    let blocks = Swift.min(parallelSumBlocks, range.count)
    guard blocks > 0, width > 0 else { return [Double](repeating: 0, count: width) }
    // Each block's partial sums start on their own 64-byte line, so two threads never write one line.
    let stride = (width + 7) / 8 * 8
    var partials = [Double](repeating: 0, count: blocks * stride + 8)
    var total = [Double](repeating: 0, count: width)
    partials.withUnsafeMutableBufferPointer { partials in
        let base = partials.baseAddress!
        let lines = base + (8 - Int(bitPattern: base) / MemoryLayout<Double>.size % 8) % 8
        parallelForEach(0..<blocks, work: work, threads: threads) { block in
            let lower = range.lowerBound + range.count * block / blocks
            let upper = range.lowerBound + range.count * (block + 1) / blocks
            accumulate(lower..<upper, lines + block * stride)
        }
        for block in 0..<blocks {
            for j in 0..<width { total[j] += lines[block * stride + j] }
        }
    }
    return total
}

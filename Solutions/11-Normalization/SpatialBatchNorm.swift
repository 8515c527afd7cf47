// Chapter 11 · Normalization — spatial batch normalization (batch norm for convolutional layers).
//
// Shapes (NHWC; CS231n uses NCHW, [N, C, H, W], and so averages over axes (0, 2, 3)):
//   x, out, dout, dx   [N, H, W, C]
//   gamma, beta        [C]
//   mean, variance     [C]   one statistic per channel, over all N·H·W positions of the batch
//
// A convolution applies the same kernel at every position, so one channel means one feature
// everywhere in the image; spatial batch norm therefore treats every (n, h, w) as one more
// example of that channel:
//
//     μ_c = mean over (n, h, w) of x[n, h, w, c]        σ²_c = biased variance over the same
//     x̂ = (x − μ_c) / √(σ²_c + ε)                       out = γ_c·x̂ + β_c
//
// Guide and hints: Exercises/11-Normalization/GUIDE.md, or `swift run workbook hint SpatialBN1`.
import WorkbookCore

/// Spatial batch normalization in training mode: normalizes each channel with the statistics of
/// the whole batch (all images, rows and columns), then scales by `gamma` and shifts by `beta`.
///
/// - Parameters:
///   - x: `[N, H, W, C]`.
///   - gamma: the scale per channel, `[C]`.
///   - beta: the shift per channel, `[C]`.
///   - epsilon: added to the variance before the square root, so a constant channel does not divide by 0.
/// - Returns: `out`, `[N, H, W, C]`, and the cache; `cache.mean` and `cache.variance` (`[C]`, the
///   variance biased: divided by N·H·W) are what a trainer folds into its running averages.
/// - Throws: ``ShapeError`` if `x` is not rank 4 or `gamma`/`beta` are not `[C]`.
/// - Note: The cache is `SpatialBatchNormCache(xHat:gamma:mean:variance:epsilon:)`, from `Sources/WorkbookCore/Caches/NormalizationCaches.swift`: `xHat` (Tensor); `gamma` (Tensor); `mean` (Tensor); `variance` (Tensor); `epsilon` (Double).
public func spatialBatchNormForward(
    _ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Double = 1e-5
) throws -> (out: Tensor, cache: SpatialBatchNormCache) {
    // TODO(SpatialBN1): per-channel mean and biased variance over (N, H, W); normalize, scale, shift.
    // START SpatialBN1
    try requireShape(x, [-1, -1, -1, -1], "spatialBatchNormForward x [N, H, W, C]")
    let c = x.shape[3]
    try requireShape(gamma, [c], "spatialBatchNormForward gamma [C]")
    try requireShape(beta, [c], "spatialBatchNormForward beta [C]")
    // In NHWC the channel is the last axis: x read as [M, C] with M = N·H·W is a batch of M
    // examples of C features, and spatial batch norm is plain batch norm on it, column by column.
    // (The Tensor way, `x.mean(alongAxes: [0, 1, 2], keepingDimensions: true)` and broadcasting,
    // gives the same numbers; the loops below are what a CNN trainer can afford at every step.)
    let m = x.count / max(c, 1)
    let xs = x.scalars, g = gamma.scalars, b = beta.scalars   // plain arrays: no closures, no copies
    // Per-channel sums over the M rows. parallelSums adds the rows in 8 fixed blocks, one thread a
    // block, then the blocks in order: the trainer's threads share the work and any thread count
    // gives the same bits (a plain `for row in 0..<m` loop would do on one thread). It hands each
    // block's rows to the closure at once, so the loop over them is an ordinary loop.
    var mean = parallelSums(0..<m, width: c, work: x.count) { rows, sums in
        for row in rows {
            for channel in 0..<c { sums[channel] += xs[row &* c &+ channel] }
        }
    }
    for channel in 0..<c { mean[channel] /= Double(m) }
    // Biased variance (÷ M), from the centred values: more accurate than E[x²] − μ².
    let mu = mean   // a constant from here on (the closures below read it; a `let` is read once)
    var variance = parallelSums(0..<m, width: c, work: x.count) { rows, sums in
        for row in rows {
            for channel in 0..<c {
                let centred = xs[row &* c &+ channel] - mu[channel]
                sums[channel] += centred * centred
            }
        }
    }
    for channel in 0..<c { variance[channel] /= Double(m) }
    let inverseStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
    // Not zero-filled first: the loop below writes every entry. Each row writes only its own entries,
    // so the rows can run on the trainer's threads (parallelForEachRange: consecutive rows per call,
    // the whole range at once on one thread), writing through raw pointers.
    var xHat = [Double](unsafeUninitializedCapacity: x.count) { _, count in count = x.count }
    var out = [Double](unsafeUninitializedCapacity: x.count) { _, count in count = x.count }
    xHat.withUnsafeMutableBufferPointer { xHat in out.withUnsafeMutableBufferPointer { out in
        guard let xHat = xHat.baseAddress, let out = out.baseAddress else { return }
        parallelForEachRange(0..<m, work: x.count) { rows in
            for row in rows {
                for channel in 0..<c {
                    let i = row &* c &+ channel
                    let normalized = (xs[i] - mu[channel]) * inverseStd[channel]
                    xHat[i] = normalized
                    out[i] = g[channel] * normalized + b[channel]
                }
            }
        }
    }}
    return (try Tensor(shape: x.shape, scalars: out),
            SpatialBatchNormCache(xHat: try Tensor(shape: x.shape, scalars: xHat), gamma: gamma,
                                  mean: Tensor(mean), variance: Tensor(variance), epsilon: epsilon))
    // END SpatialBN1
}

/// Spatial batch normalization at test time: the same affine map, with fixed statistics (the
/// running averages kept during training) instead of the batch's, so each image's output depends
/// on that image alone.
///
///     out = γ_c·(x − mean_c) / √(variance_c + ε) + β_c
///
/// - Parameters:
///   - x: `[N, H, W, C]`.
///   - gamma, beta: `[C]`.
///   - mean, variance: the stored statistics, `[C]`.
///   - epsilon: as in training.
/// - Returns: `[N, H, W, C]`.
/// - Throws: ``ShapeError`` if a per-channel tensor is not `[C]`.
public func spatialBatchNormInference(
    _ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Double = 1e-5
) throws -> Tensor {
    // TODO(SpatialBN2): normalize with the given mean and variance instead of the batch's.
    // START SpatialBN2
    try requireShape(x, [-1, -1, -1, -1], "spatialBatchNormInference x [N, H, W, C]")
    let c = x.shape[3]
    for (name, t) in [("gamma", gamma), ("beta", beta), ("mean", mean), ("variance", variance)] {
        try requireShape(t, [c], "spatialBatchNormInference \(name) [C]")
    }
    // Fold everything into one scale and one shift per channel: out = x·scale + shift.
    let scale = (0..<c).map { gamma.scalars[$0] / (variance.scalars[$0] + epsilon).squareRoot() }
    let shift = (0..<c).map { beta.scalars[$0] - mean.scalars[$0] * scale[$0] }
    let xs = x.scalars
    var out = [Double](repeating: 0, count: x.count)
    for row in 0..<(x.count / max(c, 1)) {
        for channel in 0..<c {
            let i = row &* c &+ channel
            out[i] = xs[i] * scale[channel] + shift[channel]
        }
    }
    return try Tensor(shape: x.shape, scalars: out)
    // END SpatialBN2
}

/// The backward pass of `spatialBatchNormForward` (training mode).
///
/// Each channel is a batch norm over its M = N·H·W entries, so, with `dx̂ = dout·γ` and means
/// taken over (n, h, w):
///
///     dβ = Σ dout          dγ = Σ dout·x̂
///     dx = (1/√(σ² + ε))·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
///
/// The two subtracted terms are the gradient flowing through μ and through σ²: every entry moved
/// the statistics that normalized all the others.
///
/// - Parameters:
///   - dout: `[N, H, W, C]`.
///   - cache: what `spatialBatchNormForward` kept.
/// - Returns: `dx` `[N, H, W, C]`, `dgamma` `[C]`, `dbeta` `[C]`.
/// - Throws: ``ShapeError`` if `dout` and the cached x̂ differ in shape.
public func spatialBatchNormBackward(
    _ dout: Tensor, cache: SpatialBatchNormCache
) throws -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) {
    // TODO(SpatialBN3): sum over (N, H, W) for dgamma and dbeta; the compact batch-norm formula for dx.
    // START SpatialBN3
    let xHat = cache.xHat
    guard dout.shape == xHat.shape, xHat.rank == 4 else {
        throw ShapeError(operation: "spatialBatchNormBackward", shapes: [dout.shape, xHat.shape],
                         detail: "dout must have the shape of the forward input [N, H, W, C]")
    }
    let c = xHat.shape[3]
    try requireShape(cache.gamma, [c], "spatialBatchNormBackward cache.gamma [C]")
    try requireShape(cache.variance, [c], "spatialBatchNormBackward cache.variance [C]")
    // Read as [M, C] (M = N·H·W) this is batch norm's backward per column. Two sums per channel
    // give everything: with dx̂ = γ·dout,
    //   dβ = Σ dout,   dγ = Σ dout·x̂,   mean(dx̂) = γ·dβ/M,   mean(dx̂·x̂) = γ·dγ/M,
    // so dx = (γ/√(σ² + ε))·(dout − dβ/M − x̂·dγ/M).
    let m = xHat.count / max(c, 1)
    let d = dout.scalars, xh = xHat.scalars
    // Both sums in one pass over the rows, as in the forward pass (parallelSums: fixed blocks of
    // rows on the trainer's threads, the same bits for any thread count): dβ in sums[0..<C], dγ after it.
    let sums = parallelSums(0..<m, width: 2 * c, work: xHat.count) { rows, sums in
        for row in rows {
            for channel in 0..<c {
                let i = row &* c &+ channel
                sums[channel] += d[i]
                sums[c &+ channel] += d[i] * xh[i]
            }
        }
    }
    let dbeta = Array(sums[0..<c]), dgamma = Array(sums[c...])
    let scale = (0..<c).map { cache.gamma.scalars[$0] / (cache.variance.scalars[$0] + cache.epsilon).squareRoot() }
    let meanDout = dbeta.map { $0 / Double(m) }
    let meanDoutXHat = dgamma.map { $0 / Double(m) }
    // Every entry written below (not zero-filled first), rows on the trainer's threads, as in the
    // forward pass.
    var dx = [Double](unsafeUninitializedCapacity: xHat.count) { _, count in count = xHat.count }
    dx.withUnsafeMutableBufferPointer { dx in
        guard let dx = dx.baseAddress else { return }
        parallelForEachRange(0..<m, work: xHat.count) { rows in
            for row in rows {
                for channel in 0..<c {
                    let i = row &* c &+ channel
                    dx[i] = scale[channel] * (d[i] - meanDout[channel] - xh[i] * meanDoutXHat[channel])
                }
            }
        }
    }
    return (try Tensor(shape: xHat.shape, scalars: dx), Tensor(dgamma), Tensor(dbeta))
    // END SpatialBN3
}

// Chapter 9 · Batch normalization on feature vectors
//
// Shapes (one legend for the chapter):
//   N  examples in the batch (the notes' |B|)
//   D  features; each is normalized on its own, over the batch
//   x, out, dout `[N, D]`; gamma, beta, mean, variance and their gradients `[D]`
//
// Notes 001 name the steps  μ = Σa/|B|,  σ² = Σ(a − μ)²/|B|,  u = (a − μ)/sqrt(σ² + ε),  â = γu + β;
// here u is `xHat` and â is `out`.
//
// Guide and hints: Exercises/09-BatchNorm/GUIDE.md, or `swift run workbook hint BatchNorm1`.
import WorkbookCore

/// Batch normalization in training mode: normalize each feature with the batch's own statistics,
/// then scale and shift.
///
///     mean     = (1/N) Σ_n x[n, :]
///     variance = (1/N) Σ_n (x[n, :] − mean)²      biased: divided by N, as in the notes
///     xHat     = (x − mean) / sqrt(variance + epsilon)
///     out      = gamma ⊙ xHat + beta
///
/// - Parameters:
///   - x: the pre-activations, `[N, D]`.
///   - gamma: the learned scale, `[D]`.
///   - beta: the learned shift, `[D]`.
///   - epsilon: added to the variance so a constant feature does not divide by zero.
/// - Returns: `out` `[N, D]` and the cache (xHat, gamma, the batch mean and variance `[D]`, epsilon).
/// - Throws: ``ShapeError`` if `x` is not a matrix or `gamma`/`beta` are not `[D]`.
/// - Complexity: O(N·D).
/// - Note: The cache is `BatchNormCache(xHat:gamma:mean:variance:epsilon:)`, from `Sources/WorkbookCore/Caches/BatchNormCaches.swift`: `xHat` (Tensor); `gamma` (Tensor); `mean` (Tensor); `variance` (Tensor); `epsilon` (Double).
public func batchNormForward(
    _ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Double = 1e-5
) throws -> (out: Tensor, cache: BatchNormCache) {
    // TODO(BatchNorm1): batch mean and biased variance per feature, normalize, scale by gamma, shift by beta.
    // START BatchNorm1
    try requireShape(x, [-1, -1], "batchNormForward x")
    try requireShape(gamma, [x.shape[1]], "batchNormForward gamma (one per feature)")
    try requireShape(beta, [x.shape[1]], "batchNormForward beta (one per feature)")
    // Statistics over the batch axis: one mean and one variance per feature, each [D].
    let mean = try x.mean(alongAxis: 0)
    let variance = try x.variance(alongAxes: [0])   // divides by N (biased), as the notes do
    // [N, D] − [D] broadcasts the statistics over the rows.
    let xHat = try (x - mean) / (variance + epsilon).squareRoot()
    let out = try xHat * gamma + beta
    return (out, BatchNormCache(xHat: xHat, gamma: gamma, mean: mean, variance: variance, epsilon: epsilon))
    // END BatchNorm1
}

/// Batch normalization in inference mode: the same affine map, but with stored statistics (the
/// population estimate or the running average), so each example's output depends on it alone.
///
///     out = gamma ⊙ (x − mean) / sqrt(variance + epsilon) + beta
///
/// - Parameters:
///   - x: the pre-activations, `[N, D]`.
///   - gamma: the learned scale, `[D]`.
///   - beta: the learned shift, `[D]`.
///   - mean: the stored mean, `[D]`.
///   - variance: the stored variance, `[D]`.
///   - epsilon: as in training.
/// - Returns: `out`, `[N, D]`.
/// - Throws: ``ShapeError`` if a shape does not fit.
public func batchNormInference(
    _ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Double = 1e-5
) throws -> Tensor {
    // TODO(BatchNorm1): normalize with the given mean and variance instead of the batch's.
    // START BatchNorm1
    try requireShape(x, [-1, -1], "batchNormInference x")
    let d = x.shape[1]
    try requireShape(gamma, [d], "batchNormInference gamma")
    try requireShape(beta, [d], "batchNormInference beta")
    try requireShape(mean, [d], "batchNormInference mean")
    try requireShape(variance, [d], "batchNormInference variance")
    // Fold everything per feature first ([D] work), then one multiply-add per element.
    let scale = try gamma / (variance + epsilon).squareRoot()
    let shift = try beta - mean * scale
    return try x * scale + shift
    // END BatchNorm1
}

/// The backward pass of batch normalization in training mode. With `σ = sqrt(variance + epsilon)`:
///
///     dbeta  = Σ_n dout[n, :]
///     dgamma = Σ_n dout[n, :] ⊙ xHat[n, :]
///     dx     = (gamma / (N σ)) ⊙ (N · dout − dbeta − xHat ⊙ dgamma)
///
/// The last line is the notes' three-path chain rule (through xHat, the mean and the variance),
/// simplified; the guide derives it.
///
/// - Parameters:
///   - dout: the upstream gradient, `[N, D]`.
///   - cache: what `batchNormForward` kept.
/// - Returns: `dx` `[N, D]`, `dgamma` `[D]`, `dbeta` `[D]`.
/// - Throws: ``ShapeError`` if `dout` does not have the shape of `cache.xHat`.
/// - Complexity: O(N·D).
public func batchNormBackward(_ dout: Tensor, cache: BatchNormCache) throws -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) {
    // TODO(BatchNorm2): dbeta and dgamma are sums over the batch; dx follows the guide's derivation.
    // START BatchNorm2
    try requireShape(dout, cache.xHat.shape, "batchNormBackward dout (must have the shape of x)")
    let n = Double(dout.shape[0])
    // beta is added to every row, gamma multiplies xHat in every row: both gradients sum over the batch.
    let dbeta = try dout.sum(alongAxis: 0)
    let dgamma = try (dout * cache.xHat).sum(alongAxis: 0)
    // dxhat = dout ⊙ gamma. The mean and variance depend on every row, so dx[n] collects, besides
    // dxhat[n]/σ, the mean of dxhat (through μ) and the mean of dxhat ⊙ xHat times xHat[n] (through σ²):
    //   dx = (1/σ)(dxhat − mean(dxhat) − xHat ⊙ mean(dxhat ⊙ xHat)),
    // and mean(dxhat) = gamma ⊙ dbeta / N, mean(dxhat ⊙ xHat) = gamma ⊙ dgamma / N.
    let sigma = (cache.variance + cache.epsilon).squareRoot()
    let centered = try dout * n - dbeta - cache.xHat * dgamma
    let dx = try centered * (cache.gamma / (sigma * n))
    return (dx, dgamma, dbeta)
    // END BatchNorm2
}

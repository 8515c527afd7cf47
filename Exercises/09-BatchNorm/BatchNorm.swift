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
    throw NotImplemented("BatchNorm1")
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
    throw NotImplemented("BatchNorm1")
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
    throw NotImplemented("BatchNorm2")
    // END BatchNorm2
}

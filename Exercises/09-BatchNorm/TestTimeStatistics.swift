// Chapter 9 · Batch normalization — statistics for test time
//
// Shapes: every statistic is per feature, `[D]`.
//
// At test time there is no batch to normalize with, so batch normalization needs a fixed mean and
// variance per feature. Two ways to get them:
//   - after training, average over the training batches (notes 001): `populationStatistics`;
//   - during training, keep an exponential running average: `runningAverage`.
//
// Momentum convention: here `running ← momentum · running + (1 − momentum) · batch`, so momentum
// is the weight of the OLD value (0.9 is typical; Keras uses this meaning too). PyTorch's
// `BatchNorm(momentum=0.1)` weights the NEW value: PyTorch's 0.1 is this workbook's 0.9.
//
// Guide and hints: Exercises/09-BatchNorm/GUIDE.md, or `swift run workbook hint BatchNorm3`.
import WorkbookCore

/// The population estimate of notes 001, from the statistics of the training batches:
///
///     mean     = (1/|S|) Σ_B mean(B)
///     variance = |B| / (|B| − 1) · (1/|S|) Σ_B variance(B)
///
/// The batch variances are biased (divided by |B|); the factor |B|/(|B| − 1) makes their average an
/// unbiased estimate of the population variance.
///
/// - Parameters:
///   - batchMeans: the mean of each training batch, each `[D]`.
///   - batchVariances: the biased variance of each batch, each `[D]`, as many as `batchMeans`.
///   - batchSize: |B|, the number of examples per batch; at least 2.
/// - Returns: the test-time `mean` and `variance`, each `[D]`.
/// - Throws: ``ArgumentError`` for no batches, different counts or `batchSize < 2`;
///   ``ShapeError`` if the statistics differ in shape.
public func populationStatistics(
    batchMeans: [Tensor], batchVariances: [Tensor], batchSize: Int
) throws -> (mean: Tensor, variance: Tensor) {
    // TODO(BatchNorm3): average the batch means; average the batch variances and multiply by B/(B−1).
    // START BatchNorm3
    throw NotImplemented("BatchNorm3")
    // END BatchNorm3
}

/// One step of an exponential running average, the workbook's convention:
///
///     running ← momentum · running + (1 − momentum) · batchValue
///
/// `momentum` weighs the OLD value (0.9 keeps 90% of the history). PyTorch's `momentum` weighs the
/// new value instead: PyTorch 0.1 = workbook 0.9.
///
/// - Parameters:
///   - running: the running statistic so far, `[D]`.
///   - batchValue: this batch's statistic, `[D]`.
///   - momentum: the weight of the old value, in `[0, 1]`.
/// - Returns: the updated running statistic, `[D]`.
/// - Throws: ``ArgumentError`` if momentum is outside `[0, 1]`; ``ShapeError`` if the
///   shapes differ.
public func runningAverage(_ running: Tensor, batchValue: Tensor, momentum: Double) throws -> Tensor {
    // TODO(BatchNorm3): keep momentum of the old value and (1 − momentum) of the new one.
    // START BatchNorm3
    throw NotImplemented("BatchNorm3")
    // END BatchNorm3
}

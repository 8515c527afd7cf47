// Chapter 15 · Networks — normalizing the inputs (notes 001, 002)
//
// Shapes: training `[N, D]`, validation `[M, D]`, test `[K, D]`; mean and standardDeviation `[D]`.
//
// Guide and hints: Exercises/15-Networks/GUIDE.md, or `swift run workbook hint Standardize1`.
import WorkbookCore

/// Standardizes three splits with the TRAINING split's statistics, per feature:
///
///     mean[d] = (1/N) Σ_n training[n, d]
///     std[d]  = sqrt((1/N) Σ_n (training[n, d] − mean[d])²)      (biased, ÷N; 1 where it is 0)
///     split   → (split − mean) / std          for training, validation and test alike
///
/// The validation and test sets stand for data the network has not seen: their own statistics must
/// not leak into the preprocessing, and one example at test time has no statistics at all. A
/// feature that is constant on the training set is only centered (its std is taken as 1).
///
/// - Parameters:
///   - training: `[N, D]`, `N ≥ 1`.
///   - validation: `[M, D]` (M may be 0).
///   - test: `[K, D]` (K may be 0).
/// - Returns: the three standardized splits, and the training mean and std `[D]`.
/// - Throws: ``ShapeError`` if a split is not a matrix with D columns or the training split is empty.
public func standardizeSplits(
    training: Tensor, validation: Tensor, test: Tensor
) throws -> (training: Tensor, validation: Tensor, test: Tensor, mean: Tensor, standardDeviation: Tensor) {
    // TODO(Standardize1): the mean and std of each feature over the training rows only; apply them to all three splits.
    // START Standardize1
    try requireShape(training, [-1, -1], "standardizeSplits training")
    guard training.shape[0] >= 1 else {
        throw ShapeError(operation: "standardizeSplits training", shapes: [training.shape], detail: "needs at least one row")
    }
    let d = training.shape[1]
    try requireShape(validation, [-1, d], "standardizeSplits validation (the training split's columns)")
    try requireShape(test, [-1, d], "standardizeSplits test (the training split's columns)")
    let mean = try training.mean(alongAxis: 0)
    // A constant feature has std 0: divide by 1 instead, so it becomes 0 rather than NaN.
    let std = try training.variance(alongAxes: [0]).squareRoot().map { $0 > 0 ? $0 : 1 }
    func apply(_ x: Tensor) throws -> Tensor { try (x - mean) / std }
    return (try apply(training), try apply(validation), try apply(test), mean, std)
    // END Standardize1
}

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
    throw NotImplemented("Standardize1")
    // END Standardize1
}

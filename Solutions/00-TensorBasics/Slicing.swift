// Chapter 0 · Tensor basics — slicing along the batch axis
//
// Shapes: N examples; each example may be a vector `[D]` or an image `[H, W, C]`, so `x` is
// `[N, …]`. `slice` and `gathering` always work on the first axis.
//
// Guide and hints: Exercises/00-TensorBasics/GUIDE.md, or `swift run workbook hint Slice1`.
import WorkbookCore

/// Holds out the last `validationCount` examples for validation and keeps the rest for training.
///
///     train      = x[0 ..< N − validationCount]
///     validation = x[N − validationCount ..< N]
///
/// - Parameters:
///   - x: the data set, `[N, …]`.
///   - validationCount: how many examples to hold out, `0…N`.
/// - Returns: `train` `[N − validationCount, …]` and `validation` `[validationCount, …]`; the
///   other dimensions are those of `x`.
/// - Throws: ``ShapeError`` if `x` is a scalar; ``ArgumentError`` if `validationCount` is outside `0…N`.
/// - Complexity: O(N·D) for the copies, D the size of one example.
public func splitValidation(_ x: Tensor, validationCount: Int) throws -> (train: Tensor, validation: Tensor) {
    // TODO(Slice1): two ranges along the first axis, meeting at N − validationCount.
    // START Slice1
    guard x.rank >= 1 else {
        throw ShapeError(operation: "splitValidation", shapes: [x.shape], detail: "needs a batch axis (rank ≥ 1)")
    }
    let n = x.shape[0]
    guard (0...n).contains(validationCount) else {
        throw ArgumentError(operation: "splitValidation", detail: "validationCount \(validationCount) is outside 0...\(n)")
    }
    let cut = n - validationCount
    return (try x.slice(0..<cut), try x.slice(cut..<n))
    // END Slice1
}

// Chapter 5 · Optimizers — minibatches for stochastic gradient descent
//
// Guide and hints: Exercises/05-Optimizers/GUIDE.md, or `swift run workbook hint Minibatch1`.
import WorkbookCore

/// Splits the example indices `0..<count` into shuffled minibatches for one epoch.
///
/// Draw one permutation with `generator.permutation(count)` and cut it, in order, into batches of
/// `batchSize`; the last batch holds the remainder when `batchSize` does not divide `count`. Every
/// index appears in exactly one batch, so an epoch sees every example once. With `batchSize ==
/// count` this is (shuffled) full-batch gradient descent; with 1 it is one example per step.
///
/// - Parameters:
///   - count: the number of examples, `N ≥ 0`.
///   - batchSize: the examples per step, `B ≥ 1`.
///   - generator: the seeded generator; the same seed gives the same batches.
/// - Returns: `⌈N / B⌉` arrays of indices (empty if `count == 0`).
/// - Throws: ``ShapeError`` if `batchSize < 1` or `count < 0`.
public func minibatchIndices(count: Int, batchSize: Int, using generator: inout SeededGenerator) throws -> [[Int]] {
    // TODO(Minibatch1): one permutation of 0..<count from the generator, cut into consecutive batches.
    // START Minibatch1
    throw NotImplemented("Minibatch1")
    // END Minibatch1
}

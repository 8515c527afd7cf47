// Chapter 13 · Ensembles — combining the predictions of independently trained models
//
// Shapes: each member's prediction is `[N, K]`: for N examples, a probability for each of K
// classes (rows sum to 1). An ensemble of M members is a list of M such tensors.
//
// Guide and hints: Exercises/13-Ensembles/GUIDE.md, or `swift run workbook hint Ensemble1`.
import WorkbookCore

/// The ensemble's prediction by probability averaging: the mean of the members' predictions,
///
///     F(x) = (1/M) Σ_m f_m(x)
///
/// For cross-entropy the averaged prediction's loss is never worse than the members' mean loss
/// (−log is convex; the guide shows why).
///
/// - Parameter members: the members' class probabilities, each `[N, K]`, at least one.
/// - Returns: the averaged probabilities, `[N, K]`.
/// - Throws: ``ShapeError`` if the list is empty or the shapes differ.
public func averagePredictions(_ members: [Tensor]) throws -> Tensor {
    // TODO(Ensemble1): check the shapes agree, add the members up, divide by their number.
    // START Ensemble1
    throw NotImplemented("Ensemble1")
    // END Ensemble1
}

/// The ensemble's prediction by majority vote: each member votes for its most probable class
/// (ties within a member go to the lowest class index, as `argmaxRows` does), and each example
/// gets the class with the most votes. A tie between classes goes to the lowest class index.
///
/// - Parameter members: the members' class probabilities (or scores), each `[N, K]`, at least one.
/// - Returns: the winning class of each example, `N` indices in `0..<K`.
/// - Throws: ``ShapeError`` if the list is empty, a member is not a matrix, or the shapes differ.
public func majorityVote(_ members: [Tensor]) throws -> [Int] {
    // TODO(Ensemble2): count each member's argmax per example, then pick the class with most votes.
    // START Ensemble2
    throw NotImplemented("Ensemble2")
    // END Ensemble2
}

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
    guard let first = members.first else {
        throw ShapeError(operation: "averagePredictions", shapes: [], detail: "needs at least one member")
    }
    var total = first
    for member in members.dropFirst() {
        // zip, not +: broadcasting a [K] prediction over [N, K] would hide a real mistake.
        total = try Tensor.zip(total, member, operation: "averagePredictions") { $0 + $1 }
    }
    return total / Double(members.count)
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
    guard let first = members.first else {
        throw ShapeError(operation: "majorityVote", shapes: [], detail: "needs at least one member")
    }
    try requireShape(first, [-1, -1], "majorityVote member 0")
    let (n, k) = (first.shape[0], first.shape[1])
    var votes = [[Int]](repeating: [Int](repeating: 0, count: k), count: n)
    for (index, member) in members.enumerated() {
        try requireShape(member, [n, k], "majorityVote member \(index) (all members must be [N, K] like member 0)")
        for (example, choice) in try member.argmaxRows().enumerated() { votes[example][choice] += 1 }
    }
    // The first class with the most votes: scanning upwards and replacing only on a strictly
    // larger count keeps the lowest index on a tie.
    return votes.map { row in
        var best = 0
        for c in row.indices where row[c] > row[best] { best = c }
        return best
    }
    // END Ensemble2
}

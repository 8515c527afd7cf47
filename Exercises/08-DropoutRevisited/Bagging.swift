// Chapter 8 · Dropout revisited — dropout as bagging
//
// Shapes: h `[N, n]`, the outputs of n units for N examples (the units dropout acts on); a mask
// `[n]` (1 keeps a unit, 0 drops it) multiplies every row of h; the head maps the masked units
// `[N, n]` to predictions `[N, K]`.
// Masks here are the notes' standard dropout (kept units are not rescaled), so the test-time rule
// that bagging suggests is "multiply by the keep probability" (weight scaling). With inverted
// dropout the same comparison holds with every sub-network's output divided by the keep probability.
//
// Guide and hints: Exercises/08-DropoutRevisited/GUIDE.md, or `swift run workbook hint Bagging1`.
import WorkbookCore

/// Every sub-network dropout can pick from a layer of `units` units, with its probability.
///
/// There are `2^units` of them. Sub-network `k` (counting from 0) keeps unit `j` when bit
/// `units − 1 − j` of `k` is 1, so for two units the masks come in the order
/// `[0, 0]`, `[0, 1]`, `[1, 0]`, `[1, 1]` (binary counting, unit 0 the most significant digit).
/// Each unit is kept independently, so a mask keeping `k` of `n` units has probability
/// `keepProbability^k · (1 − keepProbability)^(n − k)`; the probabilities sum to 1.
///
/// - Parameters:
///   - units: the number of units dropout acts on, 0…20 (2^20 sub-networks is already a million).
///   - keepProbability: the probability of keeping each unit, in (0, 1].
/// - Returns: `2^units` sub-networks; each `mask` is `[units]`.
/// - Throws: ``ArgumentError`` if `units` is outside 0…20 or `keepProbability` outside (0, 1].
/// - Complexity: O(2^units · units).
public func dropoutSubnetworks(units: Int, keepProbability: Double) throws -> [DropoutSubnetwork] {
    // TODO(Bagging1): enumerate the 2^units masks in binary-counting order, each with its probability.
    // START Bagging1
    throw NotImplemented("Bagging1")
    // END Bagging1
}

/// The exact bagged prediction of dropout: the average of every sub-network's prediction, each
/// weighted by how likely dropout is to pick it,
///
///     F(h) = Σ over the 2^n masks m of P(m) · head(h ⊙ m)
///
/// - Parameters:
///   - h: the units dropout acts on, `[N, n]`.
///   - keepProbability: the probability of keeping each unit, in (0, 1].
///   - head: the rest of the network, from the masked units `[N, n]` to predictions `[N, K]`.
/// - Returns: the bagged prediction, `[N, K]`.
/// - Throws: ``ShapeError`` if `h` is not a matrix; whatever `dropoutSubnetworks` or `head` throws.
/// - Complexity: 2^n calls of `head`.
public func baggedPrediction(
    hidden h: Tensor, keepProbability: Double, head: (Tensor) throws -> Tensor
) throws -> Tensor {
    // TODO(Bagging2): sum P(m) · head(h ⊙ m) over every sub-network.
    // START Bagging2
    throw NotImplemented("Bagging2")
    // END Bagging2
}

/// The weight-scaling rule: run the whole network once with every unit scaled by its keep
/// probability, `head(keepProbability · h)` (the notes' `E[y] = α h(a)`).
///
/// - Parameters:
///   - h: the units dropout acts on, `[N, n]`.
///   - keepProbability: the probability of keeping each unit, in (0, 1].
///   - head: the rest of the network, `[N, n]` → `[N, K]`.
/// - Returns: the prediction, `[N, K]`.
/// - Throws: ``ArgumentError`` if `keepProbability` is outside (0, 1]; whatever `head` throws.
public func weightScaledPrediction(
    hidden h: Tensor, keepProbability: Double, head: (Tensor) throws -> Tensor
) throws -> Tensor {
    // TODO(Bagging2): one pass with every unit multiplied by the keep probability.
    // START Bagging2
    throw NotImplemented("Bagging2")
    // END Bagging2
}

/// The bagged prediction as a normalized, probability-weighted geometric mean, for heads that
/// output class probabilities:
///
///     G(h)_k ∝ exp(Σ over masks m of P(m) · log head(h ⊙ m)_k),   each row rescaled to sum to 1
///
/// For a softmax head that is affine in the dropped units this equals the weight-scaling rule
/// exactly (the guide derives it).
///
/// - Parameters:
///   - h: the units dropout acts on, `[N, n]`.
///   - keepProbability: the probability of keeping each unit, in (0, 1].
///   - head: the rest of the network, returning positive class probabilities `[N, K]`.
/// - Returns: the renormalized geometric mean, `[N, K]`; every row sums to 1.
/// - Throws: ``ShapeError`` if `h` or the head's output is not a matrix; whatever `head` throws.
/// - Complexity: 2^n calls of `head`.
public func baggedGeometricMean(
    hidden h: Tensor, keepProbability: Double, head: (Tensor) throws -> Tensor
) throws -> Tensor {
    // TODO(Bagging3): average the log-probabilities with weights P(m), exponentiate, renormalize each row.
    // START Bagging3
    throw NotImplemented("Bagging3")
    // END Bagging3
}

import Foundation

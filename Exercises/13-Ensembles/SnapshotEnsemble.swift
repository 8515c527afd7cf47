// Chapter 13 · Ensembles — snapshot ensembles (Huang et al., 2017: "train 1, get M for free")
//
// One training run of T iterations is split into M cycles of length L = T / M. Within a cycle the
// learning rate falls from α0 towards 0 along half a cosine; at the end of each cycle the
// parameters are saved (a snapshot) and the rate jumps back to α0. The M snapshots are the
// ensemble's members. Parameters are a list of tensors, as in ParameterAveraging.swift.
//
// Guide and hints: Exercises/13-Ensembles/GUIDE.md, or `swift run workbook hint Ensemble4`.
import Foundation
import WorkbookCore


/// The cyclic cosine learning rate of iteration `t` (counted from 1):
///
///     α(t) = α0 / 2 · (cos(π · ((t − 1) mod L) / L) + 1),    L = T / M
///
/// so `α(1) = α0`, the rate reaches `α0 / 2` halfway through a cycle, and it restarts at `α0` on
/// the first iteration of the next cycle.
///
/// - Parameters:
///   - t: the iteration, `1...totalIterations`.
///   - totalIterations: T, a positive multiple of `cycles`.
///   - cycles: M ≥ 1, the number of cycles (and snapshots).
///   - initialRate: α0 > 0.
/// - Returns: the learning rate for iteration `t`.
/// - Throws: ``ArgumentError`` for arguments outside those ranges.
public func snapshotLearningRate(iteration t: Int, totalIterations: Int, cycles: Int, initialRate: Double) throws -> Double {
    // TODO(Ensemble4): find the position of t inside its cycle, then the half cosine from α0 down.
    // START Ensemble4
    throw NotImplemented("Ensemble4")
    // END Ensemble4
}

/// Trains with the cyclic cosine schedule and returns the snapshot taken at the end of each cycle.
///
/// Plain gradient descent: for t = 1…T, `θ ← θ − α(t) · gradient(θ)` (every tensor of θ), and
/// after iterations L, 2L, …, T the current θ is saved.
///
/// - Parameters:
///   - initial: the starting parameters, a list of tensors of any shapes.
///   - totalIterations: T, a positive multiple of `cycles`.
///   - cycles: M ≥ 1.
///   - initialRate: α0 > 0.
///   - gradient: the gradient of the loss at θ: a list of tensors shaped like θ.
/// - Returns: M snapshots, in training order; each is a list shaped like `initial`.
/// - Throws: ``ArgumentError`` for bad schedule arguments; ``ShapeError`` if a gradient
///   does not match the parameters; whatever `gradient` throws.
public func snapshotEnsemble(
    initial: [Tensor], totalIterations: Int, cycles: Int, initialRate: Double,
    gradient: ([Tensor]) throws -> [Tensor]
) throws -> [[Tensor]] {
    // TODO(Ensemble4): a gradient-descent loop using snapshotLearningRate, saving θ after every L-th iteration.
    // START Ensemble4
    throw NotImplemented("Ensemble4")
    // END Ensemble4
}

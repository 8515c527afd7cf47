// Chapter 13 · Ensembles — averaging parameters along one training run
//
// A model's parameters are a list of tensors in a fixed order, e.g. `[W1, b1, W2, b2]` with
// shapes `[D, H]`, `[H]`, `[H, K]`, `[K]`. A snapshot is such a list saved during training.
//
// Guide and hints: Exercises/13-Ensembles/GUIDE.md, or `swift run workbook hint Ensemble3`.
import WorkbookCore

/// The elementwise mean of several snapshots of the same model's parameters,
///
///     θ̄ = (1/S) Σ_s θ_s        (for every parameter tensor separately)
///
/// This makes sense for snapshots along one training trajectory; averaging the parameters of
/// independently trained networks does not (their hidden units need not line up; see the guide).
///
/// - Parameter snapshots: `S ≥ 1` lists of parameter tensors; every list has the same number of
///   tensors, and the i-th tensors all have the same shape.
/// - Returns: one list of parameter tensors, shaped like each snapshot.
/// - Throws: ``ShapeError`` if there is no snapshot, the lists differ in length, or shapes differ.
public func averageParameters(_ snapshots: [[Tensor]]) throws -> [Tensor] {
    // TODO(Ensemble3): for each parameter position, average that tensor over the snapshots.
    // START Ensemble3
    throw NotImplemented("Ensemble3")
    // END Ensemble3
}

// Chapter 15 · Networks — one training step
//
// Shapes: x `[N, D]`; the state's tensors have the shapes of the parameters they belong to.
//
// Guide and hints: Exercises/15-Networks/GUIDE.md, or `swift run workbook hint Network4`.
import WorkbookCore

/// One step of training on a batch: the loss and gradients (`networkLoss` in training mode), then
/// an optimizer step of chapter 5 on every parameter, then batch norm's running statistics.
///
///     .sgd        sgdStep                  (state unchanged)
///     .momentum   momentumStep             (state.velocities[l][p], zeros when the state is fresh)
///     .adam       adamStep                 (state.adam[l][p], AdamState(like:) when fresh)
///
///     running mean     ← runningAverage(running mean, batch mean, batchNormMomentum)
///     running variance ← runningAverage(running variance, batch variance · N/(N − 1), batchNormMomentum)
///
/// The running variance takes the batch's unbiased estimate (the notes' B/(B − 1), chapter 9). A
/// batch of one example (a last minibatch of one) has no spread to correct: N/(N − 1) is undefined,
/// so its batch variance, 0, goes in as it is.
/// A fresh state (`NetworkOptimizerState()`, empty lists) is filled in on the first step.
///
/// - Parameters:
///   - x: a batch of inputs, `[N, D]`, `N ≥ 2` when the network has batch norm.
///   - labels: one label per row.
///   - layers: the network before the step.
///   - optimizer: the update rule and its hyperparameters.
///   - state: the optimizer's memory from the previous step.
///   - loss: the loss on the output.
///   - l2Strength: `λ` of the penalty on the dense weights.
///   - batchNormMomentum: the weight of the old running statistics (0.9).
///   - rng: the generator for the dropout masks.
/// - Returns: the network after the step, the new optimizer state and the loss before the step.
/// - Throws: ``ShapeError`` for a state that does not match the network; whatever the layers throw.
public func networkTrainingStep(
    _ x: Tensor, labels: [Int], layers: [NetworkLayer], optimizer: NetworkOptimizer,
    state: NetworkOptimizerState, loss: NetworkLoss, l2Strength: Double, batchNormMomentum: Double = 0.9,
    using rng: inout SeededGenerator
) throws -> (layers: [NetworkLayer], state: NetworkOptimizerState, loss: Double) {
    // TODO(Network4): networkLoss in training mode; step each parameter with the chosen optimizer; update BN's running statistics.
    // START Network4
    throw NotImplemented("Network4")
    // END Network4
}

// Chapter 15 · Networks — predictions and the training loop (CS231n calls it a "solver")
//
// Shapes: inputs `[N, D]`; labels N integers.
//
// Guide and hints: Exercises/15-Networks/GUIDE.md, or `swift run workbook hint Network5`.
import WorkbookCore

/// The predicted class of every row, from the network in inference mode.
///
///     .softmaxCrossEntropy          the index of the largest output (the first one on a tie)
///     .sigmoidBinaryCrossEntropy    1 if the output (a logit) is > 0, i.e. σ(out) > 0.5, else 0
///
/// - Parameters:
///   - x: the inputs, `[N, D]`.
///   - layers: the network.
///   - loss: the loss the network was trained with (it says how to read the output).
/// - Returns: N predicted labels.
/// - Throws: whatever `networkForward` throws.
public func networkPredictions(_ x: Tensor, layers: [NetworkLayer], loss: NetworkLoss) throws -> [Int] {
    // TODO(Network5): networkForward in inference mode, then read each row as the loss says.
    // START Network5
    throw NotImplemented("Network5")
    // END Network5
}

/// Trains the network and returns the parameters of the epoch with the best validation accuracy.
///
///     for each epoch:
///         for each batch of minibatchIndices(count: N, batchSize:, using: rng)     (chapter 5)
///             networkTrainingStep on those rows (x.gathering(batch)), using rng
///         record the accuracy on the training and on the validation set (networkPredictions)
///         keep a copy of the layers if the validation accuracy is better than every earlier epoch's
///
/// One generator drives everything, in this order (batches, then that epoch's dropout masks), so
/// the same seed gives the same run.
///
/// - Parameters:
///   - layers: the network before training.
///   - trainingInputs: `[N, D]`; trainingLabels: N labels.
///   - validationInputs: `[M, D]`; validationLabels: M labels (M ≥ 1).
///   - configuration: epochs (≥ 1), batch size, optimizer, loss, λ, batch norm momentum.
///   - rng: the generator for the batches and the dropout masks.
/// - Returns: the best layers on validation and the history (every step's loss, both accuracies per epoch,
///   the best epoch).
/// - Throws: ``ArgumentError`` for `epochs < 1` or empty validation data; ``ShapeError`` for labels
///   that do not match the inputs; whatever the steps throw.
public func trainNetwork(
    _ layers: [NetworkLayer], trainingInputs: Tensor, trainingLabels: [Int],
    validationInputs: Tensor, validationLabels: [Int], configuration: SolverConfiguration,
    using rng: inout SeededGenerator
) throws -> (layers: [NetworkLayer], history: TrainingHistory) {
    // TODO(Network5): epochs of shuffled minibatch steps; measure both accuracies each epoch; keep the best layers.
    // START Network5
    throw NotImplemented("Network5")
    // END Network5
}

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
    var unused = SeededGenerator(seed: 0)  // inference draws nothing
    let (out, _) = try networkForward(x, layers: layers, mode: .inference, using: &unused)
    switch loss {
    case .softmaxCrossEntropy: return try out.argmaxRows()
    case .sigmoidBinaryCrossEntropy: return out.scalars.map { $0 > 0 ? 1 : 0 }
    }
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
    guard configuration.epochs >= 1 else {
        throw ArgumentError(operation: "trainNetwork", detail: "epochs must be ≥ 1, got \(configuration.epochs)")
    }
    guard validationLabels.count >= 1 else {
        throw ArgumentError(operation: "trainNetwork", detail: "needs at least one validation example")
    }
    try requireShape(trainingInputs, [trainingLabels.count, -1], "trainNetwork trainingInputs (one row per label)")
    try requireShape(validationInputs, [validationLabels.count, -1], "trainNetwork validationInputs (one row per label)")
    func accuracy(_ x: Tensor, _ labels: [Int], _ layers: [NetworkLayer]) throws -> Double {
        let predicted = try networkPredictions(x, layers: layers, loss: configuration.loss)
        return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }
    var current = layers
    var state = NetworkOptimizerState()
    var history = TrainingHistory(stepLosses: [], trainingAccuracy: [], validationAccuracy: [], bestEpoch: 0)
    var best = layers
    for epoch in 0..<configuration.epochs {
        for batch in try minibatchIndices(count: trainingLabels.count, batchSize: configuration.batchSize, using: &rng) {
            let (next, nextState, value) = try networkTrainingStep(
                try trainingInputs.gathering(batch), labels: batch.map { trainingLabels[$0] }, layers: current,
                optimizer: configuration.optimizer, state: state, loss: configuration.loss,
                l2Strength: configuration.l2Strength, batchNormMomentum: configuration.batchNormMomentum, using: &rng)
            current = next
            state = nextState
            history.stepLosses.append(value)
        }
        history.trainingAccuracy.append(try accuracy(trainingInputs, trainingLabels, current))
        let validation = try accuracy(validationInputs, validationLabels, current)
        // Strictly better only: on a tie the earlier (less trained) epoch stays the best.
        if epoch == 0 || validation > history.validationAccuracy.max()! {
            best = current
            history.bestEpoch = epoch
        }
        history.validationAccuracy.append(validation)
    }
    return (best, history)
    // END Network5
}

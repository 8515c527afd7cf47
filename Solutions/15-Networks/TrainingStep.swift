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
    let (value, gradients, cache) = try networkLoss(x, labels: labels, layers: layers, loss: loss,
                                                    l2Strength: l2Strength, mode: .training, using: &rng)
    var state = state
    // A fresh state starts from zero velocities and fresh Adam moments, one per parameter.
    if state.velocities.isEmpty { state.velocities = layers.map { $0.parameters.map { Tensor(zeros: $0.shape) } } }
    if state.adam.isEmpty { state.adam = layers.map { $0.parameters.map { AdamState(like: $0) } } }
    guard state.velocities.count == layers.count, state.adam.count == layers.count else {
        throw ShapeError(operation: "networkTrainingStep state", shapes: [[state.velocities.count], [state.adam.count], [layers.count]],
                         detail: "the optimizer state needs one entry per layer")
    }
    var updated: [NetworkLayer] = []
    for (l, layer) in layers.enumerated() {
        var parameters = layer.parameters
        for p in parameters.indices {
            switch optimizer {
            case let .sgd(learningRate):
                parameters[p] = try sgdStep(parameters[p], gradient: gradients[l][p], learningRate: learningRate)
            case let .momentum(learningRate, momentum):
                (parameters[p], state.velocities[l][p]) = try momentumStep(
                    parameters[p], gradient: gradients[l][p], velocity: state.velocities[l][p],
                    learningRate: learningRate, momentum: momentum)
            case let .adam(learningRate, beta1, beta2, epsilon):
                (parameters[p], state.adam[l][p]) = try adamStep(
                    parameters[p], gradient: gradients[l][p], state: state.adam[l][p],
                    learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
            }
        }
        var next = try layer.replacingParameters(parameters)
        // Batch norm also learns its test-time statistics, by running averages of the batch ones.
        if case let .batchNorm(gamma, beta, runningMean, runningVariance) = next,
           case let .batchNorm(batch) = cache.layers[l] {
            let n = Double(x.shape[0])
            let unbiased = n > 1 ? batch.variance * (n / (n - 1)) : batch.variance
            next = .batchNorm(
                gamma: gamma, beta: beta,
                runningMean: try runningAverage(runningMean, batchValue: batch.mean, momentum: batchNormMomentum),
                runningVariance: try runningAverage(runningVariance, batchValue: unbiased, momentum: batchNormMomentum))
        }
        updated.append(next)
    }
    return (updated, state, value)
    // END Network4
}

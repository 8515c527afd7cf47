import Foundation
import WorkbookCore

/// The loss stopped being a finite number: training stops and keeps the last good checkpoint.
struct DivergenceError: Error, CustomStringConvertible {
    var epoch: Int
    var learningRate: Double
    var checkpoint: String?
    var description: String {
        "the loss became \("NaN or infinite") in epoch \(epoch); the learning rate \(learningRate) is probably too high — "
            + "try --learning-rate \(learningRate / 10)."
            + (checkpoint.map { " The last good checkpoint is kept at \($0)." } ?? "")
    }
}

/// One training run: the model, its optimizer, the data and the bookkeeping of the best epoch.
struct Session {
    var configuration: TrainingConfiguration
    var split: DataSplit
    var normalizer: Normalizer
    var network: Network
    var optimizer: Optimizer
    /// Draws the shuffles and the dropout masks; saved in checkpoints so a resumed run draws the same.
    var rng: SeededGenerator
    var history: [EpochMetrics] = []
    var bestEpoch = 0
    var bestValidationAccuracy = -1.0
    var bestParameters: [[Tensor]] = []
    var bestRunning: [[Tensor]] = []
    var epochsWithoutImprovement = 0

    /// A fresh run: seeded weights, seeded split.
    init(configuration: TrainingConfiguration) throws {
        self.configuration = configuration
        (split, normalizer) = try DataSource.prepare(configuration)
        let architecture = try ModelFactory.architecture(
            model: configuration.model, inputFeatures: split.train.featureCount, classes: split.train.classCount,
            hidden: configuration.hidden, activation: configuration.activation, batchNorm: configuration.batchNorm, keepProbability: configuration.keepProbability,
            imageShape: split.train.imageShape, channels: configuration.channels, convLayers: configuration.convLayers, blocks: configuration.blocks)
        var initRNG = SeededGenerator(seed: configuration.seed)
        network = try Network(architecture: architecture, initialization: configuration.initialization, using: &initRNG)
        optimizer = Optimizer(kind: configuration.optimizer, momentum: configuration.momentum, like: network.parameters)
        rng = SeededGenerator(seed: configuration.seed &+ 1)
        bestParameters = network.parameters
        bestRunning = network.running
    }

    /// Continues the run saved in `checkpoint`.
    init(resuming checkpoint: Checkpoint) throws {
        configuration = checkpoint.configuration
        (split, normalizer) = try DataSource.prepare(configuration)
        guard normalizer == checkpoint.normalizer else {
            throw TrainerError("the data '\(configuration.data)' is not the data this checkpoint was trained on (its statistics differ)")
        }
        network = Network(architecture: checkpoint.architecture, parameters: checkpoint.parameters, running: checkpoint.running)
        optimizer = Optimizer(kind: configuration.optimizer, momentum: configuration.momentum, like: network.parameters)
        if !checkpoint.optimizerFirst.isEmpty { optimizer.first = checkpoint.optimizerFirst }
        if !checkpoint.optimizerSecond.isEmpty { optimizer.second = checkpoint.optimizerSecond }
        optimizer.step = checkpoint.optimizerStep
        rng = checkpoint.rng
        history = checkpoint.history
        bestEpoch = checkpoint.bestEpoch
        bestValidationAccuracy = checkpoint.bestValidationAccuracy
        bestParameters = checkpoint.bestParameters
        bestRunning = checkpoint.bestRunning
        epochsWithoutImprovement = checkpoint.epochsWithoutImprovement
    }

    var epochsCompleted: Int { history.count }

    /// The learning rate of `epoch` (1-based): the base rate decayed once per finished epoch.
    func learningRate(epoch: Int) -> Double {
        configuration.learningRate * pow(configuration.learningRateDecay, Double(epoch - 1))
    }

    /// One pass over the shuffled training set. Returns the mean loss and the accuracy of the
    /// training-mode predictions made along the way.
    /// - Parameter progress: called after each batch with (batches done, batches in total).
    mutating func trainEpoch(learningRate: Double, progress: (Int, Int) -> Void = { _, _ in }) throws -> (loss: Double, accuracy: Double) {
        let train = split.train
        let n = train.count
        let order = rng.permutation(n)
        let batches = (n + configuration.batchSize - 1) / configuration.batchSize
        var lossSum = 0.0, correct = 0
        for b in 0..<batches {
            let indices = Array(order[(b * configuration.batchSize)..<min(n, (b + 1) * configuration.batchSize)])
            let x = try train.features.gathering(indices)
            let labels = indices.map { train.labels[$0] }
            let (logits, backwards) = try network.forward(x, mode: .training, using: &rng)
            let (loss, dlogits) = try lossAndGradient(logits, labels: labels, loss: network.architecture.loss)
            guard loss.isFinite else {
                throw DivergenceError(epoch: epochsCompleted + 1, learningRate: learningRate, checkpoint: nil)
            }
            lossSum += loss * Double(indices.count)
            correct += zip(try predictions(logits, loss: network.architecture.loss), labels).filter { $0 == $1 }.count
            let (gradients, _) = try network.backward(dlogits, backwards)
            try optimizer.update(&network.parameters, gradients: gradients, learningRate: learningRate)
            progress(b + 1, batches)
        }
        return (lossSum / Double(n), Double(correct) / Double(n))
    }

    /// Loss and accuracy of the current network on `data`, in inference mode.
    mutating func evaluate(_ data: Dataset) throws -> (loss: Double, accuracy: Double) {
        guard data.count > 0 else { return (.nan, .nan) }
        let logits = try network.predictLogits(data.features)
        let (loss, _) = try lossAndGradient(logits, labels: data.labels, loss: network.architecture.loss)
        let predicted = try predictions(logits, loss: network.architecture.loss)
        return (loss, Double(zip(predicted, data.labels).filter { $0 == $1 }.count) / Double(data.count))
    }

    /// Trains one epoch, validates, and updates the best model and the early-stopping counter.
    mutating func runEpoch(progress: (Int, Int) -> Void = { _, _ in }) throws -> EpochMetrics {
        let epoch = epochsCompleted + 1
        let rate = learningRate(epoch: epoch)
        let start = DispatchTime.now().uptimeNanoseconds
        let (loss, trainAccuracy) = try trainEpoch(learningRate: rate, progress: progress)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let (validationLoss, validationAccuracy) = try evaluate(split.validation.count > 0 ? split.validation : split.train)
        let metrics = EpochMetrics(epoch: epoch, loss: loss, trainAccuracy: trainAccuracy, validationLoss: validationLoss,
                                   validationAccuracy: validationAccuracy, learningRate: rate, seconds: seconds)
        history.append(metrics)
        if validationAccuracy > bestValidationAccuracy {
            bestValidationAccuracy = validationAccuracy
            bestEpoch = epoch
            bestParameters = network.parameters
            bestRunning = network.running
            epochsWithoutImprovement = 0
        } else {
            epochsWithoutImprovement += 1
        }
        return metrics
    }

    /// Whether early stopping says to stop now.
    var shouldStopEarly: Bool { configuration.patience > 0 && epochsWithoutImprovement >= configuration.patience }

    var checkpoint: Checkpoint {
        Checkpoint(
            architecture: network.architecture, normalizer: normalizer, configuration: configuration,
            epochsCompleted: epochsCompleted, bestEpoch: bestEpoch, bestValidationAccuracy: bestValidationAccuracy,
            epochsWithoutImprovement: epochsWithoutImprovement, history: history, rng: rng, optimizerStep: optimizer.step,
            bestParameters: bestParameters, bestRunning: bestRunning, parameters: network.parameters, running: network.running,
            optimizerFirst: optimizer.first, optimizerSecond: optimizer.second)
    }

    /// The best network found so far (by validation accuracy).
    var bestNetwork: Network {
        Network(architecture: network.architecture, parameters: bestParameters, running: bestRunning)
    }
}

extension EpochMetrics {
    /// The line printed after each epoch; identical for identical seeds when `showTime` is false.
    func line(of total: Int, showTime: Bool) -> String {
        let width = String(total).count
        let epochText = String(repeating: " ", count: max(0, width - String(epoch).count)) + "\(epoch)/\(total)"
        var text = String(format: "epoch %@  loss %.6f  train %6.2f%%  val %6.2f%%  val loss %.6f  lr %.4g",
                          epochText, loss, 100 * trainAccuracy, 100 * validationAccuracy, validationLoss, learningRate)
        if showTime { text += String(format: "  %.1f ms", seconds * 1000) }
        return text
    }

    static let csvHeader = "epoch,loss,train_accuracy,validation_loss,validation_accuracy,learning_rate,seconds"
    var csvRow: String {
        "\(epoch),\(loss),\(trainAccuracy),\(validationLoss),\(validationAccuracy),\(learningRate),\(seconds)"
    }
}

/// The metrics CSV and the two-panel SVG of the curves (loss; train and validation accuracy).
func writeCurves(_ history: [EpochMetrics], csv: String, svg: String, title: String) throws {
    try writeAtomically(([EpochMetrics.csvHeader] + history.map(\.csvRow)).joined(separator: "\n") + "\n", to: csv)
    let loss = SVGPlot(title: "\(title): loss", xLabel: "epoch", yLabel: "cross-entropy", series: [
        .init("train", history.map { (Double($0.epoch), $0.loss) }),
        .init("validation", history.map { (Double($0.epoch), $0.validationLoss) }),
    ])
    let accuracy = SVGPlot(title: "\(title): accuracy", xLabel: "epoch", yLabel: "accuracy", series: [
        .init("train", history.map { (Double($0.epoch), $0.trainAccuracy) }),
        .init("validation", history.map { (Double($0.epoch), $0.validationAccuracy) }),
    ])
    try writeAtomically(SVGPlot.document([loss, accuracy]), to: svg)
}

import Foundation
import WorkbookCore

/// The loss exploded: it became non-finite, or reached ``DivergenceError/factor`` times the
/// first epoch's loss (the first step's while epoch 1 runs). Training stops before NaN.
struct DivergenceError: Error, CustomStringConvertible {
    /// A loss this many times the first epoch's counts as diverging. A run that learns anything
    /// lowers its loss; a thousandfold rise is no noise (cross-entropy starts near ln K ≈ 2.3).
    static let factor = 1000.0
    var epoch: Int
    var step: Int
    var loss: Double
    var reference: Double
    var learningRate: Double
    /// Whether `reference` is the first epoch's mean loss (false: epoch 1's first step, as epoch 1 runs).
    var referenceIsEpoch = true
    var what: String {
        loss.isFinite
            ? String(format: "the loss exploded in epoch %d, step %d: %.4g, over %.0f × %@ %.4g", epoch, step, loss, Self.factor,
                     referenceIsEpoch ? "the first epoch's" : "the first step's", reference)
            : step == 0 ? "the validation loss became \(loss.isNaN ? "NaN" : "infinite") after epoch \(epoch)"
            : "the loss became \(loss.isNaN ? "NaN" : "infinite") in epoch \(epoch), step \(step)"
    }
    var description: String {
        String(format: "%@; the learning rate %g is probably too high: try --learning-rate %g.", what, learningRate, learningRate / 10)
    }
}

/// Ctrl-C arrived: the step in progress finished, then the epoch was abandoned.
struct InterruptedError: Error {
    var epoch: Int
    var step: Int
    var steps: Int
}

/// The SIGINT and SIGTERM handler of a training run: the first Ctrl-C, or the SIGTERM that `kill`,
/// `timeout`, a container's stop or a batch scheduler sends, asks the loop to stop after the current
/// step (it then saves, releases its lock and says so); a second signal ends the process at once, as usual.
enum Interruption {
    /// The signal that asked to stop (SIGINT or SIGTERM), or 0.
    nonisolated(unsafe) static var flag: sig_atomic_t = 0
    static var requested: Bool { flag != 0 }

    /// How a stop is named in messages, and its exit code (128 + the signal, as shells report it).
    static var stopName: (what: String, code: Int32) {
        flag == SIGTERM ? ("terminated (SIGTERM)", ExitCode.terminated) : ("interrupted (Ctrl-C)", ExitCode.interrupted)
    }

    struct Installed {
        var previous: [(Int32, sighandler_t?)]
        func restore() { for (number, handler) in previous { signal(number, handler) } }
    }

    static func install() -> Installed {
        flag = 0
        // A process started from a thread that blocks SIGINT (a test runner, some launchers)
        // inherits the block: unblock it, or Ctrl-C would never arrive.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        let previous = [SIGINT, SIGTERM].map { number in
            (number, signal(number) { received in
                Interruption.flag = received
                signal(received, SIG_DFL)
            })
        }
        return Installed(previous: previous)
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
        if configuration.model == "cnn", let image = split.train.imageShape, image.count == 3 {
            // Each stage keeps H×W (3x3, padding 1) and then halves it (2x2 pooling, rounding down).
            var stages = 0, side = min(image[0], image[1])
            while side >= 2 { side /= 2; stages += 1 }
            guard configuration.convLayers <= stages else {
                throw UsageError(stages == 0
                    ? "'--model cnn' needs images of at least 2x2; \(shown(configuration.data)) has \(image[0])x\(image[1])"
                    : "'--conv-layers \(configuration.convLayers)': each stage halves the \(image[0])x\(image[1]) images of "
                      + "\(shown(configuration.data)), which vanish after \(stages); use --conv-layers 1...\(stages)")
            }
        }
        let dataName = shownWord(configuration.data)
        if configuration.model == "notes", split.train.classCount != 2 {
            throw UsageError("'--model notes' is a binary classifier (labels 0 and 1); '--data \(dataName)' has \(split.train.classCount) classes")
        }
        if configuration.model == "cnn", split.train.imageShape == nil {
            throw UsageError("'--model cnn' needs images (digits, or IDX files with --labels); '--data \(dataName)' has \(split.train.featureCount) plain features")
        }
        let architecture = try ModelFactory.architecture(
            model: configuration.model, inputFeatures: split.train.featureCount, classes: split.train.classCount,
            hidden: configuration.hidden, activation: configuration.activation, batchNorm: configuration.batchNorm, keepProbability: configuration.keepProbability,
            imageShape: split.train.imageShape, channels: configuration.channels, convLayers: configuration.convLayers, blocks: configuration.blocks)
        try MemoryBudget.check(architecture, configuration: configuration)
        var initRNG = SeededGenerator(seed: configuration.seed)
        network = try Network(architecture: architecture, initialization: configuration.initialization, using: &initRNG)
        optimizer = Optimizer(kind: configuration.optimizer, momentum: configuration.momentum, like: network.parameters)
        rng = SeededGenerator(seed: configuration.seed &+ 1)
        bestParameters = network.parameters
        bestRunning = network.running
    }

    /// Continues the run saved in `checkpoint`.
    /// - Parameter name: the checkpoint's file, for messages.
    init(resuming checkpoint: Checkpoint, name: String = "the checkpoint") throws {
        configuration = checkpoint.configuration
        (split, normalizer) = try checkpoint.preparedData(name: name)
        guard normalizer == checkpoint.normalizer else {
            throw TrainerError("\(shownWord(name)): field normalizer: the data \(shown(configuration.data)) is not the data "
                               + "this checkpoint was trained on (its statistics differ)")
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
    /// - Throws: ``DivergenceError`` when a step's loss is non-finite or ``DivergenceError/factor``
    ///   times the first epoch's; ``InterruptedError`` after a step when `shouldStop` says so.
    mutating func trainEpoch(learningRate: Double, progress: (Int, Int) -> Void = { _, _ in },
                             shouldStop: () -> Bool = { false }) throws -> (loss: Double, accuracy: Double) {
        let train = split.train
        let n = train.count
        let order = rng.permutation(n)
        let batches = (n + configuration.batchSize - 1) / configuration.batchSize
        var lossSum = 0.0, correct = 0
        var reference = history.first?.loss
        for b in 0..<batches {
            let indices = Array(order[(b * configuration.batchSize)..<min(n, (b + 1) * configuration.batchSize)])
            let x = try train.features.gathering(indices)
            let labels = indices.map { train.labels[$0] }
            let (logits, backwards) = try network.forward(x, mode: .training, using: &rng)
            let (loss, dlogits) = try lossAndGradient(logits, labels: labels, loss: network.architecture.loss)
            if reference == nil { reference = loss }
            if !loss.isFinite || loss >= DivergenceError.factor * max(reference ?? loss, 1e-12) {
                throw DivergenceError(epoch: epochsCompleted + 1, step: b + 1, loss: loss, reference: reference ?? loss,
                                      learningRate: learningRate, referenceIsEpoch: !history.isEmpty)
            }
            lossSum += loss * Double(indices.count)
            correct += zip(try predictions(logits, loss: network.architecture.loss), labels).filter { $0 == $1 }.count
            let (gradients, _) = try network.backward(dlogits, backwards)
            try optimizer.update(&network.parameters, gradients: gradients, learningRate: learningRate)
            progress(b + 1, batches)
            if shouldStop() && b + 1 < batches {
                throw InterruptedError(epoch: epochsCompleted + 1, step: b + 1, steps: batches)
            }
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
    mutating func runEpoch(progress: (Int, Int) -> Void = { _, _ in }, shouldStop: () -> Bool = { false }) throws -> EpochMetrics {
        let epoch = epochsCompleted + 1
        let rate = learningRate(epoch: epoch)
        let start = DispatchTime.now().uptimeNanoseconds
        let (loss, trainAccuracy) = try trainEpoch(learningRate: rate, progress: progress, shouldStop: shouldStop)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let (validationLoss, validationAccuracy) = try evaluate(split.validation.count > 0 ? split.validation : split.train)
        guard validationLoss.isFinite else {
            // The training steps stayed finite but the model's predictions no longer are.
            throw DivergenceError(epoch: epoch, step: 0, loss: validationLoss, reference: history.first?.loss ?? loss,
                                  learningRate: rate, referenceIsEpoch: !history.isEmpty)
        }
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

    /// No timing column: the same seed and flags give a byte-identical file (times are in the epoch lines).
    static let csvHeader = "epoch,loss,train_accuracy,validation_loss,validation_accuracy,learning_rate"
    var csvRow: String {
        "\(epoch),\(loss),\(trainAccuracy),\(validationLoss),\(validationAccuracy),\(learningRate)"
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

import Foundation
import WorkbookCore
import Workbook

// The notes' claims, each reproduced by a small, seeded experiment that prints a table and writes
// an SVG plot. Every model is trained with the workbook's layers, like `train`.

/// A fixed-width text table.
struct Table {
    var header: [String]
    var rows: [[String]] = []

    var text: String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { String(repeating: " ", count: $1 - $0.count) + $0 }.joined(separator: "  ")
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
    }
}

func percent(_ x: Double) -> String { x.isNaN ? "—" : String(format: "%.2f%%", 100 * x) }
func number(_ x: Double) -> String { x.isFinite ? String(format: "%.4g", x) : "diverged" }

extension TrainingConfiguration {
    /// The experiments' starting point: a digits MLP with plain SGD; each experiment changes a few fields.
    static func experiment(seed: UInt64) -> TrainingConfiguration {
        TrainingConfiguration(
            model: "mlp", data: "digits", labelsFile: nil, hidden: [100, 100], batchNorm: .none, keepProbability: 1,
            initialization: .he, optimizer: .sgd, learningRate: 0.1, momentum: 0.9, learningRateDecay: 1, batchSize: 64,
            epochs: 10, patience: 0, seed: seed, validationFraction: 0.15, testFraction: 0.15, channels: 8, convLayers: 1, blocks: 0)
    }
}

extension Session {
    /// Trains `configuration.epochs` epochs; a diverging loss ends the run early (the history says so).
    mutating func trainQuietly() throws -> Bool {
        while epochsCompleted < configuration.epochs {
            do { _ = try runEpoch() } catch is DivergenceError { return false }
            if !(history.last?.loss.isFinite ?? true) { return false }
        }
        return true
    }

    /// The given training subset size (first `count` of the shuffled training split).
    mutating func limitTraining(to count: Int) {
        split.train = split.train.subset(Array(0..<min(count, split.train.count)))
    }
}

extension Trainer {
    static let experimentNames = ["bn-learning-rate", "bn-batch-size", "dropout-gap", "initialization", "residual",
                                  "dropout-test-time", "snapshot-ensemble"]

    static let experimentCommand = Command(
        name: "experiment",
        abstract: "Reproduce a claim of the notes: print a table and write an SVG plot.",
        discussion: """
            bn-learning-rate   batch norm allows a higher learning rate (the same MLP with and without BN)
            bn-batch-size      BN's regularizing noise weakens as the batch grows
            dropout-gap        dropout narrows the train/test gap on a small training set
            initialization     Xavier/He versus naive: activation variance through depth, and training
            residual           residual versus plain deep nets: first-layer gradient norm and training loss
            dropout-test-time  weight scaling versus Monte-Carlo averaging of dropout at test time
            snapshot-ensemble  a snapshot ensemble (cyclic learning rate) versus a single model
            Build in release: WORKBOOK=Solutions swift run -c release trainer experiment --name all
            """,
        options: [
            .value("name", "experiment", default: "all", "one of the names above, or all"),
            .value("seed", "n", default: "1", "seeds every run"),
            .value("out", "directory", default: "runs/experiments", "where the SVG plots go"),
        ],
        run: { options, console in
            let name = try options.choice("name", experimentNames + ["all"])
            let seed = UInt64(try options.int("seed", atLeast: 0))
            let out = try options.string("out")
            for experiment in name == "all" ? experimentNames : [name] {
                console.print("== \(experiment)")
                let (table, plot, conclusion) = try runExperiment(experiment, seed: seed, console: console)
                console.print(table.text)
                console.print(conclusion)
                let path = "\(out)/\(experiment).svg"
                try writeAtomically(plot, to: path)
                console.print("wrote \(path)\n")
            }
        })

    static func runExperiment(_ name: String, seed: UInt64, console: Console) throws -> (Table, String, String) {
        switch name {
        case "bn-learning-rate": return try batchNormLearningRate(seed: seed)
        case "bn-batch-size": return try batchNormBatchSize(seed: seed)
        case "dropout-gap": return try dropoutGap(seed: seed)
        case "initialization": return try initialization(seed: seed)
        case "residual": return try residualVersusPlain(seed: seed)
        case "dropout-test-time": return try dropoutTestTime(seed: seed)
        default: return try snapshotEnsemble(seed: seed)
        }
    }

    // (1) Notes 002: with BN the same network trains at learning rates where it diverges without.
    static func batchNormLearningRate(seed: UInt64) throws -> (Table, String, String) {
        let rates = [0.01, 0.03, 0.1, 0.3, 1, 3]
        var table = Table(header: ["learning rate", "no BN: val acc", "no BN: loss", "BN: val acc", "BN: loss"])
        var plain: [(x: Double, y: Double)] = [], normalized: [(x: Double, y: Double)] = []
        for rate in rates {
            var row = [number(rate)]
            for batchNorm in [BatchNormPlacement.none, .before] {
                var configuration = TrainingConfiguration.experiment(seed: seed)
                configuration.hidden = [100, 100, 100]
                configuration.learningRate = rate
                configuration.batchNorm = batchNorm
                configuration.epochs = 8
                var session = try Session(configuration: configuration)
                let finished = try session.trainQuietly()
                let accuracy = finished ? session.history.last!.validationAccuracy : .nan
                row += [percent(accuracy), finished ? number(session.history.last!.loss) : "diverged"]
                if batchNorm == .none { plain.append((rate, finished ? accuracy : 0)) } else { normalized.append((rate, finished ? accuracy : 0)) }
            }
            table.rows.append(row)
        }
        let plot = SVGPlot(title: "Validation accuracy after 8 epochs (digits, 3x100 MLP, SGD)", xLabel: "learning rate",
                           yLabel: "validation accuracy (0 = diverged)", series: [.init("no BN", plain), .init("BN before ReLU", normalized)], logX: true)
        let best = { (s: [(x: Double, y: Double)]) in s.filter { $0.y > 0.9 }.map(\.x).max() ?? 0 }
        return (table, plot.svg(), "largest rate reaching 90 % validation accuracy: \(number(best(plain))) without BN, \(number(best(normalized))) with BN")
    }

    // (2) Notes 002: BN's batch statistics are noisy estimates; the noise, and the regularization it
    // brings, shrink as the batch grows (the std of a batch mean falls like 1/√B).
    static func batchNormBatchSize(seed: UInt64) throws -> (Table, String, String) {
        let sizes = [4, 8, 16, 32, 64, 128, 256]
        var table = Table(header: ["batch", "std of BN batch mean", "train acc", "val acc", "gap"])
        var noise: [(x: Double, y: Double)] = [], gaps: [(x: Double, y: Double)] = []
        for size in sizes {
            var configuration = TrainingConfiguration.experiment(seed: seed)
            configuration.batchNorm = .before
            configuration.batchSize = size
            configuration.epochs = 15
            configuration.learningRate = 0.05
            var session = try Session(configuration: configuration)
            session.limitTraining(to: 300)
            // The noise: how much the batch mean of the first layer's pre-activations varies from
            // batch to batch (averaged over units), measured with the initial weights.
            let train = session.split.train
            var rng = SeededGenerator(seed: seed)
            var means: [[Double]] = []
            for _ in 0..<50 {
                let indices = Array(rng.permutation(train.count).prefix(size))
                let (h, _) = try denseForward(try train.features.gathering(indices), weight: session.network.parameters[0][0],
                                              bias: session.network.parameters[0][1])
                means.append(try h.mean(alongAxis: 0).scalars)
            }
            let units = means[0].count
            var spread = 0.0
            for j in 0..<units {
                let column = means.map { $0[j] }
                let mu = column.reduce(0, +) / Double(column.count)
                spread += (column.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(column.count - 1)).squareRoot()
            }
            spread /= Double(units)
            _ = try session.trainQuietly()
            let (_, trainAccuracy) = try session.evaluate(session.split.train)
            let validationAccuracy = session.history.last!.validationAccuracy
            table.rows.append([String(size), String(format: "%.4f", spread), percent(trainAccuracy), percent(validationAccuracy),
                               percent(trainAccuracy - validationAccuracy)])
            noise.append((Double(size), spread))
            gaps.append((Double(size), trainAccuracy - validationAccuracy))
        }
        let a = SVGPlot(title: "Noise of the BN batch mean", xLabel: "batch size", yLabel: "std across batches",
                        series: [.init("measured", noise), .init("∝ √((N−B)/(B(N−1)))", noise.map { ($0.x, noise[0].y * expected($0.x) / expected(noise[0].x)) })],
                        logX: true, logY: true)
        // The standard deviation of the mean of B draws without replacement from N values: σ·√((N−B)/(B(N−1))).
        func expected(_ b: Double) -> Double { ((300 - b) / (b * 299)).squareRoot() }
        let b = SVGPlot(title: "Train − validation accuracy (300 training digits)", xLabel: "batch size", yLabel: "gap",
                        series: [.init("gap", gaps)], logX: true)
        let measured = noise.first!.y / noise.last!.y, predicted = expected(noise.first!.x) / expected(noise.last!.x)
        return (table, SVGPlot.document([a, b]), String(format: "the batch-mean noise falls ×%.1f from B = 4 to 256; sampling theory predicts ×%.1f (1/√B with the finite-population factor, N = 300)", measured, predicted))
    }

    // (3) Notes 001/002: on a small training set dropout narrows the gap between train and test accuracy.
    // A wide net (2 × 512) trained long on 100 noisy two-moons points memorizes the noise without dropout.
    static func dropoutGap(seed: UInt64) throws -> (Table, String, String) {
        var table = Table(header: ["keep probability", "train acc", "test acc", "gap", "train loss", "test loss"])
        var points: [(x: Double, y: Double)] = [], tests: [(x: Double, y: Double)] = []
        for keep in [1.0, 0.8, 0.5] {
            var configuration = TrainingConfiguration.experiment(seed: seed)
            configuration.data = "moons"
            configuration.hidden = [512, 512]
            configuration.keepProbability = keep
            configuration.epochs = 1000
            configuration.learningRate = 0.1
            var session = try Session(configuration: configuration)
            // Noisy moons: 1000 points with noise 0.35, of which only 100 train (half are the test set).
            let noisy = GeneratedData.moons(count: 1000, noise: 0.35, seed: seed)
            let split = noisy.stratifiedSplit(validation: 0.15, test: 0.5, seed: seed)
            let normalizer = Normalizer(fitting: split.train.features)
            session.split = DataSplit(train: try normalizer.apply(split.train), validation: try normalizer.apply(split.validation),
                                      test: try normalizer.apply(split.test))
            session.limitTraining(to: 100)
            _ = try session.trainQuietly()
            let (trainLoss, trainAccuracy) = try session.evaluate(session.split.train)
            let (testLoss, testAccuracy) = try session.evaluate(session.split.test)
            table.rows.append([number(keep), percent(trainAccuracy), percent(testAccuracy), percent(trainAccuracy - testAccuracy),
                               number(trainLoss), number(testLoss)])
            points.append((keep, trainAccuracy - testAccuracy))
            tests.append((keep, testAccuracy))
        }
        let plot = SVGPlot(title: "Dropout on 100 noisy two-moons points (512-512 MLP, 1000 epochs)", xLabel: "keep probability", yLabel: "accuracy",
                           series: [.init("train − test gap", points), .init("test accuracy", tests)])
        return (table, plot.svg(), "gap with keep 1.0: \(table.rows[0][3]); with keep 0.5: \(table.rows[2][3])")
    }

    /// Variance of the activations after each ReLU of a deep MLP at initialization.
    static func activationVariances(_ network: Network, _ x: Tensor) throws -> [Double] {
        var h = x
        var variances: [Double] = []
        for (index, layer) in network.architecture.layers.enumerated() {
            switch layer {
            case .dense: h = try denseForward(h, weight: network.parameters[index][0], bias: network.parameters[index][1]).out
            case .relu:
                h = try reluForward(h).out
                let mean = h.mean()
                variances.append(h.scalars.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(h.count))
            default: break
            }
        }
        return variances
    }

    // (4) Notes 004: Xavier (Var = 1/D) and He (Var = 2/D, for ReLU) keep the activations' scale
    // through depth; a naive small constant scale makes them vanish layer after layer.
    static func initialization(seed: UInt64) throws -> (Table, String, String) {
        let depth = 10
        var table = Table(header: ["init", "var layer 1", "var layer 5", "var layer 10", "train loss after 10 epochs", "val acc"])
        var series: [SVGPlot.Series] = []
        for scheme in InitChoice.allCases {
            var configuration = TrainingConfiguration.experiment(seed: seed)
            configuration.hidden = Array(repeating: 128, count: depth)
            configuration.initialization = scheme
            configuration.learningRate = 0.02
            var session = try Session(configuration: configuration)
            let variances = try activationVariances(session.network, try session.split.train.features.slice(0..<256))
            let finished = try session.trainQuietly()
            table.rows.append([scheme.rawValue, String(format: "%.3g", variances[0]), String(format: "%.3g", variances[4]),
                               String(format: "%.3g", variances[depth - 1]),
                               finished ? number(session.history.last!.loss) : "diverged",
                               finished ? percent(session.history.last!.validationAccuracy) : "—"])
            series.append(.init(scheme.rawValue, variances.enumerated().map { (Double($0.offset + 1), $0.element) }))
        }
        let plot = SVGPlot(title: "Activation variance through a 10-layer ReLU MLP at initialization", xLabel: "layer",
                           yLabel: "variance of the ReLU outputs", series: series, logY: true)
        return (table, plot.svg(), "He (Var 2/D) keeps the ReLU activations' variance level; Xavier (Var 1/D, derived for a linear unit) halves it per ReLU layer; naive N(0, 0.01²) shrinks it about (0.01²·128/2)⁻¹ ≈ 156× per layer")
    }

    // (5) Notes 003/004: skip connections keep the gradient alive at the first layer of a deep net.
    static func residualVersusPlain(seed: UInt64) throws -> (Table, String, String) {
        var table = Table(header: ["model", "dense layers", "|dW| first layer", "train loss ep 1", "train loss ep 10", "val acc"])
        var curves: [SVGPlot.Series] = []
        for model in ["plain", "resnet"] {
            var configuration = TrainingConfiguration.experiment(seed: seed)
            configuration.model = model == "plain" ? "mlp" : "resnet"
            configuration.hidden = model == "plain" ? Array(repeating: 64, count: 16) : [64]
            configuration.blocks = 8
            configuration.initialization = .xavier
            configuration.learningRate = 0.05
            var session = try Session(configuration: configuration)
            // The gradient of the first layer's weight on one batch, at initialization.
            var rng = SeededGenerator(seed: seed)
            let indices = Array(0..<64)
            let (logits, backwards) = try session.network.forward(try session.split.train.features.gathering(indices), mode: .training, using: &rng)
            let (_, dlogits) = try lossAndGradient(logits, labels: indices.map { session.split.train.labels[$0] }, loss: .softmax)
            let (gradients, _) = try session.network.backward(dlogits, backwards)
            let norm = gradients[0][0].scalars.reduce(0) { $0 + $1 * $1 }.squareRoot()
            var fresh = try Session(configuration: configuration)
            _ = try fresh.trainQuietly()
            let denseLayers = model == "plain" ? 17 : 2 + 2 * configuration.blocks
            table.rows.append([model, String(denseLayers), String(format: "%.3g", norm), number(fresh.history.first!.loss),
                               number(fresh.history.last!.loss), percent(fresh.history.last!.validationAccuracy)])
            curves.append(.init(model == "plain" ? "plain, 17 dense" : "residual, 8 blocks", fresh.history.map { (Double($0.epoch), $0.loss) }))
        }
        let plot = SVGPlot(title: "Training loss of deep nets (digits, width 64, Xavier, SGD)", xLabel: "epoch", yLabel: "training loss",
                           series: curves, logY: true)
        return (table, plot.svg(), "the residual net's first layer gets a far larger gradient and its loss falls faster")
    }

    // (6) Notes 001: at test time, scaling by the keep probability (inverted dropout: doing nothing)
    // approximates averaging the predictions of many dropout masks.
    static func dropoutTestTime(seed: UInt64) throws -> (Table, String, String) {
        var configuration = TrainingConfiguration.experiment(seed: seed)
        configuration.hidden = [256, 256]
        configuration.keepProbability = 0.5
        configuration.epochs = 20
        configuration.learningRate = 0.05
        var session = try Session(configuration: configuration)
        _ = try session.trainQuietly()
        let test = session.split.test
        let (_, scaled) = try session.evaluate(test)
        var table = Table(header: ["test-time rule", "masks", "test acc"])
        table.rows.append(["weight scaling", "—", percent(scaled)])
        var rng = SeededGenerator(seed: seed &+ 99)
        var sum = Tensor(zeros: [test.count, test.classCount])
        var points: [(x: Double, y: Double)] = []
        var drawn = 0
        for samples in [1, 2, 5, 10, 20, 50, 100] {
            while drawn < samples {
                let (logits, _) = try session.network.forward(test.features, mode: .training, using: &rng)
                sum = try sum + softmax(logits)
                drawn += 1
            }
            let predicted = try sum.argmaxRows()
            let accuracy = Double(zip(predicted, test.labels).filter { $0 == $1 }.count) / Double(test.count)
            table.rows.append(["Monte-Carlo average", String(samples), percent(accuracy)])
            points.append((Double(samples), accuracy))
        }
        let plot = SVGPlot(title: "Dropout at test time (keep 0.5, digits)", xLabel: "masks averaged", yLabel: "test accuracy",
                           series: [.init("Monte-Carlo", points), .init("weight scaling", points.map { ($0.x, scaled) })], logX: true)
        return (table, plot.svg(), "Monte-Carlo averaging approaches the weight-scaling accuracy as the number of masks grows")
    }

    // (7) Notes 004: a snapshot ensemble (cyclic cosine learning rate, one snapshot per cycle,
    // predictions averaged) against a single model trained for the same number of epochs.
    static func snapshotEnsemble(seed: UInt64) throws -> (Table, String, String) {
        let cycles = 6, perCycle = 10
        var configuration = TrainingConfiguration.experiment(seed: seed)
        configuration.hidden = [256, 256]
        configuration.epochs = cycles * perCycle
        configuration.learningRate = 0.3
        var session = try Session(configuration: configuration)
        session.limitTraining(to: 300)
        var baseline = session
        let test = session.split.test
        var snapshots: [Network] = []
        for epoch in 0..<(cycles * perCycle) {
            // Cosine annealing restarted every cycle: from the full rate down to almost zero.
            let t = Double(epoch % perCycle) / Double(perCycle)
            _ = try session.trainEpoch(learningRate: configuration.learningRate * 0.5 * (1 + cos(Double.pi * t)))
            if epoch % perCycle == perCycle - 1 { snapshots.append(session.network) }
        }
        for epoch in 0..<(cycles * perCycle) {
            // The single model: the same budget with a learning rate decayed smoothly once.
            let t = Double(epoch) / Double(cycles * perCycle)
            _ = try baseline.trainEpoch(learningRate: configuration.learningRate * 0.5 * (1 + cos(Double.pi * t)))
        }
        /// Accuracy and mean negative log-likelihood of averaged class probabilities `[N, K]`.
        func score(_ probabilities: Tensor) throws -> (accuracy: Double, loss: Double) {
            let k = test.classCount
            let accuracy = Double(zip(try probabilities.argmaxRows(), test.labels).filter { $0 == $1 }.count) / Double(test.count)
            let loss = test.labels.enumerated().map { -Foundation.log(max(probabilities[flat: $0.offset * k + $0.element], 1e-300)) }
                .reduce(0, +) / Double(test.count)
            return (accuracy, loss)
        }
        var table = Table(header: ["model", "test acc", "test loss"])
        let single = try score(try softmax(try baseline.network.predictLogits(test.features)))
        table.rows.append(["single model, \(cycles * perCycle) epochs, one cosine decay", percent(single.accuracy), number(single.loss)])
        var sum = Tensor(zeros: [test.count, test.classCount])
        var accuracies: [(x: Double, y: Double)] = [], losses: [(x: Double, y: Double)] = []
        for (index, var snapshot) in snapshots.enumerated() {
            let probabilities = try softmax(try snapshot.predictLogits(test.features))
            sum = try sum + probabilities
            if index == snapshots.count - 1 {
                let last = try score(probabilities)
                table.rows.append(["last snapshot alone", percent(last.accuracy), number(last.loss)])
            }
            let ensemble = try score(sum / Double(index + 1))
            accuracies.append((Double(index + 1), ensemble.accuracy))
            losses.append((Double(index + 1), ensemble.loss))
        }
        table.rows.append(["snapshot ensemble of \(cycles)", percent(accuracies.last!.y), number(losses.last!.y)])
        let a = SVGPlot(title: "Snapshot ensemble: accuracy (300 training digits)", xLabel: "snapshots averaged", yLabel: "test accuracy",
                        series: [.init("ensemble", accuracies), .init("single model", accuracies.map { ($0.x, single.accuracy) })])
        let b = SVGPlot(title: "Snapshot ensemble: test loss", xLabel: "snapshots averaged", yLabel: "test cross-entropy",
                        series: [.init("ensemble", losses), .init("single model", losses.map { ($0.x, single.loss) })])
        return (table, SVGPlot.document([a, b]), "the snapshots come from one training run, so the ensemble costs no extra training; compare its test loss and accuracy with the single model's")
    }
}

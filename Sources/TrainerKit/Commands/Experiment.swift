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
        for model in ["plain", "resmlp"] {
            var configuration = TrainingConfiguration.experiment(seed: seed)
            configuration.model = model == "plain" ? "mlp" : "resmlp"
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

    // (7) Notes 004: a snapshot ensemble (Huang et al. 2017) against a single model with the same
    // training budget. One run of T epochs with a cosine learning rate restarted M times,
    // lr(t) = lr0/2·(cos(π·mod(t−1, ⌈T/M⌉)/⌈T/M⌉) + 1) per epoch, saves a snapshot at the end of
    // each cycle; the ensemble averages the softmax outputs of the last m snapshots. The single
    // model gets the same T epochs and the same lr0 with a standard schedule (one cosine decay, or
    // a step decay ×0.1 at 50 % and 75 %), the better of the two picked on validation accuracy.
    // Variance matters here: 300 training digits, a 2 × 256 MLP with dropout (keep 0.5). Without a
    // regularizer the net drives its training loss to ~0 in the first cycle and the restarts barely move
    // it, so the snapshots are near copies (the paper's nets train with weight decay and augmentation;
    // the workbook's optimizer has no weight decay, so dropout plays that part, in every arm alike).
    // lr0 = 0.3 with momentum 0.9 for all arms. Every seed redraws the split, the initialization and
    // the shuffles; the test set is the test split plus the training digits the
    // subset leaves out (about 1,230 images), so one image is < 0.1 %.
    static func snapshotEnsemble(seed: UInt64) throws -> (Table, String, String) {
        let seeds = 5, cycles = 5, perCycle = 20, trainCount = 300, hidden = [256, 256], keep = 0.5, rate0 = 0.3
        let epochs = cycles * perCycle
        /// Accuracy and mean negative log-likelihood of class probabilities `[N, K]` on `data`.
        func score(_ probabilities: Tensor, _ data: Dataset) throws -> (accuracy: Double, loss: Double) {
            let k = data.classCount
            let accuracy = Double(zip(try probabilities.argmaxRows(), data.labels).filter { $0 == $1 }.count) / Double(data.count)
            let loss = data.labels.enumerated().map { -Foundation.log(max(probabilities[flat: $0.offset * k + $0.element], 1e-300)) }
                .reduce(0, +) / Double(data.count)
            return (accuracy, loss)
        }
        func cosine(_ t: Int, _ period: Int) -> Double { rate0 / 2 * (cos(Double.pi * Double(t % period) / Double(period)) + 1) }
        // Per seed, test (accuracy, loss) of each single model, and of the ensemble of the last m snapshots
        // (lastM[m − 1]; m = 1 is the last snapshot alone).
        var singleCosine: [(accuracy: Double, loss: Double)] = [], singleStep: [(accuracy: Double, loss: Double)] = []
        var singlePicked: [(accuracy: Double, loss: Double)] = [], pickedNames: [String] = []
        var lastM: [[(accuracy: Double, loss: Double)]] = Array(repeating: [], count: cycles)
        for run in 0..<seeds {
            var configuration = TrainingConfiguration.experiment(seed: seed &+ UInt64(run))
            configuration.hidden = hidden
            configuration.epochs = epochs
            configuration.learningRate = rate0
            configuration.batchSize = 32
            configuration.keepProbability = keep
            var session = try Session(configuration: configuration)
            let unused = session.split.train.subset(Array(min(trainCount, session.split.train.count)..<session.split.train.count))
            session.limitTraining(to: trainCount)
            let heldOut = session.split.test
            let test = Dataset(name: heldOut.name, features: try Tensor(shape: [heldOut.count + unused.count, heldOut.featureCount],
                                                                         scalars: heldOut.features.scalars + unused.features.scalars),
                               labels: heldOut.labels + unused.labels, classCount: heldOut.classCount, imageShape: heldOut.imageShape)
            let validation = session.split.validation
            var cosineRun = session, stepRun = session
            var snapshots: [Tensor] = []
            for epoch in 0..<epochs {
                _ = try session.trainEpoch(learningRate: cosine(epoch, perCycle))
                if epoch % perCycle == perCycle - 1 { snapshots.append(try softmax(try session.network.predictLogits(test.features))) }
            }
            for epoch in 0..<epochs {
                _ = try cosineRun.trainEpoch(learningRate: cosine(epoch, epochs))
                _ = try stepRun.trainEpoch(learningRate: rate0 * (epoch < epochs / 2 ? 1 : epoch < epochs * 3 / 4 ? 0.1 : 0.01))
            }
            let candidates = try [("cosine", cosineRun), ("step", stepRun)].map { name, run -> (String, Double, Double, (accuracy: Double, loss: Double)) in
                var run = run
                let v = try score(try softmax(try run.network.predictLogits(validation.features)), validation)
                return (name, v.accuracy, v.loss, try score(try softmax(try run.network.predictLogits(test.features)), test))
            }
            singleCosine.append(candidates[0].3)
            singleStep.append(candidates[1].3)
            // The better validation accuracy wins; a tie goes to the lower validation loss.
            let picked = candidates[1].1 > candidates[0].1 || (candidates[1].1 == candidates[0].1 && candidates[1].2 < candidates[0].2) ? candidates[1] : candidates[0]
            singlePicked.append(picked.3)
            pickedNames.append(picked.0)
            var sum = Tensor(zeros: [test.count, test.classCount])
            for m in 1...cycles {
                sum = try sum + snapshots[cycles - m]
                lastM[m - 1].append(try score(sum / Double(m), test))
            }
        }
        func stats(_ xs: [Double]) -> (mean: Double, sd: Double) {
            let mean = xs.reduce(0, +) / Double(xs.count)
            let sd = xs.count > 1 ? (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count - 1)).squareRoot() : 0
            return (mean, sd)
        }
        func cells(_ results: [(accuracy: Double, loss: Double)]) -> [String] {
            let a = stats(results.map(\.accuracy)), l = stats(results.map(\.loss))
            return [String(format: "%.2f ± %.2f %%", 100 * a.mean, 100 * a.sd), String(format: "%.4f ± %.4f", l.mean, l.sd)]
        }
        var table = Table(header: ["model (\(epochs) epochs of training each)", "test acc, mean ± sd", "test loss, mean ± sd"])
        table.rows.append(["single model, one cosine decay"] + cells(singleCosine))
        table.rows.append(["single model, step decay"] + cells(singleStep))
        table.rows.append(["single model, schedule picked on validation"] + cells(singlePicked))
        table.rows.append(["last snapshot alone"] + cells(lastM[0]))
        for m in 2...cycles { table.rows.append(["snapshot ensemble, last \(m) of \(cycles)"] + cells(lastM[m - 1])) }
        let ensemble = lastM[cycles - 1]
        let dAccuracy = stats(zip(ensemble, singlePicked).map { $0.accuracy - $1.accuracy })
        let dLoss = stats(zip(ensemble, singlePicked).map { $0.loss - $1.loss })
        let accuracyWins = zip(ensemble, singlePicked).filter { $0.accuracy > $1.accuracy }.count
        let lossWins = zip(ensemble, singlePicked).filter { $0.loss < $1.loss }.count
        /// The ensemble is "better" (or "worse") only when the mean paired difference over the seeds is at
        /// least two standard errors from zero.
        func verdict(_ d: (mean: Double, sd: Double), favoursEnsemble: Bool) -> String {
            let se = d.sd / Double(seeds).squareRoot()
            guard se > 0, abs(d.mean) >= 2 * se else { return "no clear difference" }
            return favoursEnsemble ? "better" : "worse"
        }
        let accuracyVerdict = verdict(dAccuracy, favoursEnsemble: dAccuracy.mean > 0)
        let lossVerdict = verdict(dLoss, favoursEnsemble: dLoss.mean < 0)
        let conclusion = String(format: """
            over %d seeds (%d training digits, %@ MLP with dropout keep %@, lr0 %@, %d cycles of %d epochs), the ensemble of all %d snapshots versus the single model picked on validation (%@):
            test accuracy %+.2f ± %.2f points (ensemble higher in %d of %d seeds) — %@; test cross-entropy %+.4f ± %.4f (ensemble lower in %d of %d seeds) — %@.
            The claim (a snapshot ensemble beats one model for the same training cost) is %@.
            """, seeds, trainCount, hidden.map(String.init).joined(separator: "×"), number(keep), number(rate0), cycles, perCycle, cycles,
            pickedNames.joined(separator: ", "), 100 * dAccuracy.mean, 100 * dAccuracy.sd, accuracyWins, seeds, accuracyVerdict,
            dLoss.mean, dLoss.sd, lossWins, seeds, lossVerdict,
            accuracyVerdict == "better" && lossVerdict == "better" ? "reproduced on both accuracy and loss"
                : accuracyVerdict == "better" ? "reproduced on accuracy only"
                : lossVerdict == "better" ? "reproduced on test cross-entropy but not on test accuracy"
                : "not reproduced at this scale")
        let ms = (1...cycles).map(Double.init)
        let single = (accuracy: stats(singlePicked.map(\.accuracy)).mean, loss: stats(singlePicked.map(\.loss)).mean)
        let a = SVGPlot(title: "Snapshot ensemble: test accuracy (\(trainCount) training digits, mean of \(seeds) seeds)", xLabel: "last m snapshots averaged",
                        yLabel: "test accuracy (%)", series: [.init("snapshot ensemble", zip(ms, lastM).map { ($0, 100 * stats($1.map(\.accuracy)).mean) }),
                                                              .init("single model (picked on validation)", ms.map { ($0, 100 * single.accuracy) })])
        let b = SVGPlot(title: "Snapshot ensemble: test cross-entropy (mean of \(seeds) seeds)", xLabel: "last m snapshots averaged",
                        yLabel: "test cross-entropy", series: [.init("snapshot ensemble", zip(ms, lastM).map { ($0, stats($1.map(\.loss)).mean) }),
                                                               .init("single model (picked on validation)", ms.map { ($0, single.loss) })])
        return (table, SVGPlot.document([a, b]), conclusion)
    }
}

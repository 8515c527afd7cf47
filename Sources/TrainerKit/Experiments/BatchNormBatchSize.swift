import Foundation
import WorkbookCore
import Workbook

/// (2) Notes 002: BN computes its statistics on the batch, so one example's normalized value depends
/// on which other examples share its batch. That noise acts as a (weak) regularizer, and it shrinks
/// as the batch grows.
///
/// Two measurements, both through the workbook's `batchNormForward`:
///
/// - **BN's noise.** One fixed example's normalized first-layer pre-activations `x̂`, recomputed in
///   50 batches of size B with different random companions (the initial weights): the standard
///   deviation of `x̂` across those batches, averaged over the units. This is the noise BN injects
///   into that example, not a sampling-theory quantity of the data alone.
/// - **The regularization.** The same BN MLP trained on 300 digits with each batch size for the same
///   number of SGD steps (so a large batch is not simply less trained): the train − validation
///   accuracy gap. Less noise should mean less regularization, so a larger gap at the largest batch.
struct BatchNormBatchSize: Experiment {
    let name = "bn-batch-size"
    let claim = "BN's batch noise shrinks as the batch grows, and with it its regularization: the train/validation gap widens (notes 002)"
    let rule = "the noise BN adds to one example falls ≥ 5× from B = 4 to 256 and never rises with B; (full:) the train − validation gap at B = 256 exceeds the gap at B = 4"

    /// The standard deviation of one example's `x̂` across batches of `size`, averaged over units.
    func noise(of session: Session, size: Int, seed: UInt64) throws -> Double {
        let train = session.split.train
        let weight = session.network.parameters[0][0], bias = session.network.parameters[0][1]
        let units = weight.shape[1]
        let gamma = Tensor(repeating: 1, shape: [units]), beta = Tensor(zeros: [units])
        var rng = SeededGenerator(seed: seed)
        var values: [[Double]] = []
        for _ in 0..<50 {
            // Example 0 with size − 1 companions drawn from the rest of the training set.
            let companions = rng.permutation(train.count - 1).prefix(size - 1).map { $0 + 1 }
            let (h, _) = try denseForward(try train.features.gathering([0] + companions), weight: weight, bias: bias)
            let (out, _) = try batchNormForward(h, gamma: gamma, beta: beta)
            values.append(Array(out.scalars[0..<units]))
        }
        var spread = 0.0
        for j in 0..<units {
            let column = values.map { $0[j] }
            let mean = column.reduce(0, +) / Double(column.count)
            spread += (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count - 1)).squareRoot()
        }
        return spread / Double(units)
    }

    func run(seed: UInt64, scale: ExperimentScale) throws -> ExperimentResult {
        let sizes = scale == .full ? [4, 8, 16, 32, 64, 128, 256] : [4, 16, 64, 256]
        let trainingCount = 300
        let steps = scale == .full ? 1500 : 0
        var table = Table(header: ["batch", "BN noise on one example", "SGD steps", "train acc", "val acc", "gap"])
        var noises: [(x: Double, y: Double)] = [], gaps: [(x: Double, y: Double)] = []
        for size in sizes {
            var configuration = TrainingConfiguration.experiment(seed: seed)
            configuration.batchNorm = .before
            configuration.batchSize = size
            configuration.learningRate = 0.05
            let batchesPerEpoch = (trainingCount + size - 1) / size
            configuration.epochs = max(1, (steps + batchesPerEpoch - 1) / batchesPerEpoch)
            var session = try Session(configuration: configuration)
            session.limitTraining(to: trainingCount)
            let noise = try noise(of: session, size: size, seed: seed)
            noises.append((Double(size), noise))
            // The small version measures the noise only (no training).
            guard scale == .full else {
                table.rows.append([String(size), String(format: "%.4f", noise), "—", "—", "—", "—"])
                continue
            }
            _ = try session.trainQuietly()
            let (_, trainAccuracy) = try session.evaluate(session.split.train)
            let validationAccuracy = session.history.last!.validationAccuracy
            table.rows.append([String(size), String(format: "%.4f", noise), String(configuration.epochs * batchesPerEpoch),
                               percent(trainAccuracy), percent(validationAccuracy), percent(trainAccuracy - validationAccuracy)])
            gaps.append((Double(size), trainAccuracy - validationAccuracy))
        }
        var plots = [SVGPlot(title: "Noise BN adds to one example (std of its x̂ across batches)", xLabel: "batch size", yLabel: "std",
                             series: [.init("measured", noises)], logX: true, logY: true)]
        if !gaps.isEmpty {
            plots.append(SVGPlot(title: "Train − validation accuracy, equal SGD steps (300 training digits)", xLabel: "batch size",
                                 yLabel: "gap", series: [.init("gap", gaps)], logX: true))
        }
        let fall = noises.first!.y / noises.last!.y
        let monotone = zip(noises, noises.dropFirst()).allSatisfy { $1.y <= $0.y * 1.05 }
        let gapWidens = scale == .small || (gaps.last!.y > gaps.first!.y)
        var conclusion = String(format: "the noise BN adds to one example falls ×%.1f from B = 4 to 256", fall)
        if scale == .full {
            conclusion += String(format: "; with equal SGD steps the train − validation gap is %.1f %% at B = 4 and %.1f %% at B = 256",
                                 100 * gaps.first!.y, 100 * gaps.last!.y)
        }
        let figure = plots.count == 1 ? plots[0].svg() : SVGPlot.document(plots)
        return ExperimentResult(table: table, figure: figure, conclusion: conclusion, claimHolds: fall >= 5 && monotone && gapWidens)
    }
}

import Foundation
import WorkbookCore
import Workbook

/// (2) Notes 002: BN's batch statistics are noisy estimates; the noise, and the regularization it
/// brings, shrink as the batch grows.
struct BatchNormBatchSize: Experiment {
    let name = "bn-batch-size"
    let claim = "BN's noise (a regularizer) weakens as the batch grows (notes 002)"
    let rule = "the batch mean's noise falls from B = 4 to 256, within 25 % of the factor sampling theory predicts"

    // (2) Notes 002: BN's batch statistics are noisy estimates; the noise, and the regularization it
    // brings, shrink as the batch grows (the std of a batch mean falls like 1/√B).
    func run(seed: UInt64, scale: ExperimentScale) throws -> ExperimentResult {
        let sizes = scale == .full ? [4, 8, 16, 32, 64, 128, 256] : [4, 16, 64, 256]
        var table = Table(header: ["batch", "std of BN batch mean", "train acc", "val acc", "gap"])
        var noise: [(x: Double, y: Double)] = [], gaps: [(x: Double, y: Double)] = []
        for size in sizes {
            var configuration = TrainingConfiguration.experiment(seed: seed)
            configuration.batchNorm = .before
            configuration.batchSize = size
            configuration.epochs = scale == .full ? 15 : 2
            if scale == .small { configuration.hidden = [32, 32] }
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
        let conclusion = String(format: "the batch-mean noise falls ×%.1f from B = 4 to 256; sampling theory predicts ×%.1f (1/√B with the finite-population factor, N = 300)", measured, predicted)
        return ExperimentResult(table: table, figure: SVGPlot.document([a, b]), conclusion: conclusion,
                                claimHolds: measured > 1 && abs(measured / predicted - 1) < 0.25)
    }
}

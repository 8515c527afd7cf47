import Foundation
import WorkbookCore
import Workbook

/// (1) Notes 002: with batch norm the same network trains at learning rates where it diverges without.
struct BatchNormLearningRate: Experiment {
    let name = "bn-learning-rate"
    let claim = "batch norm allows higher learning rates (notes 002)"
    let rule = "the largest learning rate reaching the accuracy target is higher with BN than without"

    func run(seed: UInt64, scale: ExperimentScale) throws -> ExperimentResult {
        let rates = scale == .full ? [0.01, 0.03, 0.1, 0.3, 1, 3] : [0.3, 1, 3]
        let (hidden, epochs, target) = scale == .full ? ([100, 100, 100], 8, 0.9) : ([32, 32, 32], 3, 0.8)
        var table = Table(header: ["learning rate", "no BN: val acc", "no BN: loss", "BN: val acc", "BN: loss"])
        var plain: [(x: Double, y: Double)] = [], normalized: [(x: Double, y: Double)] = []
        for rate in rates {
            var row = [number(rate)]
            for batchNorm in [BatchNormPlacement.none, .before] {
                var configuration = TrainingConfiguration.experiment(seed: seed)
                configuration.hidden = hidden
                configuration.learningRate = rate
                configuration.batchNorm = batchNorm
                configuration.epochs = epochs
                var session = try Session(configuration: configuration)
                let finished = try session.trainQuietly()
                let accuracy = finished ? session.history.last!.validationAccuracy : .nan
                row += [percent(accuracy), finished ? number(session.history.last!.loss) : "diverged"]
                if batchNorm == .none { plain.append((rate, finished ? accuracy : 0)) } else { normalized.append((rate, finished ? accuracy : 0)) }
            }
            table.rows.append(row)
        }
        let plot = SVGPlot(title: "Validation accuracy after \(epochs) epochs (digits, \(hidden.map(String.init).joined(separator: "x")) MLP, SGD)",
                           xLabel: "learning rate", yLabel: "validation accuracy (0 = diverged)",
                           series: [.init("no BN", plain), .init("BN before ReLU", normalized)], logX: true)
        let best = { (s: [(x: Double, y: Double)]) in s.filter { $0.y > target }.map(\.x).max() ?? 0 }
        let conclusion = "largest rate reaching \(percent(target)) validation accuracy: \(number(best(plain))) without BN, \(number(best(normalized))) with BN"
        return ExperimentResult(table: table, figure: plot.svg(), conclusion: conclusion, claimHolds: best(normalized) > best(plain))
    }
}

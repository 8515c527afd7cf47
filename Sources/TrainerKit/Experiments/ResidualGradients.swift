import Foundation
import WorkbookCore
import Workbook

/// (5) Notes 003/004: skip connections keep the gradient alive at the first layer of a deep net.
struct ResidualGradients: Experiment {
    let name = "residual"
    let claim = "skip connections keep gradients alive in deep nets (notes 003, 004)"
    let rule = "at initialization the first layer's gradient norm is ≥ 100× larger with skips (full: and the training loss ends lower)"

    func run(seed: UInt64, scale: ExperimentScale) throws -> ExperimentResult {
        var norms: [String: Double] = [:], finalLosses: [String: Double] = [:]
        var table = Table(header: ["model", "dense layers", "|dW| first layer", "train loss ep 1", "train loss ep 10", "val acc"])
        var curves: [SVGPlot.Series] = []
        for model in ["plain", "resnet"] {
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
            norms[model] = norm
            let denseLayers = model == "plain" ? 17 : 2 + 2 * configuration.blocks
            // The small version measures the gradient only (no training).
            guard scale == .full else {
                table.rows.append([model, String(denseLayers), String(format: "%.3g", norm), "—", "—", "—"])
                continue
            }
            var fresh = try Session(configuration: configuration)
            _ = try fresh.trainQuietly()
            finalLosses[model] = fresh.history.last!.loss
            table.rows.append([model, String(denseLayers), String(format: "%.3g", norm), number(fresh.history.first!.loss),
                               number(fresh.history.last!.loss), percent(fresh.history.last!.validationAccuracy)])
            curves.append(.init(model == "plain" ? "plain, 17 dense" : "residual, 8 blocks", fresh.history.map { (Double($0.epoch), $0.loss) }))
        }
        let plot = SVGPlot(title: "Training loss of deep nets (digits, width 64, Xavier, SGD)", xLabel: "epoch", yLabel: "training loss",
                           series: curves, logY: true)
        let ratio = (norms["resnet"] ?? 0) / (norms["plain"] ?? .infinity)
        let lossFallsFaster = scale == .small || (finalLosses["resnet"] ?? .infinity) < (finalLosses["plain"] ?? 0)
        let conclusion = String(format: "the residual net's first layer gets a %.3g× larger gradient", ratio)
            + (scale == .full ? " and its training loss ends lower (\(number(finalLosses["resnet"] ?? .nan)) vs \(number(finalLosses["plain"] ?? .nan)))" : "")
        return ExperimentResult(table: table, figure: plot.svg(), conclusion: conclusion, claimHolds: ratio >= 100 && lossFallsFaster)
    }
}

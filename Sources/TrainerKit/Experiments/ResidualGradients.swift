import Foundation
import WorkbookCore
import Workbook

/// (5) Notes 004 (problem 1): skip connections help the gradient reach the first layers of a deep
/// net, "in addition to better initialization techniques and BN"; notes 003 point to Li et al. for
/// skips smoothing the loss surface.
///
/// Three arms, so that what the skips do is not confused with what BN and the initialization do
/// (the caveat notes 004 raise):
///
///     plain            17 dense layers of width 64, no BN, Xavier        (the naive deep stack)
///     plain + BN       the same with BN before every ReLU, He            (initialization and BN, no skips)
///     residual + BN    a stem, 8 residual blocks (dense → BN → ReLU → dense → BN, + x), He
///
/// The arms "plain + BN" and "residual + BN" differ only in the skip connections (and one dense
/// layer: 17 against 18). The rule asserts what is measured: at initialization the first layer's
/// gradient with skips and BN is ≥ 100× the naive stack's (so BN and skips together rescue it), and
/// the full version also checks that, with BN on both sides, the residual net's training loss ends
/// lower than the plain one's (what the skips add on their own). The gradient ratio between the two
/// BN arms is printed, not asserted: with BN, the plain stack's gradient does not vanish.
struct ResidualGradients: Experiment {
    let name = "residual"
    let claim = "with BN and He init in both, skips still train a deep MLP better; without either, the first layer's gradient vanishes (notes 004)"
    let rule = "at initialization the first layer's gradient norm with skips + BN is ≥ 100× the plain no-BN Xavier stack's (full: and with BN in both arms, the residual net's training loss ends lower than the plain one's)"

    enum Arm: String, CaseIterable { case plain = "plain", plainBN = "plain + BN", residualBN = "residual + BN" }

    func configuration(_ arm: Arm, seed: UInt64) -> TrainingConfiguration {
        var configuration = TrainingConfiguration.experiment(seed: seed)
        configuration.model = arm == .residualBN ? "resmlp" : "mlp"
        configuration.hidden = arm == .residualBN ? [64] : Array(repeating: 64, count: 16)
        configuration.blocks = 8
        configuration.batchNorm = arm == .plainBN ? .before : .none
        configuration.initialization = arm == .plain ? .xavier : .he
        configuration.learningRate = 0.05
        return configuration
    }

    func run(seed: UInt64, scale: ExperimentScale) throws -> ExperimentResult {
        var norms: [Arm: Double] = [:], finalLosses: [Arm: Double] = [:]
        var table = Table(header: ["model", "dense layers", "BN", "init", "|dW| first layer", "train loss ep 1", "train loss ep 10", "val acc"])
        var curves: [SVGPlot.Series] = []
        for arm in Arm.allCases {
            let configuration = configuration(arm, seed: seed)
            var session = try Session(configuration: configuration)
            // The gradient of the first layer's weight on one batch, at initialization.
            var rng = SeededGenerator(seed: seed)
            let indices = Array(0..<64)
            let (logits, backwards) = try session.network.forward(try session.split.train.features.gathering(indices), mode: .training, using: &rng)
            let (_, dlogits) = try lossAndGradient(logits, labels: indices.map { session.split.train.labels[$0] }, loss: .softmax)
            let (gradients, _) = try session.network.backward(dlogits, backwards)
            let norm = gradients[0][0].scalars.reduce(0) { $0 + $1 * $1 }.squareRoot()
            norms[arm] = norm
            let denseLayers = arm == .residualBN ? 2 + 2 * configuration.blocks : 17
            let bn = arm == .plain ? "no" : "yes", initialization = configuration.initialization.rawValue
            // The small version measures the gradients only (no training).
            guard scale == .full else {
                table.rows.append([arm.rawValue, String(denseLayers), bn, initialization, String(format: "%.3g", norm), "—", "—", "—"])
                continue
            }
            var fresh = try Session(configuration: configuration)
            _ = try fresh.trainQuietly()
            finalLosses[arm] = fresh.history.last!.loss
            table.rows.append([arm.rawValue, String(denseLayers), bn, initialization, String(format: "%.3g", norm),
                               number(fresh.history.first!.loss), number(fresh.history.last!.loss), percent(fresh.history.last!.validationAccuracy)])
            curves.append(.init(arm.rawValue, fresh.history.map { (Double($0.epoch), $0.loss) }))
        }
        let plot = SVGPlot(title: "Training loss of deep nets (digits, width 64, SGD)", xLabel: "epoch", yLabel: "training loss",
                           series: curves, logY: true)
        let rescued = (norms[.residualBN] ?? 0) / (norms[.plain] ?? .infinity)
        let skipsOnly = (norms[.residualBN] ?? 0) / (norms[.plainBN] ?? .infinity)
        let skipsTrainBetter = scale == .small || (finalLosses[.residualBN] ?? .infinity) < (finalLosses[.plainBN] ?? 0)
        var conclusion = String(format: "at initialization the first layer's gradient with skips + BN is %.3g× the plain no-BN stack's, and %.3g× the plain + BN stack's (BN alone keeps it from vanishing)",
                                rescued, skipsOnly)
        if scale == .full {
            conclusion += "; with BN in both arms the training loss ends at \(number(finalLosses[.residualBN] ?? .nan)) with skips vs \(number(finalLosses[.plainBN] ?? .nan)) without (plain, no BN: \(number(finalLosses[.plain] ?? .nan)))"
        }
        return ExperimentResult(table: table, figure: plot.svg(), conclusion: conclusion, claimHolds: rescued >= 100 && skipsTrainBetter)
    }
}

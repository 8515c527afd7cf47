import Foundation
import WorkbookCore
import Workbook

/// (4) Notes 004: the variance of a layer's weights decides whether the activations keep their scale
/// through depth. He (Var = 2/D) keeps a ReLU stack's activations level; Xavier (Var = 1/D, derived
/// for a unit that passes its input's variance on, as tanh does near 0) halves it at every ReLU
/// layer; a naive small constant scale makes them vanish layer after layer.
struct InitializationDepth: Experiment {
    let name = "initialization"
    let claim = "through ReLU layers He keeps the activation variance level, Xavier halves it per layer, naive init makes it vanish (notes 004)"
    let rule = "through 10 ReLU layers the variance ratio (layer 10 / layer 1) is within ×4 of 1 for He, below 0.05 for Xavier, below 1e-12 for naive"

    /// Variance of the activations after each ReLU of a deep MLP at initialization.
    func activationVariances(_ network: Network, _ x: Tensor) throws -> [Double] {
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

    func run(seed: UInt64, scale: ExperimentScale) throws -> ExperimentResult {
        let depth = 10
        var ratios: [InitChoice: Double] = [:]
        var table = Table(header: ["init", "var layer 1", "var layer 5", "var layer 10", "train loss after 10 epochs", "val acc"])
        var series: [SVGPlot.Series] = []
        for scheme in InitChoice.allCases {
            var configuration = TrainingConfiguration.experiment(seed: seed)
            configuration.hidden = Array(repeating: 128, count: depth)
            // The small version measures the variances only (no training).
            if scale == .small { configuration.epochs = 0 }
            configuration.initialization = scheme
            configuration.learningRate = 0.02
            var session = try Session(configuration: configuration)
            let variances = try activationVariances(session.network, try session.split.train.features.slice(0..<256))
            ratios[scheme] = variances[depth - 1] / variances[0]
            let finished = try session.trainQuietly() && !session.history.isEmpty
            table.rows.append([scheme.rawValue, String(format: "%.3g", variances[0]), String(format: "%.3g", variances[4]),
                               String(format: "%.3g", variances[depth - 1]),
                               finished ? number(session.history.last!.loss) : scale == .small ? "—" : "diverged",
                               finished ? percent(session.history.last!.validationAccuracy) : "—"])
            series.append(.init(scheme.rawValue, variances.enumerated().map { (Double($0.offset + 1), $0.element) }))
        }
        let plot = SVGPlot(title: "Activation variance through a 10-layer ReLU MLP at initialization", xLabel: "layer",
                           yLabel: "variance of the ReLU outputs", series: series, logY: true)
        let conclusion = String(format: "variance at layer 10 over layer 1: He %.3g, Xavier %.3g, naive %.3g. He (Var 2/D) keeps the ReLU activations' variance level; Xavier (Var 1/D, derived for a linear unit) halves it per ReLU layer (2⁻⁹ ≈ 0.002); naive N(0, 0.01²) shrinks it about (0.01²·128/2)⁻¹ ≈ 156× per layer",
                                ratios[.he] ?? .nan, ratios[.xavier] ?? .nan, ratios[.naive] ?? .nan)
        let he = ratios[.he] ?? 0, xavier = ratios[.xavier] ?? 1, naive = ratios[.naive] ?? 1
        return ExperimentResult(table: table, figure: plot.svg(), conclusion: conclusion,
                                claimHolds: he > 0.25 && he < 4 && xavier < 0.05 && naive < 1e-12)
    }
}

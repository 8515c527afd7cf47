import Foundation
import WorkbookCore
import Workbook

/// (6) Notes 001: at test time, scaling by the keep probability (inverted dropout: doing nothing)
/// approximates averaging the predictions of many dropout masks.
struct DropoutTestTime: Experiment {
    let name = "dropout-test-time"
    let claim = "weight scaling approximates averaging over dropout masks (notes 001)"
    let rule = "one mask does worse than weight scaling, and the average over the most masks lands within 1.5 points of it"

    func run(seed: UInt64, scale: ExperimentScale) throws -> ExperimentResult {
        var configuration = TrainingConfiguration.experiment(seed: seed)
        configuration.hidden = scale == .full ? [256, 256] : [64, 64]
        configuration.keepProbability = 0.5
        configuration.epochs = scale == .full ? 20 : 5
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
        for samples in scale == .full ? [1, 2, 5, 10, 20, 50, 100] : [1, 5, 50] {
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
        let (one, many) = (points.first!.y, points.last!.y)
        let conclusion = "weight scaling \(percent(scaled)); Monte-Carlo averaging over 1 mask \(percent(one)), over \(Int(points.last!.x)) masks \(percent(many))"
        return ExperimentResult(table: table, figure: plot.svg(), conclusion: conclusion,
                                claimHolds: one < scaled && abs(many - scaled) <= 0.015)
    }
}

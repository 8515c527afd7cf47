import Foundation
import WorkbookCore
import Workbook

/// (3) Notes 001/002: on a small training set dropout narrows the gap between train and test accuracy.
struct DropoutGap: Experiment {
    let name = "dropout-gap"
    let claim = "dropout narrows the train/test gap on a small training set (notes 001, 002)"
    let rule = "the train − test accuracy gap with keep 0.5 is at least 3 points below the gap with keep 1.0"

    // (3) Notes 001/002: on a small training set dropout narrows the gap between train and test accuracy.
    // A wide net (2 × 512) trained long on 100 noisy two-moons points memorizes the noise without dropout.
    func run(seed: UInt64, scale: ExperimentScale) throws -> ExperimentResult {
        var table = Table(header: ["keep probability", "train acc", "test acc", "gap", "train loss", "test loss"])
        var points: [(x: Double, y: Double)] = [], tests: [(x: Double, y: Double)] = []
        for keep in [1.0, 0.8, 0.5] {
            var configuration = TrainingConfiguration.experiment(seed: seed)
            configuration.data = "moons"
            configuration.hidden = scale == .full ? [512, 512] : [64, 64]
            configuration.keepProbability = keep
            configuration.epochs = scale == .full ? 1000 : 300
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
        let plot = SVGPlot(title: "Dropout on 100 noisy two-moons points (\(scale == .full ? "512-512 MLP, 1000" : "64-64 MLP, 300") epochs)",
                           xLabel: "keep probability", yLabel: "accuracy",
                           series: [.init("train − test gap", points), .init("test accuracy", tests)])
        let conclusion = "gap with keep 1.0: \(table.rows[0][3]); with keep 0.5: \(table.rows[2][3])"
        return ExperimentResult(table: table, figure: plot.svg(), conclusion: conclusion, claimHolds: points[2].y < points[0].y - 0.03)
    }
}

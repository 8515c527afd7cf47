import Foundation
import WorkbookCore
import Workbook

/// (7) Notes 004: a snapshot ensemble against a single model with the same training budget.
struct SnapshotEnsembleExperiment: Experiment {
    let name = "snapshot-ensemble"
    let claim = "a snapshot ensemble beats one model for the same training cost (notes 004)"
    let rule = "over the seeds, the ensemble's test cross-entropy is lower than the single model's by at least two standard errors of the paired difference"

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
    func run(seed: UInt64, scale: ExperimentScale) throws -> ExperimentResult {
        let full = scale == .full
        let seeds = full ? 5 : 3, cycles = full ? 5 : 3, perCycle = full ? 20 : 6, trainCount = full ? 300 : 200
        let hidden = full ? [256, 256] : [64, 64], keep = 0.5, rate0 = 0.3
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
        return ExperimentResult(table: table, figure: SVGPlot.document([a, b]), conclusion: conclusion, claimHolds: lossVerdict == "better")
    }
}

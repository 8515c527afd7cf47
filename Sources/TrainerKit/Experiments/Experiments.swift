import Foundation
import WorkbookCore
import Workbook

// The notes' claims, each reproduced by a seeded experiment (one per file in this folder). An
// experiment is a value with a name and the claim it tests; running it gives a named result: a
// table, a figure (SVG) and a verdict on the claim, computed from the numbers, so a test can check
// that the claim still holds. Every model is trained with the workbook's layers, like `train`.
//
// Each runs at two scales: `.full` is what `trainer experiment` prints (build in release), `.small`
// is a seeded miniature that a debug-build test (TrainerTests, so CI) runs in seconds and that fails
// if the claim stops holding.

/// How big an experiment runs.
public enum ExperimentScale: String, Sendable, CaseIterable {
    /// The figures quoted in the README (`trainer experiment`, release build).
    case full
    /// A seeded miniature for the tests: seconds in a debug build.
    case small
}

/// What an experiment measured.
public struct ExperimentResult {
    public var table: Table
    /// A standalone SVG document.
    public var figure: String
    /// One or two sentences with the measured figures.
    public var conclusion: String
    /// Whether the numbers support the claim, by the rule the experiment states.
    public var claimHolds: Bool
}

/// One of the notes' claims and the seeded measurement that tests it.
public protocol Experiment: Sendable {
    /// The name `--name` takes: `bn-learning-rate`.
    var name: String { get }
    /// The claim, in one line, with the notes it comes from.
    var claim: String { get }
    /// How `claimHolds` is decided from the numbers.
    var rule: String { get }
    func run(seed: UInt64, scale: ExperimentScale) throws -> ExperimentResult
}

/// Every experiment, in the order `--name all` runs them.
public enum Experiments {
    public static let all: [any Experiment] = [
        BatchNormLearningRate(), BatchNormBatchSize(), DropoutGap(), InitializationDepth(), ResidualGradients(),
        DropoutTestTime(), SnapshotEnsembleExperiment(),
    ]
    public static var names: [String] { all.map(\.name) }
    public static func named(_ name: String) -> (any Experiment)? { all.first { $0.name == name } }
}

/// A fixed-width text table.
public struct Table {
    public var header: [String]
    public var rows: [[String]] = []

    public var text: String {
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


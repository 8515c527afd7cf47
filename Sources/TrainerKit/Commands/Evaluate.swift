import Foundation
import WorkbookCore

/// A confusion matrix and the per-class figures derived from it.
public struct ConfusionMatrix: Equatable, Sendable {
    /// `counts[truth][predicted]`
    public var counts: [[Int]]

    public init(truth: [Int], predicted: [Int], classes: Int) {
        counts = Array(repeating: Array(repeating: 0, count: classes), count: classes)
        for (t, p) in zip(truth, predicted) where t < classes && p < classes { counts[t][p] += 1 }
    }

    public var total: Int { counts.joined().reduce(0, +) }
    public var accuracy: Double { Double(counts.indices.map { counts[$0][$0] }.reduce(0, +)) / Double(max(total, 1)) }
    /// Of the examples predicted as `c`, the fraction that are `c`.
    public func precision(_ c: Int) -> Double { Double(counts[c][c]) / Double(max(counts.map { $0[c] }.reduce(0, +), 1)) }
    /// Of the examples of class `c`, the fraction predicted as `c`.
    public func recall(_ c: Int) -> Double { Double(counts[c][c]) / Double(max(counts[c].reduce(0, +), 1)) }

    /// Beyond this many classes the matrix is left out of the report (the per-class table stays).
    public static let largestPrinted = 40

    /// The table printed by `evaluate`.
    public var report: String {
        let k = counts.count
        let cell = max(4, String(counts.joined().max() ?? 0).count + 1)
        func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        var lines: [String] = []
        if k <= ConfusionMatrix.largestPrinted {
            lines.append("confusion matrix (rows: true class, columns: predicted)")
            lines.append(pad("", 6) + (0..<k).map { pad(String($0), cell) }.joined())
            for t in 0..<k { lines.append(pad(String(t), 6) + counts[t].map { pad(String($0), cell) }.joined()) }
        } else {
            lines.append("confusion matrix not printed: \(k) classes would make \(k) × \(k) cells")
        }
        lines.append("")
        lines.append("class  precision  recall      f1  support")
        for c in 0..<k {
            let p = precision(c), r = recall(c), f1 = p + r > 0 ? 2 * p * r / (p + r) : 0
            lines.append(pad(String(c), 5) + String(format: "  %9.4f  %6.4f  %6.4f  %7d", p, r, f1, counts[c].reduce(0, +)))
        }
        return lines.joined(separator: "\n")
    }
}

extension Trainer {
    static let evaluateCommand = Command(
        name: "evaluate",
        abstract: "Report a checkpoint's accuracy, confusion matrix and per-class figures.",
        discussion: """
            Without --data, evaluates on the test split of the data it was trained on (the same seeded split).
            Rows whose label the model does not know (not among its classes) are reported and counted as wrong.
            """,
        options: [
            .value("checkpoint", "file", "the model.ckpt written by train"),
            .value("data", "source", "other labelled data to evaluate on: \(DataSource.help)"),
            .value("labels", "file", "the IDX labels file that goes with an IDX images file"),
            .value("split", "part", default: "test", "train, validation or test (with the checkpoint's own data)"),
        ],
        run: { options, console in
            let path = try options.string("checkpoint")
            // Options that would be ignored are refused, as train refuses --labels with generated data.
            if options.optionalString("data") != nil, options.given.contains("split") {
                throw UsageError("'--split \(excerpt(try options.string("split")))' picks a part of the checkpoint's own data; "
                                 + "with --data the whole file is evaluated: leave out one of them")
            }
            if options.optionalString("data") == nil, options.optionalString("labels") != nil {
                throw UsageError("'--labels' goes with --data (an IDX images file); without --data, evaluate uses the checkpoint's own data and labels")
            }
            let checkpoint = try Checkpoint.read(from: path)
            let data: Dataset
            if let source = options.optionalString("data") {
                data = try normalized(try DataSource.load(source, labels: options.optionalString("labels"), seed: checkpoint.configuration.seed),
                                      with: checkpoint, option: "--data \(source)")
            } else {
                let split = try checkpoint.preparedData(name: path).split
                let part = try options.choice("split", ["train", "validation", "test"])
                switch part {
                case "train": data = split.train
                case "validation": data = split.validation
                default: data = split.test
                }
                guard data.count > 0 else {
                    throw UsageError("'--split \(part)': the run held out no \(part) examples of \(shown(checkpoint.configuration.data)); "
                                     + "choose another --split or give --data")
                }
            }
            var network = Network(architecture: checkpoint.architecture, parameters: checkpoint.bestParameters, running: checkpoint.bestRunning)
            let predicted = try predictions(try network.predictLogits(data.features), loss: checkpoint.architecture.loss)
            let classes = checkpoint.architecture.classes
            let matrix = ConfusionMatrix(truth: data.labels, predicted: predicted, classes: classes)
            let unknown = data.labels.filter { $0 >= classes }
            let correct = matrix.counts.indices.map { matrix.counts[$0][$0] }.reduce(0, +)
            console.print("checkpoint: \(shownWord(path)) (best epoch \(checkpoint.bestEpoch) of \(checkpoint.epochsCompleted))")
            console.print(String(format: "accuracy: %.2f%% (%d of %d)", 100 * Double(correct) / Double(max(data.count, 1)), correct, data.count))
            if !unknown.isEmpty {
                var counts: [Int: Int] = [:]
                for label in unknown { counts[label, default: 0] += 1 }
                let listed = counts.keys.sorted().prefix(10).map { "\($0) (\(counts[$0]!) row\(counts[$0]! == 1 ? "" : "s"))" }.joined(separator: ", ")
                console.print("unknown labels: \(unknown.count) of \(data.count) rows have a label the model does not know (it has classes 0...\(classes - 1)): "
                              + listed + (counts.count > 10 ? ", …" : "") + "; they count as wrong and are left out of the matrix")
            }
            console.print("")
            console.print(matrix.report)
        })

    static let predictCommand = Command(
        name: "predict",
        abstract: "Predict the class of every row of a data file with a checkpoint.",
        discussion: "The file has the training format (a CSV's label column is read but not used). Writes index,predicted,confidence.",
        options: [
            .value("checkpoint", "file", "the model.ckpt written by train"),
            .value("data", "source", DataSource.help),
            .value("labels", "file", "the IDX labels file that goes with an IDX images file"),
            .value("output", "file", "write the predictions here as CSV (default: print them); never one of the inputs"),
            .flag("overwrite", "replace an existing --output file"),
        ],
        run: { options, console in
            let checkpointPath = try options.string("checkpoint")
            let dataSource = try options.string("data")
            if let output = options.optionalString("output") {
                let inputs = [("--checkpoint", checkpointPath), ("--data", dataSource)] + (options.optionalString("labels").map { [("--labels", $0)] } ?? [])
                try OutputFiles.check(output, chosenBy: "--output", inputs: inputs, overwrite: options.has("overwrite"))
            }
            let checkpoint = try Checkpoint.read(from: checkpointPath)
            let data = try normalized(try DataSource.load(dataSource, labels: options.optionalString("labels"), seed: checkpoint.configuration.seed),
                                      with: checkpoint, option: "--data \(dataSource)")
            var network = Network(architecture: checkpoint.architecture, parameters: checkpoint.bestParameters, running: checkpoint.bestRunning)
            let logits = try network.predictLogits(data.features)
            let predicted = try predictions(logits, loss: checkpoint.architecture.loss)
            var rows = ["index,predicted,confidence"]
            for (i, p) in predicted.enumerated() {
                let confidence: Double
                switch checkpoint.architecture.loss {
                case .sigmoid:
                    let s = 1 / (1 + Foundation.exp(-logits[flat: i]))
                    confidence = p == 1 ? s : 1 - s
                case .softmax:
                    let k = logits.shape[1]
                    let row = (0..<k).map { logits[flat: i * k + $0] }
                    let top = row.max() ?? 0
                    confidence = 1 / row.map { Foundation.exp($0 - top) }.reduce(0, +)
                }
                rows.append("\(i),\(p),\(String(format: "%.6f", confidence))")
            }
            if let output = options.optionalString("output") {
                OutputFiles.removeStaleTemporaries(besides: output)
                try writeAtomically(rows.joined(separator: "\n") + "\n", to: output)
                console.print("wrote \(predicted.count) predictions to \(shownWord(output))")
            } else {
                rows.forEach { console.print($0) }
            }
        })

    /// Normalizes `data` with the checkpoint's statistics, refusing data of another width. One
    /// feature short of the model's width on a CSV usually means a file without its label column
    /// (its first feature was read as the label): the message says so.
    static func normalized(_ data: Dataset, with checkpoint: Checkpoint, option: String) throws -> Dataset {
        let width = checkpoint.normalizer.mean.count
        guard data.featureCount == width else {
            let source = option.hasPrefix("--data ") ? String(option.dropFirst(7)) : option
            let csv = data.imageShape == nil && source != "digits" && !GeneratedData.names.contains(source)
            let hint = csv && data.featureCount + 1 == width
                ? "; the first column of a CSV is read as the label (predict ignores its value, but it must be there: an integer 0...\(Limits.maxLabel)): "
                    + "is that column missing?"
                : ""
            throw TrainerError("\(shown(option)) has \(data.featureCount) feature\(data.featureCount == 1 ? "" : "s") a row, "
                               + "but the checkpoint's model takes \(width)\(hint)")
        }
        return try checkpoint.normalizer.apply(data)
    }
}

import Foundation
import WorkbookCore

/// Resolves `--data`: `digits`, a generated set (`spiral`, `moons`, `xor`, `blobs`), a CSV path, or an
/// IDX images path with `--labels` naming the IDX labels file.
enum DataSource {
    static let help = "digits, spiral, moons, xor, blobs, a CSV file (label,features…) or an IDX images file with --labels"

    static func load(_ data: String, labels: String?, seed: UInt64) throws -> Dataset {
        try checkLabelsOption(data: data, labels: labels)
        if data == "digits" { return try DataLoader.digits() }
        if let generated = GeneratedData.named(data, seed: seed) { return generated }
        if let labels { return try DataLoader.idx(images: data, labels: labels) }
        if data.lowercased().hasSuffix(".csv") || FileManager.default.fileExists(atPath: data) {
            return try DataLoader.csv(at: data)
        }
        throw UsageError("'--data' must be \(help); \(shown(data)) is none of these (no such file)")
    }

    /// `--labels` names the labels of an IDX images file; the bundled and generated sets have their own.
    /// - Throws: ``UsageError`` when `--labels` is given with one of those (it would be ignored).
    static func checkLabelsOption(data: String, labels: String?) throws {
        if labels != nil && (data == "digits" || GeneratedData.names.contains(data)) {
            throw UsageError("'--labels' goes with an IDX images file given as --data; '--data \(data)' has its own labels: leave --labels out")
        }
    }

    /// The data split and normalized exactly as a run with `configuration` sees it: images with one
    /// mean and deviation for all pixels, other features each with their own.
    static func prepare(_ configuration: TrainingConfiguration) throws -> (split: DataSplit, normalizer: Normalizer) {
        let data = try load(configuration.data, labels: configuration.labelsFile, seed: configuration.seed)
        let name = shownWord(configuration.data)
        let present = Set(data.labels).sorted()
        guard data.count >= 3, present.count >= 2 else {
            throw TrainerError("'--data \(name)': a classifier needs at least 3 examples of at least 2 classes; found \(data.count) "
                               + "example\(data.count == 1 ? "" : "s") of \(present.count) class\(present.count == 1 ? "" : "es")"
                               + (present.count == 1 ? " (every label is \(present[0]))" : ""))
        }
        // The run keeps the data about four times (as read, split, normalized, and batches).
        let bytes = 32 * Double(data.count) * Double(max(data.featureCount, 1))
        guard bytes <= Double(Limits.memoryBudget) else {
            throw TrainerError("'--data \(name)': \(data.count) rows of \(data.featureCount) features would need about \(Limits.bytes(bytes)), "
                               + "over the trainer's budget of \(Limits.bytes(Double(Limits.memoryBudget)))")
        }
        let split = data.stratifiedSplit(validation: configuration.validationFraction, test: configuration.testFraction,
                                         seed: configuration.seed)
        guard split.train.count > 0 else {
            throw UsageError("'--validation' and '--test' leave no training examples of '\(name)' (\(data.count) rows); lower them")
        }
        // Each class is split on its own: classes of one or two rows give nothing to a 15 % part.
        // A run asked to validate (or test) but left with nothing there would choose its best
        // epoch on the training set, or report no test accuracy, without saying so.
        for (option, fraction, part) in [("--validation", configuration.validationFraction, split.validation),
                                         ("--test", configuration.testFraction, split.test)] where fraction > 0 && part.count == 0 {
            let largest = data.classCounts.max() ?? 0
            throw TrainerError("'--data \(name)': '\(option) \(fraction)' holds out no examples: the labels go up to \(data.classCount - 1), "
                               + "so the model would have \(data.classCount) classes, \(present.count) of them with examples and the largest "
                               + "with \(largest) row\(largest == 1 ? "" : "s"), too few for a \(Int(fraction * 100)) % part of each class. "
                               + "Give more rows a class, number the labels 0...\(present.count - 1), or pass '\(option) 0'")
        }
        let normalizer = Normalizer(fitting: split.train.features, perFeature: data.imageShape == nil)
        return (DataSplit(train: try normalizer.apply(split.train), validation: try normalizer.apply(split.validation),
                          test: try normalizer.apply(split.test)), normalizer)
    }
}

extension Checkpoint {
    /// The checkpoint's own data (`configuration.data`), split and normalized as its run saw it,
    /// and checked against its model: a checkpoint whose data field was edited to another data set
    /// (another width) is refused here, naming the field, instead of failing inside a layer.
    /// - Parameter name: the checkpoint's file, for messages.
    func preparedData(name: String = "the checkpoint") throws -> (split: DataSplit, normalizer: Normalizer) {
        // The run's files as it named them: a relative path is read from today's working folder,
        // so a command run elsewhere must say which field and which folder, not just "no such file".
        for (field, what, file) in [("configuration.data", "data", configuration.data)]
            + (configuration.labelsFile.map { [("configuration.labelsFile", "labels", $0)] } ?? [])
            where file != "digits" && !GeneratedData.names.contains(file) {
            var info = stat()
            guard stat(file, &info) != 0 else { continue }
            let reason = String(cString: strerror(errno))
            let advice = file.hasPrefix("/") ? ": put the file back"
                : "; a relative path is read from the folder a command runs in, \(shownWord(FileManager.default.currentDirectoryPath)): "
                    + "run it from the folder the training ran in, or put the file back"
            throw TrainerError("\(shownWord(name)): field \(field): the run's \(what) file \(shownWord(file)) is not there (\(reason))\(advice)")
        }
        let prepared = try DataSource.prepare(configuration)
        let train = prepared.split.train
        guard train.featureCount == architecture.inputFeatures else {
            throw TrainerError("\(shownWord(name)): field configuration.data: \(shown(configuration.data)) has \(train.featureCount) features a row, "
                               + "but the checkpoint's model takes \(architecture.inputFeatures); this is not the data it was trained on")
        }
        return prepared
    }
}

import Foundation
import WorkbookCore

/// Resolves `--data`: `digits`, a generated set (`spiral`, `moons`, `xor`, `blobs`), a CSV path, or an
/// IDX images path with `--labels` naming the IDX labels file.
enum DataSource {
    static let help = "digits, spiral, moons, xor, blobs, a CSV file (label,features…) or an IDX images file with --labels"

    static func load(_ data: String, labels: String?, seed: UInt64) throws -> Dataset {
        if data == "digits" { return try DataLoader.digits() }
        if let generated = GeneratedData.named(data, seed: seed) { return generated }
        if let labels { return try DataLoader.idx(images: data, labels: labels) }
        if data.lowercased().hasSuffix(".csv") || FileManager.default.fileExists(atPath: data) {
            return try DataLoader.csv(at: data)
        }
        throw UsageError("'--data' must be \(help); '\(data)' is none of these")
    }

    /// The data split and normalized exactly as a run with `configuration` sees it: images with one
    /// mean and deviation for all pixels, other features each with their own.
    static func prepare(_ configuration: TrainingConfiguration) throws -> (split: DataSplit, normalizer: Normalizer) {
        let data = try load(configuration.data, labels: configuration.labelsFile, seed: configuration.seed)
        guard data.count >= 3, data.classCount >= 2 else {
            throw TrainerError("\(configuration.data): needs at least 3 examples of at least 2 classes, found \(data.count) of \(data.classCount)")
        }
        let split = data.stratifiedSplit(validation: configuration.validationFraction, test: configuration.testFraction,
                                         seed: configuration.seed)
        guard split.train.count > 0 else { throw TrainerError("\(configuration.data): the training split is empty") }
        let normalizer = Normalizer(fitting: split.train.features, perFeature: data.imageShape == nil)
        return (DataSplit(train: try normalizer.apply(split.train), validation: try normalizer.apply(split.validation),
                          test: try normalizer.apply(split.test)), normalizer)
    }
}

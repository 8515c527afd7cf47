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
        throw UsageError("'--data' must be \(help); '\(excerpt(data, limit: 200))' is none of these (no such file)")
    }

    /// The data split and normalized exactly as a run with `configuration` sees it: images with one
    /// mean and deviation for all pixels, other features each with their own.
    static func prepare(_ configuration: TrainingConfiguration) throws -> (split: DataSplit, normalizer: Normalizer) {
        let data = try load(configuration.data, labels: configuration.labelsFile, seed: configuration.seed)
        let name = excerpt(configuration.data, limit: 200)
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
        let normalizer = Normalizer(fitting: split.train.features, perFeature: data.imageShape == nil)
        return (DataSplit(train: try normalizer.apply(split.train), validation: try normalizer.apply(split.validation),
                          test: try normalizer.apply(split.test)), normalizer)
    }
}

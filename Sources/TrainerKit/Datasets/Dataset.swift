import Foundation
import WorkbookCore

/// A labelled data set: one row of features per example and an integer class per row.
///
/// Images are stored flat (`[N, H·W·C]`, row-major NHWC) with `imageShape` = `[H, W, C]`, so the
/// same set feeds an MLP as is and a CNN after a reshape to `[N, H, W, C]`.
public struct Dataset: Sendable {
    public var name: String
    /// `[N, D]`
    public var features: Tensor
    /// `N` labels in `0..<classCount`.
    public var labels: [Int]
    public var classCount: Int
    /// `[H, W, C]` when the rows are images, else `nil`.
    public var imageShape: [Int]?

    public init(name: String, features: Tensor, labels: [Int], classCount: Int? = nil, imageShape: [Int]? = nil) {
        self.name = name
        self.features = features
        self.labels = labels
        self.classCount = classCount ?? ((labels.max() ?? -1) + 1)
        self.imageShape = imageShape
    }

    public var count: Int { labels.count }
    public var featureCount: Int { features.shape.count == 2 ? features.shape[1] : 0 }

    /// The examples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        let d = featureCount
        var scalars = [Double]()
        scalars.reserveCapacity(indices.count * d)
        features.withUnsafeBufferPointer { all in
            for i in indices { scalars.append(contentsOf: all[(i * d)..<(i * d + d)]) }
        }
        return Dataset(name: name, features: try! Tensor(shape: [indices.count, d], scalars: scalars),
                       labels: indices.map { labels[$0] }, classCount: classCount, imageShape: imageShape)
    }

    /// How many examples each class has.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }
}

/// A train / validation / test partition of one data set.
public struct DataSplit: Sendable {
    public var train: Dataset
    public var validation: Dataset
    public var test: Dataset
}

extension Dataset {
    /// A seeded, stratified split: each class is shuffled on its own and cut in the given fractions,
    /// so every part keeps the class proportions of the whole (to within one example per class).
    ///
    /// - Parameters:
    ///   - validation: fraction of each class for validation, e.g. 0.15.
    ///   - test: fraction of each class for test, e.g. 0.15; the rest trains.
    public func stratifiedSplit(validation: Double, test: Double, seed: UInt64) -> DataSplit {
        var rng = SeededGenerator(seed: seed)
        var train = [Int](), valid = [Int](), testing = [Int]()
        // One pass to group the rows by class (in row order), not one pass per class: with up to
        // 1000 classes and millions of rows, filtering per class would take minutes.
        var byClass = [[Int]](repeating: [], count: classCount)
        for (index, label) in labels.enumerated() where label < classCount { byClass[label].append(index) }
        for label in 0..<classCount {
            let members = byClass[label]
            let order = rng.permutation(members.count).map { members[$0] }
            let nTest = Int((Double(order.count) * test).rounded())
            let nValid = Int((Double(order.count) * validation).rounded())
            testing += order.prefix(nTest)
            valid += order.dropFirst(nTest).prefix(nValid)
            train += order.dropFirst(nTest + nValid)
        }
        // Interleave the classes again so no part is sorted by label.
        func shuffled(_ indices: [Int]) -> [Int] { rng.permutation(indices.count).map { indices[$0] } }
        return DataSplit(train: subset(shuffled(train)), validation: subset(shuffled(valid)), test: subset(shuffled(testing)))
    }
}

/// Input normalization fitted on the training set: `(x − mean) / std` per feature.
///
/// A feature that never varies in training (a border pixel of the digits) gets std 1, so it maps to
/// zero instead of dividing by zero.
public struct Normalizer: Sendable, Codable, Equatable {
    /// `[D]`
    public var mean: [Double]
    /// `[D]`
    public var standardDeviation: [Double]

    /// Fits statistics to `features` `[N, D]`: per feature, or one mean and deviation shared by all
    /// features (`perFeature: false`, right for pixels: a rarely-inked border pixel is not blown up
    /// to unit variance).
    public init(fitting features: Tensor, perFeature: Bool = true) {
        let n = features.shape[0], d = features.shape[1]
        var mean = [Double](repeating: 0, count: d), sq = [Double](repeating: 0, count: d)
        features.withUnsafeBufferPointer { x in
            for i in 0..<n { for j in 0..<d { mean[j] += x[i * d + j] } }
            for j in 0..<d { mean[j] /= Double(max(n, 1)) }
            if !perFeature { mean = Array(repeating: mean.reduce(0, +) / Double(max(d, 1)), count: d) }
            for i in 0..<n { for j in 0..<d { let c = x[i * d + j] - mean[j]; sq[j] += c * c } }
        }
        if !perFeature { sq = Array(repeating: sq.reduce(0, +) / Double(max(d, 1)), count: d) }
        self.mean = mean
        self.standardDeviation = sq.map { s in
            let sd = (s / Double(max(n, 1))).squareRoot()
            return sd < 1e-8 ? 1 : sd
        }
    }

    public init(mean: [Double], standardDeviation: [Double]) {
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Applies the normalization to `features` `[N, D]`.
    /// - Throws: ``TrainerError`` if the width differs from the fitted one.
    public func apply(_ features: Tensor) throws -> Tensor {
        let d = mean.count
        guard features.rank == 2, features.shape[1] == d else {
            throw TrainerError("the data has \(features.shape.last ?? 0) features but the model was trained on \(d)")
        }
        var out = features
        out.withUnsafeMutableBufferPointer { x in
            for i in 0..<features.shape[0] {
                for j in 0..<d { x[i * d + j] = (x[i * d + j] - mean[j]) / standardDeviation[j] }
            }
        }
        return out
    }

    public func apply(_ data: Dataset) throws -> Dataset {
        var copy = data
        copy.features = try apply(data.features)
        return copy
    }
}

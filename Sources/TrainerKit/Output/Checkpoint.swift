import Foundation
import WorkbookCore

// The checkpoint format, version 1 (all integers little-endian):
//
//     offset 0    8 bytes   magic "WBTRAIN\n"
//     offset 8    UInt32    format version (1)
//     offset 12   UInt64    L, the length of the metadata
//     offset 20   L bytes   metadata, UTF-8 JSON (CheckpointMetadata: architecture, normalization,
//                           training configuration, history, RNG state, and the shape of every tensor)
//     then        Float64s  every tensor's scalars, row-major, in the order the metadata lists them
//     last        UInt64    FNV-1a hash of every byte before it
//
// The binary body keeps a 100 k-parameter model's save to a few milliseconds (JSON numbers would
// take far longer); the hash turns a truncated or damaged file into a clear error instead of
// silently wrong weights. Files are written to a temporary name and renamed into place, so a run
// killed mid-save leaves the previous checkpoint whole.

/// One epoch's figures, as printed, written to the metrics CSV and kept in the checkpoint.
///
/// `seconds` is printed in the epoch line only: the checkpoint and the CSV leave it out, so the
/// same seed and flags give byte-identical files (it reads back as 0).
public struct EpochMetrics: Codable, Equatable, Sendable {
    public var epoch: Int
    public var loss: Double
    public var trainAccuracy: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    public var learningRate: Double
    public var seconds: Double = 0

    public init(epoch: Int, loss: Double, trainAccuracy: Double, validationLoss: Double, validationAccuracy: Double,
                learningRate: Double, seconds: Double = 0) {
        self.epoch = epoch
        self.loss = loss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
    }

    private enum CodingKeys: String, CodingKey {
        case epoch, loss, trainAccuracy, validationLoss, validationAccuracy, learningRate
    }
}

/// Everything needed to rebuild the model, the data and the run.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    public var model: String
    public var data: String
    public var labelsFile: String?
    public var hidden: [Int]
    /// The MLP's hidden activation.
    public var activation: ActivationChoice = .relu
    public var batchNorm: BatchNormPlacement
    public var keepProbability: Double
    public var initialization: InitChoice
    public var optimizer: OptimizerKind
    public var learningRate: Double
    public var momentum: Double
    /// The learning rate is multiplied by this after every epoch.
    public var learningRateDecay: Double
    public var batchSize: Int
    public var epochs: Int
    /// Stop after this many epochs without a better validation accuracy (0 = never).
    public var patience: Int
    public var seed: UInt64
    public var validationFraction: Double
    public var testFraction: Double
    public var channels: Int
    public var convLayers: Int
    public var blocks: Int
}

/// What the checkpoint's JSON metadata holds.
struct CheckpointMetadata: Codable {
    var format = "workbook-trainer-checkpoint"
    var version = Checkpoint.version
    var architecture: Architecture
    var normalizer: Normalizer
    var configuration: TrainingConfiguration
    var epochsCompleted: Int
    var bestEpoch: Int
    var bestValidationAccuracy: Double
    var epochsWithoutImprovement: Int
    var history: [EpochMetrics]
    var rng: SeededGenerator
    var optimizerStep: Int
    /// For each tensor group (see ``Checkpoint/groups``), for each layer, the shapes of its tensors.
    var shapes: [[[[Int]]]]
}

/// A saved run: the best model so far (what `evaluate` and `predict` use) and the current state
/// (what `resume` continues from).
public struct Checkpoint {
    public static let magic = Array("WBTRAIN\n".utf8)
    public static let version: UInt32 = 1

    public var architecture: Architecture
    public var normalizer: Normalizer
    public var configuration: TrainingConfiguration
    public var epochsCompleted: Int
    public var bestEpoch: Int
    public var bestValidationAccuracy: Double
    public var epochsWithoutImprovement: Int
    public var history: [EpochMetrics]
    public var rng: SeededGenerator
    public var optimizerStep: Int
    public var bestParameters: [[Tensor]]
    public var bestRunning: [[Tensor]]
    public var parameters: [[Tensor]]
    public var running: [[Tensor]]
    public var optimizerFirst: [[Tensor]]
    public var optimizerSecond: [[Tensor]]

    var groups: [[[Tensor]]] { [bestParameters, bestRunning, parameters, running, optimizerFirst, optimizerSecond] }

    /// The bytes of the file.
    public func encoded() throws -> Data {
        let metadata = CheckpointMetadata(
            architecture: architecture, normalizer: normalizer, configuration: configuration,
            epochsCompleted: epochsCompleted, bestEpoch: bestEpoch, bestValidationAccuracy: bestValidationAccuracy,
            epochsWithoutImprovement: epochsWithoutImprovement, history: history, rng: rng, optimizerStep: optimizerStep,
            shapes: groups.map { $0.map { $0.map(\.shape) } })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json: Data
        do { json = try encoder.encode(metadata) } catch {
            throw TrainerError("cannot save the checkpoint: a figure of the run (loss, accuracy or normalization) is not a finite number")
        }
        var bytes = [UInt8]()
        let scalarCount = groups.joined().joined().reduce(0) { $0 + $1.count }
        bytes.reserveCapacity(28 + json.count + 8 * scalarCount)
        bytes += Checkpoint.magic
        append(&bytes, Checkpoint.version)
        append(&bytes, UInt64(json.count))
        bytes += json
        for tensor in groups.joined().joined() {
            tensor.withUnsafeBufferPointer { scalars in
                for x in scalars { append(&bytes, x.bitPattern) }
            }
        }
        append(&bytes, fnv1a(bytes[...]))
        return Data(bytes)
    }

    /// Writes the checkpoint atomically (temporary file, then rename).
    public func write(to path: String) throws { try writeAtomically(try encoded(), to: path) }

    /// Reads and verifies a checkpoint.
    /// - Throws: ``TrainerError`` naming the file and what is wrong: not a checkpoint, a newer
    ///   version, truncated, damaged (hash mismatch) or inconsistent.
    public static func read(from path: String) throws -> Checkpoint {
        // The data files' reader: a device, a directory or a missing file is named as such, a
        // pipe is read, and the size limit holds for both.
        try decode(try DataLoader.read(path, what: "checkpoint"), name: path)
    }

    static func decode(_ bytes: [UInt8], name path: String) throws -> Checkpoint {
        let name = shownWord(path)
        func fail(_ problem: String) -> TrainerError { TrainerError("\(name): \(problem)") }
        if FileKind.of(bytes) == .safeTensors {
            throw fail("a safetensors file, not a trainer checkpoint: make one with \(Trainer.toolName) import --input \(shellQuoted(path))")
        }
        guard bytes.count >= 8, Array(bytes[0..<8]) == magic else {
            throw fail("not a trainer checkpoint (the file does not start with the checkpoint magic \"WBTRAIN\")")
        }
        guard bytes.count >= 28 else {
            throw fail("truncated: \(bytes.count) bytes, but a checkpoint has at least 28 (magic, version, length, checksum)")
        }
        let version = UInt32(truncatingIfNeeded: word(bytes, 8, 4))
        guard version == Checkpoint.version else {
            throw fail("checkpoint format version \(version); this trainer reads version \(Checkpoint.version)")
        }
        let stored = word(bytes, bytes.count - 8, 8)
        guard stored == fnv1a(bytes[0..<(bytes.count - 8)]) else {
            throw fail("the checkpoint is corrupt or truncated (its checksum does not match); use an earlier copy or train again")
        }
        guard let length = Int(exactly: word(bytes, 12, 8)), length <= bytes.count - 28 else {
            throw fail("offset 12: the metadata length \(word(bytes, 12, 8)) runs past the end of the file (\(bytes.count) bytes)")
        }
        let metadata: CheckpointMetadata
        do {
            metadata = try JSONDecoder().decode(CheckpointMetadata.self, from: Data(bytes[20..<(20 + length)]))
        } catch let error as DecodingError {
            throw fail("offset 20: unreadable metadata (\(describe(error)))")
        } catch {
            throw fail("offset 20: unreadable metadata")
        }
        var offset = 20 + length
        var groups: [[[Tensor]]] = []
        for group in metadata.shapes {
            var layers: [[Tensor]] = []
            for layer in group {
                var tensors: [Tensor] = []
                for shape in layer {
                    guard shape.count <= 8, let count = Limits.product(shape), count <= (bytes.count - 8 - offset) / 8 else {
                        throw fail("offset \(offset): the metadata's shapes field promises a tensor of shape \(excerpt("\(shape)", limit: 80)), "
                                   + "more than the file holds")
                    }
                    var scalars = [Double](repeating: 0, count: count)
                    for i in 0..<count { scalars[i] = Double(bitPattern: word(bytes, offset + 8 * i, 8)) }
                    offset += 8 * count
                    tensors.append(try Tensor(shape: shape, scalars: scalars))
                }
                layers.append(tensors)
            }
            groups.append(layers)
        }
        guard metadata.shapes.count == 6, groups.count == 6, offset == bytes.count - 8 else {
            throw fail("the tensor data does not match the metadata (ends at offset \(offset) of \(bytes.count - 8))")
        }
        let checkpoint = Checkpoint(
            architecture: metadata.architecture, normalizer: metadata.normalizer, configuration: metadata.configuration,
            epochsCompleted: metadata.epochsCompleted, bestEpoch: metadata.bestEpoch,
            bestValidationAccuracy: metadata.bestValidationAccuracy, epochsWithoutImprovement: metadata.epochsWithoutImprovement,
            history: metadata.history, rng: metadata.rng, optimizerStep: metadata.optimizerStep,
            bestParameters: groups[0], bestRunning: groups[1], parameters: groups[2], running: groups[3],
            optimizerFirst: groups[4], optimizerSecond: groups[5])
        guard metadata.format == "workbook-trainer-checkpoint", metadata.version == Checkpoint.version else {
            throw fail("field format/version: '\(excerpt(metadata.format))' version \(metadata.version) is not a version-\(Checkpoint.version) trainer checkpoint")
        }
        try checkpoint.validate(name: name)
        return checkpoint
    }

    /// Checks every field against the architecture and the trainer's limits: a checkpoint whose
    /// checksum matches may still have been edited, or written by a trainer with a bug.
    /// - Throws: ``TrainerError`` naming the file and the field.
    func validate(name: String) throws {
        func fail(_ field: String, _ problem: String) -> TrainerError { TrainerError("\(name): field \(field): \(problem)") }
        let c = configuration
        func range(_ field: String, _ value: Int, _ bounds: ClosedRange<Int>) throws {
            guard bounds.contains(value) else { throw fail(field, "\(value) is outside \(bounds.lowerBound)...\(bounds.upperBound)") }
        }
        func unit(_ field: String, _ value: Double, _ bounds: ClosedRange<Double>) throws {
            guard value.isFinite, bounds.contains(value) else { throw fail(field, "\(value) is outside \(bounds.lowerBound)...\(bounds.upperBound)") }
        }
        guard ModelFactory.names.contains(c.model) else {
            throw fail("configuration.model", "'\(excerpt(c.model))' is not a model this trainer knows")
        }
        guard c.model == architecture.model else {
            throw fail("configuration.model", "'\(excerpt(c.model))' does not match the architecture's '\(excerpt(architecture.model))'")
        }
        guard !c.data.isEmpty else { throw fail("configuration.data", "empty") }
        try range("configuration.batchSize", c.batchSize, 1...Limits.maxBatchSize)
        try range("configuration.epochs", c.epochs, 1...Limits.maxEpochs)
        try range("configuration.patience", c.patience, 0...Limits.maxEpochs)
        try range("configuration.channels", c.channels, 1...Limits.maxChannels)
        try range("configuration.convLayers", c.convLayers, 1...Limits.maxConvLayers)
        try range("configuration.blocks", c.blocks, 0...Limits.maxBlocks)
        try range("configuration.hidden (count)", c.hidden.count, 0...Limits.maxHiddenLayers)
        for width in c.hidden { try range("configuration.hidden", width, 1...Limits.maxWidth) }
        try unit("configuration.learningRate", c.learningRate, Double.leastNonzeroMagnitude...1e6)
        try unit("configuration.momentum", c.momentum, 0...1)
        try unit("configuration.learningRateDecay", c.learningRateDecay, Double.leastNonzeroMagnitude...1)
        try unit("configuration.keepProbability", c.keepProbability, Limits.minKeepProbability...1)
        try unit("configuration.validationFraction", c.validationFraction, 0...0.9)
        try unit("configuration.testFraction", c.testFraction, 0...0.9)
        try range("architecture.classes", architecture.classes, 2...(Limits.maxLabel + 1))
        try range("architecture.inputFeatures", architecture.inputFeatures, 1...Limits.maxFeatures)
        try range("architecture.layers (count)", architecture.layers.count, 1...(4 * Limits.maxHiddenLayers + 2 * Limits.maxBlocks + 64))
        if case let .failure(error) = architecture.activationSizes() { throw fail("architecture.layers", error.message) }
        guard let bytes = MemoryBudget.estimate(architecture, batchSize: c.batchSize, optimizer: c.optimizer),
              bytes <= Double(Limits.memoryBudget) else {
            throw fail("architecture", "the model is beyond the trainer's memory budget of \(Limits.bytes(Double(Limits.memoryBudget)))")
        }
        guard normalizer.mean.count == architecture.inputFeatures, normalizer.standardDeviation.count == architecture.inputFeatures else {
            throw fail("normalizer", "\(normalizer.mean.count) means and \(normalizer.standardDeviation.count) deviations for \(architecture.inputFeatures) inputs")
        }
        guard normalizer.mean.allSatisfy(\.isFinite), normalizer.standardDeviation.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw fail("normalizer", "a mean is not finite or a deviation is not a positive finite number")
        }
        try range("epochsCompleted", epochsCompleted, 0...Limits.maxEpochs)
        guard history.count == epochsCompleted else {
            throw fail("history", "\(history.count) epochs recorded, but epochsCompleted is \(epochsCompleted)")
        }
        for (index, metrics) in history.enumerated() {
            guard metrics.epoch == index + 1, [metrics.loss, metrics.validationLoss, metrics.learningRate].allSatisfy(\.isFinite),
                  (0...1).contains(metrics.trainAccuracy), (0...1).contains(metrics.validationAccuracy) else {
                throw fail("history[\(index)]", "epoch \(metrics.epoch) with a number out of range")
            }
        }
        try range("bestEpoch", bestEpoch, 0...epochsCompleted)
        try range("epochsWithoutImprovement", epochsWithoutImprovement, 0...epochsCompleted)
        try range("optimizerStep", optimizerStep, 0...Int(Int32.max))
        try unit("bestValidationAccuracy", bestValidationAccuracy, -1...1)
        let parameterShapes = architecture.parameterShapes
        let runningShapes: [[[Int]]] = architecture.layers.map { layer in
            switch layer {
            case let .batchNorm(d), let .spatialBatchNorm(d): [[d], [d]]
            // A residual block's two batch norms: mean and variance of each (ResidualBlockStatistics).
            case let .residual(d, h): [[h], [h], [d], [d]]
            case let .convResidual(_, o, _): [[o], [o], [o], [o]]
            default: []
            }
        }
        let optimizerStates = c.optimizer == .adam ? 2 : c.optimizer == .momentum ? 1 : 0
        let expected: [(String, [[Tensor]], [[[Int]]]?)] = [
            ("bestParameters", bestParameters, parameterShapes), ("bestRunning", bestRunning, runningShapes),
            ("parameters", parameters, parameterShapes), ("running", running, runningShapes),
            ("optimizerFirst", optimizerFirst, optimizerStates >= 1 ? parameterShapes : nil),
            ("optimizerSecond", optimizerSecond, optimizerStates >= 2 ? parameterShapes : nil),
        ]
        for (field, group, shapes) in expected {
            guard let shapes else {
                guard group.isEmpty else { throw fail(field, "holds tensors, but the \(c.optimizer) optimizer keeps none there") }
                continue
            }
            guard group.count == shapes.count else {
                throw fail(field, "\(group.count) layers, but the architecture has \(shapes.count)")
            }
            for (index, (have, want)) in zip(group, shapes).enumerated() where have.map(\.shape) != want {
                throw fail("\(field)[\(index)]", "layer \(index) (\(architecture.layers[index])) has shapes \(excerpt("\(have.map(\.shape))", limit: 80)), expected \(want)")
            }
            for (index, layer) in group.enumerated() {
                for tensor in layer where !tensor.scalars.allSatisfy(\.isFinite) {
                    throw fail("\(field)[\(index)]", "layer \(index) (\(architecture.layers[index])) holds a NaN or infinite value")
                }
            }
        }
        for (field, group) in [("bestRunning", bestRunning), ("running", running), ("optimizerSecond", optimizerSecond)] {
            for (index, layer) in group.enumerated() where field != "optimizerSecond" ? layer.count == 2 && layer[1].scalars.contains(where: { $0 < 0 })
                : layer.contains(where: { $0.scalars.contains(where: { $0 < 0 }) }) {
                throw fail("\(field)[\(index)]", "a variance (or second moment) is negative")
            }
        }
    }
}

/// A short description of a decoding error: the field's path and the problem, never the whole input.
func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return keys.isEmpty ? "top level" : "field " + String(keys.drop(while: { $0 == "." }))
    }
    switch error {
    case let .keyNotFound(key, context): return "\(path(context)): missing field '\(excerpt(key.stringValue))'"
    case let .typeMismatch(_, context): return "\(path(context)): wrong type"
    case let .valueNotFound(_, context): return "\(path(context)): missing value"
    case let .dataCorrupted(context): return "\(path(context)): \(excerpt(context.debugDescription, limit: 80))"
    @unknown default: return "not the expected JSON"
    }
}

extension Architecture {
    /// The shapes each layer's parameters must have.
    public var parameterShapes: [[[Int]]] {
        layers.map { layer in
            switch layer {
            case let .dense(i, o): [[i, o], [o]]
            case let .batchNorm(d), let .spatialBatchNorm(d): [[d], [d]]
            case let .conv(k, i, o, _): [[k, k, i, o], [o]]
            case let .residual(d, h): [[d, h], [h], [h], [h], [h, d], [d], [d], [d]]
            case let .convResidual(i, o, s):
                [[3, 3, i, o], [o], [o], [3, 3, o, o], [o], [o]] + (i != o || s != 1 ? [[1, 1, i, o]] : [])
            case .relu, .tanh, .sigmoid, .leakyReLU, .elu, .dropout, .maxPool, .averagePool, .reshape: []
            }
        }
    }
}

private func append<T: FixedWidthInteger>(_ bytes: inout [UInt8], _ value: T) {
    withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
}

private func word(_ bytes: [UInt8], _ offset: Int, _ size: Int) -> UInt64 {
    var value: UInt64 = 0
    for i in (0..<size).reversed() { value = value << 8 | UInt64(bytes[offset + i]) }
    return value
}

/// The 64-bit FNV-1a hash.
func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    bytes.withUnsafeBufferPointer { buffer in
        for byte in buffer { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    }
    return hash
}

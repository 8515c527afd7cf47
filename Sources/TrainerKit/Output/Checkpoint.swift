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
public struct EpochMetrics: Codable, Equatable, Sendable {
    public var epoch: Int
    public var loss: Double
    public var trainAccuracy: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    public var learningRate: Double
    public var seconds: Double
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
        let json = try encoder.encode(metadata)
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
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainerError("cannot read checkpoint '\(path)': no such file or not readable")
        }
        return try decode([UInt8](data), name: path)
    }

    static func decode(_ bytes: [UInt8], name: String) throws -> Checkpoint {
        func fail(_ problem: String) -> TrainerError { TrainerError("\(name): \(problem)") }
        guard bytes.count >= 28, Array(bytes[0..<8]) == magic else {
            throw fail("not a trainer checkpoint (the file does not start with the checkpoint magic \"WBTRAIN\")")
        }
        let version = UInt32(truncatingIfNeeded: word(bytes, 8, 4))
        guard version == Checkpoint.version else {
            throw fail("checkpoint format version \(version); this trainer reads version \(Checkpoint.version)")
        }
        let stored = word(bytes, bytes.count - 8, 8)
        guard stored == fnv1a(bytes[0..<(bytes.count - 8)]) else {
            throw fail("the checkpoint is corrupt or truncated (its checksum does not match); use an earlier copy or train again")
        }
        let length = Int(word(bytes, 12, 8))
        guard length >= 0, 20 + length <= bytes.count - 8 else { throw fail("truncated metadata at offset 20") }
        let metadata: CheckpointMetadata
        do {
            metadata = try JSONDecoder().decode(CheckpointMetadata.self, from: Data(bytes[20..<(20 + length)]))
        } catch {
            throw fail("unreadable metadata: \(error)")
        }
        var offset = 20 + length
        var groups: [[[Tensor]]] = []
        for group in metadata.shapes {
            var layers: [[Tensor]] = []
            for layer in group {
                var tensors: [Tensor] = []
                for shape in layer {
                    let count = shape.reduce(1, *)
                    guard count >= 0, offset + 8 * count <= bytes.count - 8 else {
                        throw fail("truncated tensor data at offset \(offset)")
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
        guard groups.count == 6, offset == bytes.count - 8 else {
            throw fail("the tensor data does not match the metadata (ends at offset \(offset) of \(bytes.count - 8))")
        }
        let checkpoint = Checkpoint(
            architecture: metadata.architecture, normalizer: metadata.normalizer, configuration: metadata.configuration,
            epochsCompleted: metadata.epochsCompleted, bestEpoch: metadata.bestEpoch,
            bestValidationAccuracy: metadata.bestValidationAccuracy, epochsWithoutImprovement: metadata.epochsWithoutImprovement,
            history: metadata.history, rng: metadata.rng, optimizerStep: metadata.optimizerStep,
            bestParameters: groups[0], bestRunning: groups[1], parameters: groups[2], running: groups[3],
            optimizerFirst: groups[4], optimizerSecond: groups[5])
        try checkpoint.architecture.validate(parameters: checkpoint.bestParameters, name: name)
        try checkpoint.architecture.validate(parameters: checkpoint.parameters, name: name)
        return checkpoint
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

    /// Checks that stored parameters fit this architecture.
    /// - Throws: ``TrainerError`` naming the first layer that does not fit.
    func validate(parameters: [[Tensor]], name: String) throws {
        let expected = parameterShapes
        guard parameters.count == expected.count else {
            throw TrainerError("\(name): the checkpoint holds \(parameters.count) layers but its architecture has \(expected.count)")
        }
        for (index, (have, want)) in zip(parameters, expected).enumerated() where have.map(\.shape) != want {
            throw TrainerError("\(name): layer \(index) (\(layers[index])) has parameter shapes \(have.map(\.shape)), expected \(want)")
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

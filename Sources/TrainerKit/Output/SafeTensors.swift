import Foundation
import WorkbookCore

// Weights in the Hugging Face safetensors format, readable by PyTorch, JAX, numpy and others:
//
//     offset 0    UInt64, little-endian   H, the length of the header
//     offset 8    H bytes                 a UTF-8 JSON object, padded with spaces to a multiple of 8:
//                                           "<name>": {"dtype": "F64", "shape": [..], "data_offsets": [begin, end]}
//                                           "__metadata__": {string: string}
//     offset 8+H  the data buffer         each tensor's scalars, row-major (C order), little-endian,
//                                         at [begin, end) of the buffer; tensors tile it without gaps
//
// What `trainer export` writes (the best model of a checkpoint, what `evaluate` uses):
//
//   tensors, `layers.<i>.…` for layer i of the architecture (the checkpoint's order):
//     dense                 weight [in, out] (PyTorch's nn.Linear stores [out, in]: transpose), bias [out]
//     conv                  weight [K, K, Cin, Cout], HWIO (PyTorch's nn.Conv2d stores OIHW:
//                           permute(3, 2, 0, 1)), bias [Cout]
//     batch norm (both)     weight (γ), bias (β), running_mean, running_var [D or C], as nn.BatchNorm*d
//     residual (dense)      fc1.weight [D, H], fc1.bias, bn1.{weight, bias}, fc2.weight [H, D], fc2.bias,
//                           bn2.{weight, bias}, bn1.{running_mean, running_var}, bn2.{…}
//     convResidual          conv1.weight [3, 3, Cin, Cout], bn1.{weight, bias}, conv2.weight [3, 3, Cout, Cout],
//                           bn2.{weight, bias}, downsample.weight [1, 1, Cin, Cout] (only with a projection),
//                           bn1.{running_mean, running_var}, bn2.{…}   (torchvision's BasicBlock names)
//   normalizer.mean, normalizer.standard_deviation [D]: inputs are (x − mean) / standard_deviation
//   data.<part>.features [N, D], data.<part>.labels [N] (only with --include-split <part>): that split of
//   the checkpoint's data, already normalized, so that a port can be checked against `evaluate`
//   __metadata__: format "workbook-trainer", architecture and configuration (JSON, as in the
//   checkpoint), layout (a one-line reminder of the above)
//
// Activations are NHWC [N, H, W, C] (PyTorch: NCHW). A flattened image is therefore in (h, w, c)
// order: a dense layer after a reshape, in PyTorch on NCHW tensors, needs `x.permute(0, 2, 3, 1)`
// before `flatten`, or its weight's rows reordered. The running variance is the population estimate
// (unbiased, B/(B − 1)), as PyTorch's; the trainer's batch norms use ε = 1e-5, PyTorch's default.
// Stored dtype: F64 (the trainer's precision), or F32 with `--dtype F32`; `import` reads both.

/// A safetensors file: named tensors in order, and string metadata.
struct SafeTensorsFile: Equatable {
    enum DType: String { case f64 = "F64", f32 = "F32" }

    var tensors: [(name: String, tensor: Tensor)]
    var metadata: [String: String]

    static func == (a: SafeTensorsFile, b: SafeTensorsFile) -> Bool {
        a.metadata == b.metadata && a.tensors.map(\.name) == b.tensors.map(\.name) && a.tensors.map(\.tensor) == b.tensors.map(\.tensor)
    }

    /// The bytes of the file, the tensors laid out in the order given.
    func encoded(dtype: DType = .f64) throws -> Data {
        let size = dtype == .f64 ? 8 : 4
        func quoted(_ s: String) throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            return String(decoding: try encoder.encode(s), as: UTF8.self)
        }
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = try metadata.keys.sorted().map { "\(try quoted($0)):\(try quoted(metadata[$0]!))" }
            entries.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        var seen = Set<String>()
        for (name, tensor) in tensors {
            guard seen.insert(name).inserted, name != "__metadata__" else { throw TrainerError("safetensors: the name '\(name)' is used twice") }
            let end = offset + size * tensor.count
            entries.append("\(try quoted(name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }   // spaces keep the data 8-byte aligned
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes += $0 }
        bytes += header
        for (_, tensor) in tensors {
            tensor.withUnsafeBufferPointer { scalars in
                for x in scalars {
                    switch dtype {
                    case .f64: withUnsafeBytes(of: x.bitPattern.littleEndian) { bytes += $0 }
                    case .f32: withUnsafeBytes(of: Float(x).bitPattern.littleEndian) { bytes += $0 }
                    }
                }
            }
        }
        return Data(bytes)
    }

    /// The largest header this trainer reads (the safetensors library's own limit is 100 MB).
    static let maxHeaderBytes = 100_000_000

    /// Parses and checks a file: header length, JSON (strictly: a name given twice is an error, not
    /// a silent replacement), every tensor's dtype, integer shape (its size overflow-checked) and
    /// offsets, and that the tensors tile the data buffer exactly. Never traps, whatever the header.
    /// - Throws: ``TrainerError`` naming the file, the byte offset and what was expected (and the
    ///   tensor, where one is).
    static func decode(_ bytes: [UInt8], name: String) throws -> SafeTensorsFile {
        func fail(_ problem: String) -> TrainerError { TrainerError("\(name): \(problem)") }
        if FileKind.of(bytes) == .checkpoint {
            throw fail("a trainer checkpoint, not a safetensors file: evaluate, predict and resume read it as it is (--checkpoint), "
                       + "and \(Trainer.toolName) export --checkpoint \(name) writes its safetensors")
        }
        guard bytes.count >= 8 else { throw fail("not a safetensors file (shorter than its 8-byte header length)") }
        var length: UInt64 = 0
        for i in (0..<8).reversed() { length = length << 8 | UInt64(bytes[i]) }
        guard length >= 2, length <= UInt64(bytes.count - 8) else {
            throw fail("offset 0: not a safetensors file, or truncated: the header length \(length) does not fit in the file's \(bytes.count) bytes")
        }
        guard length <= UInt64(maxHeaderBytes) else {
            throw fail("offset 0: a header of \(length) bytes, over the limit of \(maxHeaderBytes)")
        }
        let dataStart = 8 + Int(length)
        let root: HeaderJSON
        do {
            root = try HeaderJSON.parse(bytes[8..<dataStart])
        } catch let error as HeaderJSON.ParseError {
            throw fail("offset \(8 + error.offset): the header is not valid JSON: \(error.problem)")
        }
        guard case let .object(members) = root else { throw fail("offset 8: the header must be a JSON object, found \(root.kind)") }
        var seen = Set<String>()
        for member in members where !seen.insert(member.key).inserted {
            throw fail("the header names '\(excerpt(member.key))' twice; each name must appear once")
        }
        var metadata: [String: String] = [:]
        if let raw = members.first(where: { $0.key == "__metadata__" })?.value {
            guard case let .object(pairs) = raw else { throw fail("__metadata__ must map strings to strings, found \(raw.kind)") }
            for (key, value) in pairs {
                guard case let .string(text) = value else { throw fail("__metadata__ '\(excerpt(key))' must be a string, found \(value.kind)") }
                metadata[key] = text
            }
        }
        let bufferLength = bytes.count - dataStart
        var entries: [(name: String, begin: Int, end: Int, dtype: DType, shape: [Int])] = []
        for (key, value) in members where key != "__metadata__" {
            let tensor = "tensor '\(excerpt(key))'"
            guard case let .object(fields) = value else { throw fail("\(tensor): expected an object of dtype, shape and data_offsets, found \(value.kind)") }
            func field(_ field: String) throws -> HeaderJSON {
                guard let found = fields.first(where: { $0.key == field })?.value else {
                    throw fail("\(tensor): needs dtype, shape and data_offsets [begin, end]; '\(field)' is missing")
                }
                return found
            }
            guard case let .string(dtypeName) = try field("dtype") else { throw fail("\(tensor): dtype must be a string such as \"F64\"") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw fail("\(tensor): dtype \(excerpt(dtypeName)) is not supported (F64 or F32)")
            }
            guard case let .array(dimensions) = try field("shape"), dimensions.count <= 8 else {
                throw fail("\(tensor): shape must be an array of at most 8 sizes")
            }
            var shape: [Int] = []
            for dimension in dimensions {
                guard let size = dimension.nonNegativeInteger else {
                    throw fail("\(tensor): shape sizes must be whole numbers 0...\(Int.max), found \(dimension.kind)")
                }
                shape.append(size)
            }
            guard case let .array(offsetValues) = try field("data_offsets"), offsetValues.count == 2 else {
                throw fail("\(tensor): data_offsets must be [begin, end]")
            }
            guard let begin = offsetValues[0].nonNegativeInteger, let end = offsetValues[1].nonNegativeInteger else {
                throw fail("\(tensor): data_offsets must be whole numbers 0...\(Int.max), found \(offsetValues[0].kind) and \(offsetValues[1].kind)")
            }
            let width = dtype == .f64 ? 8 : 4
            // The size is checked before it is used: [2^32, 2^32] or [2^61] of F64 overflows an Int.
            guard let count = Limits.product(shape), let bytesNeeded = Limits.product([count, width]) else {
                throw fail("\(tensor): shape \(shape) of \(dtypeName) is larger than any file")
            }
            guard end >= begin, end <= bufferLength else {
                throw fail("\(tensor): data_offsets [\(begin), \(end)] lie outside the \(bufferLength)-byte data buffer")
            }
            guard end - begin == bytesNeeded else {
                throw fail("\(tensor): data_offsets [\(begin), \(end)] hold \(end - begin) bytes, but shape \(shape) of \(dtypeName) needs \(bytesNeeded)")
            }
            entries.append((key, begin, end, dtype, shape))
        }
        entries.sort { ($0.begin, $0.name) < ($1.begin, $1.name) }
        var expected = 0
        for entry in entries {
            guard entry.begin == expected else {
                throw fail("tensor '\(excerpt(entry.name))' starts at byte \(entry.begin) of the data, expected \(expected) (tensors must tile the buffer)")
            }
            expected = entry.end
        }
        guard expected == bufferLength else { throw fail("the data buffer has \(bufferLength) bytes but the tensors cover \(expected)") }
        var tensors: [(name: String, tensor: Tensor)] = []
        for entry in entries {
            let start = dataStart + entry.begin
            let scalars: [Double] = switch entry.dtype {
            case .f64: (0..<(entry.end - entry.begin) / 8).map { Double(bitPattern: littleEndianWord(bytes, start + 8 * $0, 8)) }
            case .f32: (0..<(entry.end - entry.begin) / 4).map { Double(Float(bitPattern: UInt32(littleEndianWord(bytes, start + 4 * $0, 4)))) }
            }
            tensors.append((entry.name, try Tensor(shape: entry.shape, scalars: scalars)))
        }
        return SafeTensorsFile(tensors: tensors, metadata: metadata)
    }
}

private func littleEndianWord(_ bytes: [UInt8], _ offset: Int, _ size: Int) -> UInt64 {
    var value: UInt64 = 0
    for i in (0..<size).reversed() { value = value << 8 | UInt64(bytes[offset + i]) }
    return value
}

extension LayerKind {
    /// The names of the layer's parameters, in the order of ``Architecture/parameterShapes``.
    var parameterNames: [String] {
        switch self {
        case .dense, .conv: ["weight", "bias"]
        case .batchNorm, .spatialBatchNorm: ["weight", "bias"]
        case .residual: ["fc1.weight", "fc1.bias", "bn1.weight", "bn1.bias", "fc2.weight", "fc2.bias", "bn2.weight", "bn2.bias"]
        case let .convResidual(i, o, s):
            ["conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias"] + (i != o || s != 1 ? ["downsample.weight"] : [])
        case .relu, .tanh, .sigmoid, .leakyReLU, .elu, .dropout, .maxPool, .averagePool, .reshape: []
        }
    }

    /// The names of the layer's running statistics, in the order the network keeps them.
    var runningNames: [String] {
        switch self {
        case .batchNorm, .spatialBatchNorm: ["running_mean", "running_var"]
        case .residual, .convResidual: ["bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var"]
        default: []
        }
    }
}

extension Checkpoint {
    static let safeTensorsLayout = "activations NHWC; dense weight [in, out] (torch: transpose); conv weight [K, K, Cin, Cout] HWIO "
        + "(torch OIHW: permute(3, 2, 0, 1)); flattened images in (h, w, c) order; running_var unbiased; eps 1e-5"

    /// The best model (parameters and running statistics), the input normalizer and the metadata
    /// needed to rebuild the checkpoint, named as documented at the top of this file.
    func safeTensors() throws -> SafeTensorsFile {
        var tensors: [(name: String, tensor: Tensor)] = []
        for (index, layer) in architecture.layers.enumerated() {
            let parameters = bestParameters[index], running = bestRunning.indices.contains(index) ? bestRunning[index] : []
            guard parameters.count == layer.parameterNames.count, running.count == layer.runningNames.count else {
                throw TrainerError("layer \(index) (\(layer)) holds \(parameters.count) parameters and \(running.count) running statistics; "
                                   + "expected \(layer.parameterNames.count) and \(layer.runningNames.count)")
            }
            for (name, tensor) in zip(layer.parameterNames + layer.runningNames, parameters + running) {
                tensors.append(("layers.\(index).\(name)", tensor))
            }
        }
        tensors.append(("normalizer.mean", Tensor(normalizer.mean)))
        tensors.append(("normalizer.standard_deviation", Tensor(normalizer.standardDeviation)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return SafeTensorsFile(tensors: tensors, metadata: [
            "format": "workbook-trainer",
            "architecture": String(decoding: try encoder.encode(architecture), as: UTF8.self),
            "configuration": String(decoding: try encoder.encode(configuration), as: UTF8.self),
            "layout": Checkpoint.safeTensorsLayout,
        ])
    }

    /// A checkpoint holding the weights of a safetensors file written by `export` (possibly changed
    /// elsewhere, e.g. fine-tuned in PyTorch and saved back in the same names and layouts): the
    /// architecture and configuration come from its metadata; the history starts empty.
    /// - Throws: ``TrainerError`` naming the file and the first tensor that is missing, extra or misshapen.
    init(importing file: SafeTensorsFile, name: String) throws {
        func fail(_ problem: String) -> TrainerError { TrainerError("\(name): \(problem)") }
        let decoder = JSONDecoder()
        guard file.metadata["format"] == "workbook-trainer", let architectureJSON = file.metadata["architecture"],
              let configurationJSON = file.metadata["configuration"] else {
            throw fail("has no workbook metadata (format, architecture, configuration): only files written by 'trainer export' can be imported")
        }
        let architecture: Architecture, configuration: TrainingConfiguration
        do {
            architecture = try decoder.decode(Architecture.self, from: Data(architectureJSON.utf8))
            configuration = try decoder.decode(TrainingConfiguration.self, from: Data(configurationJSON.utf8))
        } catch let error as DecodingError {
            throw fail("__metadata__: unreadable architecture or configuration (\(describe(error)))")
        } catch {
            throw fail("__metadata__: unreadable architecture or configuration")
        }
        var byName: [String: Tensor] = [:]
        // data.<part>.* (export --include-split) are examples to check a port with, not weights.
        for (tensorName, tensor) in file.tensors where !tensorName.hasPrefix("data.") { byName[tensorName] = tensor }
        func take(_ tensorName: String, shape: [Int]?) throws -> Tensor {
            guard let tensor = byName.removeValue(forKey: tensorName) else { throw fail("no tensor named '\(tensorName)'") }
            if let shape, tensor.shape != shape { throw fail("tensor '\(tensorName)' has shape \(tensor.shape), expected \(shape)") }
            return tensor
        }
        var parameters: [[Tensor]] = [], running: [[Tensor]] = []
        for (index, (layer, shapes)) in zip(architecture.layers, architecture.parameterShapes).enumerated() {
            parameters.append(try zip(layer.parameterNames, shapes).map { try take("layers.\(index).\($0)", shape: $1) })
            // Running statistics have the width of the scale (γ) of their batch norm.
            let widths: [Int] = switch layer {
            case let .batchNorm(d), let .spatialBatchNorm(d): [d, d]
            case let .residual(d, h): [h, h, d, d]
            case let .convResidual(_, o, _): [o, o, o, o]
            default: []
            }
            running.append(try zip(layer.runningNames, widths).map { try take("layers.\(index).\($0)", shape: [$1]) })
        }
        let mean = try take("normalizer.mean", shape: [architecture.inputFeatures])
        let deviation = try take("normalizer.standard_deviation", shape: [architecture.inputFeatures])
        guard byName.isEmpty else { throw fail("unexpected tensors: \(byName.keys.sorted().joined(separator: ", "))") }
        // A fresh optimizer: momentum and Adam start from zero state, as a new run does.
        let zeros = parameters.map { $0.map { Tensor(zeros: $0.shape) } }
        self.init(architecture: architecture, normalizer: Normalizer(mean: mean.scalars, standardDeviation: deviation.scalars),
                  configuration: configuration, epochsCompleted: 0, bestEpoch: 0, bestValidationAccuracy: -1,
                  epochsWithoutImprovement: 0, history: [], rng: SeededGenerator(seed: configuration.seed &+ 1), optimizerStep: 0,
                  bestParameters: parameters, bestRunning: running, parameters: parameters, running: running,
                  optimizerFirst: configuration.optimizer == .sgd ? [] : zeros, optimizerSecond: configuration.optimizer == .adam ? zeros : [])
        // Exactly what loading a checkpoint checks (finite values, positive deviations, the
        // configuration's ranges, the model named in both places), so evaluate and resume accept it.
        try validate(name: name)
    }
}

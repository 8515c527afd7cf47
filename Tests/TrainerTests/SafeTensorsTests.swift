import Foundation
import Testing
@testable import TrainerKit
import WorkbookCore

/// `trainer export` / `import`. The files are read back here by a reader written for this test from
/// the safetensors specification (8-byte little-endian header length, JSON header, raw little-endian
/// data), sharing no code with the exporter.
@Suite("safetensors export and import", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct SafeTensorsTests {
    /// An independent safetensors reader: name → (dtype, shape, scalars), and the metadata.
    struct Parsed {
        var tensors: [String: (dtype: String, shape: [Int], scalars: [Double])] = [:]
        var metadata: [String: String] = [:]
        var headerLength = 0
    }

    static func parse(_ data: Data) throws -> Parsed {
        let bytes = [UInt8](data)
        try #require(bytes.count >= 8)
        // The header length: 8 bytes, little-endian (least significant byte first).
        let n = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        try #require(8 + n <= bytes.count)
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
        var parsed = Parsed(headerLength: n)
        parsed.metadata = header["__metadata__"] as? [String: String] ?? [:]
        for (name, value) in header where name != "__metadata__" {
            let info = try #require(value as? [String: Any])
            let dtype = try #require(info["dtype"] as? String)
            let shape = try #require(info["shape"] as? [Int])
            let offsets = try #require(info["data_offsets"] as? [Int])
            let width = dtype == "F64" ? 8 : 4
            var scalars: [Double] = []
            var at = 8 + n + offsets[0]
            while at < 8 + n + offsets[1] {
                var bits: UInt64 = 0
                for k in 0..<width { bits |= UInt64(bytes[at + k]) << (8 * UInt64(k)) }
                scalars.append(width == 8 ? Double(bitPattern: bits) : Double(Float(bitPattern: UInt32(bits))))
                at += width
            }
            parsed.tensors[name] = (dtype, shape, scalars)
        }
        return parsed
    }

    /// A checkpoint of the convolutional ResNet (4x4 images, 2 stem channels) with seeded tensors of
    /// the right shapes: no exercise has to be implemented.
    static func resnetSample() throws -> Checkpoint {
        var checkpoint = try CheckpointTests.sample()
        let architecture = try ModelFactory.architecture(model: "resnet", inputFeatures: 16, classes: 3, hidden: [], batchNorm: .none,
                                                         keepProbability: 1, imageShape: [4, 4, 1], channels: 2, blocks: 1)
        var rng = SeededGenerator(seed: 9)
        checkpoint.architecture = architecture
        checkpoint.configuration.model = "resnet"
        checkpoint.bestParameters = architecture.parameterShapes.map { $0.map { Tensor.randomNormal(shape: $0, using: &rng) } }
        checkpoint.bestRunning = architecture.layers.map { layer -> [Tensor] in
            switch layer {
            case let .spatialBatchNorm(c): [Tensor.randomNormal(shape: [c], using: &rng), Tensor(repeating: 2, shape: [c])]
            case let .convResidual(_, o, _): (0..<4).map { _ in Tensor.randomNormal(shape: [o], using: &rng).map { $0 * $0 } }
            default: []
            }
        }
        checkpoint.parameters = checkpoint.bestParameters
        checkpoint.running = checkpoint.bestRunning
        checkpoint.normalizer = Normalizer(mean: Array(repeating: 0.5, count: 16), standardDeviation: Array(repeating: 2, count: 16))
        return checkpoint
    }

    @Test("the exported MLP parses with an independent reader: names, shapes, F64 values, offsets, metadata")
    func independentReader() throws {
        let dir = try temporaryDirectory()
        let checkpoint = try CheckpointTests.sample()
        try checkpoint.write(to: dir + "/model.ckpt")
        let result = runTrainer(["export", "--checkpoint", dir + "/model.ckpt", "--format", "safetensors"])
        #expect(result.code == 0, "\(result.err)")
        let parsed = try Self.parse(try Data(contentsOf: URL(fileURLWithPath: dir + "/model.safetensors")))
        // Dense 2→4, BatchNorm 4, ReLU, Dense 4→3 (layer 2 has no tensors), then the input normalizer.
        let expected: [String: (shape: [Int], tensor: Tensor)] = [
            "layers.0.weight": ([2, 4], checkpoint.bestParameters[0][0]), "layers.0.bias": ([4], checkpoint.bestParameters[0][1]),
            "layers.1.weight": ([4], checkpoint.bestParameters[1][0]), "layers.1.bias": ([4], checkpoint.bestParameters[1][1]),
            "layers.1.running_mean": ([4], checkpoint.bestRunning[1][0]), "layers.1.running_var": ([4], checkpoint.bestRunning[1][1]),
            "layers.3.weight": ([4, 3], checkpoint.bestParameters[3][0]), "layers.3.bias": ([3], checkpoint.bestParameters[3][1]),
            "normalizer.mean": ([2], Tensor([1, 2])), "normalizer.standard_deviation": ([2], Tensor([3, 4])),
        ]
        #expect(Set(parsed.tensors.keys) == Set(expected.keys))
        for (name, want) in expected {
            let got = try #require(parsed.tensors[name], "missing \(name)")
            #expect(got.dtype == "F64" && got.shape == want.shape, "\(name): \(got.dtype) \(got.shape)")
            #expect(got.scalars == want.tensor.scalars, "\(name): the values differ")   // F64 is stored exactly
        }
        // The header is padded so the data starts 8-byte aligned; the tensors tile the buffer.
        #expect(parsed.headerLength % 8 == 0)
        let total = parsed.tensors.values.reduce(0) { $0 + 8 * $1.scalars.count }
        #expect(8 + parsed.headerLength + total == (try Data(contentsOf: URL(fileURLWithPath: dir + "/model.safetensors"))).count)
        #expect(parsed.metadata["format"] == "workbook-trainer")
        let architecture = try JSONDecoder().decode(Architecture.self, from: Data(try #require(parsed.metadata["architecture"]).utf8))
        #expect(architecture == checkpoint.architecture)
    }

    @Test("a ResNet's blocks are named as torchvision's BasicBlock, with HWIO kernels")
    func resnetNames() throws {
        let checkpoint = try Self.resnetSample()
        let parsed = try Self.parse(try checkpoint.safeTensors().encoded())
        // Layer 5 is the 2→4 stride-2 block: a projection, named downsample, [1, 1, Cin, Cout].
        #expect(checkpoint.architecture.layers[5] == .convResidual(inputs: 2, outputs: 4, stride: 2))
        #expect(parsed.tensors["layers.5.conv1.weight"]?.shape == [3, 3, 2, 4])
        #expect(parsed.tensors["layers.5.downsample.weight"]?.shape == [1, 1, 2, 4])
        #expect(parsed.tensors["layers.5.bn2.running_var"]?.scalars == checkpoint.bestRunning[5][3].scalars)
        #expect(parsed.tensors["layers.4.downsample.weight"] == nil)   // 2→2, stride 1: identity shortcut
        #expect(parsed.tensors["layers.1.weight"]?.shape == [3, 3, 1, 2])
        #expect(parsed.tensors["layers.9.weight"]?.shape == [8, 3])
    }

    @Test("import gives back the checkpoint's model exactly (F64), or rounded to Float (F32)")
    func roundTrip() throws {
        for original in [try CheckpointTests.sample(), try Self.resnetSample()] {
            let dir = try temporaryDirectory()
            try original.write(to: dir + "/model.ckpt")
            for dtype in ["F64", "F32"] {
                let exported = runTrainer(["export", "--checkpoint", dir + "/model.ckpt", "--dtype", dtype, "--output", dir + "/w-\(dtype).safetensors"])
                let imported = runTrainer(["import", "--input", dir + "/w-\(dtype).safetensors", "--output", dir + "/back.ckpt", "--overwrite"])
                #expect(exported.code == 0 && imported.code == 0, "\(exported.err) \(imported.err)")
                let back = try Checkpoint.read(from: dir + "/back.ckpt")
                #expect(back.architecture == original.architecture && back.configuration == original.configuration)
                #expect(back.normalizer == original.normalizer)
                let round: (Tensor) -> Tensor = dtype == "F64" ? { $0 } : { $0.map { Double(Float($0)) } }
                #expect(back.bestParameters == original.bestParameters.map { $0.map(round) })
                #expect(back.bestRunning == original.bestRunning.map { $0.map(round) })
            }
        }
    }

    @Test("--include-split stores that split, normalized, beside the weights; import leaves it out")
    func includeSplit() throws {
        let dir = try temporaryDirectory()
        let checkpoint = try CheckpointTests.sample()   // blobs, seed 1: 20 % of the data held out for the test
        try checkpoint.write(to: dir + "/model.ckpt")
        let exported = runTrainer(["export", "--checkpoint", dir + "/model.ckpt", "--include-split", "test"])
        #expect(exported.code == 0, "\(exported.err)")
        let parsed = try Self.parse(try Data(contentsOf: URL(fileURLWithPath: dir + "/model.safetensors")))
        let test = try DataSource.prepare(checkpoint.configuration).split.test
        #expect(parsed.tensors["data.test.features"]?.shape == [test.count, 2])
        #expect(parsed.tensors["data.test.features"]?.scalars == test.features.scalars)
        #expect(parsed.tensors["data.test.labels"]?.scalars == test.labels.map(Double.init))
        // The default output, model.ckpt, is the checkpoint it came from: refused without --overwrite.
        let refused = runTrainer(["import", "--input", dir + "/model.safetensors"])
        #expect(refused.code == 64 && refused.err.contains("--overwrite"), "\(refused.err)")
        let imported = runTrainer(["import", "--input", dir + "/model.safetensors", "--overwrite"])
        #expect(imported.code == 0, "\(imported.err)")
        #expect(try Checkpoint.read(from: dir + "/model.ckpt").bestParameters == checkpoint.bestParameters)
    }

    @Test("a damaged or foreign file is refused, naming the file and the problem")
    func refusals() throws {
        let dir = try temporaryDirectory()
        let good = try CheckpointTests.sample().safeTensors()
        let bytes = try good.encoded()
        func refused(_ data: Data, _ fragment: String) throws {
            let path = dir + "/bad.safetensors"
            try data.write(to: URL(fileURLWithPath: path))
            let result = runTrainer(["import", "--input", path, "--output", dir + "/x.ckpt"])
            #expect(result.code == 1 && result.err.contains(path) && result.err.contains(fragment), "\(result.err)")
        }
        try refused(bytes.prefix(5), "shorter than its 8-byte header length")
        try refused(bytes.dropLast(8), "lie outside the")
        var huge = bytes
        huge[7] = 0x7f   // a header length far beyond the file
        try refused(huge, "does not fit")
        var missing = good
        missing.tensors.removeAll { $0.name == "layers.1.running_var" }
        try refused(try missing.encoded(), "no tensor named 'layers.1.running_var'")
        var foreign = good
        foreign.metadata = [:]
        try refused(try foreign.encoded(), "only files written by 'trainer export' can be imported")
    }
}

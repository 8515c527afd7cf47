import Foundation
import Testing
@testable import TrainerKit
import WorkbookCore

@Suite("checkpoints", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct CheckpointTests {
    /// A small checkpoint with hand-made tensors (no layer needs to be implemented).
    static func sample() throws -> Checkpoint {
        let architecture = try ModelFactory.architecture(
            model: "mlp", inputFeatures: 2, classes: 3, hidden: [4], batchNorm: .before, keepProbability: 1, imageShape: nil)
        var rng = SeededGenerator(seed: 5)
        let parameters = architecture.parameterShapes.map { $0.map { Tensor.randomNormal(shape: $0, using: &rng) } }
        let running = architecture.layers.map { $0 == .batchNorm(features: 4) ? [Tensor(zeros: [4]), Tensor(repeating: 1, shape: [4])] : [] }
        let configuration = TrainingConfiguration(
            model: "mlp", data: "blobs", labelsFile: nil, hidden: [4], batchNorm: .before, keepProbability: 1,
            initialization: .he, optimizer: .sgd, learningRate: 0.1, momentum: 0.9, learningRateDecay: 1, batchSize: 8,
            epochs: 3, patience: 0, seed: 1, validationFraction: 0.2, testFraction: 0.2, channels: 8, convLayers: 1, blocks: 0)
        let history = [EpochMetrics(epoch: 1, loss: 0.5, trainAccuracy: 0.75, validationLoss: 0.6, validationAccuracy: 0.7,
                                    learningRate: 0.1)]
        return Checkpoint(
            architecture: architecture, normalizer: Normalizer(mean: [1, 2], standardDeviation: [3, 4]), configuration: configuration,
            epochsCompleted: 1, bestEpoch: 1, bestValidationAccuracy: 0.7, epochsWithoutImprovement: 0, history: history,
            rng: rng, optimizerStep: 0, bestParameters: parameters, bestRunning: running, parameters: parameters, running: running,
            optimizerFirst: [], optimizerSecond: [])
    }

    @Test("a checkpoint reads back exactly as written, bit for bit")
    func roundTrip() throws {
        let dir = try temporaryDirectory()
        let original = try Self.sample()
        try original.write(to: dir + "/model.ckpt")
        let loaded = try Checkpoint.read(from: dir + "/model.ckpt")
        #expect(loaded.architecture == original.architecture)
        #expect(loaded.parameters == original.parameters)
        #expect(loaded.bestRunning == original.bestRunning)
        #expect(loaded.rng == original.rng)
        #expect(loaded.history == original.history)
        #expect(loaded.configuration == original.configuration)
        #expect(try loaded.encoded() == original.encoded())
        // Timings are not stored, so equal runs give equal files.
        var timed = original
        timed.history[0].seconds = 12.5
        #expect(try timed.encoded() == original.encoded())
        // Written atomically: only the checkpoint remains, no temporary file.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["model.ckpt"])
    }

    @Test("a later write replaces the file whole")
    func overwrite() throws {
        let dir = try temporaryDirectory()
        var checkpoint = try Self.sample()
        try checkpoint.write(to: dir + "/model.ckpt")
        checkpoint.epochsCompleted = 2
        checkpoint.history.append(EpochMetrics(epoch: 2, loss: 0.4, trainAccuracy: 0.8, validationLoss: 0.5, validationAccuracy: 0.75, learningRate: 0.1))
        try checkpoint.write(to: dir + "/model.ckpt")
        #expect(try Checkpoint.read(from: dir + "/model.ckpt").epochsCompleted == 2)
    }

    @Test("a damaged, truncated or foreign file gives a clear error")
    func corruption() throws {
        let bytes = [UInt8](try Self.sample().encoded())
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x10
        #expect { _ = try Checkpoint.decode(flipped, name: "m.ckpt") } throws: { error in
            "\(error)".hasPrefix("m.ckpt: the checkpoint is corrupt or truncated")
        }
        #expect { _ = try Checkpoint.decode(Array(bytes.prefix(bytes.count - 100)), name: "m.ckpt") } throws: { error in
            "\(error)".hasPrefix("m.ckpt: the checkpoint is corrupt or truncated")
        }
        #expect { _ = try Checkpoint.decode(Array("label,p0\n1,2\n".utf8) + Array(repeating: 0, count: 40), name: "m.ckpt") } throws: { error in
            "\(error)".hasPrefix("m.ckpt: not a trainer checkpoint")
        }
        var newer = bytes
        newer[8] = 2
        #expect { _ = try Checkpoint.decode(newer, name: "m.ckpt") } throws: { error in
            "\(error)" == "m.ckpt: checkpoint format version 2; this trainer reads version 1"
        }
    }

    @Test("parameters that do not fit the stored architecture are refused, naming the layer")
    func architectureMismatch() throws {
        var checkpoint = try Self.sample()
        checkpoint.parameters[0] = [Tensor(zeros: [3, 4]), Tensor(zeros: [4])]
        let bytes = [UInt8](try checkpoint.encoded())
        #expect { _ = try Checkpoint.decode(bytes, name: "m.ckpt") } throws: { error in
            "\(error)" == "m.ckpt: field parameters[0]: layer 0 (Dense 2→4) has shapes [[3, 4], [4]], expected [[2, 4], [4]]"
        }
    }

    @Test("the confusion matrix and per-class figures of a hand-made example")
    func confusion() {
        // Truth 0 0 0 1 1 2, predicted 0 0 1 1 2 2: class 0 precision 2/2, recall 2/3; class 1 1/2, 1/2;
        // class 2 1/2, 1/1; accuracy 4/6.
        let m = ConfusionMatrix(truth: [0, 0, 0, 1, 1, 2], predicted: [0, 0, 1, 1, 2, 2], classes: 3)
        #expect(m.counts == [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
        #expect(m.accuracy == 4.0 / 6)
        #expect(m.precision(0) == 1 && m.recall(0) == 2.0 / 3)
        #expect(m.precision(1) == 0.5 && m.recall(1) == 0.5)
        #expect(m.precision(2) == 0.5 && m.recall(2) == 1)
    }

    @Test("the SVG plot is a well-formed document with one line per series")
    func svg() {
        let plot = SVGPlot(title: "a < b", xLabel: "x", yLabel: "y", series: [
            .init("one", [(1, 1), (2, 4), (3, 9)]), .init("two", [(1, 2), (2, .nan), (3, 1)]),
        ])
        let text = plot.svg()
        #expect(text.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(text.hasSuffix("</svg>\n"))
        #expect(text.components(separatedBy: "<polyline").count == 3)
        #expect(text.contains("a &lt; b"))
        #expect(!text.contains("nan"))
    }
}

import Foundation
import Testing
@testable import TrainerKit
import JudgeKit
import WorkbookCore

/// The convolutional ResNet (`--model resnet`): its layers, its test-time batch norm, checkpoints and
/// determinism. Debug builds are slow, so the networks here are tiny (4 stem channels on the 8x8
/// digits, or 2 channels on 4x4 images) and training runs use a small training split.
@Suite("convolutional ResNet", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct ConvResNetTests {
    /// `--model resnet` on the 8x8 digits with a 4-channel stem, one block per stage.
    static func digitsArchitecture() throws -> Architecture {
        try ModelFactory.architecture(model: "resnet", inputFeatures: 64, classes: 10, hidden: [], batchNorm: .none,
                                      keepProbability: 1, imageShape: [8, 8, 1], channels: 4, blocks: 1)
    }

    /// A fresh network, if the exercises it needs (Init2, ConvBlock1–3 and the layers around them)
    /// are implemented in the `Workbook` under test: `nil` when one of them throws `NotImplemented`,
    /// as the stubs do, after a forward pass in both modes on `x`.
    static func network(_ architecture: Architecture, seed: UInt64, trying x: Tensor) throws -> Network? {
        var rng = SeededGenerator(seed: seed)
        do {
            var network = try Network(architecture: architecture, initialization: .he, using: &rng)
            _ = try network.forward(x, mode: .training, using: &rng)
            _ = try network.predictLogits(x)
            return try Network(architecture: architecture, initialization: .he, using: &rng)
        } catch is NotImplemented {
            return nil
        }
    }

    /// Small training runs: 10 % of the digits to train on, 1 epoch.
    static let quick = ["--model", "resnet", "--data", "digits", "--channels", "4", "--validation", "0.45", "--test", "0.45",
                        "--epochs", "1", "--batch-size", "32", "--no-timing"]

    @Test("stem, three stages with stride-2 projections where the shape changes, global average pooling, dense head")
    func layers() throws {
        let architecture = try Self.digitsArchitecture()
        #expect(architecture.layers == [
            .reshape(to: [8, 8, 1]), .conv(kernel: 3, inputs: 1, outputs: 4, padding: 1), .spatialBatchNorm(channels: 4), .relu,
            .convResidual(inputs: 4, outputs: 4, stride: 1),     // 8x8, identity shortcut
            .convResidual(inputs: 4, outputs: 8, stride: 2),     // 8x8 → 4x4, 1x1 stride-2 projection
            .convResidual(inputs: 8, outputs: 16, stride: 2),    // 4x4 → 2x2
            .averagePool(size: 2), .reshape(to: [16]), .dense(inputs: 16, outputs: 10),
        ])
        // Parameters: the projection exists exactly where the shape changes.
        #expect(architecture.parameterShapes[4] == [[3, 3, 4, 4], [4], [4], [3, 3, 4, 4], [4], [4]])
        #expect(architecture.parameterShapes[5].last == [1, 1, 4, 8])
        // Non-square images cannot be pooled globally with one square window: a clear error.
        #expect(throws: TrainerError.self) {
            try ModelFactory.architecture(model: "resnet", inputFeatures: 32, classes: 2, hidden: [], batchNorm: .none,
                                          keepProbability: 1, imageShape: [4, 8, 1])
        }
        guard let network = try Self.network(architecture, seed: 3, trying: Tensor(zeros: [2, 64])) else { return }
        #expect(network.parameters.map { $0.map(\.shape) } == architecture.parameterShapes)
        // Four running statistics per block (two batch norms), each [Cout].
        #expect(network.running[6].map(\.shape) == [[16], [16], [16], [16]])
    }

    @Test("logits have one row per example, and one example alone gets the same logits as inside a batch")
    func singleExampleMatchesBatch() throws {
        var rng = SeededGenerator(seed: 4)
        let x = Tensor.randomNormal(shape: [6, 64], using: &rng)
        guard var network = try Self.network(try Self.digitsArchitecture(), seed: 4, trying: x) else { return }
        // A few training batches move the running statistics away from (0, 1), so the check is not trivial.
        for _ in 0..<3 { _ = try network.forward(Tensor.randomNormal(shape: [8, 64], mean: 0.5, using: &rng), mode: .training, using: &rng) }
        #expect(network.running[4][0].scalars.contains { $0 != 0 })
        let batched = try network.predictLogits(x)
        try #require(batched.shape == [6, 10])
        for k in 0..<6 {
            let alone = try network.predictLogits(try x.slice(k..<(k + 1)))
            let row = try batched.slice(k..<(k + 1))
            // The same operations on the same row: equal up to the summation order of the kernels.
            #expect(alone.isApproximatelyEqual(to: row, absoluteTolerance: 1e-12, relativeTolerance: 1e-10),
                    "row \(k): alone \(alone), in the batch \(row)")
        }
    }

    @Test("the gradients of a tiny ResNet (both kinds of projection) match finite differences of its loss")
    func gradientCheck() throws {
        // 4x4 images, 2 stem channels: blocks 2→2 (identity), 2→4 (stride 2, 4x4 → 2x2), 4→8 (stride 1,
        // a projection for the channels only, since 2x2 is not halved again).
        let architecture = try ModelFactory.architecture(model: "resnet", inputFeatures: 16, classes: 3, hidden: [], batchNorm: .none,
                                                         keepProbability: 1, imageShape: [4, 4, 1], channels: 2, blocks: 1)
        #expect(architecture.layers[6] == .convResidual(inputs: 4, outputs: 8, stride: 1))
        var rng = SeededGenerator(seed: 5)
        let x = Tensor.randomNormal(shape: [3, 16], using: &rng)
        let labels = [0, 2, 1]
        guard var network = try Self.network(architecture, seed: 5, trying: x) else { return }
        let (logits, backwards) = try network.forward(x, mode: .training, using: &rng)
        let (_, dlogits) = try lossAndGradient(logits, labels: labels, loss: .softmax)
        let (gradients, _) = try network.backward(dlogits, backwards)
        // The training-mode loss as a function of one parameter tensor (batch statistics, as the backward pass assumes).
        func loss(layer: Int, tensor: Int, value: Tensor) throws -> Double {
            var copy = network
            copy.parameters[layer][tensor] = value
            var unused = SeededGenerator(seed: 0)
            return try lossAndGradient(try copy.forward(x, mode: .training, using: &unused).0, labels: labels, loss: .softmax).loss
        }
        // The stem convolution, the stride-2 projection, the channel projection and the head.
        for (layer, tensor) in [(1, 0), (5, 6), (6, 6), (6, 3), (9, 0)] {
            let numeric = try numericGradient(of: { try loss(layer: layer, tensor: tensor, value: $0) }, at: network.parameters[layer][tensor])
            let error = relativeError(gradients[layer][tensor], numeric)
            // Batch norms over 3–48 values per channel: a correct backward agrees to about 1e-8 here.
            #expect(error < 1e-6, "layer \(layer) (\(architecture.layers[layer])) tensor \(tensor): relative error \(error)")
        }
    }

    @Test("the same seed gives byte-identical epoch lines and weights")
    func deterministic() throws {
        guard try layersImplemented() else { return }
        let a = try temporaryDirectory(), b = try temporaryDirectory()
        let first = runTrainer(["train", "--out", a] + Self.quick), second = runTrainer(["train", "--out", b] + Self.quick)
        if first.err.contains("not done yet") { return }   // ConvBlock1–3 unfinished: nothing to compare
        #expect(first.code == 0 && second.code == 0, "\(first.err) \(second.err)")
        func epochs(_ s: String) -> [Substring] { s.split(separator: "\n").filter { $0.hasPrefix("epoch") } }
        #expect(epochs(first.out).count == 1 && epochs(first.out) == epochs(second.out))
        let ca = try Checkpoint.read(from: a + "/model.ckpt"), cb = try Checkpoint.read(from: b + "/model.ckpt")
        #expect(ca.parameters == cb.parameters && ca.running == cb.running)
    }

    @Test("a trained checkpoint reads back whole, and evaluate reproduces the training run's test accuracy")
    func checkpointRoundTrip() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        let trained = runTrainer(["train", "--out", dir] + Self.quick)
        if trained.err.contains("not done yet") { return }
        #expect(trained.code == 0, "\(trained.err)")
        let path = dir + "/model.ckpt"
        let checkpoint = try Checkpoint.read(from: path)
        #expect(try checkpoint.encoded() == (try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(checkpoint.architecture.layers.contains(.convResidual(inputs: 4, outputs: 8, stride: 2)))
        // Every block's running statistics were saved, and moved away from their start (0, 1).
        for (index, layer) in checkpoint.architecture.layers.enumerated() where layer.hasRunningStatistics {
            #expect(checkpoint.bestRunning[index].allSatisfy { $0.scalars.allSatisfy(\.isFinite) })
        }
        #expect(checkpoint.bestRunning[4][0].scalars.contains { $0 != 0 })
        let evaluation = runTrainer(["evaluate", "--checkpoint", path])
        #expect(evaluation.code == 0, "\(evaluation.err)")
        func figure(_ pattern: String, _ text: String) -> String? {
            text.range(of: pattern, options: .regularExpression).map { String(text[$0]).filter { $0.isNumber || $0 == "." } }
        }
        let trainedTest = figure("test [0-9.]+%", trained.out), evaluated = figure("accuracy: [0-9.]+%", evaluation.out)
        #expect(trainedTest != nil && trainedTest == evaluated, "train said \(trainedTest ?? "?"), evaluate said \(evaluated ?? "?")")
    }
}

import Foundation
import Testing
@testable import TrainerKit
import WorkbookCore

/// End-to-end runs on tiny generated data (debug builds are slow: a 2-8-2 MLP on 400 points).
/// With the reference solutions they train; with unfinished exercises they must stop at once,
/// naming the exercise (checked by `layersImplemented`).
@Suite("training runs", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct TrainingTests {
    static let small = ["--data", "blobs", "--hidden", "8", "--batch-size", "32", "--no-timing", "--seed", "7"]

    @Test("the same seed gives byte-identical epoch lines; another seed does not")
    func deterministic() throws {
        guard try layersImplemented() else { return }
        let a = runTrainer(["train", "--epochs", "2", "--out", try temporaryDirectory()] + Self.small)
        let b = runTrainer(["train", "--epochs", "2", "--out", try temporaryDirectory()] + Self.small)
        #expect(a.code == 0, "\(a.err)")
        func epochs(_ s: String) -> [Substring] { s.split(separator: "\n").filter { $0.hasPrefix("epoch") } }
        #expect(epochs(a.out).count == 2)
        #expect(epochs(a.out) == epochs(b.out))
        let c = runTrainer(["train", "--epochs", "2", "--out", try temporaryDirectory()] + Self.small.dropLast(2) + ["--seed", "8"])
        #expect(epochs(c.out) != epochs(a.out))
    }

    @Test("train writes a checkpoint, a metrics CSV with one row per epoch and an SVG plot")
    func outputs() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        let result = runTrainer(["train", "--epochs", "2", "--out", dir] + Self.small)
        #expect(result.code == 0, "\(result.err)")
        let csv = try String(contentsOfFile: dir + "/metrics.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.first == Substring(EpochMetrics.csvHeader))
        #expect(csv.count == 3)
        #expect(try String(contentsOfFile: dir + "/curves.svg", encoding: .utf8).contains("<polyline"))
        let checkpoint = try Checkpoint.read(from: dir + "/model.ckpt")
        #expect(checkpoint.epochsCompleted == 2)
        #expect(checkpoint.architecture.layers == [.dense(inputs: 2, outputs: 8), .relu, .dense(inputs: 8, outputs: 4)])

        let evaluation = runTrainer(["evaluate", "--checkpoint", dir + "/model.ckpt"])
        #expect(evaluation.code == 0, "\(evaluation.err)")
        #expect(evaluation.out.contains("confusion matrix (rows: true class, columns: predicted)"))
        let predictions = dir + "/predictions.csv"
        let predict = runTrainer(["predict", "--checkpoint", dir + "/model.ckpt", "--data", "blobs", "--output", predictions])
        #expect(predict.code == 0, "\(predict.err)")
        let rows = try String(contentsOfFile: predictions, encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 401 && rows[0] == "index,predicted,confidence")
    }

    @Test("resuming after epoch 2 of 4 ends with the same weights and metrics as the uninterrupted run")
    func resume() throws {
        guard try layersImplemented() else { return }
        // Momentum and dropout make the check meaningful: the velocity and the generator's state must survive.
        let options = ["--epochs", "4", "--optimizer", "momentum", "--learning-rate", "0.05", "--keep", "0.8"] + Self.small
        let whole = try temporaryDirectory(), parts = try temporaryDirectory()
        let full = runTrainer(["train", "--out", whole] + options)
        let first = runTrainer(["train", "--out", parts, "--stop-after", "2"] + options)
        let rest = runTrainer(["resume", "--checkpoint", parts + "/model.ckpt", "--no-timing"])
        #expect(full.code == 0 && first.code == 0 && rest.code == 0, "\(full.err) \(first.err) \(rest.err)")
        let a = try Checkpoint.read(from: whole + "/model.ckpt"), b = try Checkpoint.read(from: parts + "/model.ckpt")
        #expect(a.parameters == b.parameters)
        #expect(a.bestParameters == b.bestParameters)
        #expect(a.history.map { [$0.loss, $0.trainAccuracy, $0.validationAccuracy] } == b.history.map { [$0.loss, $0.trainAccuracy, $0.validationAccuracy] })
        func epochs(_ s: String) -> [Substring] { s.split(separator: "\n").filter { $0.hasPrefix("epoch") } }
        #expect(epochs(first.out) + epochs(rest.out) == epochs(full.out))
    }

    @Test("--threads changes nothing but the speed: 1 and 2 threads give bit-identical weights")
    func threadCountIsInvisible() throws {
        guard try layersImplemented() else { return }
        // 280 training points in one batch through 300-wide layers: the 280 x 300 · 300 x 300 products
        // are above the kernel's split threshold (≥ 2¹⁹ multiply-adds).
        let options = ["--epochs", "1", "--hidden", "300,300", "--batch-size", "280", "--data", "blobs", "--no-timing", "--seed", "7"]
        let (x, y) = try trainedOnOneAndTwoThreads(options)
        #expect(x.parameters == y.parameters)
        #expect(runTrainer(["train", "--out", try temporaryDirectory(), "--threads", "0"] + options).code != 0)
    }

    /// The checkpoints of the same training run on 1 and on 2 threads.
    func trainedOnOneAndTwoThreads(_ options: [String]) throws -> (Checkpoint, Checkpoint) {
        let one = try temporaryDirectory(), two = try temporaryDirectory()
        let a = runTrainer(["train", "--out", one, "--threads", "1"] + options)
        let b = runTrainer(["train", "--out", two, "--threads", "2"] + options)
        #expect(a.code == 0 && b.code == 0, "\(a.err) \(b.err)")
        return (try Checkpoint.read(from: one + "/model.ckpt"), try Checkpoint.read(from: two + "/model.ckpt"))
    }

    @Test("--threads is invisible for the ResNet too: its tall, thin products are split by rows")
    func threadCountIsInvisibleForTheResNet() throws {
        guard try layersImplemented() else { return }
        // 64 digits per batch at 8 x 8: the first stage's [4096, 144] · [144, 16] products and their
        // gradients (9.4 M multiply-adds, one column panel) are cut along their rows on 2 threads.
        // Two batches of training data (10 % of the 1797 digits), so the debug build stays quick.
        let options = ["--model", "resnet", "--data", "digits", "--epochs", "1", "--batch-size", "64",
                       "--validation", "0.85", "--test", "0.05", "--no-timing", "--seed", "3"]
        let (x, y) = try trainedOnOneAndTwoThreads(options)
        #expect(x.parameters == y.parameters)
        #expect(x.running == y.running)
    }

    @Test("an exploding loss stops before NaN, with the epoch and a lower learning rate")
    func divergence() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        let result = runTrainer(["train", "--epochs", "6", "--learning-rate", "1e6", "--out", dir] + Self.small)
        #expect(result.code == 1)
        #expect(result.err.contains("the loss exploded in epoch 1"), "\(result.err)")
        #expect(result.err.contains("try --learning-rate 100000."), "\(result.err)")
        // Diverged in epoch 1: no checkpoint of this run exists, and none is claimed.
        #expect(result.err.contains("This run wrote no checkpoint."), "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/model.ckpt"))
    }

    @Test("a checkpoint loaded with data of another width is refused")
    func wrongData() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        _ = runTrainer(["train", "--epochs", "1", "--out", dir] + Self.small)
        let csv = dir + "/three.csv"
        try "label,a,b,c\n0,1,2,3\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let result = runTrainer(["evaluate", "--checkpoint", dir + "/model.ckpt", "--data", csv])
        #expect(result.code == 1)
        #expect(result.err == "Error: '--data \(csv)' has 3 features a row, but the checkpoint's model takes 2\n")
    }
}

@Suite("convolutional runs", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct ImageTrainingTests {
    @Test("the CNN trains on IDX images written by the test, and evaluates from its checkpoint")
    func cnnOnIDX() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        // 40 images of 4x4: class 0 is bright in the top half, class 1 in the bottom half, plus seeded noise.
        var rng = SeededGenerator(seed: 3)
        func be(_ x: UInt32) -> [UInt8] { [UInt8(x >> 24), UInt8(x >> 16 & 255), UInt8(x >> 8 & 255), UInt8(x & 255)] }
        var images = be(0x803) + be(40) + be(4) + be(4), labels = be(0x801) + be(40)
        for i in 0..<40 {
            let label = i % 2
            labels.append(UInt8(label))
            for row in 0..<4 {
                for _ in 0..<4 {
                    let bright = (row < 2) == (label == 0)
                    images.append(UInt8((bright ? 200 : 20) + Int(rng.nextUniform() * 40)))
                }
            }
        }
        try Data(images).write(to: URL(fileURLWithPath: dir + "/images.idx"))
        try Data(labels).write(to: URL(fileURLWithPath: dir + "/labels.idx"))
        let result = runTrainer(["train", "--model", "cnn", "--data", dir + "/images.idx", "--labels", dir + "/labels.idx",
                                 "--conv-layers", "1", "--channels", "2", "--batch-norm", "before", "--epochs", "3",
                                 "--batch-size", "8", "--out", dir, "--no-timing"])
        #expect(result.code == 0, "\(result.err)")
        let checkpoint = try Checkpoint.read(from: dir + "/model.ckpt")
        #expect(checkpoint.architecture.layers == [.reshape(to: [4, 4, 1]), .conv(kernel: 3, inputs: 1, outputs: 2, padding: 1),
                                                   .spatialBatchNorm(channels: 2), .relu, .maxPool(size: 2), .reshape(to: [8]),
                                                   .dense(inputs: 8, outputs: 10)])
        let evaluation = runTrainer(["evaluate", "--checkpoint", dir + "/model.ckpt", "--split", "train"])
        #expect(evaluation.code == 0, "\(evaluation.err)")
        #expect(evaluation.out.contains("accuracy: "))
    }
}

/// The trainer's dense models run as chapter 15's network (`networkForward`/`networkBackward`) once those
/// exercises are done; other models run layer by layer. On a dense model both paths must agree exactly:
/// same logits, same gradients, same running statistics, same dropout masks (one generator, same order).
@Suite("one structure: the trainer's MLP is the chapter-15 network", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct SequentialModelTests {
    @Test("the chapter-15 path and the layer-by-layer path give the same numbers, batch norm and dropout included")
    func pathsAgree() throws {
        guard Network.chapter15IsDone, try layersImplemented() else { return }
        let architecture = try ModelFactory.architecture(model: "mlp", inputFeatures: 4, classes: 3, hidden: [6, 5], activation: .relu,
                                                         batchNorm: .before, keepProbability: 0.8, imageShape: nil)
        var init_ = SeededGenerator(seed: 3)
        var a = try Network(architecture: architecture, initialization: .he, using: &init_)
        var b = a
        #expect(a.sequentialLayers?.count == architecture.layers.count)
        var data = SeededGenerator(seed: 4)
        let x = Tensor.randomNormal(shape: [8, 4], using: &data)
        let dlogits = Tensor.randomNormal(shape: [8, 3], using: &data)
        var rngA = SeededGenerator(seed: 5), rngB = SeededGenerator(seed: 5)
        let (outA, traceA) = try a.forward(x, mode: .training, using: &rngA)
        let (outB, backwardsB) = try b.forwardLayerByLayer(x, mode: .training, using: &rngB)
        guard case .network = traceA else { Issue.record("a dense model should run as the chapter-15 network"); return }
        #expect(outA == outB)
        #expect(rngA == rngB, "both paths should draw the same dropout masks")
        #expect(a.running == b.running, "both paths should update the running statistics alike")
        let (gradientsA, dxA) = try a.backward(dlogits, traceA)
        let (gradientsB, dxB) = try b.backwardLayerByLayer(dlogits, backwardsB)
        #expect(dxA == dxB)
        #expect(gradientsA == gradientsB)
        // Inference: batch norm with the running statistics, dropout off.
        #expect(try a.predictLogits(x) == (try b.forwardLayerByLayer(x, mode: .inference, using: &rngB).0))
    }

    @Test("convolutional and residual models have no chapter-15 form and run layer by layer")
    func otherModels() throws {
        guard try layersImplemented() else { return }   // the pristine stubs: Init2 and the layers throw
        let resnet = try ModelFactory.architecture(model: "resmlp", inputFeatures: 4, classes: 3, hidden: [6], batchNorm: .none,
                                                   keepProbability: 1, imageShape: nil, blocks: 1)
        var rng = SeededGenerator(seed: 6)
        let network = try Network(architecture: resnet, initialization: .he, using: &rng)
        #expect(network.sequentialLayers == nil)
    }
}

/// Notes 003, visualizing what a network learned: the files are for a human; the tests check that they
/// are written, well formed, and hold one image per unit, filter and map, and that the notes' criterion
/// for good training (Ranzato's: sparse, uncorrelated hidden units, none ignoring the input; filters with
/// structure) holds for a trained MLP against the same network at initialization, and fails for a run
/// whose learning rate killed its units.
@Suite("visualize", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct VisualizeTests {
    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test("an MLP on digits: the first layer's weights as 8x8 images")
    func mlpWeights() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        let train = runTrainer(["train", "--data", "digits", "--hidden", "12", "--epochs", "1", "--out", dir, "--no-timing"])
        #expect(train.code == 0, "\(train.err)")
        let result = runTrainer(["visualize", "--checkpoint", dir + "/model.ckpt"])
        #expect(result.code == 0, "\(result.err)")
        let svg = try String(contentsOfFile: dir + "/first-layer-weights.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        // 12 units, each an 8x8 image of 64 pixels.
        #expect(Self.count("<g class=\"image\"", in: svg) == 12)
        #expect(Self.count("<rect x=", in: svg) == 12 * 64)
    }

    @Test("the notes' criterion: a trained digits MLP has live, decorrelated units and structured, uncorrelated filters; a run that killed its units does not")
    func goodTrainingCriterion() throws {
        guard try layersImplemented() else { return }
        func report(_ extra: [String]) throws -> (HiddenUnitReport?, String) {
            let dir = try temporaryDirectory()
            let train = runTrainer(["train", "--data", "digits", "--hidden", "32", "--epochs", "15", "--out", dir, "--no-timing"] + extra)
            #expect(train.code == 0, "\(train.err)")
            let checkpoint = try Checkpoint.read(from: dir + "/model.ckpt")
            let test = try DataSource.prepare(checkpoint.configuration).split.test
            let visualize = runTrainer(["visualize", "--checkpoint", dir + "/model.ckpt"])
            #expect(visualize.code == 0, "\(visualize.err)")
            return (try HiddenUnitReport.comparing(checkpoint: checkpoint, test: test), visualize.out)
        }
        let (good, printed) = try report([])
        let trained = try #require(good)
        #expect(printed.contains("the notes' criterion") && printed.contains("neighbour correlation"), "\(printed)")
        #expect(trained.looksLikeGoodTraining, "a digits MLP trained 15 epochs should meet the notes' criterion:\n\(trained.text)")
        // Measured (reference solutions): neighbour correlation 0.069 trained vs −0.023 at initialization, filter
        // correlation 0.108 vs 0.103, unit correlation 0.19, no unit ignoring the input.
        // The attack: a learning rate of 2 kills most first-layer ReLUs in the first steps (measured: 84 % of
        // the units ignore the input, filter correlation 0.44).
        let (bad, _) = try report(["--learning-rate", "2"])
        let broken = try #require(bad)
        #expect(!broken.looksLikeGoodTraining && broken.trained.ignoringInput > 0.5,
                "a run with learning rate 2 should fail the criterion with dead units:\n\(broken.text)")
    }

    @Test("a CNN on digits: the first convolution's filters and activation maps")
    func cnnFiltersAndMaps() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        let train = runTrainer(["train", "--model", "cnn", "--data", "digits", "--channels", "3", "--conv-layers", "1",
                                "--epochs", "1", "--out", dir, "--no-timing"])
        guard train.code == 0 else {
            // A student's unfinished convolution chapter stops the CNN at once, naming the exercise.
            #expect(train.err.contains("which is not done yet"), "\(train.err)")
            return
        }
        let result = runTrainer(["visualize", "--checkpoint", dir + "/model.ckpt", "--examples", "2"])
        #expect(result.code == 0, "\(result.err)")
        let filters = try String(contentsOfFile: dir + "/filters.svg", encoding: .utf8)
        #expect(Self.count("<g class=\"image\"", in: filters) == 3)
        #expect(Self.count("<rect x=", in: filters) == 3 * 9)
        let maps = try String(contentsOfFile: dir + "/activations.svg", encoding: .utf8)
        // 2 examples × (the 8x8 input + 3 maps of 8x8: padding 1 keeps the size).
        #expect(Self.count("<g class=\"image\"", in: maps) == 2 * 4)
        #expect(Self.count("<rect x=", in: maps) == 2 * 4 * 64)
        #expect(maps.hasSuffix("</svg>"))
    }

    @Test("refuses a model trained on plain features, saying why")
    func refusesPlainFeatures() throws {
        guard try layersImplemented() else { return }
        let dir = try temporaryDirectory()
        _ = runTrainer(["train", "--data", "xor", "--hidden", "4", "--epochs", "1", "--out", dir, "--no-timing"])
        let result = runTrainer(["visualize", "--checkpoint", dir + "/model.ckpt"])
        #expect(result.code != 0)
        #expect(result.err.contains("needs a model trained on images"), "\(result.err)")
    }
}

import WorkbookCore

/// One layer of a network, as stored in a checkpoint. Shapes: `[N, D]` for dense layers, NHWC
/// `[N, H, W, C]` for convolutional ones.
public enum LayerKind: Codable, Equatable, Sendable, CustomStringConvertible {
    /// `[N, inputs] → [N, outputs]`; parameters `weight [inputs, outputs]`, `bias [outputs]`.
    case dense(inputs: Int, outputs: Int)
    case relu
    /// The other elementwise activations of chapter 1: tanh, the logistic sigmoid, leaky ReLU, ELU.
    case tanh
    case sigmoid
    case leakyReLU(slope: Double)
    case elu(alpha: Double)
    /// Inverted dropout keeping each unit with probability `keepProbability`.
    case dropout(keepProbability: Double)
    /// Over the batch, per feature of `[N, D]`; parameters `gamma [D]`, `beta [D]`.
    case batchNorm(features: Int)
    /// Per channel of `[N, H, W, C]`; parameters `gamma [C]`, `beta [C]`.
    case spatialBatchNorm(channels: Int)
    /// `kernel`×`kernel` convolution; parameters `weight [K, K, inputs, outputs]`, `bias [outputs]`.
    case conv(kernel: Int, inputs: Int, outputs: Int, padding: Int)
    /// Non-overlapping `size`×`size` max pooling.
    case maxPool(size: Int)
    /// `[N, H, W, C] → [N, H·W·C]` (and `[N, D] → [N, H, W, C]` for the input of a CNN).
    case reshape(to: [Int])
    /// A residual block of two dense + BN layers; parameters as ``ResidualBlockParameters``.
    case residual(features: Int, hidden: Int)
    /// A convolutional residual block (ResNet's basic block, ConvBlock1–3): 3x3 conv (stride
    /// `stride`) → spatial BN → ReLU → 3x3 conv → spatial BN, plus the identity or, when `inputs ≠
    /// outputs` or `stride ≠ 1`, a 1x1 projection with that stride; then ReLU. Parameters as
    /// ``ConvResidualBlockParameters``: `conv1 [3, 3, inputs, outputs]`, `gamma1`, `beta1 [outputs]`,
    /// `conv2 [3, 3, outputs, outputs]`, `gamma2`, `beta2 [outputs]`, then `projection [1, 1, inputs,
    /// outputs]` if there is one. `[N, H, W, inputs] → [N, ⌈H/stride⌉, ⌈W/stride⌉, outputs]`.
    case convResidual(inputs: Int, outputs: Int, stride: Int)
    /// Non-overlapping `size`×`size` average pooling; with `size` = H = W it is global average pooling.
    case averagePool(size: Int)

    public var description: String {
        switch self {
        case let .dense(i, o): "Dense \(i)→\(o)"
        case .relu: "ReLU"
        case .tanh: "tanh"
        case .sigmoid: "sigmoid"
        case let .leakyReLU(a): "LeakyReLU \(a)"
        case let .elu(a): "ELU \(a)"
        case let .dropout(p): "Dropout keep \(p)"
        case let .batchNorm(d): "BatchNorm \(d)"
        case let .spatialBatchNorm(c): "SpatialBatchNorm \(c)"
        case let .conv(k, i, o, p): "Conv \(k)x\(k) \(i)→\(o) pad \(p)"
        case let .maxPool(s): "MaxPool \(s)x\(s)"
        case let .reshape(shape): "Reshape \(shape)"
        case let .residual(d, h): "Residual \(d)→\(h)→\(d)"
        case let .convResidual(i, o, s): "ConvResidual \(i)→\(o)" + (s == 1 ? "" : " stride \(s)") + (i != o || s != 1 ? " (projection)" : "")
        case let .averagePool(s): "AveragePool \(s)x\(s)"
        }
    }

    /// Whether the layer keeps running statistics (mean, variance) for inference.
    var hasRunningStatistics: Bool {
        switch self {
        case .batchNorm, .spatialBatchNorm, .residual, .convResidual: true
        default: false
        }
    }
}

/// How the network's output is scored.
public enum OutputLoss: String, Codable, Sendable {
    /// `[N, classes]` logits, softmax cross-entropy.
    case softmax
    /// `[N, 1]` logit, sigmoid binary cross-entropy (two classes).
    case sigmoid
}

/// The architecture a checkpoint was trained with: loading it into another one is an error.
public struct Architecture: Codable, Equatable, Sendable, CustomStringConvertible {
    public var model: String
    public var inputFeatures: Int
    public var classes: Int
    public var loss: OutputLoss
    public var layers: [LayerKind]

    public var description: String {
        "\(model): \(inputFeatures) inputs → " + layers.map(\.description).joined(separator: " → ") + " → \(loss) over \(classes) classes"
    }
}

/// How weights start: Xavier/Glorot (`Var = 1/D_in`), He (`Var = 2/D_in`) or naive (a fixed
/// small standard deviation, 0.01, which makes deep nets' activations vanish).
public enum InitChoice: String, Codable, Sendable, CaseIterable {
    case xavier, he, naive
}

/// The MLP's hidden activation (chapter 1's exercises).
public enum ActivationChoice: String, Codable, Sendable, CaseIterable {
    case relu, tanh, sigmoid, leaky, elu

    /// The layer that applies it: leaky ReLU with the notes' slope 0.02, ELU with α = 1.
    var layer: LayerKind {
        switch self {
        case .relu: .relu
        case .tanh: .tanh
        case .sigmoid: .sigmoid
        case .leaky: .leakyReLU(slope: 0.02)
        case .elu: .elu(alpha: 1)
        }
    }
}

/// Where batch normalization sits relative to the activation.
public enum BatchNormPlacement: String, Codable, Sendable, CaseIterable {
    case none, before, after
}

/// The models the trainer knows, built from a few flags.
public enum ModelFactory {
    public static let names = ["mlp", "cnn", "notes", "resnet", "resmlp"]

    /// - Parameters:
    ///   - hidden: the MLP's hidden widths, e.g. `[256, 256]`.
    ///   - activation: the MLP's hidden activation (the other models use ReLU).
    ///   - imageShape: `[H, W, C]`, needed by the CNN and the ResNet.
    ///   - channels: the CNN's first convolution, or the ResNet's stem width.
    ///   - blocks: residual blocks per stage (resnet) or in all (resmlp).
    public static func architecture(
        model: String, inputFeatures: Int, classes: Int, hidden: [Int], activation: ActivationChoice = .relu,
        batchNorm: BatchNormPlacement, keepProbability: Double, imageShape: [Int]?, channels: Int = 8, convLayers: Int = 2, blocks: Int = 3
    ) throws -> Architecture {
        var layers: [LayerKind] = []
        switch model {
        case "mlp":
            var width = inputFeatures
            for h in hidden {
                layers.append(.dense(inputs: width, outputs: h))
                if batchNorm == .before { layers.append(.batchNorm(features: h)) }
                layers.append(activation.layer)
                if batchNorm == .after { layers.append(.batchNorm(features: h)) }
                if keepProbability < 1 { layers.append(.dropout(keepProbability: keepProbability)) }
                width = h
            }
            layers.append(.dense(inputs: width, outputs: classes))
            return Architecture(model: model, inputFeatures: inputFeatures, classes: classes, loss: .softmax, layers: layers)
        case "notes":
            // The notes' "putting it all together" network: Dense 20 relu → Dropout 0.3 → Dense 3 relu
            // → Dropout 0.3 → Dense 1 sigmoid. Keras' Dropout(0.3) drops 30 %, i.e. keeps 0.7.
            guard classes == 2 else { throw TrainerError("the notes' network is a binary classifier; this data has \(classes) classes") }
            layers = [.dense(inputs: inputFeatures, outputs: 20), .relu, .dropout(keepProbability: 0.7),
                      .dense(inputs: 20, outputs: 3), .relu, .dropout(keepProbability: 0.7),
                      .dense(inputs: 3, outputs: 1)]
            return Architecture(model: model, inputFeatures: inputFeatures, classes: classes, loss: .sigmoid, layers: layers)
        case "cnn":
            guard let image = imageShape, image.count == 3, image.reduce(1, *) == inputFeatures else {
                throw TrainerError("the CNN needs image data (digits or IDX), not \(inputFeatures) plain features")
            }
            // LeNet in miniature: `convLayers` stages of 3x3 convolution (padding 1 keeps H×W, the
            // channels double each stage), ReLU and 2x2 max pooling, then a dense layer to the classes.
            var (h, w, c) = (image[0], image[1], image[2])
            layers = [.reshape(to: [h, w, c])]
            for stage in 0..<max(convLayers, 1) {
                let out = channels << stage
                layers.append(.conv(kernel: 3, inputs: c, outputs: out, padding: 1))
                if batchNorm != .none { layers.append(.spatialBatchNorm(channels: out)) }
                layers += [.relu, .maxPool(size: 2)]
                (h, w, c) = (h / 2, w / 2, out)
            }
            layers += [.reshape(to: [h * w * c]), .dense(inputs: h * w * c, outputs: classes)]
            return Architecture(model: model, inputFeatures: inputFeatures, classes: classes, loss: .softmax, layers: layers)
        case "resnet":
            return try residualNetwork(inputFeatures: inputFeatures, classes: classes, imageShape: imageShape,
                                       width: channels, blocksPerStage: blocks)
        case "resmlp":
            let width = hidden.first ?? 64
            layers = [.dense(inputs: inputFeatures, outputs: width), .relu]
            for _ in 0..<max(blocks, 0) { layers.append(.residual(features: width, hidden: width)) }
            layers.append(.dense(inputs: width, outputs: classes))
            return Architecture(model: model, inputFeatures: inputFeatures, classes: classes, loss: .softmax, layers: layers)
        default:
            throw UsageError("unknown model '\(model)'; choose one of \(names.joined(separator: ", "))")
        }
    }
}

extension ModelFactory {
    /// The stages of the convolutional ResNet: the channel count doubles (and the resolution halves,
    /// while it is at least 4) at the start of each stage after the first.
    static let residualStages = 3

    /// A small ResNet in the shape of He et al. (2016), sized for 8x8 digits or 28x28 MNIST:
    ///
    ///     stem:    3x3 conv (width channels) → spatial BN → ReLU
    ///     stage 1: blocksPerStage basic blocks, width channels, identity shortcuts
    ///     stage 2: a block to 2·width with stride 2 and a 1x1 stride-2 projection, then identity blocks
    ///     stage 3: the same to 4·width
    ///     head:    global average pooling → dense to the classes
    ///
    /// Every block is ``LayerKind/convResidual(inputs:outputs:stride:)``: the student's ConvBlock1–3.
    static func residualNetwork(inputFeatures: Int, classes: Int, imageShape: [Int]?, width: Int, blocksPerStage: Int) throws -> Architecture {
        guard let image = imageShape, image.count == 3, image.reduce(1, *) == inputFeatures else {
            throw TrainerError("the ResNet needs image data (digits or IDX), not \(inputFeatures) plain features")
        }
        var (h, w, c) = (image[0], image[1], image[2])
        guard h == w else { throw TrainerError("the ResNet's global average pooling needs square images, got \(h)x\(w)") }
        guard blocksPerStage >= 1 else { throw TrainerError("the ResNet needs at least one block per stage (--blocks), got \(blocksPerStage)") }
        var layers: [LayerKind] = [.reshape(to: [h, w, c]), .conv(kernel: 3, inputs: c, outputs: width, padding: 1),
                                   .spatialBatchNorm(channels: width), .relu]
        c = width
        for stage in 0..<residualStages {
            for block in 0..<blocksPerStage {
                let widen = stage > 0 && block == 0
                let stride = widen && h >= 4 ? 2 : 1
                layers.append(.convResidual(inputs: c, outputs: widen ? 2 * c : c, stride: stride))
                if widen { c *= 2 }
                if stride == 2 { (h, w) = ((h + 1) / 2, (w + 1) / 2) }
            }
        }
        layers += [.averagePool(size: h), .reshape(to: [c]), .dense(inputs: c, outputs: classes)]
        return Architecture(model: "resnet", inputFeatures: inputFeatures, classes: classes, loss: .softmax, layers: layers)
    }
}

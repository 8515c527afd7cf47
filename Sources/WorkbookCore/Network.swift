// Chapter 15 · Networks — the values a whole network is made of.
//
// A network is a list of layers, `[NetworkLayer]`, each holding its own parameters (and, for batch
// norm, its test-time statistics). The chapter's free functions run the list forward, keeping one
// cache per layer (`NetworkCache`), run it backward from the loss, step an optimizer and train.
// Everything here is a plain Codable value, so a network can be saved, compared and sent as is.
//
// Shapes (one legend for the chapter):
//   N  examples in a batch;  D  input features;  C  classes (or 1 for a sigmoid output)
//   x `[N, D]`; the network's output (logits) `[N, C]`; a dense weight `[D_in, D_out]`, its bias
//   `[D_out]`; batch norm's gamma, beta, runningMean, runningVariance `[D]` of the features it sees.

import Foundation

/// One layer of a sequential network, with its parameters.
///
///     let notes: [NetworkLayer] = [
///         .dense(weight: w1, bias: b1), .relu, .dropout(keepProbability: 0.7),
///         .dense(weight: w2, bias: b2), .relu, .dropout(keepProbability: 0.7),
///         .dense(weight: w3, bias: b3),      // the sigmoid lives in the loss (NetworkLoss)
///     ]
public enum NetworkLayer: Sendable, Hashable, Codable {
    /// `out = x · weight + bias`; weight `[D_in, D_out]`, bias `[D_out]` (chapter 2).
    case dense(weight: Tensor, bias: Tensor)
    /// The rectifier (chapter 1).
    case relu
    /// The hyperbolic tangent (chapter 1).
    case tanh
    /// The logistic sigmoid (chapter 1). Not for the output unit: a sigmoid output belongs to the
    /// fused loss ``NetworkLoss/sigmoidBinaryCrossEntropy``.
    case sigmoid
    /// Leaky ReLU with its negative-side slope (chapter 1; the notes' 0.02).
    case leakyReLU(slope: Double)
    /// ELU with its α (chapter 1).
    case elu(alpha: Double)
    /// Inverted dropout with the KEEP probability (chapter 7): masks in training, the identity at
    /// inference.
    case dropout(keepProbability: Double)
    /// Batch normalization over features (chapter 9): the learned gamma and beta `[D]`, and the
    /// test-time statistics `[D]` that training keeps as running averages (they get no gradient).
    case batchNorm(gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVariance: Tensor)

    /// The trainable parameters in a fixed order: dense `[weight, bias]`, batch norm `[gamma, beta]`,
    /// others `[]`. Gradients, optimizer state and checkpoints all use this order.
    public var parameters: [Tensor] {
        switch self {
        case let .dense(weight, bias): [weight, bias]
        case let .batchNorm(gamma, beta, _, _): [gamma, beta]
        case .relu, .tanh, .sigmoid, .leakyReLU, .elu, .dropout: []
        }
    }

    /// The same layer with new trainable parameters, given in the order of ``parameters``.
    /// - Throws: ``ShapeError`` if the count or a shape differs from the current parameters.
    public func replacingParameters(_ new: [Tensor]) throws -> NetworkLayer {
        let old = parameters
        guard new.count == old.count, zip(new, old).allSatisfy({ $0.shape == $1.shape }) else {
            throw ShapeError(operation: "NetworkLayer.replacingParameters (\(name))",
                             shapes: new.map(\.shape) + old.map(\.shape),
                             detail: "expected \(old.count) tensors of the current shapes (listed last)")
        }
        switch self {
        case .dense: return .dense(weight: new[0], bias: new[1])
        case let .batchNorm(_, _, mean, variance):
            return .batchNorm(gamma: new[0], beta: new[1], runningMean: mean, runningVariance: variance)
        case .relu, .tanh, .sigmoid, .leakyReLU, .elu, .dropout: return self
        }
    }

    /// A short name for messages: `dense [2, 20]`, `relu`, `dropout keep 0.7`, `batchNorm [20]`.
    public var name: String {
        switch self {
        case let .dense(weight, _): "dense \(weight.shape)"
        case .relu: "relu"
        case .tanh: "tanh"
        case .sigmoid: "sigmoid"
        case let .leakyReLU(slope): "leakyReLU \(slope)"
        case let .elu(alpha): "elu \(alpha)"
        case let .dropout(keep): "dropout keep \(keep)"
        case let .batchNorm(gamma, _, _, _): "batchNorm \(gamma.shape)"
        }
    }
}

/// What one layer's forward pass keeps for its backward pass: the cache of the chapter that
/// defined the layer.
public enum LayerCache: Sendable, Hashable, Codable {
    case dense(DenseCache)
    case relu(ReLUCache)
    case tanh(TanhCache)
    case sigmoid(SigmoidCache)
    case leakyReLU(LeakyReLUCache)
    case elu(ELUCache)
    /// Dropout in either mode (at inference the mask is all ones and the scale 1).
    case dropout(DropoutCache)
    /// Batch norm in training mode: normalized with the batch's own statistics.
    case batchNorm(BatchNormCache)
    /// Batch norm in inference mode: normalized with fixed statistics, so the layer is the affine
    /// map `out = scale ⊙ x + shift` with `scale = gamma / sqrt(runningVariance + ε)`, ε = 1e-5 (the
    /// default of `batchNormInference`). `xHat` `[N, D]` is the normalized input (for dgamma), `scale`
    /// `[D]` (for dx).
    case batchNormInference(xHat: Tensor, scale: Tensor)
}

/// What `networkForward` keeps for `networkBackward`: one cache per layer, in layer order.
public struct NetworkCache: Sendable, Hashable, Codable {
    public var layers: [LayerCache]
    public init(layers: [LayerCache]) { self.layers = layers }
}

/// The loss on top of the network's output (the output layer's activation is fused into it).
public enum NetworkLoss: String, Sendable, Hashable, Codable, CaseIterable {
    /// Softmax and cross-entropy over `C` classes; the output is `[N, C]`, labels in `0..<C`.
    case softmaxCrossEntropy
    /// Sigmoid and binary cross-entropy; the output is `[N, 1]`, labels 0 or 1.
    case sigmoidBinaryCrossEntropy
}

/// An optimizer of chapter 5 with its hyperparameters.
public enum NetworkOptimizer: Sendable, Hashable, Codable {
    case sgd(learningRate: Double)
    case momentum(learningRate: Double, momentum: Double)
    case adam(learningRate: Double, beta1: Double, beta2: Double, epsilon: Double)

    /// Adam with the usual β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    public static func adam(learningRate: Double) -> NetworkOptimizer {
        .adam(learningRate: learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
    }
}

/// The optimizer's memory between steps, one entry per layer and per parameter (in the order of
/// ``NetworkLayer/parameters``). A fresh state is empty: the first step fills in zeros.
public struct NetworkOptimizerState: Sendable, Hashable, Codable {
    /// Momentum's velocities, `velocities[layer][parameter]`, each the parameter's shape.
    public var velocities: [[Tensor]]
    /// Adam's moments and step count, `adam[layer][parameter]`.
    public var adam: [[AdamState]]
    public init(velocities: [[Tensor]] = [], adam: [[AdamState]] = []) {
        self.velocities = velocities
        self.adam = adam
    }
}

/// What the training loop (the chapter's "solver") needs besides the network and the data.
public struct SolverConfiguration: Sendable, Hashable, Codable {
    /// Passes over the training set.
    public var epochs: Int
    /// Examples per step; the last batch of an epoch may be smaller.
    public var batchSize: Int
    public var optimizer: NetworkOptimizer
    public var loss: NetworkLoss
    /// λ of the L2 penalty `(λ/2) Σ w²` on the dense weights (not biases, not batch norm).
    public var l2Strength: Double
    /// The weight of the OLD running statistics in batch norm's running averages (chapter 9).
    public var batchNormMomentum: Double

    public init(epochs: Int, batchSize: Int, optimizer: NetworkOptimizer, loss: NetworkLoss,
                l2Strength: Double = 0, batchNormMomentum: Double = 0.9) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.loss = loss
        self.l2Strength = l2Strength
        self.batchNormMomentum = batchNormMomentum
    }
}

/// What the training loop measured.
public struct TrainingHistory: Sendable, Hashable, Codable {
    /// The loss of every step (penalty included), in order: epochs × ⌈N / batchSize⌉ entries.
    public var stepLosses: [Double]
    /// Accuracy on the training set after each epoch, in inference mode, in [0, 1].
    public var trainingAccuracy: [Double]
    /// Accuracy on the validation set after each epoch, in inference mode, in [0, 1].
    public var validationAccuracy: [Double]
    /// The epoch (0-based) whose parameters were returned: the first with the best validation accuracy.
    public var bestEpoch: Int

    public init(stepLosses: [Double], trainingAccuracy: [Double], validationAccuracy: [Double], bestEpoch: Int) {
        self.stepLosses = stepLosses
        self.trainingAccuracy = trainingAccuracy
        self.validationAccuracy = validationAccuracy
        self.bestEpoch = bestEpoch
    }
}

/// Two interleaving half circles with Gaussian noise (scikit-learn's `make_moons`): label 0 on
/// `(cos t, sin t)`, label 1 on `(1 − cos t, 0.5 − sin t)`, `t` uniform in `[0, π)`, alternating
/// labels. The same seed gives the same points on every machine.
///
/// - Returns: the points `[count, 2]` and their labels.
public func twoMoons(count: Int, noise: Double, using rng: inout SeededGenerator) -> (x: Tensor, labels: [Int]) {
    var xs = [Double](), labels = [Int]()
    for i in 0..<max(count, 0) {
        let label = i % 2
        let t = Double.pi * rng.nextUniform()
        let (a, b) = label == 0 ? (cos(t), sin(t)) : (1 - cos(t), 0.5 - sin(t))
        xs += [a + rng.nextNormal(standardDeviation: noise), b + rng.nextNormal(standardDeviation: noise)]
        labels.append(label)
    }
    return (Tensor(shape: [labels.count, 2]) { xs[$0] }, labels)
}

/// Where batch normalization goes in a network of dense layers (notes 002 show all three in Keras).
public enum BatchNormPosition: String, Sendable, Hashable, Codable, CaseIterable {
    /// dense → BN → activation, as in the original paper (Ioffe & Szegedy).
    case beforeActivation
    /// dense → activation → BN.
    case afterActivation
    /// BN first, on the raw inputs: a learned standardization of the features.
    case inputs
}

import WorkbookCore
import Workbook

/// A network built from the workbook's layers (the module `Workbook`: the reference solutions or the
/// student's exercises). Nothing here re-implements a layer: each forward and backward pass is the
/// exercise's function, so a model trains exactly as well as the exercises it is built from.
///
/// Parameters are kept per layer in a fixed order (see ``LayerKind``), which is also the order in
/// checkpoints and in the optimizer's state.
public struct Network: Sendable {
    public var architecture: Architecture
    /// `parameters[layer]`: dense/conv `[weight, bias]`, BN `[gamma, beta]`, residual the eight
    /// tensors of ``ResidualBlockParameters`` (no projection: its widths match), convolutional
    /// residual the tensors of ``ConvResidualBlockParameters`` (see `ResidualLayers.swift`).
    public var parameters: [[Tensor]]
    /// `running[layer]`: BN layers' `[mean, variance]` for inference, residual blocks'
    /// `[mean1, variance1, mean2, variance2]`, empty otherwise.
    public var running: [[Tensor]]
    /// The weight given to the old running statistics: running·m + batch·(1 − m).
    public var runningMomentum = 0.9

    /// The backward pass of one layer, holding that layer's cache: upstream gradient in,
    /// `(dx, parameter gradients)` out.
    typealias Backward = (Tensor) throws -> (Tensor, [Tensor])

    /// Fresh weights drawn with `scheme`; biases and betas zero, gammas one.
    public init(architecture: Architecture, initialization: InitChoice, using rng: inout SeededGenerator) throws {
        self.architecture = architecture
        var parameters = [[Tensor]](), running = [[Tensor]]()
        func weight(_ fanIn: Int, _ fanOut: Int) throws -> Tensor {
            let scheme: InitializationScheme = switch initialization {
            case .xavier: .xavier
            case .he: .he
            case .naive: .normal(standardDeviation: 0.01)
            }
            return try initializeWeights(shape: [fanIn, fanOut], scheme: scheme, using: &rng)
        }
        for layer in architecture.layers {
            switch layer {
            case let .dense(i, o):
                parameters.append([try weight(i, o), Tensor(zeros: [o])])
                running.append([])
            case let .batchNorm(d), let .spatialBatchNorm(d):
                parameters.append([Tensor(repeating: 1, shape: [d]), Tensor(zeros: [d])])
                running.append([Tensor(zeros: [d]), Tensor(repeating: 1, shape: [d])])
            case let .conv(k, i, o, _):
                // The fan-in of a convolution is K·K·Cin: draw as a matrix, then fold to [K, K, Cin, Cout].
                parameters.append([try weight(k * k * i, o).reshaped([k, k, i, o]), Tensor(zeros: [o])])
                running.append([])
            case let .residual(d, h):
                parameters.append([try weight(d, h), Tensor(zeros: [h]), Tensor(repeating: 1, shape: [h]), Tensor(zeros: [h]),
                                   try weight(h, d), Tensor(zeros: [d]), Tensor(repeating: 1, shape: [d]), Tensor(zeros: [d])])
                let statistics = ResidualBlockStatistics.initial(first: h, second: d)
                running.append([statistics.mean1, statistics.variance1, statistics.mean2, statistics.variance2])
            case .convResidual:
                let (p, r) = Network.initialResidualLayer(layer, using: &rng)
                parameters.append(p)
                running.append(r)
            case .relu, .tanh, .sigmoid, .leakyReLU, .elu, .dropout, .maxPool, .averagePool, .reshape:
                parameters.append([])
                running.append([])
            }
        }
        self.parameters = parameters
        self.running = running
    }

    public init(architecture: Architecture, parameters: [[Tensor]], running: [[Tensor]]) {
        self.architecture = architecture
        self.parameters = parameters
        self.running = running
    }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.joined().reduce(0) { $0 + $1.count } }

    /// Runs the layers in order on `x` `[N, D]`, returning the logits (`[N, classes]`, or `[N, 1]`
    /// for a sigmoid output) and what the backward pass needs. Training mode updates the BN running
    /// statistics and draws dropout masks from `rng`.
    ///
    /// A network of dense layers, activations, dropout and batch norm (the `mlp` and `notes` models)
    /// runs as the chapter-15 network, `[NetworkLayer]` through `networkForward`/`networkBackward`, once
    /// those exercises are done (see ``Network/sequentialLayers``); other models, or before chapter 15,
    /// run layer by layer below. Both draw the same dropout masks and give the same numbers.
    mutating func forward(_ x: Tensor, mode: Mode, using rng: inout SeededGenerator) throws -> (Tensor, Trace) {
        if Network.chapter15IsDone, let layers = sequentialLayers {
            let (out, cache) = try networkForward(x, layers: layers, mode: mode, using: &rng)
            if mode == .training {
                for (index, layerCache) in cache.layers.enumerated() {
                    if case let .batchNorm(bn) = layerCache {
                        try updateRunning(index, mean: bn.mean, variance: bn.variance, batch: x.shape[0])
                    }
                }
            }
            return (out, .network(cache))
        }
        let (out, backwards) = try forwardLayerByLayer(x, mode: mode, using: &rng)
        return (out, .layers(backwards))
    }

    /// The layer-by-layer forward pass, for every architecture (convolutions and residual blocks too).
    mutating func forwardLayerByLayer(_ x: Tensor, mode: Mode, using rng: inout SeededGenerator) throws -> (Tensor, [Backward]) {
        var h = x
        var backwards: [Backward] = []
        backwards.reserveCapacity(architecture.layers.count)
        for (index, layer) in architecture.layers.enumerated() {
            let p = parameters[index]
            switch layer {
            case .dense:
                let (out, cache) = try denseForward(h, weight: p[0], bias: p[1])
                h = out
                backwards.append { dout in
                    let (dx, dw, db) = try denseBackward(dout, cache: cache)
                    return (dx, [dw, db])
                }
            case .relu:
                let (out, cache) = try reluForward(h)
                h = out
                backwards.append { dout in (try reluBackward(dout, cache: cache), []) }
            case .tanh:
                let (out, cache) = try tanhForward(h)
                h = out
                backwards.append { dout in (try tanhBackward(dout, cache: cache), []) }
            case .sigmoid:
                let (out, cache) = try sigmoidForward(h)
                h = out
                backwards.append { dout in (try sigmoidBackward(dout, cache: cache), []) }
            case let .leakyReLU(slope):
                let (out, cache) = try leakyReLUForward(h, slope: slope)
                h = out
                backwards.append { dout in (try leakyReLUBackward(dout, cache: cache), []) }
            case let .elu(alpha):
                let (out, cache) = try eluForward(h, alpha: alpha)
                h = out
                backwards.append { dout in (try eluBackward(dout, cache: cache), []) }
            case let .dropout(keep):
                if mode == .training {
                    let (out, cache) = try dropoutForward(h, keepProbability: keep, mode: mode, using: &rng)
                    h = out
                    backwards.append { dout in (try dropoutBackward(dout, cache: cache), []) }
                } else {
                    // Inverted dropout is the identity at test time: the scaling happened in training.
                    backwards.append { dout in (dout, []) }
                }
            case .batchNorm:
                if mode == .training {
                    let (out, cache) = try batchNormForward(h, gamma: p[0], beta: p[1])
                    h = out
                    try updateRunning(index, mean: cache.mean, variance: cache.variance, batch: h.shape[0])
                    backwards.append { dout in
                        let (dx, dgamma, dbeta) = try batchNormBackward(dout, cache: cache)
                        return (dx, [dgamma, dbeta])
                    }
                } else {
                    h = try batchNormInference(h, gamma: p[0], beta: p[1], mean: running[index][0], variance: running[index][1])
                    backwards.append { dout in (dout, []) }
                }
            case .spatialBatchNorm, .conv, .maxPool:
                let (out, backward) = try convolutionLayerForward(layer, index: index, h, mode: mode)
                h = out
                backwards.append(backward)
            case let .reshape(shape):
                let inputShape = h.shape
                h = try h.reshaped([h.shape[0]] + shape)
                backwards.append { dout in (try dout.reshaped(inputShape), []) }
            case .residual, .convResidual, .averagePool:
                let (out, backward) = try residualLayerForward(layer, index: index, h, mode: mode)
                h = out
                backwards.append(backward)
            }
        }
        return (h, backwards)
    }

    /// Folds one batch's statistics into the running ones; the variance is made unbiased with
    /// B/(B − 1), as the notes do for test time.
    mutating func updateRunning(_ index: Int, mean: Tensor, variance: Tensor, batch: Int) throws {
        let unbiased = batch > 1 ? variance * (Double(batch) / Double(batch - 1)) : variance
        running[index][0] = try runningAverage(running[index][0], batchValue: mean, momentum: runningMomentum)
        running[index][1] = try runningAverage(running[index][1], batchValue: unbiased, momentum: runningMomentum)
    }

    /// Runs the backward passes from the last layer to the first.
    /// - Returns: the gradient for every parameter, shaped like ``parameters``, and `dx` of the input.
    func backward(_ dlogits: Tensor, _ trace: Trace) throws -> (gradients: [[Tensor]], dx: Tensor) {
        switch trace {
        case let .network(cache):
            let (dx, gradients) = try networkBackward(dlogits, cache: cache)
            return (gradients, dx)
        case let .layers(backwards):
            return try backwardLayerByLayer(dlogits, backwards)
        }
    }

    func backwardLayerByLayer(_ dlogits: Tensor, _ backwards: [Backward]) throws -> (gradients: [[Tensor]], dx: Tensor) {
        var gradients = [[Tensor]](repeating: [], count: backwards.count)
        var d = dlogits
        for index in backwards.indices.reversed() {
            let (dx, grads) = try backwards[index](d)
            gradients[index] = grads
            d = dx
        }
        return (gradients, d)
    }

    /// Logits for `x` `[N, D]` in inference mode, in chunks of `batchSize` rows.
    public mutating func predictLogits(_ x: Tensor, batchSize: Int = 256) throws -> Tensor {
        var rng = SeededGenerator(seed: 0)  // unused in inference
        var parts: [Tensor] = []
        var start = 0
        let n = x.shape[0]
        while start < n {
            let end = min(start + batchSize, n)
            let (logits, _) = try forward(try x.slice(start..<end), mode: .inference, using: &rng)
            parts.append(logits)
            start = end
        }
        return parts.count == 1 ? parts[0] : try Tensor.concatenating(parts)
    }
}

/// Loss and its gradient for a batch of logits.
func lossAndGradient(_ logits: Tensor, labels: [Int], loss: OutputLoss) throws -> (loss: Double, dlogits: Tensor) {
    switch loss {
    case .softmax:
        return try softmaxCrossEntropy(logits, labels: labels)
    case .sigmoid:
        let targets = Tensor(labels.map { Double($0) })
        return try sigmoidBinaryCrossEntropy(logits, targets: try targets.reshaped([labels.count, 1]))
    }
}

/// The predicted class of each row of logits.
func predictions(_ logits: Tensor, loss: OutputLoss) throws -> [Int] {
    switch loss {
    case .softmax: return try logits.argmaxRows()
    case .sigmoid: return logits.scalars.map { $0 > 0 ? 1 : 0 }
    }
}

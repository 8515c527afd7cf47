import WorkbookCore
import Workbook

// The trainer's dense models are chapter 15's networks: one structure, taught in the chapter and
// trained here. `Network` keeps its parameters per layer (the checkpoint format); this file turns
// them into the chapter's `[NetworkLayer]` and says whether the chapter's functions can run them.

extension Network {
    /// What the backward pass needs, from whichever forward pass ran.
    enum Trace {
        /// The chapter-15 network's caches (`networkForward`).
        case network(NetworkCache)
        /// One backward closure per layer (`forwardLayerByLayer`).
        case layers([Backward])
    }

    /// The network as chapter 15 writes it, or `nil` if a layer has no chapter-15 counterpart
    /// (convolutions, pooling, reshapes, residual blocks). Batch norm carries its running statistics.
    var sequentialLayers: [NetworkLayer]? {
        var layers: [NetworkLayer] = []
        layers.reserveCapacity(architecture.layers.count)
        for (index, kind) in architecture.layers.enumerated() {
            let p = parameters[index]
            switch kind {
            case .dense: layers.append(.dense(weight: p[0], bias: p[1]))
            case .relu: layers.append(.relu)
            case .tanh: layers.append(.tanh)
            case .sigmoid: layers.append(.sigmoid)
            case let .leakyReLU(slope): layers.append(.leakyReLU(slope: slope))
            case let .elu(alpha): layers.append(.elu(alpha: alpha))
            case let .dropout(keep): layers.append(.dropout(keepProbability: keep))
            case .batchNorm:
                layers.append(.batchNorm(gamma: p[0], beta: p[1], runningMean: running[index][0], runningVariance: running[index][1]))
            case .spatialBatchNorm, .conv, .maxPool, .reshape, .residual, .convResidual, .averagePool:
                return nil
            }
        }
        return layers
    }

    /// Whether `networkForward` and `networkBackward` (Network1, Network2) are written. Until they are,
    /// the trainer runs dense models layer by layer, so chapters 1–9 are enough to train an MLP.
    /// Probed once on a one-weight network; only "not implemented" counts as not done (a wrong answer
    /// is the student's to see, as with every other exercise).
    static let chapter15IsDone: Bool = {
        var rng = SeededGenerator(seed: 0)
        do {
            let layers: [NetworkLayer] = [.dense(weight: Tensor(shape: [1, 1]) { _ in 2 }, bias: Tensor([1]))]
            let (_, cache) = try networkForward(Tensor(shape: [1, 1]) { _ in 3 }, layers: layers, mode: .training, using: &rng)
            _ = try networkBackward(Tensor(shape: [1, 1]) { _ in 1 }, cache: cache)
            return true
        } catch is NotImplemented {
            return false
        } catch {
            return true
        }
    }()
}

import WorkbookCore
import Workbook

// The residual layers of ``Network`` (chapter 12) and global average pooling (chapter 10), in a file
// of their own. Both residual blocks keep running statistics for their two batch norms:
// `running[layer] = [mean1, variance1, mean2, variance2]`, updated after every training batch with
// Residual3's / ConvBlock3's update and used by their inference passes, so `evaluate` and `predict`
// give each example an output that does not depend on the rest of its batch.

extension Network {
    /// Fresh parameters and running statistics of a residual layer, in checkpoint order.
    /// - dense block: `[w1, b1, gamma1, beta1, w2, b2, gamma2, beta2]`;
    /// - convolutional block: `[conv1, gamma1, beta1, conv2, gamma2, beta2]`, then `projection` when
    ///   the block changes the channel count or the resolution (He-normal kernels, γ = 1, β = 0).
    static func initialResidualLayer(_ layer: LayerKind, using rng: inout SeededGenerator) -> (parameters: [Tensor], running: [Tensor]) {
        switch layer {
        case let .convResidual(inputs, outputs, stride):
            let p = ConvResidualBlockParameters.initialized(inputChannels: inputs, outputChannels: outputs, stride: stride, using: &rng)
            let statistics = ResidualBlockStatistics.initial(first: outputs, second: outputs)
            return ([p.conv1, p.gamma1, p.beta1, p.conv2, p.gamma2, p.beta2] + (p.projection.map { [$0] } ?? []),
                    [statistics.mean1, statistics.variance1, statistics.mean2, statistics.variance2])
        default:
            return ([], [])
        }
    }

    /// The running statistics of layer `index` as the exercises take them.
    func residualStatistics(_ index: Int) throws -> ResidualBlockStatistics {
        let r = running[index]
        guard r.count == 4 else {
            throw TrainerError("layer \(index) (\(architecture.layers[index])) has no running statistics "
                               + "(a checkpoint from an older trainer?); train the model again")
        }
        return ResidualBlockStatistics(mean1: r[0], variance1: r[1], mean2: r[2], variance2: r[3])
    }

    mutating func storeStatistics(_ statistics: ResidualBlockStatistics, at index: Int) {
        running[index] = [statistics.mean1, statistics.variance1, statistics.mean2, statistics.variance2]
    }

    /// Runs one residual or average-pooling layer forward; returns its output and its backward pass.
    /// In training the block normalizes with the batch's statistics and folds them into the running
    /// ones (skipped for a batch of one example, which has no variance); in inference it uses them.
    mutating func residualLayerForward(_ layer: LayerKind, index: Int, _ h: Tensor, mode: Mode) throws -> (Tensor, Backward) {
        let p = parameters[index]
        switch layer {
        case .residual:
            let block = ResidualBlockParameters(w1: p[0], b1: p[1], gamma1: p[2], beta1: p[3],
                                                w2: p[4], b2: p[5], gamma2: p[6], beta2: p[7])
            guard mode == .training else {
                return (try residualBlockInference(h, parameters: block, statistics: try residualStatistics(index)), { dout in (dout, []) })
            }
            let (out, cache) = try residualBlockForward(h, parameters: block)
            if h.shape[0] >= 2 {
                storeStatistics(try updateResidualBlockStatistics(try residualStatistics(index), cache: cache, momentum: runningMomentum), at: index)
            }
            return (out, { dout in
                let (dx, g) = try residualBlockBackward(dout, cache: cache)
                return (dx, [g.w1, g.b1, g.gamma1, g.beta1, g.w2, g.b2, g.gamma2, g.beta2])
            })
        case let .convResidual(_, _, stride):
            let block = ConvResidualBlockParameters(conv1: p[0], gamma1: p[1], beta1: p[2], conv2: p[3], gamma2: p[4], beta2: p[5],
                                                    projection: p.count > 6 ? p[6] : nil, stride: stride)
            guard mode == .training else {
                return (try convResidualBlockInference(h, parameters: block, statistics: try residualStatistics(index)), { dout in (dout, []) })
            }
            let (out, cache) = try convResidualBlockForward(h, parameters: block)
            // Each channel's statistics averaged N·Ho·Wo values; fewer than 2 says nothing about the variance.
            if out.count / max(out.shape.last ?? 1, 1) >= 2 {
                storeStatistics(try updateConvResidualBlockStatistics(try residualStatistics(index), cache: cache, momentum: runningMomentum), at: index)
            }
            return (out, { dout in
                let (dx, g) = try convResidualBlockBackward(dout, cache: cache)
                return (dx, [g.conv1, g.gamma1, g.beta1, g.conv2, g.gamma2, g.beta2] + (g.projection.map { [$0] } ?? []))
            })
        case let .averagePool(size):
            let (out, cache) = try averagePoolForward(h, configuration: Pool2DConfiguration(size: size, stride: size))
            return (out, { dout in (try averagePoolBackward(dout, cache: cache), []) })
        default:
            throw TrainerError("\(layer) is not a residual layer")
        }
    }
}

import WorkbookCore
import Workbook

// The convolutional layers of ``Network``: chapter 10 (convolution, max pooling) and chapter 11
// (spatial batch normalization), in a file of their own so the dense models build without them.

extension Network {
    /// Runs one convolutional layer forward; returns its output and its backward pass.
    mutating func convolutionLayerForward(_ layer: LayerKind, index: Int, _ h: Tensor, mode: Mode) throws -> (Tensor, Backward) {
        let p = parameters[index]
        switch layer {
        case .spatialBatchNorm:
            if mode == .training {
                let (out, cache) = try spatialBatchNormForward(h, gamma: p[0], beta: p[1])
                try updateRunning(index, mean: cache.mean, variance: cache.variance, batch: h.count / max(h.shape.last ?? 1, 1))
                return (out, { dout in
                    let (dx, dgamma, dbeta) = try spatialBatchNormBackward(dout, cache: cache)
                    return (dx, [dgamma, dbeta])
                })
            }
            let out = try spatialBatchNormInference(h, gamma: p[0], beta: p[1], mean: running[index][0], variance: running[index][1])
            return (out, { dout in (dout, []) })
        case let .conv(_, _, _, padding):
            let (out, cache) = try conv2dForward(h, weight: p[0], bias: p[1], configuration: Conv2DConfiguration(stride: 1, padding: padding))
            return (out, { dout in
                let (dx, dw, db) = try conv2dBackward(dout, cache: cache)
                return (dx, [dw, db])
            })
        case let .maxPool(size):
            let (out, cache) = try maxPoolForward(h, configuration: Pool2DConfiguration(size: size, stride: size))
            return (out, { dout in (try maxPoolBackward(dout, cache: cache), []) })
        default:
            throw TrainerError("\(layer) is not a convolutional layer")
        }
    }
}

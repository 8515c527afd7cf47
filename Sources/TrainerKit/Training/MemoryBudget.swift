import Foundation

extension LayerKind {
    /// What is wrong with the layer's own sizes (a pool of size 0, a convolution of 0 filters), or `nil`.
    var sizeProblem: String? {
        func outside(_ what: String, _ value: Int, _ bounds: ClosedRange<Int>) -> String? {
            bounds.contains(value) ? nil : "\(what) \(value) is outside \(bounds.lowerBound)...\(bounds.upperBound)"
        }
        switch self {
        case let .dense(i, o): return outside("the input width", i, 1...Limits.maxFeatures) ?? outside("the output width", o, 1...Limits.maxFeatures)
        case let .batchNorm(d), let .spatialBatchNorm(d): return outside("the width", d, 1...Limits.maxFeatures)
        case let .conv(k, i, o, p):
            return outside("the kernel size", k, 1...64) ?? outside("the input channels", i, 1...Limits.maxFeatures)
                ?? outside("the filter count", o, 1...Limits.maxFeatures) ?? outside("the padding", p, 0...64)
        case let .maxPool(size), let .averagePool(size): return outside("the pool size", size, 1...Limits.maxImageSide)
        case let .residual(d, h): return outside("the width", d, 1...Limits.maxFeatures) ?? outside("the hidden width", h, 1...Limits.maxFeatures)
        case let .convResidual(i, o, stride):
            return outside("the input channels", i, 1...Limits.maxFeatures) ?? outside("the output channels", o, 1...Limits.maxFeatures)
                ?? outside("the stride", stride, 1...4)
        case let .reshape(to):
            return to.count >= 1 && to.count <= 8 && to.allSatisfy({ $0 >= 1 }) ? nil : "the target shape \(to) needs 1...8 sizes, each at least 1"
        case let .dropout(keep): return keep > 0 && keep <= 1 ? nil : "the keep probability \(keep) is outside (0, 1]"
        case .relu, .tanh, .sigmoid, .leakyReLU, .elu: return nil
        }
    }
}

extension Architecture {
    /// Walks one example's shape through the layers.
    /// - Returns: every layer's output size (elements per example), or a description of the first
    ///   layer whose input does not fit (the sizes a checkpoint stores must agree with each other).
    func activationSizes() -> Result<[Int], TrainerError> {
        var shape = [inputFeatures]
        var sizes: [Int] = []
        for (index, layer) in layers.enumerated() {
            func mismatch(_ expected: String) -> Result<[Int], TrainerError> {
                .failure(TrainerError("layer \(index) (\(layer)) expects \(expected), but the layer before gives \(shape)"))
            }
            // A layer's own sizes are checked first, so an edited size is named as such (not as
            // a mismatch with the layer before).
            if let problem = layer.sizeProblem {
                return .failure(TrainerError("layer \(index) (\(layer)): \(problem)"))
            }
            switch layer {
            case let .dense(i, o):
                guard shape == [i], o >= 1 else { return mismatch("[\(i)]") }
                shape = [o]
            case let .batchNorm(d):
                guard shape == [d] else { return mismatch("[\(d)]") }
            case let .spatialBatchNorm(c):
                guard shape.count == 3, shape[2] == c else { return mismatch("[H, W, \(c)]") }
            case let .conv(k, i, o, p):
                guard shape.count == 3, shape[2] == i, k >= 1, o >= 1, p >= 0, k <= 64, p <= 64 else { return mismatch("[H, W, \(i)]") }
                let h = shape[0] + 2 * p - k + 1, w = shape[1] + 2 * p - k + 1
                guard h >= 1, w >= 1 else { return mismatch("an image of at least \(k)x\(k) after padding") }
                shape = [h, w, o]
            case let .maxPool(size):
                guard shape.count == 3, size >= 1, shape[0] >= size, shape[1] >= size else { return mismatch("[H ≥ \(size), W ≥ \(size), C]") }
                shape = [shape[0] / size, shape[1] / size, shape[2]]
            case let .reshape(to):
                guard to.allSatisfy({ $0 >= 1 }), let size = Limits.product(to), Limits.product(shape) == size else {
                    return mismatch("\(Limits.product(to) ?? -1) elements")
                }
                shape = to
            case let .residual(d, h):
                guard shape == [d], h >= 1 else { return mismatch("[\(d)]") }
            case let .convResidual(i, o, stride):
                // 3x3 convolutions with padding 1: ⌈H/stride⌉ x ⌈W/stride⌉.
                guard shape.count == 3, shape[2] == i, o >= 1, (1...4).contains(stride) else { return mismatch("[H, W, \(i)]") }
                shape = [(shape[0] + stride - 1) / stride, (shape[1] + stride - 1) / stride, o]
            case let .averagePool(size):
                guard shape.count == 3, size >= 1, shape[0] >= size, shape[1] >= size else { return mismatch("[H ≥ \(size), W ≥ \(size), C]") }
                shape = [shape[0] / size, shape[1] / size, shape[2]]
            case let .dropout(keep):
                guard keep > 0, keep <= 1 else { return .failure(TrainerError("layer \(index) (\(layer)) has a keep probability outside (0, 1]")) }
            case .relu, .tanh, .sigmoid, .leakyReLU, .elu:
                break
            }
            guard let size = Limits.product(shape), size <= Limits.maxFeatures * 64 else {
                return .failure(TrainerError("layer \(index) (\(layer)) would output \(shape) per example, beyond the trainer's limits"))
            }
            sizes.append(size)
        }
        let outputs = loss == .sigmoid ? 1 : classes
        guard shape == [outputs] else {
            return .failure(TrainerError("the last layer gives \(shape) per example, but the \(loss) output needs [\(outputs)]"))
        }
        return .success(sizes)
    }
}

/// The memory a run would need, estimated before anything is allocated, against ``Limits/memoryBudget``.
enum MemoryBudget {
    /// Bytes: the parameters live in the network, the best copy, the gradients, the checkpoint's
    /// encoding (each group once more) and up to two optimizer states; each layer's output exists a
    /// few times during a step (output, cache, gradient), for a batch (or 256 rows when evaluating).
    static func estimate(_ architecture: Architecture, batchSize: Int, optimizer: OptimizerKind) -> Double? {
        guard case let .success(sizes) = architecture.activationSizes() else { return nil }
        var parameters = 0.0
        for shapes in architecture.parameterShapes {
            for shape in shapes { parameters += Double(Limits.product(shape) ?? Int.max) }
        }
        let states = optimizer == .adam ? 2.0 : optimizer == .momentum ? 1 : 0
        let activations = Double(sizes.reduce(0, +)) * Double(max(batchSize, 256))
        return 8 * (parameters * (6 + 2 * states) + 4 * activations)
    }

    /// - Throws: ``UsageError`` naming the options to lower when the estimate exceeds the budget.
    static func check(_ architecture: Architecture, configuration: TrainingConfiguration) throws {
        if case let .failure(error) = architecture.activationSizes() { throw error }
        guard let bytes = estimate(architecture, batchSize: configuration.batchSize, optimizer: configuration.optimizer),
              bytes <= Double(Limits.memoryBudget) else {
            let options = switch configuration.model {
            case "cnn": "--channels, --conv-layers or --batch-size"
            case "resnet": "--hidden, --blocks or --batch-size"
            case "notes": "--batch-size"
            default: "--hidden or --batch-size"
            }
            let need = estimate(architecture, batchSize: configuration.batchSize, optimizer: configuration.optimizer).map { Limits.bytes($0) } ?? "more than any machine has"
            throw UsageError("this model would need about \(need) of memory, over the trainer's budget of \(Limits.bytes(Double(Limits.memoryBudget))); lower \(options)")
        }
    }
}

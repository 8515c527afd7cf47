// Chapter 15 · Networks — where batch norm goes (notes 002, 004)
//
// Shapes: a new batch norm layer's gamma, beta, runningMean and runningVariance are `[W]`, W the
// width of the activations it normalizes (the preceding dense layer's outputs, or the inputs).
//
// Guide and hints: Exercises/15-Networks/GUIDE.md, or `swift run workbook hint BNPlacement1`.
import WorkbookCore

/// Inserts fresh batch norm layers (gamma 1, beta 0, running mean 0, running variance 1) into a
/// network of dense layers and activations:
///
///     .beforeActivation   every dense layer directly followed by an activation (relu, tanh, sigmoid,
///                         leakyReLU, elu)
///                         gets a batch norm between the two:   dense → BN → activation
///     .afterActivation    every such activation gets a batch norm after it:   dense → activation → BN
///     .inputs             one batch norm of width `inputs` before the first layer
///
/// Nothing else moves: the output layer (a dense layer without an activation after it) gets no batch
/// norm, and dropout layers stay where they are.
///
/// - Parameters:
///   - layers: the network without batch norm.
///   - placement: where to insert.
///   - inputs: the number of input features D (used by `.inputs`).
/// - Returns: the network with batch norm inserted.
/// - Throws: ``ArgumentError`` if `layers` already holds a batch norm layer or `inputs < 1`.
public func insertBatchNorm(into layers: [NetworkLayer], placement: BatchNormPosition, inputs: Int) throws -> [NetworkLayer] {
    // TODO(BNPlacement1): walk the layers; insert a fresh batch norm of the right width where the placement says.
    // START BNPlacement1
    guard inputs >= 1 else {
        throw ArgumentError(operation: "insertBatchNorm", detail: "inputs must be ≥ 1, got \(inputs)")
    }
    if layers.contains(where: { if case .batchNorm = $0 { true } else { false } }) {
        throw ArgumentError(operation: "insertBatchNorm", detail: "the network already has batch norm")
    }
    func fresh(_ width: Int) -> NetworkLayer {
        .batchNorm(gamma: Tensor(repeating: 1, shape: [width]), beta: Tensor(zeros: [width]),
                   runningMean: Tensor(zeros: [width]), runningVariance: Tensor(repeating: 1, shape: [width]))
    }
    func isActivation(_ layer: NetworkLayer) -> Bool {
        switch layer {
        case .relu, .tanh, .sigmoid, .leakyReLU, .elu: true
        default: false
        }
    }
    if placement == .inputs { return [fresh(inputs)] + layers }
    var result: [NetworkLayer] = []
    var index = 0
    while index < layers.count {
        let layer = layers[index]
        result.append(layer)
        // A dense layer followed by an activation: emit the pair with a batch norm of the dense
        // layer's output width before or after the activation.
        if case let .dense(weight, _) = layer, index + 1 < layers.count, isActivation(layers[index + 1]) {
            let width = weight.shape[weight.rank - 1]
            if placement == .beforeActivation {
                result += [fresh(width), layers[index + 1]]
            } else {
                result += [layers[index + 1], fresh(width)]
            }
            index += 2
        } else {
            index += 1
        }
    }
    return result
    // END BNPlacement1
}

// Chapter 14 · Architectures — counting parameters
//
// A parameter is a number the optimizer learns: a weight or a bias, or batch normalization's γ
// and β. Running statistics (BN's mean and variance) and hyperparameters (kernel size, stride,
// keep probability) are not parameters. Shapes of the weights, per layer:
//   convolution `[K, K, C_in, C_out]` plus bias `[C_out]`;  dense `[D, M]` plus bias `[M]`;
//   batch norm γ `[C]` and β `[C]`;  pooling, ReLU, dropout, flatten: nothing.
//
// Guide and hints: Exercises/14-Architectures/GUIDE.md, or `swift run workbook hint Architecture1`.
import WorkbookCore

/// The number of learned parameters of one layer (for a residual block: of both its branches).
///
///     convolution: K·K·C_in·C_out (+ C_out with bias)
///     dense:       D·M (+ M with bias)
///     batch norm:  2·C (γ and β)
///
/// - Parameter layer: the layer.
/// - Returns: its parameter count.
/// - Throws: ``ArgumentError`` if a size, stride or count in the description is not positive
///   (padding may be 0).
public func parameterCount(of layer: LayerDescription) throws -> Int {
    // TODO(Architecture1): count weights and biases per layer type; a residual block counts both branches.
    // START Architecture1
    func positive(_ values: Int...) throws {
        guard values.allSatisfy({ $0 > 0 }) else {
            throw ArgumentError(operation: "parameterCount(of: \(layer))", detail: "sizes must be positive")
        }
    }
    switch layer {
    case let .convolution(k, cIn, cOut, stride, padding, bias):
        try positive(k, cIn, cOut, stride)
        guard padding >= 0 else {
            throw ArgumentError(operation: "parameterCount(of: \(layer))", detail: "padding must not be negative")
        }
        // One K x K x C_in filter per output channel: the count does not depend on the image size
        // (weight sharing), nor on stride or padding.
        return k * k * cIn * cOut + (bias ? cOut : 0)
    case let .batchNorm(channels):
        try positive(channels)
        // γ and β per channel; the running mean and variance are not learned by gradient descent.
        return 2 * channels
    case let .dense(inputs, outputs, bias):
        try positive(inputs, outputs)
        return inputs * outputs + (bias ? outputs : 0)
    case let .maxPool(size, stride, _), let .averagePool(size, stride, _):
        try positive(size, stride)
        return 0
    case let .adaptiveAveragePool(outputSize):
        try positive(outputSize)
        return 0
    case .relu, .dropout, .flatten:
        return 0
    case let .residual(body, shortcut):
        // The addition itself has no parameters; an identity shortcut (empty) adds nothing.
        return try parameterCount(of: body) + parameterCount(of: shortcut)
    }
    // END Architecture1
}

/// The number of learned parameters of a network: the sum over its layers.
///
/// - Parameter network: the layers in order.
/// - Returns: the total parameter count.
/// - Throws: ``ArgumentError`` as `parameterCount(of:)` does for a single layer.
public func parameterCount(of network: [LayerDescription]) throws -> Int {
    // TODO(Architecture1): add up the layers' counts.
    // START Architecture1
    try network.reduce(0) { $0 + (try parameterCount(of: $1)) }
    // END Architecture1
}

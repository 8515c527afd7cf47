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
    throw NotImplemented("Architecture1")
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
    throw NotImplemented("Architecture1")
    // END Architecture1
}

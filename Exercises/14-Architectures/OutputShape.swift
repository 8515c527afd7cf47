// Chapter 14 · Architectures — following the shape of one example through a network
//
// Shapes are per example (no batch axis): an image `[H, W, C]`, a feature vector `[D]`.
// The output size of a convolution or pooling window of size K, stride S and padding P on a side
// of length H is
//
//     H_out = ⌊(H + 2P − K) / S⌋ + 1
//
// (PyTorch's default: a window that would hang over the padded edge is dropped).
//
// Guide and hints: Exercises/14-Architectures/GUIDE.md, or `swift run workbook hint Architecture2`.
import WorkbookCore

/// The shape one example has after `layer`.
///
/// - Parameters:
///   - layer: the layer.
///   - input: the example's shape before it: `[H, W, C]` for convolution and pooling layers,
///     `[D]` for dense layers, any shape whose last dimension is the channel count for batch norm.
/// - Returns: the example's shape after the layer.
/// - Throws: ``ShapeError`` naming the layer when the input does not fit (wrong rank, channel or
///   feature count, a window larger than the padded input, residual branches of different shapes).
public func outputShape(of layer: LayerDescription, input: [Int]) throws -> [Int] {
    // TODO(Architecture2): apply the output-size formula to convolutions and pools, check channels and features.
    // START Architecture2
    throw NotImplemented("Architecture2")
    // END Architecture2
}

/// The shape one example has after the whole network.
///
/// - Parameters:
///   - network: the layers in order.
///   - input: the example's shape, e.g. `[224, 224, 3]` for ImageNet.
/// - Returns: the example's shape at the end, e.g. `[1000]`.
/// - Throws: ``ShapeError`` from the first layer that does not fit.
public func outputShape(of network: [LayerDescription], input: [Int]) throws -> [Int] {
    // TODO(Architecture2): pass the shape through every layer in turn.
    // START Architecture2
    throw NotImplemented("Architecture2")
    // END Architecture2
}

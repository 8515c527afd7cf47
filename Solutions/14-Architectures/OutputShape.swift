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
    func refuse(_ detail: String) -> ShapeError {
        ShapeError(operation: "outputShape(of: \(layer))", shapes: [input], detail: detail)
    }
    // ⌊(n + 2P − K) / S⌋ + 1, refusing a window that does not fit even once.
    func slide(_ n: Int, _ k: Int, _ s: Int, _ p: Int) throws -> Int {
        guard k > 0, s > 0, p >= 0, n + 2 * p >= k else {
            throw refuse("a \(k)x\(k) window with stride \(s) and padding \(p) does not fit a side of \(n)")
        }
        return (n + 2 * p - k) / s + 1  // integer division floors for non-negative numbers
    }
    switch layer {
    case let .convolution(k, cIn, cOut, stride, padding, _):
        guard input.count == 3 else { throw refuse("a convolution needs an image [H, W, C]") }
        guard input[2] == cIn else { throw refuse("the convolution expects \(cIn) input channels, got \(input[2])") }
        return [try slide(input[0], k, stride, padding), try slide(input[1], k, stride, padding), cOut]
    case let .maxPool(size, stride, padding), let .averagePool(size, stride, padding):
        guard input.count == 3 else { throw refuse("pooling needs an image [H, W, C]") }
        // Pooling works on each channel separately: the channel count stays.
        return [try slide(input[0], size, stride, padding), try slide(input[1], size, stride, padding), input[2]]
    case let .adaptiveAveragePool(outputSize):
        guard input.count == 3, outputSize > 0 else { throw refuse("adaptive pooling needs an image [H, W, C]") }
        return [outputSize, outputSize, input[2]]
    case let .batchNorm(channels):
        guard input.last == channels else { throw refuse("batch norm over \(channels) channels needs them last") }
        return input
    case let .dense(inputs, outputs, _):
        guard input == [inputs] else { throw refuse("a dense layer needs a vector [\(inputs)] (flatten an image first)") }
        return [outputs]
    case .relu, .dropout:
        return input
    case .flatten:
        return [input.reduce(1, *)]
    case let .residual(body, shortcut):
        let main = try outputShape(of: body, input: input)
        let side = try outputShape(of: shortcut, input: input)
        // The sum needs equal shapes: when the body changes the size or the channels, the shortcut
        // must be a projection (a 1x1 convolution with the same stride) to match.
        guard main == side else {
            throw ShapeError(operation: "outputShape(of: residual)", shapes: [main, side],
                             detail: "the body and the shortcut must give the same shape")
        }
        return main
    }
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
    try network.reduce(input) { shape, layer in try outputShape(of: layer, input: shape) }
    // END Architecture2
}

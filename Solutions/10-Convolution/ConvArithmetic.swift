// Chapter 10 · Convolution — arithmetic of stacked convolutions: receptive fields and parameter counts.
//
// No tensors here, only sizes: how many input pixels one output of a stack of convolutions can
// see, and how many numbers a convolution layer learns.
//
// Guide and hints: Exercises/10-Convolution/GUIDE.md, or `swift run workbook hint ConvArithmetic1`.
import WorkbookCore

/// The receptive field of a stack of convolutions: the side of the square of input pixels that
/// one output pixel of the last layer depends on.
///
/// Walking the layers from the input, with `r` the receptive field so far and `j` the distance in
/// input pixels between neighbouring outputs of the current layer ("jump"):
///
///     r₀ = 1, j₀ = 1
///     r_l = r_{l−1} + D_l·(K_l − 1)·j_{l−1}
///     j_l = j_{l−1}·S_l
///
/// Padding moves the field but does not change its size.
///
/// - Parameters:
///   - kernelSizes: `K_l` for each layer, input side first (square kernels).
///   - configurations: each layer's stride and dilation, the same count as `kernelSizes`.
/// - Returns: the receptive field's side in input pixels (1 for an empty stack).
/// - Throws: ``ShapeError`` if the counts differ or a size, stride or dilation is below 1.
public func receptiveFieldSize(kernelSizes: [Int], configurations: [Conv2DConfiguration]) throws -> Int {
    // TODO(ConvArithmetic1): grow the field layer by layer; remember how far apart outputs are.
    // START ConvArithmetic1
    guard kernelSizes.count == configurations.count else {
        throw ShapeError(operation: "receptiveFieldSize", shapes: [[kernelSizes.count], [configurations.count]],
                         detail: "needs one configuration per kernel size")
    }
    var field = 1   // one output pixel of "no layer" is one input pixel
    var jump = 1    // neighbouring outputs of the current layer are `jump` input pixels apart
    for (k, configuration) in zip(kernelSizes, configurations) {
        guard k >= 1, configuration.stride >= 1, configuration.dilation >= 1 else {
            throw ShapeError(operation: "receptiveFieldSize", shapes: [[k]],
                             detail: "kernel size, stride and dilation must be ≥ 1 (got \(configuration))")
        }
        // The kernel's outermost taps are D·(K − 1) positions of the previous layer apart, and
        // each of those positions is `jump` input pixels from the next.
        field += configuration.dilation * (k - 1) * jump
        jump *= configuration.stride
    }
    return field
    // END ConvArithmetic1
}

/// The number of learned numbers in one convolution layer: one `KH x KW x Cin` kernel per output
/// channel, plus one bias per output channel.
///
///     KH·KW·Cin·Cout + Cout   (without bias: KH·KW·Cin·Cout)
///
/// The image size does not appear: the same kernels are applied at every position (weight sharing).
///
/// - Parameters:
///   - kernelHeight: `KH`; `kernelWidth`: `KW`.
///   - inputChannels: `Cin`; `outputChannels`: `Cout`.
///   - includesBias: whether the layer has a bias (layers followed by batch norm often do not).
/// - Throws: ``ShapeError`` if a size is below 1.
public func conv2dParameterCount(
    kernelHeight: Int, kernelWidth: Int, inputChannels: Int, outputChannels: Int, includesBias: Bool = true
) throws -> Int {
    // TODO(ConvArithmetic2): count the kernels' weights, then the biases.
    // START ConvArithmetic2
    guard kernelHeight >= 1, kernelWidth >= 1, inputChannels >= 1, outputChannels >= 1 else {
        throw ShapeError(operation: "conv2dParameterCount", shapes: [[kernelHeight, kernelWidth, inputChannels, outputChannels]],
                         detail: "every size must be ≥ 1")
    }
    let weights = kernelHeight * kernelWidth * inputChannels * outputChannels
    return weights + (includesBias ? outputChannels : 0)
    // END ConvArithmetic2
}

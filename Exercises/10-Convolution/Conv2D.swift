// Chapter 10 · Convolution — the 2-D convolution layer, forward and backward, through im2col.
//
// Shapes (NHWC, as the notes write tensors; CS231n uses NCHW, so transpose its figures):
//   x       [N, H, W, Cin]      a batch of N images with Cin channels
//   weight  [KH, KW, Cin, Cout] one KH x KW x Cin kernel per output channel
//   bias    [Cout]
//   out     [N, Ho, Wo, Cout]   Ho = ⌊(H + 2P − D·(KH − 1) − 1) / S⌋ + 1, likewise Wo
//   columns [N·Ho·Wo, KH·KW·Cin] one row per output pixel: the input patch that pixel sees
//
// The layer computes a cross-correlation, as every deep-learning library does (the kernel is not
// flipped):
//
//     out[n, i, j, o] = bias[o] + Σ_{a, b, c} xpad[n, i·S + a·D, j·S + b·D, c] · weight[a, b, c, o]
//
// where xpad is x with P rows and columns of zeros on every side.
//
// Guide and hints: Exercises/10-Convolution/GUIDE.md, or `swift run workbook hint Conv1`.
import WorkbookCore

/// The output size of a convolution along one spatial axis:
///
///     Ho = ⌊(H + 2P − D·(K − 1) − 1) / S⌋ + 1
///
/// When the kernel does not fit a whole number of strides, the last partial step is dropped (the
/// floor), as in PyTorch and TensorFlow's "VALID" padding.
///
/// - Parameters:
///   - inputSize: `H` (or `W`), at least 1.
///   - kernelSize: `K`, at least 1.
///   - configuration: stride `S` ≥ 1, padding `P` ≥ 0 and dilation `D` ≥ 1.
/// - Returns: `Ho`, at least 1.
/// - Throws: ``ShapeError`` if a size or setting is out of range, or if the dilated kernel
///   `D·(K − 1) + 1` is larger than the padded input `H + 2P`.
public func convOutputSize(inputSize: Int, kernelSize: Int, configuration: Conv2DConfiguration) throws -> Int {
    // TODO(Conv1): check the arguments, then apply the output-size formula.
    // START Conv1
    throw NotImplemented("Conv1")
    // END Conv1
}

/// Unrolls every receptive field of a batch of images into one row of a matrix ("im2col").
///
/// Row `(n·Ho + i)·Wo + j` holds the patch that output pixel `(n, i, j)` sees, read in the order
/// of the kernel's axes `(a, b, c)`: column `(a·KW + b)·Cin + c` is
/// `xpad[n, i·S + a·D, j·S + b·D, c]`, and positions in the zero padding give 0. A convolution is
/// then one matrix product, `columns · weight.reshaped([KH·KW·Cin, Cout])`.
///
/// - Parameters:
///   - x: the images, `[N, H, W, Cin]`.
///   - kernelHeight: `KH`; `kernelWidth`: `KW`.
///   - configuration: stride, padding and dilation.
/// - Returns: `columns`, `[N·Ho·Wo, KH·KW·Cin]`.
/// - Throws: ``ShapeError`` if `x` is not rank 4 or the kernel does not fit.
/// - Complexity: O(N·Ho·Wo·KH·KW·Cin) time and memory.
public func im2col(_ x: Tensor, kernelHeight: Int, kernelWidth: Int, configuration: Conv2DConfiguration) throws -> Tensor {
    // TODO(Conv2): one row per output pixel, one column per kernel tap (a, b, c); zeros for padding.
    // START Conv2
    throw NotImplemented("Conv2")
    // END Conv2
}

/// The adjoint of `im2col` ("col2im"): adds every entry of `columns` back onto the input pixel
/// it was copied from, dropping the entries that came from the zero padding.
///
/// A pixel that lies in several receptive fields was copied several times, so it receives the sum
/// of all its copies. This is exactly the backward pass of `im2col`: if `columns = im2col(x)`,
/// then `dx = col2im(dcolumns)`.
///
/// - Parameters:
///   - columns: `[N·Ho·Wo, KH·KW·Cin]`, laid out as `im2col` lays it out.
///   - inputShape: `[N, H, W, Cin]`, the shape of the images `im2col` read.
///   - kernelHeight: `KH`; `kernelWidth`: `KW`.
///   - configuration: stride, padding and dilation.
/// - Returns: `[N, H, W, Cin]`.
/// - Throws: ``ShapeError`` if `columns` does not have the shape `im2col` would give.
/// - Complexity: O(N·Ho·Wo·KH·KW·Cin).
public func col2im(
    _ columns: Tensor, inputShape: [Int], kernelHeight: Int, kernelWidth: Int, configuration: Conv2DConfiguration
) throws -> Tensor {
    // TODO(Conv4): walk the same loops as im2col, but add into the image instead of copying out.
    // START Conv4
    throw NotImplemented("Conv4")
    // END Conv4
}

/// The forward pass of a 2-D convolution layer (a cross-correlation: the kernel is not flipped).
///
///     out[n, i, j, o] = bias[o] + Σ_{a, b, c} xpad[n, i·S + a·D, j·S + b·D, c] · weight[a, b, c, o]
///
/// - Parameters:
///   - x: the images, `[N, H, W, Cin]`.
///   - weight: the kernels, `[KH, KW, Cin, Cout]`.
///   - bias: one number per output channel, `[Cout]`.
///   - configuration: stride, zero padding and dilation, the same along height and width.
/// - Returns: `out`, `[N, Ho, Wo, Cout]`, and the cache `conv2dBackward` needs.
/// - Throws: ``ShapeError`` if the shapes do not fit together or the kernel does not fit the input.
/// - Complexity: O(N·Ho·Wo·KH·KW·Cin·Cout).
/// - Note: The cache is `Conv2DCache(x:weight:configuration:columns:)`, from `Sources/WorkbookCore/Caches/ConvolutionCaches.swift`: `x` (Tensor); `weight` (Tensor); `configuration` (Conv2DConfiguration); `columns` (Tensor?).
public func conv2dForward(
    _ x: Tensor, weight: Tensor, bias: Tensor, configuration: Conv2DConfiguration
) throws -> (out: Tensor, cache: Conv2DCache) {
    // TODO(Conv3): check the shapes, unroll x with im2col, multiply by the reshaped weight, add the bias.
    // START Conv3
    throw NotImplemented("Conv3")
    // END Conv3
}

/// The backward pass of `conv2dForward`.
///
/// With `columns = im2col(x)` and `W = weight.reshaped([KH·KW·Cin, Cout])`, the forward pass was
/// `out = columns · W + bias`, so, writing `G = dout.reshaped([N·Ho·Wo, Cout])`:
///
///     dW       = columnsᵀ · G          (each weight met every patch it was applied to)
///     db       = Σ over rows of G      (each bias was added to every output pixel of its channel)
///     dcolumns = G · Wᵀ, dx = col2im(dcolumns)
///
/// - Parameters:
///   - dout: the upstream gradient `∂L/∂out`, `[N, Ho, Wo, Cout]`.
///   - cache: what `conv2dForward` kept.
/// - Returns: `dx` `[N, H, W, Cin]`, `dw` `[KH, KW, Cin, Cout]`, `db` `[Cout]`.
/// - Throws: ``ShapeError`` if `dout` does not have the forward output's shape.
public func conv2dBackward(_ dout: Tensor, cache: Conv2DCache) throws -> (dx: Tensor, dw: Tensor, db: Tensor) {
    // TODO(Conv5): rebuild the columns, then dW = columnsᵀ·G, db = row sums of G, dx = col2im(G·Wᵀ).
    // START Conv5
    throw NotImplemented("Conv5")
    // END Conv5
}

// Chapter 0 · Tensor basics — shapes, reshaping and the order of axes
//
// Shapes (one legend for the chapter):
//   N  examples in a batch          D  features of one example
//   H, W  the height and width of an image, in pixels     C  channels (3 for RGB)
//   a batch of vectors is `[N, D]`; a batch of images is `[N, H, W, C]` (NHWC, as the notes write
//   tensors; CS231n and PyTorch use NCHW)
//
// Guide (also the Tensor cheat sheet) and hints: Exercises/00-TensorBasics/GUIDE.md, or
// `swift run workbook hint Shapes1`.
import WorkbookCore

/// Flattens every example of a batch into one row: `[N, d1, d2, …]` becomes `[N, d1·d2·…]`.
///
/// This is what sits between the last convolution and the first dense layer: an image
/// `[N, H, W, C]` becomes `[N, H·W·C]`. The elements keep their row-major order, so nothing is
/// copied or moved, only read with another shape. A batch of numbers `[N]` becomes `[N, 1]`.
///
/// - Parameter x: a batch, `[N, …]` (rank at least 1; N may be 0).
/// - Returns: `[N, D]` with `D` the product of the other dimensions.
/// - Throws: ``ShapeError`` if `x` is a scalar (rank 0): it has no batch axis.
/// - Complexity: O(N·D) for the copy of the elements.
public func flattenBatch(_ x: Tensor) throws -> Tensor {
    // TODO(Shapes1): keep the first dimension, multiply the others together, reshape.
    // START Shapes1
    throw NotImplemented("Shapes1")
    // END Shapes1
}

/// Reorders a batch of images from NHWC (the notes, this workbook) to NCHW (CS231n, PyTorch).
///
///     out[n, c, h, w] = images[n, h, w, c]
///
/// Unlike a reshape, this moves elements: in NHWC the channels of one pixel sit side by side, in
/// NCHW each channel is a whole `H x W` plane.
///
/// - Parameter images: `[N, H, W, C]`.
/// - Returns: `[N, C, H, W]`.
/// - Throws: ``ShapeError`` if `images` is not rank 4.
/// - Complexity: O(N·H·W·C).
public func channelsFirst(_ images: Tensor) throws -> Tensor {
    // TODO(Shapes2): result axis i is input axis axes[i]; which input axis comes second?
    // START Shapes2
    throw NotImplemented("Shapes2")
    // END Shapes2
}

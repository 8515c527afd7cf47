// Chapter 10 · Convolution — max pooling and average pooling, forward and backward.
//
// Shapes (NHWC; CS231n uses NCHW):
//   x    [N, H, W, C]
//   out  [N, Ho, Wo, C]   Ho = ⌊(H − size) / stride⌋ + 1, likewise Wo
// Pooling acts on every channel separately and has no parameters. Windows have no padding; when
// they do not tile the image exactly, the leftover rows and columns at the bottom and right are
// never read (the floor), as in PyTorch's default.
//
// Guide and hints: Exercises/10-Convolution/GUIDE.md, or `swift run workbook hint Pool1`.
import WorkbookCore

/// The output size of pooling along one axis, `⌊(inputSize − size) / stride⌋ + 1`.
///
/// Shared by the pooling exercises; it is given, not graded.
/// - Throws: ``ShapeError`` if the window or stride is below 1 or the window is larger than the input.
public func poolOutputSize(inputSize: Int, configuration: Pool2DConfiguration) throws -> Int {
    guard configuration.size >= 1, configuration.stride >= 1, inputSize >= configuration.size else {
        throw ShapeError(operation: "poolOutputSize", shapes: [[inputSize]],
                         detail: "needs size ≥ 1, stride ≥ 1 and an input at least as large as the window (got \(configuration))")
    }
    return (inputSize - configuration.size) / configuration.stride + 1
}

/// Max pooling: each output is the largest value in its `size x size` window, channel by channel.
///
///     out[n, i, j, c] = max over 0 ≤ a, b < size of x[n, i·stride + a, j·stride + b, c]
///
/// - Parameters:
///   - x: the feature maps, `[N, H, W, C]`.
///   - configuration: window size and stride.
/// - Returns: `out`, `[N, Ho, Wo, C]`, and the cache `maxPoolBackward` needs.
/// - Throws: ``ShapeError`` if `x` is not rank 4 or the window does not fit.
/// - Complexity: O(N·Ho·Wo·C·size²).
/// - Note: The cache is `MaxPoolCache(x:configuration:)`, from `Sources/WorkbookCore/Caches/ConvolutionCaches.swift`: `x` (Tensor); `configuration` (Pool2DConfiguration).
public func maxPoolForward(_ x: Tensor, configuration: Pool2DConfiguration) throws -> (out: Tensor, cache: MaxPoolCache) {
    // TODO(Pool1): for every image, output position and channel, take the maximum over the window.
    // START Pool1
    throw NotImplemented("Pool1")
    // END Pool1
}

/// The backward pass of max pooling: each window's upstream gradient goes to the position of its
/// maximum; every other input gets nothing from that window.
///
/// Ties: when several entries of a window share the maximum, the **first** in row-major order
/// (smallest row, then smallest column) receives the gradient, as in PyTorch. When windows overlap
/// (stride < size), an input that is the maximum of several windows collects all their gradients.
///
/// - Parameters:
///   - dout: the upstream gradient, `[N, Ho, Wo, C]`.
///   - cache: what `maxPoolForward` kept.
/// - Returns: `dx`, `[N, H, W, C]`.
/// - Throws: ``ShapeError`` if `dout` does not have the forward output's shape.
public func maxPoolBackward(_ dout: Tensor, cache: MaxPoolCache) throws -> Tensor {
    // TODO(Pool2): find each window's (first) maximum again and route that window's gradient to it.
    // START Pool2
    throw NotImplemented("Pool2")
    // END Pool2
}

/// Average pooling: each output is the mean of its `size x size` window, channel by channel.
///
///     out[n, i, j, c] = (1 / size²) · Σ_{0 ≤ a, b < size} x[n, i·stride + a, j·stride + b, c]
///
/// - Parameters:
///   - x: the feature maps, `[N, H, W, C]`.
///   - configuration: window size and stride.
/// - Returns: `out`, `[N, Ho, Wo, C]`, and the cache `averagePoolBackward` needs.
/// - Throws: ``ShapeError`` if `x` is not rank 4 or the window does not fit.
/// - Note: The cache is `AveragePoolCache(inputShape:configuration:)`, from `Sources/WorkbookCore/Caches/ConvolutionCaches.swift`: `inputShape` ([Int]); `configuration` (Pool2DConfiguration).
public func averagePoolForward(_ x: Tensor, configuration: Pool2DConfiguration) throws -> (out: Tensor, cache: AveragePoolCache) {
    // TODO(Pool3): like max pooling, but the mean of the window instead of its maximum.
    // START Pool3
    throw NotImplemented("Pool3")
    // END Pool3
}

/// The backward pass of average pooling: every input of a window gets `1 / size²` of that window's
/// upstream gradient (summed over all windows that contain it when they overlap).
///
/// - Parameters:
///   - dout: the upstream gradient, `[N, Ho, Wo, C]`.
///   - cache: what `averagePoolForward` kept.
/// - Returns: `dx`, `[N, H, W, C]`.
/// - Throws: ``ShapeError`` if `dout` does not have the forward output's shape.
public func averagePoolBackward(_ dout: Tensor, cache: AveragePoolCache) throws -> Tensor {
    // TODO(Pool4): spread each window's gradient evenly over the window.
    // START Pool4
    throw NotImplemented("Pool4")
    // END Pool4
}

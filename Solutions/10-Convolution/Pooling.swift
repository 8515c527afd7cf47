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
    try requireShape(x, [-1, -1, -1, -1], "maxPoolForward x [N, H, W, C]")
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let ho = try poolOutputSize(inputSize: h, configuration: configuration)
    let wo = try poolOutputSize(inputSize: w, configuration: configuration)
    let (size, stride) = (configuration.size, configuration.stride)
    var out = [Double](repeating: -.infinity, count: n * ho * wo * c)
    // Raw pointers and wrapping index arithmetic (&+, &*: no overflow checks; every index is below
    // x.count): the reference trainer pools every batch, and Tensor subscripts check bounds.
    x.withUnsafeBufferPointer { sourceBuffer in
        out.withUnsafeMutableBufferPointer { targetBuffer in
            guard let source = sourceBuffer.baseAddress, let target = targetBuffer.baseAddress else { return }
            var to = target                                     // output pixel (image, i, j), C channels
            for image in 0..<n {
                for i in 0..<ho {
                    for j in 0..<wo {
                        for a in 0..<size {
                            let inputRow = source + ((image &* h &+ i &* stride &+ a) &* w &+ j &* stride) &* c
                            for b in 0..<size {
                                // The C channels of a pixel are contiguous in NHWC: update them together.
                                let from = inputRow + b &* c
                                var channel = 0
                                while channel < c {
                                    to[channel] = Swift.max(to[channel], from[channel])
                                    channel &+= 1
                                }
                            }
                        }
                        to += c
                    }
                }
            }
        }
    }
    return (try Tensor(shape: [n, ho, wo, c], scalars: out), MaxPoolCache(x: x, configuration: configuration))
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
    let x = cache.x
    try requireShape(x, [-1, -1, -1, -1], "maxPoolBackward cache.x [N, H, W, C]")
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let ho = try poolOutputSize(inputSize: h, configuration: cache.configuration)
    let wo = try poolOutputSize(inputSize: w, configuration: cache.configuration)
    try requireShape(dout, [n, ho, wo, c], "maxPoolBackward dout [N, Ho, Wo, C]")
    let (size, stride) = (cache.configuration.size, cache.configuration.stride)
    var dx = [Double](repeating: 0, count: x.count)
    x.withUnsafeBufferPointer { sourceBuffer in
        dout.withUnsafeBufferPointer { upstreamBuffer in
            dx.withUnsafeMutableBufferPointer { targetBuffer in
                guard let source = sourceBuffer.baseAddress, let upstream = upstreamBuffer.baseAddress,
                      let target = targetBuffer.baseAddress else { return }
                var gradient = upstream                          // dout at (image, i, j), C channels
                for image in 0..<n {
                    for i in 0..<ho {
                        for j in 0..<wo {
                            let corner = ((image &* h &+ i &* stride) &* w &+ j &* stride) &* c
                            for channel in 0..<c {
                                // Scan the window in row-major order; the strict `>` keeps the
                                // first maximum when entries tie.
                                var best = corner &+ channel
                                var bestValue = source[best]
                                for a in 0..<size {
                                    var at = corner &+ a &* w &* c &+ channel
                                    for _ in 0..<size {
                                        if source[at] > bestValue { bestValue = source[at]; best = at }
                                        at &+= c
                                    }
                                }
                                // `+=`: with overlapping windows one input can win several of them.
                                target[best] += gradient[channel]
                            }
                            gradient += c
                        }
                    }
                }
            }
        }
    }
    return try Tensor(shape: x.shape, scalars: dx)
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
    try requireShape(x, [-1, -1, -1, -1], "averagePoolForward x [N, H, W, C]")
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let ho = try poolOutputSize(inputSize: h, configuration: configuration)
    let wo = try poolOutputSize(inputSize: w, configuration: configuration)
    let (size, stride) = (configuration.size, configuration.stride)
    let scale = 1 / Double(size * size)
    var out = [Double](repeating: 0, count: n * ho * wo * c)
    x.withUnsafeBufferPointer { source in
        out.withUnsafeMutableBufferPointer { target in
            for image in 0..<n {
                for i in 0..<ho {
                    for j in 0..<wo {
                        let to = ((image * ho + i) * wo + j) * c
                        for a in 0..<size {
                            for b in 0..<size {
                                let from = ((image * h + i * stride + a) * w + j * stride + b) * c
                                for channel in 0..<c { target[to + channel] += scale * source[from + channel] }
                            }
                        }
                    }
                }
            }
        }
    }
    return (try Tensor(shape: [n, ho, wo, c], scalars: out),
            AveragePoolCache(inputShape: x.shape, configuration: configuration))
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
    let shape = cache.inputShape
    guard shape.count == 4, shape.allSatisfy({ $0 >= 0 }) else {
        throw ShapeError(operation: "averagePoolBackward", shapes: [shape], detail: "cache.inputShape must be [N, H, W, C]")
    }
    let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
    let ho = try poolOutputSize(inputSize: h, configuration: cache.configuration)
    let wo = try poolOutputSize(inputSize: w, configuration: cache.configuration)
    try requireShape(dout, [n, ho, wo, c], "averagePoolBackward dout [N, Ho, Wo, C]")
    let (size, stride) = (cache.configuration.size, cache.configuration.stride)
    // ∂out/∂x is 1/size² for each input in the window, whatever the values were.
    let scale = 1 / Double(size * size)
    var dx = [Double](repeating: 0, count: n * h * w * c)
    dout.withUnsafeBufferPointer { upstream in
        dx.withUnsafeMutableBufferPointer { target in
            for image in 0..<n {
                for i in 0..<ho {
                    for j in 0..<wo {
                        let from = ((image * ho + i) * wo + j) * c
                        for a in 0..<size {
                            for b in 0..<size {
                                let to = ((image * h + i * stride + a) * w + j * stride + b) * c
                                for channel in 0..<c { target[to + channel] += scale * upstream[from + channel] }
                            }
                        }
                    }
                }
            }
        }
    }
    return try Tensor(shape: shape, scalars: dx)
    // END Pool4
}

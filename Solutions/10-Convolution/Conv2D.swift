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
    let (s, p, d) = (configuration.stride, configuration.padding, configuration.dilation)
    guard inputSize >= 1, kernelSize >= 1, s >= 1, p >= 0, d >= 1 else {
        throw ShapeError(operation: "convOutputSize", shapes: [[inputSize], [kernelSize]],
                         detail: "needs input and kernel sizes ≥ 1, stride ≥ 1, padding ≥ 0, dilation ≥ 1 (got \(configuration))")
    }
    // A dilated kernel spans D·(K − 1) + 1 pixels: K taps with D − 1 gaps of skipped pixels between them.
    let span = d * (kernelSize - 1) + 1
    let padded = inputSize + 2 * p
    guard span <= padded else {
        throw ShapeError(operation: "convOutputSize", shapes: [[inputSize], [kernelSize]],
                         detail: "the kernel spans \(span) pixels but the padded input has only \(padded)")
    }
    // The first window starts at 0, the last may start at padded − span; count the starts S apart.
    // Integer division of non-negative numbers is the floor.
    return (padded - span) / s + 1
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
    try requireShape(x, [-1, -1, -1, -1], "im2col x [N, H, W, Cin]")
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let ho = try convOutputSize(inputSize: h, kernelSize: kernelHeight, configuration: configuration)
    let wo = try convOutputSize(inputSize: w, kernelSize: kernelWidth, configuration: configuration)
    let (s, p, d) = (configuration.stride, configuration.padding, configuration.dilation)
    let rowLength = kernelHeight * kernelWidth * c
    // Not zero-filled first: the loop below writes every entry once, the taps that fall in the
    // padding as zeros (zero-filling the whole matrix first would write it twice).
    var columns = [Double](unsafeUninitializedCapacity: n * ho * wo * rowLength) { _, count in count = n * ho * wo * rowLength }
    // Raw pointers instead of Tensor subscripts: this loop runs at every training step of a CNN,
    // and a subscript checks bounds and builds an index array per element. The index arithmetic
    // uses the wrapping operators (&+, &*), which skip the overflow checks: every index here is
    // below x.count or columns.count, far from Int.max. Each image fills only its own rows, so the
    // images can be done at the same time: parallelForEach runs them on the trainer's threads (one
    // unless the trainer sets more; it is a plain loop then).
    x.withUnsafeBufferPointer { sourceBuffer in
        columns.withUnsafeMutableBufferPointer { targetBuffer in
            guard let source = sourceBuffer.baseAddress, let target = targetBuffer.baseAddress else { return }
            parallelForEach(0..<n, work: targetBuffer.count) { image in
                // Each row is written from its first entry to its last, in the column order (a, b, c):
                // one pass over memory, whole cache lines at a time.
                for i in 0..<ho {
                    for j in 0..<wo {
                        let row = target + ((image &* ho &+ i) &* wo &+ j) &* rowLength
                        let left = j &* s &- p                      // input column under tap b = 0
                        // Without dilation, a kernel row that lies inside the image reads KW·Cin
                        // consecutive inputs into KW·Cin consecutive columns: one copy for all its taps.
                        let inside = d == 1 && left >= 0 && left &+ kernelWidth <= w
                        for a in 0..<kernelHeight {
                            let y = i &* s &- p &+ a &* d             // input row under tap a
                            if y < 0 || y >= h {                    // a padding row: taps (a, ·, ·) are 0
                                (row + a &* kernelWidth &* c).update(repeating: 0, count: kernelWidth &* c)
                                continue
                            }
                            let inputRow = source + ((image &* h &+ y) &* w) &* c
                            if inside {
                                let to = row + a &* kernelWidth &* c, from = inputRow + left &* c
                                for k in 0..<(kernelWidth &* c) { to[k] = from[k] }
                                continue
                            }
                            // Tap (a, b) fills columns (a·KW + b)·Cin ..< +Cin; NHWC keeps a pixel's Cin
                            // values contiguous too.
                            for b in 0..<kernelWidth {
                                let to = row + (a &* kernelWidth &+ b) &* c
                                let column = left &+ b &* d         // input column under tap b
                                if column < 0 || column >= w {
                                    to.update(repeating: 0, count: c)
                                } else {
                                    let from = inputRow + column &* c
                                    for channel in 0..<c { to[channel] = from[channel] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return try Tensor(shape: [n * ho * wo, rowLength], scalars: columns)
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
    guard inputShape.count == 4, inputShape.allSatisfy({ $0 >= 0 }) else {
        throw ShapeError(operation: "col2im", shapes: [inputShape], detail: "the input shape must be [N, H, W, Cin]")
    }
    let (n, h, w, c) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
    let ho = try convOutputSize(inputSize: h, kernelSize: kernelHeight, configuration: configuration)
    let wo = try convOutputSize(inputSize: w, kernelSize: kernelWidth, configuration: configuration)
    let rowLength = kernelHeight * kernelWidth * c
    try requireShape(columns, [n * ho * wo, rowLength], "col2im columns [N·Ho·Wo, KH·KW·Cin]")
    let (s, p, d) = (configuration.stride, configuration.padding, configuration.dilation)
    // Each image is zeroed, then added into, by the thread that does it (below).
    var image = [Double](unsafeUninitializedCapacity: n * h * w * c) { _, count in count = n * h * w * c }
    // im2col's copy reversed (raw pointers, wrapping index arithmetic, the images on the trainer's
    // threads: each adds only into its own image), tap by tap, with the outputs j whose tap b lands
    // inside the image worked out once per tap:
    //   j ≥ ⌈(P − b·D) / S⌉   and   j ≤ ⌊(W − 1 + P − b·D) / S⌋.
    func validOutputs(tap b: Int) -> Range<Int> {
        let offset = p - b * d
        let low = offset <= 0 ? 0 : (offset + s - 1) / s
        let last = w - 1 + offset
        let high = last < 0 ? 0 : min(wo, last / s + 1)
        return low..<max(low, high)
    }
    let columnRanges = (0..<kernelWidth).map(validOutputs)
    columns.withUnsafeBufferPointer { sourceBuffer in
        image.withUnsafeMutableBufferPointer { targetBuffer in
            guard let source = sourceBuffer.baseAddress, let target = targetBuffer.baseAddress else { return }
            parallelForEach(0..<n, work: sourceBuffer.count) { sample in
                (target + sample &* h &* w &* c).update(repeating: 0, count: h &* w &* c)
                for i in 0..<ho {
                    let rowBlock = source + ((sample &* ho &+ i) &* wo) &* rowLength
                    for a in 0..<kernelHeight {
                        let y = i &* s &- p &+ a &* d
                        if y < 0 || y >= h { continue }             // came from padding: no pixel to credit
                        let inputRow = target + ((sample &* h &+ y) &* w) &* c
                        for b in 0..<kernelWidth {
                            let tapColumn = rowBlock + (a &* kernelWidth &+ b) &* c
                            for j in columnRanges[b] {
                                let to = inputRow + (j &* s &- p &+ b &* d) &* c
                                let from = tapColumn + j &* rowLength
                                // `+=`, not `=`: overlapping windows each contribute.
                                var channel = 0
                                while channel < c { to[channel] += from[channel]; channel &+= 1 }
                            }
                        }
                    }
                }
            }
        }
    }
    return try Tensor(shape: inputShape, scalars: image)
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
    try requireShape(x, [-1, -1, -1, -1], "conv2dForward x [N, H, W, Cin]")
    try requireShape(weight, [-1, -1, x.shape[3], -1], "conv2dForward weight [KH, KW, Cin, Cout]")
    let (kh, kw, cin, cout) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
    try requireShape(bias, [cout], "conv2dForward bias [Cout]")
    // 1. Gather: every output pixel's receptive field becomes one row, [N·Ho·Wo, KH·KW·Cin].
    let columns = try im2col(x, kernelHeight: kh, kernelWidth: kw, configuration: configuration)
    // 2. Multiply: the weight read row-major as [KH·KW·Cin, Cout] lists the taps in the same (a, b, c)
    //    order as the columns, so each output pixel is a dot product of its row with a kernel.
    //    Weight sharing is visible here: one matrix serves every row, whatever the image size.
    var out = try Tensor.matmul(columns, try weight.reshaped([kh * kw * cin, cout]))
    // 3. The bias: one number per output channel, added to every pixel of that channel (the rows on
    //    the trainer's threads: each adds only into its own row).
    bias.withUnsafeBufferPointer { b in
        out.withUnsafeMutableBufferPointer { o in
            guard let first = o.baseAddress, let b = b.baseAddress else { return }
            parallelForEachRange(0..<(o.count / max(cout, 1)), work: o.count) { pixels in
                for pixel in pixels {
                    let row = first + pixel &* cout
                    var channel = 0
                    while channel < cout { row[channel] += b[channel]; channel &+= 1 }
                }
            }
        }
    }
    // 4. Rows were ordered (n, i, j) and columns are output channels: that already is NHWC.
    let outHeight = try convOutputSize(inputSize: x.shape[1], kernelSize: kh, configuration: configuration)
    let outWidth = try convOutputSize(inputSize: x.shape[2], kernelSize: kw, configuration: configuration)
    // Keeping the columns saves the backward pass a second gather, at the cost of holding up to
    // KH·KW copies of x until then.
    return (try out.reshaped([x.shape[0], outHeight, outWidth, cout]),
            Conv2DCache(x: x, weight: weight, configuration: configuration, columns: columns))
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
    let (x, weight, configuration) = (cache.x, cache.weight, cache.configuration)
    try requireShape(x, [-1, -1, -1, -1], "conv2dBackward cache.x [N, H, W, Cin]")
    try requireShape(weight, [-1, -1, x.shape[3], -1], "conv2dBackward cache.weight [KH, KW, Cin, Cout]")
    let (kh, kw, cin, cout) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
    let ho = try convOutputSize(inputSize: x.shape[1], kernelSize: kh, configuration: configuration)
    let wo = try convOutputSize(inputSize: x.shape[2], kernelSize: kw, configuration: configuration)
    try requireShape(dout, [x.shape[0], ho, wo, cout], "conv2dBackward dout [N, Ho, Wo, Cout]")
    // The forward pass's columns if it kept them (and they fit), else gather them again.
    let rows = x.shape[0] * ho * wo
    let columns = try cache.columns.flatMap { $0.shape == [rows, kh * kw * cin] ? $0 : nil }
        ?? im2col(x, kernelHeight: kh, kernelWidth: kw, configuration: configuration)
    let g = try dout.reshaped([rows, cout])
    let flatWeight = try weight.reshaped([kh * kw * cin, cout])
    // dW: [KH·KW·Cin, N·Ho·Wo] · [N·Ho·Wo, Cout]; matmul reads columnsᵀ in place, without a copy.
    let dw = try Tensor.matmul(columns, g, transposeA: true).reshaped(weight.shape)
    // db: sum G over its rows (all images and all positions); parallelSums adds the rows in 8 fixed
    // blocks on the trainer's threads, then the blocks in order (the same bits on any thread count).
    let biasGradient = g.withUnsafeBufferPointer { gradient in
        parallelSums(0..<rows, width: cout, work: gradient.count) { pixels, total in
            for pixel in pixels {
                for channel in 0..<cout { total[channel] += gradient[pixel &* cout &+ channel] }
            }
        }
    }
    // dx: each patch entry's gradient is Σ_o G[row, o]·W[tap, o]; col2im adds the copies of a pixel.
    let dcolumns = try Tensor.matmul(g, flatWeight, transposeB: true)
    let dx = try col2im(dcolumns, inputShape: x.shape, kernelHeight: kh, kernelWidth: kw, configuration: configuration)
    return (dx, dw, Tensor(biasGradient))
    // END Conv5
}

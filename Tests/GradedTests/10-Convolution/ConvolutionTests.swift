import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let conv1 = Exercise(id: "Conv1", chapter: "10-Convolution", file: "Conv2D.swift", title: "convolution output size", points: 2)
    static let conv2 = Exercise(id: "Conv2", chapter: "10-Convolution", file: "Conv2D.swift", title: "im2col", points: 3)
    static let conv3 = Exercise(id: "Conv3", chapter: "10-Convolution", file: "Conv2D.swift", title: "convolution forward", points: 4)
    static let conv4 = Exercise(id: "Conv4", chapter: "10-Convolution", file: "Conv2D.swift", title: "col2im", points: 3)
    static let conv5 = Exercise(id: "Conv5", chapter: "10-Convolution", file: "Conv2D.swift", title: "convolution backward", points: 5)
}

/// Fixtures and a naive reference for the convolution suites.
enum ConvFixtures {
    /// An NHWC tensor `[1, H, W, C]` from one `H x W` grid per channel.
    static func image(_ channels: [[[Double]]]) throws -> Tensor {
        let (h, w) = (channels[0].count, channels[0][0].count)
        return try Tensor(shape: [1, h, w, channels.count]) { flat in
            let c = flat % channels.count, pixel = flat / channels.count
            return channels[c][pixel / w][pixel % w]
        }.reshaped([1, h, w, channels.count])
    }

    /// One channel of an NHWC tensor as a grid, for literal comparisons.
    static func channel(_ t: Tensor, _ c: Int, image n: Int = 0) throws -> Tensor {
        let (h, w) = (t.shape[1], t.shape[2])
        return try Tensor(shape: [h * w]) { t[n, $0 / w, $0 % w, c] }.reshaped([h, w])
    }

    /// The definition, written as plainly as possible: the reference the fast versions are held to.
    ///
    ///     out[n, i, j, o] = bias[o] + Σ_{a, b, c} xpad[n, i·S + a·D, j·S + b·D, c] · weight[a, b, c, o]
    static func naiveConv(_ x: Tensor, _ weight: Tensor, _ bias: Tensor, _ cf: Conv2DConfiguration) throws -> Tensor {
        let (n, h, w, cin) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (kh, kw, cout) = (weight.shape[0], weight.shape[1], weight.shape[3])
        let ho = (h + 2 * cf.padding - cf.dilation * (kh - 1) - 1) / cf.stride + 1
        let wo = (w + 2 * cf.padding - cf.dilation * (kw - 1) - 1) / cf.stride + 1
        var out = Tensor(zeros: [n, ho, wo, cout])
        for b in 0..<n { for i in 0..<ho { for j in 0..<wo { for o in 0..<cout {
            var total = bias[o]
            for a in 0..<kh { for bb in 0..<kw { for c in 0..<cin {
                let (y, xx) = (i * cf.stride - cf.padding + a * cf.dilation, j * cf.stride - cf.padding + bb * cf.dilation)
                if y >= 0, y < h, xx >= 0, xx < w { total += x[b, y, xx, c] * weight[a, bb, c, o] }
            } } }
            out[b, i, j, o] = total
        } } } }
        return out
    }

    /// im2col by its definition: row (n, i, j), column (a·KW + b)·Cin + c holds the pixel under
    /// tap (a, b) in channel c, or stays 0 where that tap lies in the padding.
    static func naiveIm2col(_ x: Tensor, _ kh: Int, _ kw: Int, _ cf: Conv2DConfiguration) -> Tensor {
        let (n, h, w, cin) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let ho = (h + 2 * cf.padding - cf.dilation * (kh - 1) - 1) / cf.stride + 1
        let wo = (w + 2 * cf.padding - cf.dilation * (kw - 1) - 1) / cf.stride + 1
        var columns = Tensor(zeros: [n * ho * wo, kh * kw * cin])
        for b in 0..<n { for i in 0..<ho { for j in 0..<wo { for a in 0..<kh { for bb in 0..<kw { for c in 0..<cin {
            let (y, xx) = (i * cf.stride - cf.padding + a * cf.dilation, j * cf.stride - cf.padding + bb * cf.dilation)
            if y >= 0, y < h, xx >= 0, xx < w { columns[(b * ho + i) * wo + j, (a * kw + bb) * cin + c] = x[b, y, xx, c] }
        } } } } } }
        return columns
    }

    /// col2im by its definition, the transpose of `naiveIm2col`: every entry that came from a
    /// pixel is added back onto it; entries that came from the padding are dropped.
    static func naiveCol2im(_ columns: Tensor, _ shape: [Int], _ kh: Int, _ kw: Int, _ cf: Conv2DConfiguration) -> Tensor {
        let (n, h, w, cin) = (shape[0], shape[1], shape[2], shape[3])
        let ho = (h + 2 * cf.padding - cf.dilation * (kh - 1) - 1) / cf.stride + 1
        let wo = (w + 2 * cf.padding - cf.dilation * (kw - 1) - 1) / cf.stride + 1
        var image = Tensor(zeros: shape)
        for b in 0..<n { for i in 0..<ho { for j in 0..<wo { for a in 0..<kh { for bb in 0..<kw { for c in 0..<cin {
            let (y, xx) = (i * cf.stride - cf.padding + a * cf.dilation, j * cf.stride - cf.padding + bb * cf.dilation)
            if y >= 0, y < h, xx >= 0, xx < w { image[b, y, xx, c] += columns[(b * ho + i) * wo + j, (a * kw + bb) * cin + c] }
        } } } } } }
        return image
    }

    /// Geometries where a tap's range of valid outputs is easy to get wrong (im2col and col2im
    /// work it out per tap): batches of two, so that reading past a row lands on real pixels.
    static let edgeGeometries: [ConvGeometry] = [
        ConvGeometry(shape: [2, 6, 5, 2], kernelHeight: 3, kernelWidth: 3, configuration: Conv2DConfiguration(stride: 2, padding: 1),
                     why: "stride 2 does not divide 5 + 2 − 3 + 1: the last tap of the last column lies in the padding, the first tap of the first"),
        ConvGeometry(shape: [2, 5, 6, 1], kernelHeight: 3, kernelWidth: 2, configuration: Conv2DConfiguration(padding: 2, dilation: 2),
                     why: "a dilated 3x2 kernel with padding 2: tap b starts inside the image at output ⌈(P − b·D)/S⌉"),
        ConvGeometry(shape: [2, 3, 3, 1], kernelHeight: 3, kernelWidth: 3, configuration: Conv2DConfiguration(padding: 2, dilation: 3),
                     why: "the outer taps lie in the padding for every output: only the centre tap reads the image"),
        ConvGeometry(shape: [2, 3, 3, 2], kernelHeight: 3, kernelWidth: 3, configuration: Conv2DConfiguration(),
                     why: "the kernel covers the whole image: one output, whose last tap reads the last column"),
        ConvGeometry(shape: [2, 7, 7, 1], kernelHeight: 3, kernelWidth: 3, configuration: Conv2DConfiguration(stride: 3, padding: 2, dilation: 2),
                     why: "stride 3, padding 2, dilation 2"),
    ]

    /// The worked example (a 4x4 image with 2 channels, two 3x3 kernels, stride 2, padding 1).
    /// Derived by hand (and with a NumPy loop); for example
    ///   out[0, 0, 0, 0] = x₀[0, 0]·1 (centre tap) + 0·1 (padding under the top-left tap) − x₁[1, 1]·1 + 0.5
    ///                   = 1 − 2 + 0.5 = −0.5,
    ///   out[0, 1, 1, 1] = (the 3x3 box of channel 0 around (2, 2)) − 1 = 99 − 1 = 98.
    static let x0: [[Double]] = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]
    static let x1: [[Double]] = [[1, 0, 0, 1], [0, 2, 0, 0], [0, 0, -1, 0], [1, 0, 0, 1]]
    /// weight[:, :, cin, cout] for (cin, cout) = (0, 0), (1, 0), (0, 1); (1, 1) is zero.
    static let w00: [[Double]] = [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    static let w10: [[Double]] = [[1, 0, 0], [0, 0, 0], [0, 0, -1]]
    static let w01: [[Double]] = [[1, 1, 1], [1, 1, 1], [1, 1, 1]]
    static let bias: [Double] = [0.5, -1]
    static let out0: [[Double]] = [[-0.5, 3.5], [9.5, 12.5]]
    static let out1: [[Double]] = [[13, 29], [56, 98]]

    static func workedWeight() -> Tensor {
        var weight = Tensor(zeros: [3, 3, 2, 2])
        for a in 0..<3 { for b in 0..<3 {
            weight[a, b, 0, 0] = w00[a][b]
            weight[a, b, 1, 0] = w10[a][b]
            weight[a, b, 0, 1] = w01[a][b]
        } }
        return weight
    }

    /// Configurations the properties and gradient checks run over: plain, "same", strided, dilated.
    static let configurations: [Conv2DConfiguration] = [
        Conv2DConfiguration(),
        Conv2DConfiguration(padding: 1),
        Conv2DConfiguration(stride: 2, padding: 1),
        Conv2DConfiguration(stride: 1, padding: 2, dilation: 2),
        Conv2DConfiguration(stride: 3, padding: 2, dilation: 2),
    ]
}

/// An input shape, a kernel and a configuration, with the reason the geometry is a hard case.
struct ConvGeometry: Sendable, CustomTestStringConvertible {
    var shape: [Int], kernelHeight: Int, kernelWidth: Int, configuration: Conv2DConfiguration, why: String
    var testDescription: String {
        "x \(shape), \(kernelHeight)x\(kernelWidth) kernel, S=\(configuration.stride) P=\(configuration.padding) D=\(configuration.dilation) (\(why))"
    }
}

/// One row of the output-size table: input, kernel, stride, padding, dilation and the answer.
struct ConvSizeCase: Codable, Sendable, CustomTestStringConvertible {
    var input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, expected: Int, why: String
    var testDescription: String { "H=\(input) K=\(kernel) S=\(stride) P=\(padding) D=\(dilation) → \(expected) (\(why))" }
}

@Suite("Conv1 · convolution output size", .graded(.conv1))
struct Conv1Tests {
    // Each answer is ⌊(H + 2P − D·(K − 1) − 1) / S⌋ + 1 worked by hand, e.g. (227 − 11)/4 + 1 = 55.
    static let cases: [ConvSizeCase] = [
        ConvSizeCase(input: 5, kernel: 3, stride: 1, padding: 0, dilation: 1, expected: 3, why: "a 3x3 kernel fits 3 times across 5 pixels"),
        ConvSizeCase(input: 8, kernel: 3, stride: 1, padding: 1, dilation: 1, expected: 8, why: "padding 1 keeps the size of a 3x3 convolution ('same')"),
        ConvSizeCase(input: 227, kernel: 11, stride: 4, padding: 0, dilation: 1, expected: 55, why: "AlexNet's first layer, '11x11 conv, /4' in notes 003"),
        ConvSizeCase(input: 8, kernel: 3, stride: 2, padding: 1, dilation: 1, expected: 4, why: "a stride-2 'same' convolution halves the size"),
        ConvSizeCase(input: 8, kernel: 3, stride: 2, padding: 0, dilation: 1, expected: 3, why: "(8 − 3)/2 = 2.5 is floored: the last column is never a window start"),
        ConvSizeCase(input: 7, kernel: 3, stride: 1, padding: 0, dilation: 2, expected: 3, why: "a dilated 3x3 kernel spans 5 pixels"),
        ConvSizeCase(input: 15, kernel: 3, stride: 1, padding: 4, dilation: 4, expected: 15, why: "padding D keeps the size of a D-dilated 3x3 convolution"),
        ConvSizeCase(input: 8, kernel: 1, stride: 2, padding: 0, dilation: 1, expected: 4, why: "a 1x1 stride-2 projection shortcut"),
        ConvSizeCase(input: 5, kernel: 5, stride: 1, padding: 0, dilation: 1, expected: 1, why: "a kernel exactly as wide as the input fits once"),
        ConvSizeCase(input: 1, kernel: 1, stride: 1, padding: 0, dilation: 1, expected: 1, why: "a 1x1 kernel on a 1x1 map (the end of a deep network)"),
    ]

    @Test("matches the output-size formula", arguments: cases)
    func table(_ example: ConvSizeCase) throws {
        let configuration = Conv2DConfiguration(stride: example.stride, padding: example.padding, dilation: example.dilation)
        let size = try convOutputSize(inputSize: example.input, kernelSize: example.kernel, configuration: configuration)
        let e = example, span = example.dilation * (example.kernel - 1) + 1
        check(Double(size), equals: Double(e.expected), "convOutputSize for \(e.testDescription)", in: .conv1,
              misconceptions: [
                // One-sided padding first: with P = 1 and S = 1 it equals a forgotten +1, and only the padded cases tell them apart.
                Misconception(Double((e.input + e.padding - span) / e.stride + 1), "the size pads one side only (H + P); the padding goes on both sides, H + 2P"),
                Misconception(Double((e.input + 2 * e.padding - span) / e.stride), "the size is (H + 2P − span)/S: the code forgets the +1 for the first window"),
                Misconception(Double((e.input + 2 * e.padding - e.dilation * e.kernel) / e.stride + 1), "the kernel was taken to span D·K pixels; a D-dilated kernel spans D·(K − 1) + 1"),
              ])
    }

    @Test("rejects a kernel larger than the padded input, and a stride of 0")
    func rejectsBadGeometry() throws {
        try checkThrowsShapeError("convOutputSize(H: 4, K: 5, P: 0)", in: .conv1) {
            _ = try convOutputSize(inputSize: 4, kernelSize: 5, configuration: Conv2DConfiguration())
        }
        // A 3x3 kernel with dilation 3 spans 7 pixels; 4 + 2·1 = 6 is too few.
        try checkThrowsShapeError("convOutputSize(H: 4, K: 3, P: 1, D: 3)", in: .conv1) {
            _ = try convOutputSize(inputSize: 4, kernelSize: 3, configuration: Conv2DConfiguration(padding: 1, dilation: 3))
        }
        try checkThrowsShapeError("convOutputSize with stride 0", in: .conv1) {
            _ = try convOutputSize(inputSize: 4, kernelSize: 3, configuration: Conv2DConfiguration(stride: 0))
        }
    }
}

@Suite("Conv2 · im2col", .graded(.conv2))
struct Conv2Tests {
    @Test("unrolls the 2x2 windows of a 3x3 image, one row per output pixel")
    func plainWindows() throws {
        // x = 1…9 row by row; the four 2x2 windows read row by row (by hand).
        let x = try ConvFixtures.image([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]])
        let columns = try im2col(x, kernelHeight: 2, kernelWidth: 2, configuration: Conv2DConfiguration())
        check(columns, equals: try Tensor([[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]]),
              "im2col of the 3x3 image 1…9 with a 2x2 kernel", in: .conv2,
              misconceptions: [
                Misconception(try Tensor([[4, 5, 1, 2], [5, 6, 2, 3], [7, 8, 4, 5], [8, 9, 5, 6]]),
                              "each window's rows came out upside down, as if the kernel were flipped (a textbook convolution); CNN layers correlate: tap a reads row i·S − P + a·D"),
                Misconception(try Tensor([[1, 4, 2, 5], [2, 5, 3, 6], [4, 7, 5, 8], [5, 8, 6, 9]]),
                              "the taps are listed column-major (b, a); the weight's layout lists them row-major (a, b, c)"),
              ])
    }

    @Test("puts zeros where a window hangs over the padding")
    func padding() throws {
        // x = [[1, 2], [3, 4]], 3x3 kernel, padding 1: the window of output (0, 0) covers rows
        // and columns −1…1, so its top row and left column are padding (by hand).
        let x = try ConvFixtures.image([[[1, 2], [3, 4]]])
        let columns = try im2col(x, kernelHeight: 3, kernelWidth: 3, configuration: Conv2DConfiguration(padding: 1))
        check(columns, equals: try Tensor([[0, 0, 0, 0, 1, 2, 0, 3, 4], [0, 0, 0, 1, 2, 0, 3, 4, 0],
                                           [0, 1, 2, 0, 3, 4, 0, 0, 0], [1, 2, 0, 3, 4, 0, 0, 0, 0]]),
              "im2col of [[1, 2], [3, 4]] with a 3x3 kernel and padding 1", in: .conv2)
    }

    @Test("orders a row's columns like the weight's axes (a, b, c), channels fastest")
    func channelOrder() throws {
        // Channel 0 holds 1…4, channel 1 holds 10…40; the single 2x2 window reads pixel by
        // pixel, both channels of a pixel together, so that the row lines up with
        // weight.reshaped([KH·KW·Cin, Cout]).
        let x = try ConvFixtures.image([[[1, 2], [3, 4]], [[10, 20], [30, 40]]])
        let columns = try im2col(x, kernelHeight: 2, kernelWidth: 2, configuration: Conv2DConfiguration())
        check(columns, equals: try Tensor([[1, 10, 2, 20, 3, 30, 4, 40]]), "im2col of a 2-channel 2x2 image", in: .conv2)
    }

    @Test("spreads the taps of a dilated kernel")
    func dilation() throws {
        // A 2x2 kernel with dilation 2 on the 3x3 image 1…9 touches only the four corners.
        let x = try ConvFixtures.image([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]])
        let columns = try im2col(x, kernelHeight: 2, kernelWidth: 2, configuration: Conv2DConfiguration(dilation: 2))
        check(columns, equals: try Tensor([[1, 3, 7, 9]]), "im2col with dilation 2", in: .conv2)
    }

    @Test("gives [N·Ho·Wo, KH·KW·Cin] for a batch, and rows in (n, i, j) order")
    func batchShape() throws {
        var rng = SeededGenerator(inputSeed: 10)
        let x = Tensor.randomNormal(shape: [2, 5, 4, 3], using: &rng)
        // Stride 2, padding 1, 3x3: Ho = ⌊(5 + 2 − 3)/2⌋ + 1 = 3, Wo = ⌊(4 + 2 − 3)/2⌋ + 1 = 2.
        let columns = try im2col(x, kernelHeight: 3, kernelWidth: 3, configuration: Conv2DConfiguration(stride: 2, padding: 1))
        check(columns.shape == [2 * 3 * 2, 27], "im2col shape should be [12, 27], got \(columns.shape).", in: .conv2)
        // Row 6 is image 1, output (0, 0); its centre tap (a = b = 1) is x[1, 0, 0, :].
        if columns.shape == [12, 27] {
            for c in 0..<3 {
                check(columns[6, 12 + c], equals: x[1, 0, 0, c], "columns[6, \(12 + c)] (image 1, centre tap, channel \(c))", in: .conv2)
            }
        }
    }

    @Test("agrees with the definition where taps meet the padding", arguments: ConvFixtures.edgeGeometries)
    func edgeGeometries(_ g: ConvGeometry) throws {
        var rng = SeededGenerator(inputSeed: 21)
        let x = Tensor.randomNormal(shape: g.shape, using: &rng)
        let columns = try im2col(x, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, configuration: g.configuration)
        // A tap's valid outputs j satisfy 0 ≤ j·S − P + b·D ≤ W − 1; the definition tests that per entry.
        check(columns, equals: ConvFixtures.naiveIm2col(x, g.kernelHeight, g.kernelWidth, g.configuration),
              "im2col of \(g.testDescription)", in: .conv2)
    }
}

@Suite("Conv3 · convolution forward", .graded(.conv3))
struct Conv3Tests {
    @Test("reproduces the worked example: 2 channels in, 2 out, stride 2, padding 1")
    func workedExample() throws {
        let x = try ConvFixtures.image([ConvFixtures.x0, ConvFixtures.x1])
        let (out, _) = try conv2dForward(x, weight: ConvFixtures.workedWeight(), bias: Tensor(ConvFixtures.bias),
                                         configuration: Conv2DConfiguration(stride: 2, padding: 1))
        guard out.shape == [1, 2, 2, 2] else {
            check(false, "conv2dForward should return [1, 2, 2, 2] here, got \(out.shape).", in: .conv3)
            return
        }
        check(try ConvFixtures.channel(out, 0), equals: try Tensor(ConvFixtures.out0), "output channel 0", in: .conv3,
              misconceptions: [Misconception(try Tensor(ConvFixtures.out0) - 0.5, "every output misses its channel's bias: add bias[c] to every pixel of channel c")])
        check(try ConvFixtures.channel(out, 1), equals: try Tensor(ConvFixtures.out1), "output channel 1", in: .conv3,
              misconceptions: [Misconception(try Tensor(ConvFixtures.out1) + 1, "every output misses its channel's bias: add bias[c] to every pixel of channel c")])
    }

    @Test("is a cross-correlation: the kernel is not flipped (the library convention)")
    func crossCorrelation() throws {
        // A 2x2 kernel whose only 1 is its top-left tap copies the top-left pixel of each
        // window: out[i, j] = x[i, j]. A flipped (textbook) convolution would give
        // x[i + 1, j + 1] = [[5, 6], [8, 9]] instead.
        let x = try ConvFixtures.image([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]])
        let weight = try Tensor(shape: [2, 2, 1, 1], scalars: [1, 0, 0, 0])
        let (out, _) = try conv2dForward(x, weight: weight, bias: Tensor([0]), configuration: Conv2DConfiguration())
        check(out, equals: try ConvFixtures.image([[[1, 2], [4, 5]]]),
              "conv2dForward with the kernel [[1, 0], [0, 0]] (did you flip the kernel?)", in: .conv3,
              misconceptions: [Misconception(try ConvFixtures.image([[[5, 6], [8, 9]]]),
                                             "the output is x[i + 1, j + 1]: the kernel was flipped (a textbook convolution); CNN layers compute the cross-correlation, without flipping")])
    }

    @Test("pads with zeros: a box filter over ones counts the pixels inside the image")
    func zeroPadding() throws {
        // A 3x3 box of ones over a 3x3 image of ones with padding 1: a corner window holds
        // 4 image pixels, an edge window 6, the centre 9 (zero padding, not edge copying).
        let x = Tensor(repeating: 1, shape: [1, 3, 3, 1])
        let weight = Tensor(repeating: 1, shape: [3, 3, 1, 1])
        let (out, _) = try conv2dForward(x, weight: weight, bias: Tensor([0]), configuration: Conv2DConfiguration(padding: 1))
        check(out, equals: try ConvFixtures.image([[[4, 6, 4], [6, 9, 6], [4, 6, 4]]]),
              "a 3x3 box filter over ones with padding 1", in: .conv3)
    }

    @Test("agrees with the naive definition on random batches", arguments: ConvFixtures.configurations)
    func matchesDefinition(_ configuration: Conv2DConfiguration) throws {
        var rng = SeededGenerator(inputSeed: 33)
        let x = Tensor.randomNormal(shape: [2, 6, 5, 3], using: &rng)
        let weight = Tensor.randomNormal(shape: [3, 3, 3, 2], using: &rng)
        let bias = Tensor.randomNormal(shape: [2], using: &rng)
        let (out, _) = try conv2dForward(x, weight: weight, bias: bias, configuration: configuration)
        // Sums of 27 products of order-1 numbers: rounding differs by ~1e-15 between orders.
        check(out, equals: try ConvFixtures.naiveConv(x, weight, bias, configuration),
              "conv2dForward with \(configuration)", in: .conv3, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("agrees with the naive definition for a 2x3 kernel into a single output channel with a bias")
    func oblongKernelSingleOutput() throws {
        var rng = SeededGenerator(inputSeed: 34)
        let x = Tensor.randomNormal(shape: [2, 5, 6, 2], using: &rng)
        let weight = Tensor.randomNormal(shape: [2, 3, 2, 1], using: &rng)
        let configuration = Conv2DConfiguration(stride: 2, padding: 1)
        let (out, _) = try conv2dForward(x, weight: weight, bias: Tensor([0.75]), configuration: configuration)
        // KH ≠ KW, so the kernel's height and width cannot be swapped; Cout = 1, so every output pixel gets the bias.
        check(out, equals: try ConvFixtures.naiveConv(x, weight, Tensor([0.75]), configuration),
              "conv2dForward with a [2, 3, 2, 1] kernel and bias [0.75], stride 2, padding 1", in: .conv3,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("is translation equivariant: shifting the input shifts the output, away from the border")
    func translationEquivariance() throws {
        // Notes 003: f(translate(x)) = translate(f(x)). Shift an 8x8 image down 1 and right
        // 2 (new pixels are random); every output whose window lies inside both images moves
        // by the same (1, 2).
        var rng = SeededGenerator(inputSeed: 5)
        let x = Tensor.randomNormal(shape: [1, 8, 8, 2], using: &rng)
        var shifted = Tensor.randomNormal(shape: [1, 8, 8, 2], using: &rng)
        for i in 1..<8 { for j in 2..<8 { for c in 0..<2 { shifted[0, i, j, c] = x[0, i - 1, j - 2, c] } } }
        let weight = Tensor.randomNormal(shape: [3, 3, 2, 3], using: &rng)
        let bias = Tensor.randomNormal(shape: [3], using: &rng)
        let (out, _) = try conv2dForward(x, weight: weight, bias: bias, configuration: Conv2DConfiguration())
        let (outShifted, _) = try conv2dForward(shifted, weight: weight, bias: bias, configuration: Conv2DConfiguration())
        guard out.shape == [1, 6, 6, 3], outShifted.shape == [1, 6, 6, 3] else {
            check(false, "a valid 3x3 convolution of 8x8 images gives [1, 6, 6, 3], got \(out.shape).", in: .conv3)
            return
        }
        var worst = 0.0
        for i in 1..<6 { for j in 2..<6 { for o in 0..<3 {
            worst = max(worst, abs(outShifted[0, i, j, o] - out[0, i - 1, j - 2, o]))
        } } }
        check(worst < 1e-12, "shifted output differs from the shifted original by up to \(worst) inside the image.", in: .conv3)
    }

    @Test("pooling across channels gives another invariance: four rotated copies of a kernel, max over channels, turn with the image (a measurement)")
    func invarianceAcrossChannels() throws {
        // Notes 003: pooling over space buys invariance to small shifts; pooling over *channels* buys the invariance
        // the channels were made to differ by. Here channel c holds the kernel turned c quarter turns. Turning the
        // image a quarter turn moves channel c's response to channel c + 1 at the turned position, so the maximum
        // over channels turns with the image, exactly; one channel alone does not.
        func quarterTurn(_ t: Tensor, size: Int, channels: Int, batch: Bool) -> Tensor {
            var out = t
            for i in 0..<size { for j in 0..<size { for c in 0..<channels {
                if batch { out[0, i, j, c] = t[0, size - 1 - j, i, c] } else { out[i, j, 0, c] = t[size - 1 - j, i, 0, c] }
            } } }
            return out
        }
        var rng = SeededGenerator(inputSeed: 6)
        let image = Tensor.randomNormal(shape: [1, 7, 7, 1], using: &rng)
        let kernel = Tensor.randomNormal(shape: [3, 3, 1, 1], using: &rng)
        var bank = Tensor(zeros: [3, 3, 1, 4])
        var turned = kernel
        for c in 0..<4 {
            for a in 0..<3 { for b in 0..<3 { bank[a, b, 0, c] = turned[a, b, 0, 0] } }
            turned = quarterTurn(turned, size: 3, channels: 1, batch: false)
        }
        let same = Conv2DConfiguration(padding: 1)
        let (out, _) = try conv2dForward(image, weight: bank, bias: Tensor(zeros: [4]), configuration: same)
        let (outTurned, _) = try conv2dForward(quarterTurn(image, size: 7, channels: 1, batch: true), weight: bank,
                                               bias: Tensor(zeros: [4]), configuration: same)
        guard out.shape == [1, 7, 7, 4], outTurned.shape == [1, 7, 7, 4] else {
            check(false, "a 3x3 convolution with padding 1 of a 7x7 image into 4 channels gives [1, 7, 7, 4], got \(out.shape).", in: .conv3)
            return
        }
        let pooled = quarterTurn(try out.max(alongAxis: 3, keepingDimension: true), size: 7, channels: 1, batch: true)
        let pooledTurned = try outTurned.max(alongAxis: 3, keepingDimension: true)
        check(pooledTurned, equals: pooled, "the channel-pooled output of the turned image against the turned channel-pooled output",
              in: .conv3, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        // Without the channel pooling the single first channel does not turn with the image.
        let firstTurned = try outTurned.slice(0..<1).reshaped([49, 4]).scalars.enumerated().filter { $0.offset % 4 == 0 }.map(\.element)
        let first = quarterTurn(out, size: 7, channels: 4, batch: true).scalars.enumerated().filter { $0.offset % 4 == 0 }.map(\.element)
        check(zip(first, firstTurned).contains { abs($0 - $1) > 1e-6 },
              "one channel alone should not be rotation-invariant (its kernel is random); is every channel using the same kernel?", in: .conv3)
    }

    @Test("shares weights: on a crop of an image it gives the crop of the output")
    func weightSharing() throws {
        // The same [3, 3, 2, 2] weight (38 parameters with the bias, whatever the image
        // size) runs on a 9x9 image and on its top-left 5x5 crop. Each output depends only
        // on its window, through the same kernel everywhere, so the crop's 3x3 output must
        // be the top-left 3x3 of the big 7x7 output.
        var rng = SeededGenerator(inputSeed: 6)
        let big = Tensor.randomNormal(shape: [1, 9, 9, 2], using: &rng)
        let crop = Tensor(shape: [1, 5, 5, 2]) { flat in
            let (pixel, c) = (flat / 2, flat % 2)
            return big[0, pixel / 5, pixel % 5, c]
        }
        let weight = Tensor.randomNormal(shape: [3, 3, 2, 2], using: &rng)
        let bias = Tensor.randomNormal(shape: [2], using: &rng)
        let (outBig, _) = try conv2dForward(big, weight: weight, bias: bias, configuration: Conv2DConfiguration())
        let (outCrop, _) = try conv2dForward(crop, weight: weight, bias: bias, configuration: Conv2DConfiguration())
        guard outBig.shape == [1, 7, 7, 2], outCrop.shape == [1, 3, 3, 2] else {
            check(false, "expected outputs [1, 7, 7, 2] and [1, 3, 3, 2], got \(outBig.shape) and \(outCrop.shape).", in: .conv3)
            return
        }
        let corner = Tensor(shape: [1, 3, 3, 2]) { flat in
            let (pixel, c) = (flat / 2, flat % 2)
            return outBig[0, pixel / 3, pixel % 3, c]
        }
        check(outCrop, equals: corner, "the output of the 5x5 crop", in: .conv3, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("with stride 2 equals the stride-1 convolution downsampled", arguments: [1, 2])
    func strideIsDownsampling(_ dilation: Int) throws {
        // Notes 003: a strided convolution combines convolution and downsampling. Keeping
        // every second row and column of the stride-1 output gives the stride-2 output.
        var rng = SeededGenerator(inputSeed: 7)
        let x = Tensor.randomNormal(shape: [2, 7, 7, 2], using: &rng)
        let weight = Tensor.randomNormal(shape: [3, 3, 2, 2], using: &rng)
        let bias = Tensor.randomNormal(shape: [2], using: &rng)
        let (dense, _) = try conv2dForward(x, weight: weight, bias: bias,
                                           configuration: Conv2DConfiguration(stride: 1, padding: 1, dilation: dilation))
        let (strided, _) = try conv2dForward(x, weight: weight, bias: bias,
                                             configuration: Conv2DConfiguration(stride: 2, padding: 1, dilation: dilation))
        let (ho, wo) = ((dense.shape[1] + 1) / 2, (dense.shape[2] + 1) / 2)
        let downsampled = Tensor(shape: [2, ho, wo, 2]) { flat in
            let c = flat % 2, j = (flat / 2) % wo, i = (flat / 2 / wo) % ho, n = flat / 2 / wo / ho
            return dense[n, 2 * i, 2 * j, c]
        }
        check(strided, equals: downsampled, "the stride-2 output (dilation \(dilation))", in: .conv3,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("two chained 3x3 convolutions equal one 5x5 convolution: 18 weights doing the work of 25")
    func chaining() throws {
        // Notes 003, "chaining convolutions": the composition of two 3x3 kernels k1, k2 is a
        // 5x5 kernel k[u, v] = Σ_{a + c = u, b + d = v} k1[a, b]·k2[c, d] (for cross-
        // correlation; worked out by substituting one sum into the other). It has 25
        // coefficients but only 18 degrees of freedom, so not every 5x5 kernel is reachable.
        var rng = SeededGenerator(inputSeed: 8)
        let x = Tensor.randomNormal(shape: [1, 9, 9, 1], using: &rng)
        let k1 = Tensor.randomNormal(shape: [3, 3, 1, 1], using: &rng)
        let k2 = Tensor.randomNormal(shape: [3, 3, 1, 1], using: &rng)
        var k = Tensor(zeros: [5, 5, 1, 1])
        for a in 0..<3 { for b in 0..<3 { for c in 0..<3 { for d in 0..<3 {
            k[a + c, b + d, 0, 0] += k1[a, b, 0, 0] * k2[c, d, 0, 0]
        } } } }
        let zero = Tensor([0])
        let (h, _) = try conv2dForward(x, weight: k1, bias: zero, configuration: Conv2DConfiguration())
        let (twice, _) = try conv2dForward(h, weight: k2, bias: zero, configuration: Conv2DConfiguration())
        let (once, _) = try conv2dForward(x, weight: k, bias: zero, configuration: Conv2DConfiguration())
        check(twice, equals: once, "two 3x3 convolutions versus the composed 5x5", in: .conv3,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        check(k1.count + k2.count == 18 && k.count == 25, "18 weights versus 25 coefficients", in: .conv3)
        check(once.shape == [1, 5, 5, 1], "a 5x5 kernel on a 9x9 image (no padding, stride 1) gives 9 − 5 + 1 = 5: [1, 5, 5, 1], got \(once.shape).", in: .conv3)
    }

    @Test("dilation: a dilated 3x3 kernel is a 5x5 kernel with holes, and a 3x3 after it sees 7x7 (notes 003)")
    func dilationAsHoles() throws {
        // Notes 003: a 2-dilated 3x3 kernel has 25 coefficients but 9 degrees of freedom: it is
        // the 5x5 kernel with k[a, b] at (2a, 2b) and zeros elsewhere.
        var rng = SeededGenerator(inputSeed: 9)
        let x = Tensor.randomNormal(shape: [1, 11, 11, 1], using: &rng)
        let k1 = Tensor.randomNormal(shape: [3, 3, 1, 1], using: &rng)
        let k2 = Tensor.randomNormal(shape: [3, 3, 1, 1], using: &rng)
        var holes = Tensor(zeros: [5, 5, 1, 1])
        for a in 0..<3 { for b in 0..<3 { holes[2 * a, 2 * b, 0, 0] = k2[a, b, 0, 0] } }
        let zero = Tensor([0])
        let (dilated, _) = try conv2dForward(x, weight: k2, bias: zero, configuration: Conv2DConfiguration(dilation: 2))
        let (dense, _) = try conv2dForward(x, weight: holes, bias: zero, configuration: Conv2DConfiguration())
        check(dilated, equals: dense, "a 2-dilated 3x3 convolution versus the 5x5 kernel with holes", in: .conv3,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        // A 3x3 convolution followed by a 2-dilated 3x3 one: 49 coefficients (7x7), 18 degrees
        // of freedom. Substituting one sum into the other, k[u, v] = Σ_{a + 2c = u, b + 2d = v} k1[a, b]·k2[c, d].
        var seven = Tensor(zeros: [7, 7, 1, 1])
        for a in 0..<3 { for b in 0..<3 { for c in 0..<3 { for d in 0..<3 {
            seven[a + 2 * c, b + 2 * d, 0, 0] += k1[a, b, 0, 0] * k2[c, d, 0, 0]
        } } } }
        let (h, _) = try conv2dForward(x, weight: k1, bias: zero, configuration: Conv2DConfiguration())
        let (twice, _) = try conv2dForward(h, weight: k2, bias: zero, configuration: Conv2DConfiguration(dilation: 2))
        let (once, _) = try conv2dForward(x, weight: seven, bias: zero, configuration: Conv2DConfiguration())
        check(twice, equals: once, "3x3 then 2-dilated 3x3 versus the composed 7x7", in: .conv3,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        check(dilated.shape == [1, 7, 7, 1] && once.shape == [1, 5, 5, 1],
              "on an 11x11 image a 2-dilated 3x3 kernel spans 5 (output 7x7) and a 7x7 kernel gives 5x5; got \(dilated.shape) and \(once.shape).", in: .conv3)
    }

    @Test("rejects a weight whose input channels differ from the image's, and a wrong bias")
    func rejectsMismatchedSizes() throws {
        let x = Tensor(zeros: [1, 4, 4, 3])
        try checkThrowsShapeError("conv2dForward with x [1, 4, 4, 3] and weight [3, 3, 2, 4]", in: .conv3) {
            _ = try conv2dForward(x, weight: Tensor(zeros: [3, 3, 2, 4]), bias: Tensor(zeros: [4]), configuration: Conv2DConfiguration())
        }
        try checkThrowsShapeError("conv2dForward with weight [3, 3, 3, 4] and bias [3]", in: .conv3) {
            _ = try conv2dForward(x, weight: Tensor(zeros: [3, 3, 3, 4]), bias: Tensor(zeros: [3]), configuration: Conv2DConfiguration())
        }
    }
}

@Suite("Conv4 · col2im", .graded(.conv4))
struct Conv4Tests {
    @Test("adds up overlapping windows: ones in, window counts out")
    func windowCounts() throws {
        // 3x3 windows on a 4x4 image (no padding) start at rows and columns 0 and 1, so a
        // pixel is in (1 or 2 windows down) × (1 or 2 windows across), counted by hand.
        let columns = Tensor(repeating: 1, shape: [4, 9])
        let image = try col2im(columns, inputShape: [1, 4, 4, 1], kernelHeight: 3, kernelWidth: 3, configuration: Conv2DConfiguration())
        check(image, equals: try ConvFixtures.image([[[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]]]),
              "col2im of ones, 4x4 image, 3x3 kernel", in: .conv4,
              misconceptions: [Misconception(Tensor(repeating: 1, shape: [1, 4, 4, 1]),
                                             "each pixel holds one window's entry: the code assigns (=) where it must add (+=) the entries of every window that covers the pixel")])
    }

    @Test("drops the entries that came from the padding")
    func dropsPadding() throws {
        // 3x3 windows with padding 1 on a 3x3 image: a corner pixel lies in 4 windows, an
        // edge pixel in 6, the centre in 9. Adding the padding's entries anywhere breaks it.
        let columns = Tensor(repeating: 1, shape: [9, 9])
        let image = try col2im(columns, inputShape: [1, 3, 3, 1], kernelHeight: 3, kernelWidth: 3, configuration: Conv2DConfiguration(padding: 1))
        check(image, equals: try ConvFixtures.image([[[4, 6, 4], [6, 9, 6], [4, 6, 4]]]),
              "col2im of ones, 3x3 image, 3x3 kernel, padding 1", in: .conv4)
    }

    @Test("is the adjoint of im2col: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩", arguments: ConvFixtures.configurations)
    func adjoint(_ configuration: Conv2DConfiguration) throws {
        // This identity is what makes col2im the backward pass of im2col: for a linear map
        // A, the gradient of ⟨A x, c⟩ with respect to x is Aᵀ c.
        var rng = SeededGenerator(inputSeed: 44)
        let x = Tensor.randomNormal(shape: [2, 6, 5, 3], using: &rng)
        let columns = try im2col(x, kernelHeight: 3, kernelWidth: 2, configuration: configuration)
        // Returning x (and c back) satisfies the identity below: the columns are KH·KW·C = 18 wide.
        check(columns.rank == 2 && columns.shape.last == 18, "im2col should return [N·Ho·Wo, KH·KW·C] = [_, 18], got \(columns.shape).", in: .conv4)
        let c = Tensor.randomNormal(shape: columns.shape, using: &rng)
        let back = try col2im(c, inputShape: x.shape, kernelHeight: 3, kernelWidth: 2, configuration: configuration)
        check(back.shape == x.shape, "col2im should return the input shape \(x.shape), got \(back.shape).", in: .conv4)
        let left = try (columns * c).sum()
        let right = back.shape == x.shape ? try (x * back).sum() : .nan
        check(right, equals: left, "⟨x, col2im(c)⟩ versus ⟨im2col(x), c⟩ with \(configuration)", in: .conv4,
              absoluteTolerance: 1e-10, relativeTolerance: 1e-12)
    }

    @Test("agrees with the definition where taps meet the padding", arguments: ConvFixtures.edgeGeometries)
    func edgeGeometries(_ g: ConvGeometry) throws {
        var rng = SeededGenerator(inputSeed: 45)
        let rows = ConvFixtures.naiveIm2col(Tensor(zeros: g.shape), g.kernelHeight, g.kernelWidth, g.configuration).shape[0]
        let columns = Tensor.randomNormal(shape: [rows, g.kernelHeight * g.kernelWidth * g.shape[3]], using: &rng)
        let image = try col2im(columns, inputShape: g.shape, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, configuration: g.configuration)
        // At most KH·KW order-1 terms per pixel, added in another order: 1e-12 covers the rounding.
        check(image, equals: ConvFixtures.naiveCol2im(columns, g.shape, g.kernelHeight, g.kernelWidth, g.configuration),
              "col2im for \(g.testDescription)", in: .conv4, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("returns an empty image for an empty batch (N = 0)")
    func emptyBatch() throws {
        let image = try col2im(Tensor(zeros: [0, 9]), inputShape: [0, 3, 3, 1], kernelHeight: 3, kernelWidth: 3, configuration: Conv2DConfiguration())
        check(image.shape == [0, 3, 3, 1], "col2im of [0, 9] columns for inputShape [0, 3, 3, 1] should give an empty [0, 3, 3, 1] image (a batch of none is still a batch); got \(image.shape).", in: .conv4)
    }

    @Test("rejects columns whose shape im2col could not have made")
    func rejectsWrongColumns() throws {
        try checkThrowsShapeError("col2im of [4, 8] columns for a 4x4 image and a 3x3 kernel", in: .conv4) {
            _ = try col2im(Tensor(zeros: [4, 8]), inputShape: [1, 4, 4, 1], kernelHeight: 3, kernelWidth: 3, configuration: Conv2DConfiguration())
        }
    }
}

@Suite("Conv5 · convolution backward", .graded(.conv5))
struct Conv5Tests {
    @Test("reproduces a hand-worked example: 3x3 image, 2x2 kernel, upstream ones")
    func handExample() throws {
        // x = 1…9, weight [[1, 2], [3, 4]], dout = ones [2x2]. By hand:
        //   dw[a, b] = Σ_{i, j} dout[i, j]·x[i + a, j + b] = the sum of the 2x2 block at (a, b):
        //              [[1+2+4+5, 2+3+5+6], [4+5+7+8, 5+6+8+9]] = [[12, 16], [24, 28]]
        //   db       = Σ dout = 4
        //   dx[y, x] = Σ of the weights that touched the pixel, e.g. the centre gets 1+2+3+4 = 10.
        let x = try ConvFixtures.image([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]])
        let weight = try Tensor(shape: [2, 2, 1, 1], scalars: [1, 2, 3, 4])
        let cache = Conv2DCache(x: x, weight: weight, configuration: Conv2DConfiguration())
        let (dx, dw, db) = try conv2dBackward(Tensor(repeating: 1, shape: [1, 2, 2, 1]), cache: cache)
        checkExactGradient(dw, equals: try Tensor(shape: [2, 2, 1, 1], scalars: [12, 16, 24, 28]), "dw", in: .conv5)
        checkExactGradient(db, equals: Tensor([4]), "db", in: .conv5,
              misconceptions: [Misconception(1, "db averages dout over the output positions; the bias is added at every position, so db sums dout")])
        checkExactGradient(dx, equals: try ConvFixtures.image([[[1, 3, 2], [4, 10, 6], [3, 7, 4]]]), "dx", in: .conv5)
    }

    @Test("matches the numeric gradients of x, weight and bias", arguments: ConvFixtures.configurations)
    func gradientCheck(_ configuration: Conv2DConfiguration) throws {
        try Self.checkGradients(x: [2, 5, 5, 2], weight: [3, 3, 2, 3], configuration: configuration, seed: 231, what: "with \(configuration)")
    }

    @Test("matches the numeric gradients for a 2x3 kernel on a 4x6 image (height and width differ)")
    func oblongGradientCheck() throws {
        // Ho = 4 + 2 − 2 + 1 = 5 comes from H and KH, Wo = 6 + 2 − 3 + 1 = 6 from W and KW.
        try Self.checkGradients(x: [2, 4, 6, 2], weight: [2, 3, 2, 3], configuration: Conv2DConfiguration(padding: 1), seed: 232,
                                what: "for a [2, 3, 2, 3] kernel on [2, 4, 6, 2]")
    }

    /// conv2dBackward on seeded x, weight, bias and dout of these shapes against the numeric gradients
    /// of conv2dForward, naming the usual averaging mistakes.
    static func checkGradients(x xShape: [Int], weight weightShape: [Int], configuration: Conv2DConfiguration,
                               seed: UInt64, what: String) throws {
        var rng = SeededGenerator(inputSeed: seed)
        let x = Tensor.randomNormal(shape: xShape, using: &rng)
        let weight = Tensor.randomNormal(shape: weightShape, using: &rng)
        let bias = Tensor.randomNormal(shape: [weightShape[3]], using: &rng)
        let (out, cache) = try conv2dForward(x, weight: weight, bias: bias, configuration: configuration)
        let dout = Tensor.randomNormal(shape: out.shape, using: &rng)
        let (dx, dw, db) = try conv2dBackward(dout, cache: cache)
        let numericX = try numericGradient(of: { try conv2dForward($0, weight: weight, bias: bias, configuration: configuration).out }, at: x, upstream: dout)
        let numericW = try numericGradient(of: { try conv2dForward(x, weight: $0, bias: bias, configuration: configuration).out }, at: weight, upstream: dout)
        let numericB = try numericGradient(of: { try conv2dForward(x, weight: weight, bias: $0, configuration: configuration).out }, at: bias, upstream: dout)
        checkGradient(dx, matches: numericX, "dx \(what)", in: .conv5)
        checkGradient(dw, matches: numericW, "dw \(what)", in: .conv5,
                      misconceptions: [Misconception(numericW / Double(xShape[0]), "dw is divided by the batch size N = \(xShape[0]); the forward pass sums over the batch, so dW sums too (the loss does any averaging)")])
        checkGradient(db, matches: numericB, "db \(what)", in: .conv5,
                      misconceptions: [Misconception(numericB / Double(out.count / weightShape[3]), "db averages dout over the N·Ho·Wo output positions; the bias is added at every position, so db sums dout")])
    }

    @Test("rejects an upstream gradient whose shape is not the output's")
    func rejectsWrongUpstream() throws {
        let cache = Conv2DCache(x: Tensor(zeros: [1, 4, 4, 1]), weight: Tensor(zeros: [3, 3, 1, 2]), configuration: Conv2DConfiguration())
        try checkThrowsShapeError("conv2dBackward with dout [1, 4, 4, 2] for an output of [1, 2, 2, 2]", in: .conv5) {
            _ = try conv2dBackward(Tensor(zeros: [1, 4, 4, 2]), cache: cache)
        }
    }
}

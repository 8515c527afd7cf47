import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let convArithmetic1 = Exercise(id: "ConvArithmetic1", chapter: "10-Convolution", file: "ConvArithmetic.swift", title: "receptive fields", points: 3)
    static let convArithmetic2 = Exercise(id: "ConvArithmetic2", chapter: "10-Convolution", file: "ConvArithmetic.swift", title: "parameter counts", points: 2)
}

/// A stack of square convolutions, for the receptive-field table.
struct ReceptiveFieldCase: Codable, Sendable, CustomTestStringConvertible {
    var kernels: [Int], strides: [Int], dilations: [Int], expected: Int, source: String
    var testDescription: String { "K \(kernels), S \(strides), D \(dilations) → \(expected) (\(source))" }
}

@Suite("ConvArithmetic1 · receptive fields", .graded(.convArithmetic1))
struct ConvArithmetic1Tests {
    static let cases: [ReceptiveFieldCase] = [
        // Notes 003 (dilated convolutions, Yu & Koltun's figure): 3x3 layers with dilations 1, 2, 4
        // see 3x3, 7x7 and 15x15 inputs.
        ReceptiveFieldCase(kernels: [3], strides: [1], dilations: [1], expected: 3, source: "notes 003: F1 sees 3x3"),
        ReceptiveFieldCase(kernels: [3, 3], strides: [1, 1], dilations: [1, 2], expected: 7, source: "notes 003: F2 sees 7x7 (49 coefficients, 18 degrees of freedom)"),
        ReceptiveFieldCase(kernels: [3, 3, 3], strides: [1, 1, 1], dilations: [1, 2, 4], expected: 15, source: "notes 003: F3 sees 15x15"),
        // Notes 003, chaining: two 3x3 convolutions see 5x5 (25 coefficients, 18 degrees of freedom).
        ReceptiveFieldCase(kernels: [3, 3], strides: [1, 1], dilations: [1, 1], expected: 5, source: "notes 003: two chained 3x3"),
        ReceptiveFieldCase(kernels: [3], strides: [1], dilations: [2], expected: 5, source: "notes 003: one dilated 3x3, 25 coefficients, 9 degrees of freedom"),
        // Strides multiply the reach of later layers. By hand: 1 + 2·1 = 3, then + 2·2 = 7, then + 2·4 = 15.
        ReceptiveFieldCase(kernels: [3, 3, 3], strides: [2, 2, 1], dilations: [1, 1, 1], expected: 15, source: "strided stack, by hand"),
        // A 2x2 stride-2 pooling window counts like a 2x2 stride-2 kernel. [3x3 conv, 2x2 pool /2,
        // 3x3 conv] by hand: 1 + 2·1 = 3; + 1·1 = 4; + 2·2 = 8.
        ReceptiveFieldCase(kernels: [3, 2, 3], strides: [1, 2, 1], dilations: [1, 1, 1], expected: 8, source: "conv, 2x2 pool, conv, by hand"),
        // A 1x1 stride-2 layer adds nothing itself but doubles the jump: 1 + 0 = 1, then + 2·2 = 5.
        ReceptiveFieldCase(kernels: [1, 3], strides: [2, 1], dilations: [1, 1], expected: 5, source: "1x1 stride-2 projection, then 3x3, by hand"),
        ReceptiveFieldCase(kernels: [], strides: [], dilations: [], expected: 1, source: "no layer: a pixel sees itself"),
    ]

    @Test("reproduces the receptive fields of the notes", arguments: cases)
    func table(_ example: ReceptiveFieldCase) throws {
        let configurations = zip(example.strides, example.dilations).map { Conv2DConfiguration(stride: $0, dilation: $1) }
        let size = try receptiveFieldSize(kernelSizes: example.kernels, configurations: configurations)
        // The usual mistakes, written out: ignoring the product of the earlier strides (the jump),
        // multiplying a layer's own stride in before adding its kernel, and adding K instead of K − 1.
        let e = example
        func field(_ grow: (_ layer: Int, _ jumpBefore: Int, _ jumpAfter: Int) -> Int) -> Double {
            var (total, jump) = (1, 1)
            for layer in e.kernels.indices {
                let after = jump * e.strides[layer]
                total += grow(layer, jump, after)
                jump = after
            }
            return Double(total)
        }
        check(Double(size), equals: Double(e.expected), "receptiveFieldSize for \(e.testDescription)", in: .convArithmetic1,
              misconceptions: [
                Misconception(field { l, _, _ in e.dilations[l] * (e.kernels[l] - 1) }, "each layer adds D·(K − 1) without multiplying by the product of the earlier strides (the jump between neighbouring outputs)"),
                Misconception(field { l, _, after in e.dilations[l] * (e.kernels[l] - 1) * after }, "each layer's kernel is scaled by a jump that already includes its own stride; a layer's stride only spaces the layers after it"),
                Misconception(field { l, before, _ in e.dilations[l] * e.kernels[l] * before }, "each layer grows the field by D·K·jump; the outermost taps are D·(K − 1) apart, so it grows by D·(K − 1)·jump"),
              ])
    }

    @Test("agrees with the pixels a convolution stack really depends on")
    func agreesWithConvolution() throws {
        // Push one impulse through the naive convolutions of the Conv3 suite with all-ones
        // 1x3 kernels, dilations 1, 2, 4, no padding (31 → 29 → 25 → 17 pixels wide). An
        // output is non-zero exactly when its receptive field covers the impulse, so the
        // number of non-zero outputs is the receptive field (no weight can cancel: all are 1).
        let configurations = [1, 2, 4].map { Conv2DConfiguration(dilation: $0) }
        var signal = Tensor(zeros: [1, 1, 31, 1])
        signal[0, 0, 15, 0] = 1
        let kernel = Tensor(repeating: 1, shape: [1, 3, 1, 1])
        for configuration in configurations {
            signal = try ConvFixtures.naiveConv(signal, kernel, Tensor([0]), configuration)
        }
        let reach = signal.scalars.filter { $0 != 0 }.count
        let size = try receptiveFieldSize(kernelSizes: [3, 3, 3], configurations: configurations)
        check(size == reach, "receptiveFieldSize says \(size); an impulse spreads over \(reach) pixels.", in: .convArithmetic1)
    }

    @Test("rejects mismatched lists")
    func rejectsMismatchedLists() throws {
        try checkThrowsShapeError("receptiveFieldSize with 2 kernels and 1 configuration", in: .convArithmetic1) {
            _ = try receptiveFieldSize(kernelSizes: [3, 3], configurations: [Conv2DConfiguration()])
        }
    }
}

@Suite("ConvArithmetic2 · parameter counts", .graded(.convArithmetic2))
struct ConvArithmetic2Tests {
    @Test("two 3x3 layers have 18 weights where one 5x5 has 25 (notes 003)")
    func chaining() throws {
        let three = try conv2dParameterCount(kernelHeight: 3, kernelWidth: 3, inputChannels: 1, outputChannels: 1, includesBias: false)
        let five = try conv2dParameterCount(kernelHeight: 5, kernelWidth: 5, inputChannels: 1, outputChannels: 1, includesBias: false)
        check(2 * three == 18, "two 3x3 single-channel kernels hold 18 weights; got 2 × \(three).", in: .convArithmetic2)
        check(five == 25, "a 5x5 single-channel kernel holds 25 weights; got \(five).", in: .convArithmetic2)
    }

    @Test("counts the reference trainer's 3x3 layer with 8 channels: 3·3·1·8 + 8 = 80")
    func trainerLayer() throws {
        let count = try conv2dParameterCount(kernelHeight: 3, kernelWidth: 3, inputChannels: 1, outputChannels: 8)
        check(Double(count), equals: 80, "a 3x3 layer from 1 to 8 channels with biases", in: .convArithmetic2,
              misconceptions: [Misconception(72, "the count leaves out the biases: one bias per output channel (8 here) when includesBias is true"),
                               Misconception(73, "the count adds one bias per input channel; there is one bias per output channel")])
        // The weight tensor conv2dForward takes for it has exactly that many entries, whatever the image size.
        check(Tensor(zeros: [3, 3, 1, 8]).count + Tensor(zeros: [8]).count == count, "weight + bias entries = \(count)", in: .convArithmetic2)
    }

    @Test("counts VGG-16 at about 138 million parameters (notes 004)")
    func vgg16() throws {
        // VGG-16: thirteen 3x3 convolutions (64, 64, 128, 128, 256 ×3, 512 ×3, 512 ×3 channels)
        // and three fully connected layers, written here as the convolutions they are at test
        // time in the VGG paper: 7x7 from 512 to 4096, then 1x1 4096 → 4096 and 4096 → 1000.
        // By hand: the convolutions hold 14,714,688 and the dense layers 102,764,544 +
        // 16,781,312 + 4,097,000, in all 138,357,544 ("roughly 138 million", notes 004).
        let channels = [3, 64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
        var total = 0
        for (cin, cout) in zip(channels, channels.dropFirst()) {
            total += try conv2dParameterCount(kernelHeight: 3, kernelWidth: 3, inputChannels: cin, outputChannels: cout)
        }
        total += try conv2dParameterCount(kernelHeight: 7, kernelWidth: 7, inputChannels: 512, outputChannels: 4096)
        total += try conv2dParameterCount(kernelHeight: 1, kernelWidth: 1, inputChannels: 4096, outputChannels: 4096)
        total += try conv2dParameterCount(kernelHeight: 1, kernelWidth: 1, inputChannels: 4096, outputChannels: 1000)
        check(total == 138_357_544, "VGG-16 has 138,357,544 parameters; the layer counts add up to \(total).", in: .convArithmetic2)
    }
}

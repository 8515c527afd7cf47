import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let architecture2 = Exercise(id: "Architecture2", chapter: "14-Architectures", file: "OutputShape.swift",
                                        title: "Following the shape through a network", points: 3)
}

/// One layer, an input shape and the output shape, derived by hand with ⌊(H + 2P − K)/S⌋ + 1.
struct ArchitectureShapeCase: Codable, Sendable, CustomStringConvertible {
    var layer: LayerDescription
    var input: [Int]
    var output: [Int]
    var why: String
    var description: String { why }
}

enum ArchitectureShapeCases {
    static let all: [ArchitectureShapeCase] = [
        .init(layer: .convolution(kernelSize: 5, inputChannels: 1, outputChannels: 6), input: [32, 32, 1], output: [28, 28, 6],
              why: "LeNet conv 5x5 on 32: (32 − 5)/1 + 1 = 28"),
        .init(layer: .convolution(kernelSize: 7, inputChannels: 3, outputChannels: 64, stride: 2, padding: 3, bias: false),
              input: [224, 224, 3], output: [112, 112, 64], why: "ResNet stem 7x7/2, pad 3 on 224: ⌊(224 + 6 − 7)/2⌋ + 1 = 112"),
        .init(layer: .maxPool(size: 3, stride: 2, padding: 1), input: [112, 112, 64], output: [56, 56, 64],
              why: "ResNet max pool 3x3/2, pad 1 on 112: ⌊(112 + 2 − 3)/2⌋ + 1 = 56"),
        .init(layer: .convolution(kernelSize: 11, inputChannels: 3, outputChannels: 96, stride: 4), input: [227, 227, 3], output: [55, 55, 96],
              why: "AlexNet conv 11x11/4 on 227: (227 − 11)/4 + 1 = 55"),
        .init(layer: .maxPool(size: 3, stride: 2), input: [55, 55, 96], output: [27, 27, 96],
              why: "AlexNet pool 3x3/2 on 55: (55 − 3)/2 + 1 = 27"),
        .init(layer: .convolution(kernelSize: 3, inputChannels: 64, outputChannels: 64, padding: 1), input: [224, 224, 64], output: [224, 224, 64],
              why: "VGG conv 3x3, pad 1 keeps the size: (224 + 2 − 3) + 1 = 224"),
        .init(layer: .averagePool(size: 3, stride: 2), input: [8, 6, 5], output: [3, 2, 5],
              why: "3x3/2 on 8 x 6 rounds down: ⌊5/2⌋ + 1 = 3 and ⌊3/2⌋ + 1 = 2"),
        .init(layer: .convolution(kernelSize: 3, inputChannels: 2, outputChannels: 4, padding: 1), input: [5, 7, 2], output: [5, 7, 4],
              why: "3x3, pad 1 on a 5 x 7 map keeps each side: height and width each follow their own input side"),
        .init(layer: .convolution(kernelSize: 3, inputChannels: 8, outputChannels: 8, padding: 1), input: [1, 1, 8], output: [1, 1, 8],
              why: "3x3, pad 1 on a 1 x 1 map: the padding makes the window fit exactly, (1 + 2 − 3) + 1 = 1"),
        .init(layer: .maxPool(size: 2, stride: 2), input: [2, 2, 3], output: [1, 1, 3],
              why: "a 2x2 window on a 2 x 2 map fits exactly once: (2 − 2)/2 + 1 = 1"),
        .init(layer: .adaptiveAveragePool(outputSize: 1), input: [7, 7, 2048], output: [1, 1, 2048], why: "global average pooling"),
        .init(layer: .flatten, input: [5, 5, 16], output: [400], why: "flatten 5·5·16 = 400"),
        .init(layer: .dense(inputs: 400, outputs: 120), input: [400], output: [120], why: "dense 400 → 120"),
        .init(layer: .batchNorm(channels: 16), input: [10, 10, 16], output: [10, 10, 16], why: "batch norm keeps the shape"),
        .init(layer: .residual(body: [.convolution(kernelSize: 3, inputChannels: 4, outputChannels: 8, stride: 2, padding: 1)],
                               shortcut: [.convolution(kernelSize: 1, inputChannels: 4, outputChannels: 8, stride: 2)]),
              input: [10, 10, 4], output: [5, 5, 8],
              why: "a residual block whose body and 1x1 projection both take 10 x 10 x 4 to ⌊(10 + 2 − 3)/2⌋ + 1 = 5 = ⌊(10 − 1)/2⌋ + 1"),
    ]
}

/// What the usual output-size mistakes give for a sliding layer on an image, and what each says.
fileprivate func shapeMistakes(_ layer: LayerDescription, _ input: [Int]) -> [Misconception] {
    let window: (k: Int, s: Int, p: Int, channels: Int)?
    switch layer {
    case let .convolution(k, _, cOut, s, p, _): window = (k, s, p, cOut)
    case let .maxPool(k, s, p), let .averagePool(k, s, p): window = (k, s, p, input.last ?? 0)
    default: window = nil
    }
    guard let w = window, input.count == 3 else { return [] }
    func shape(_ side: (Int) -> Int) -> Tensor { Tensor([Double(side(input[0])), Double(side(input[1])), Double(w.channels)]) }
    // One-sided padding first: for some padded cases it equals a forgotten +1, and only the padded cases tell them apart.
    return [Misconception(shape { ($0 + w.p - w.k) / w.s + 1 }, "each side pads one side only, H + P − K; the padding goes on both sides, H + 2P − K"),
            Misconception(shape { ($0 + 2 * w.p - w.k) / w.s }, "each side is ⌊(H + 2P − K)/S⌋: the code forgets the +1 for the first window")]
}

@Suite("Architecture2 · Following the shape through a network", .graded(.architecture2))
struct Architecture2Tests {
    @Test("applies the output-size formula layer by layer", arguments: ArchitectureShapeCases.all)
    func eachLayer(example: ArchitectureShapeCase) throws {
        let got = try outputShape(of: example.layer, input: example.input)
        check(Tensor(got.map(Double.init)), equals: Tensor(example.output.map(Double.init)),
              "outputShape(of: \(example.layer), input: \(example.input)) (\(example.why))", in: .architecture2,
              misconceptions: shapeMistakes(example.layer, example.input))
    }

    @Test("throws a ShapeError where a layer does not fit")
    func rejectsMismatches() throws {
        let cases: [(String, [LayerDescription], [Int])] = [
            ("a dense layer on an image (no flatten)", [.dense(inputs: 400, outputs: 120)], [5, 5, 16]),
            ("a dense layer with the wrong input count", [.flatten, .dense(inputs: 256, outputs: 120)], [5, 5, 16]),
            ("a convolution expecting 3 channels on a grey image", [.convolution(kernelSize: 3, inputChannels: 3, outputChannels: 8)], [32, 32, 1]),
            ("a 5x5 window on a 3x3 image", [.convolution(kernelSize: 5, inputChannels: 1, outputChannels: 1)], [3, 3, 1]),
            ("a 2x2 pool on a vector", [.maxPool(size: 2, stride: 2)], [400]),
            ("batch norm over the wrong channel count", [.batchNorm(channels: 32)], [8, 8, 16]),
            ("adaptive pooling to an output of size 0", [.adaptiveAveragePool(outputSize: 0)], [7, 7, 2048]),
            ("a convolution with a 0x0 kernel", [.convolution(kernelSize: 0, inputChannels: 1, outputChannels: 1)], [4, 4, 1]),
            ("a pool with stride 0 (it would never move)", [.maxPool(size: 2, stride: 0)], [4, 4, 1]),
            ("a 4x4 window on a 1x1 map padded by 1 on each side (3 x 3)", [.convolution(kernelSize: 4, inputChannels: 1, outputChannels: 1, padding: 1)], [1, 1, 1]),
            ("a stride-2 block with an identity shortcut",
             [.residual(body: [.convolution(kernelSize: 3, inputChannels: 64, outputChannels: 64, stride: 2, padding: 1, bias: false)], shortcut: [])],
             [56, 56, 64]),
        ]
        for (what, network, input) in cases {
            try checkThrowsShapeError("outputShape for \(what)", in: .architecture2) {
                _ = try outputShape(of: network, input: input)
            }
        }
    }
}

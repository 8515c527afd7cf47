import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let architecture1 = Exercise(id: "Architecture1", chapter: "14-Architectures", file: "ParameterCount.swift",
                                        title: "Counting parameters", points: 3)
}

/// One layer and its count, derived by hand.
struct ArchitectureCountCase: Codable, Sendable, CustomStringConvertible {
    var layer: LayerDescription
    var count: Int
    var why: String
    var description: String { why }
}

enum ArchitectureCountCases {
    static let all: [ArchitectureCountCase] = [
        .init(layer: .convolution(kernelSize: 5, inputChannels: 1, outputChannels: 6), count: 156,
              why: "LeNet's first conv: 5·5·1·6 weights + 6 biases = 156"),
        .init(layer: .convolution(kernelSize: 3, inputChannels: 64, outputChannels: 128, stride: 2, padding: 1, bias: false),
              count: 73_728, why: "a 3x3 conv 64 → 128 without bias: 9·64·128 = 73,728 (stride and padding add nothing)"),
        .init(layer: .convolution(kernelSize: 11, inputChannels: 3, outputChannels: 96, stride: 4), count: 34_944,
              why: "AlexNet's first conv: 11·11·3·96 + 96 = 34,944"),
        .init(layer: .dense(inputs: 400, outputs: 120), count: 48_120, why: "dense 400 → 120: 400·120 + 120 = 48,120"),
        .init(layer: .dense(inputs: 84, outputs: 10, bias: false), count: 840, why: "dense 84 → 10 without bias: 840"),
        .init(layer: .batchNorm(channels: 64), count: 128, why: "batch norm over 64 channels: γ and β, 2·64 = 128"),
        .init(layer: .maxPool(size: 3, stride: 2, padding: 1), count: 0, why: "max pooling learns nothing"),
        .init(layer: .averagePool(size: 2, stride: 2), count: 0, why: "average pooling learns nothing"),
        .init(layer: .adaptiveAveragePool(outputSize: 1), count: 0, why: "global average pooling learns nothing"),
        .init(layer: .relu, count: 0, why: "ReLU learns nothing"),
        .init(layer: .dropout(keepProbability: 0.5), count: 0, why: "dropout learns nothing (the keep probability is a hyperparameter)"),
        .init(layer: .flatten, count: 0, why: "flatten learns nothing"),
        .init(layer: .residual(body: [.dense(inputs: 8, outputs: 8), .relu, .dense(inputs: 8, outputs: 8)], shortcut: []), count: 144,
              why: "a residual block of two dense 8 → 8 layers and an identity shortcut: 2·(64 + 8) = 144 (the shortcut adds nothing)"),
        .init(layer: .residual(body: [.dense(inputs: 8, outputs: 4)], shortcut: [.dense(inputs: 8, outputs: 4, bias: false)]), count: 68,
              why: "a residual block 8 → 4 with a projection: body 8·4 + 4 = 36, shortcut 8·4 = 32; 68"),
    ]
}

/// The parameters of a layer, counted here so that a mistaken count can be computed for a case.
fileprivate func referenceCount(_ layer: LayerDescription) -> Int {
    switch layer {
    case let .convolution(k, cIn, cOut, _, _, bias): k * k * cIn * cOut + (bias ? cOut : 0)
    case let .dense(inputs, outputs, bias): inputs * outputs + (bias ? outputs : 0)
    case let .batchNorm(channels): 2 * channels
    case let .residual(body, shortcut): (body + shortcut).map(referenceCount).reduce(0, +)
    default: 0
    }
}

/// What the usual counting mistakes give for a layer, and what each says about the code.
fileprivate func countingMistakes(_ layer: LayerDescription) -> [Misconception] {
    switch layer {
    case let .convolution(k, cIn, cOut, _, _, bias) where bias:
        [Misconception(Double(k * k * cIn * cOut), "the count leaves out the convolution's bias, one per output channel")]
    case let .dense(inputs, outputs, bias) where bias:
        [Misconception(Double(inputs * outputs), "the count leaves out the dense layer's bias, one per output")]
    case let .batchNorm(channels):
        [Misconception(Double(4 * channels), "the count includes batch norm's running mean and variance, which are statistics, not learned parameters (only γ and β are)")]
    case let .residual(body, _):
        [Misconception(Double(body.map(referenceCount).reduce(0, +)), "the count leaves out the residual block's shortcut: a projection has parameters too")]
    default:
        []
    }
}

@Suite("Architecture1 · Counting parameters", .graded(.architecture1))
struct Architecture1Tests {
    @Test("counts each kind of layer", arguments: ArchitectureCountCases.all)
    func eachLayer(example: ArchitectureCountCase) throws {
        let got = try parameterCount(of: example.layer)
        check(Double(got), equals: Double(example.count), "parameterCount(of: \(example.layer)) (\(example.why))", in: .architecture1,
              misconceptions: countingMistakes(example.layer))
    }

    @Test("two chained 3x3 convolutions have 18 weights where one 5x5 has 25 (notes 003)")
    func chainedKernels() throws {
        // Both see a 5x5 patch of a one-channel image; the chain has 2·3·3 = 18 degrees of
        // freedom, the single filter 5·5 = 25 coefficients. (No bias, as in the notes' figure.)
        let chain: [LayerDescription] = [
            .convolution(kernelSize: 3, inputChannels: 1, outputChannels: 1, bias: false),
            .convolution(kernelSize: 3, inputChannels: 1, outputChannels: 1, bias: false),
        ]
        let single: [LayerDescription] = [.convolution(kernelSize: 5, inputChannels: 1, outputChannels: 1, bias: false)]
        let (a, b) = (try parameterCount(of: chain), try parameterCount(of: single))
        check(a == 18 && b == 25, "two 3x3 convolutions: \(a) (expected 18); one 5x5: \(b) (expected 25).", in: .architecture1)
    }




    @Test("rejects a layer with a size that is not positive")
    func rejectsBadSizes() throws {
        let bad: [LayerDescription] = [
            .convolution(kernelSize: 0, inputChannels: 3, outputChannels: 8),
            .convolution(kernelSize: 3, inputChannels: 3, outputChannels: 8, stride: 0),
            .dense(inputs: -4, outputs: 10), .batchNorm(channels: 0),
            .residual(body: [.dense(inputs: 10, outputs: 0)], shortcut: []),
        ]
        for layer in bad {
            try checkThrows(ArgumentError.self, "parameterCount(of: \(layer))", in: .architecture1) {
                _ = try parameterCount(of: layer)
            }
        }
    }
}

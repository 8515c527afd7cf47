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
        .init(layer: ArchitectureReference.basicBlock(from: 64, width: 64, stride: 1), count: 73_984,
              why: "a basic block 64 → 64 with identity shortcut: 2·(9·64·64 + 2·64) = 73,984"),
        .init(layer: ArchitectureReference.basicBlock(from: 64, width: 128, stride: 2), count: 230_144,
              why: "a basic block 64 → 128, stride 2: body 9·64·128 + 256 + 9·128·128 + 256 = 221,696, projection 64·128 + 256 = 8,448; 230,144"),
    ]
}

@Suite("Architecture1 · Counting parameters", .graded(.architecture1))
struct Architecture1Tests {
    @Test("counts each kind of layer", arguments: ArchitectureCountCases.all)
    func eachLayer(example: ArchitectureCountCase) throws {
        let got = try parameterCount(of: example.layer)
        check(got == example.count, "parameterCount(of: \(example.layer)) is \(got), expected \(example.why).", in: .architecture1)
    }

    @Test("two chained 3x3 convolutions have 18 weights where one 5x5 has 25 (notes 003)")
    func chainingConvolutions() throws {
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

    @Test("LeNet-5 has 61,706 parameters")
    func leNet5() throws {
        // conv 5x5 1→6: 25·6 + 6 = 156;  conv 5x5 6→16: 25·6·16 + 16 = 2,416;
        // dense 400→120: 48,120;  dense 120→84: 10,164;  dense 84→10: 850;
        // 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706.
        let got = try parameterCount(of: ArchitectureReference.leNet5)
        check(got == 61_706, "LeNet-5 has \(got) parameters, expected 61,706.", in: .architecture1)
    }

    @Test("VGG-16 has 138,357,544 parameters: the notes' 'about 138 million'")
    func vgg16() throws {
        // 13 convolutions: 14,714,688; dense 25,088→4096: 102,764,544; 4096→4096: 16,781,312;
        // 4096→1000: 4,097,000. Total 138,357,544 (torchvision's vgg16).
        let got = try parameterCount(of: ArchitectureReference.vgg16)
        check(got == ArchitectureReference.vgg16Count, "VGG-16 has \(got) parameters, expected 138,357,544.", in: .architecture1)
        check(abs(Double(got) - 138e6) < 0.5e6, "notes 004: VGG has about 138 million parameters; got \(got).", in: .architecture1)
        // Most of them sit in the first dense layer: 102,764,544 of 138,357,544, about 74%.
        let first = try parameterCount(of: .dense(inputs: 25_088, outputs: 4096))
        check(first == 102_764_544, "dense 25,088 → 4096 has \(first) parameters, expected 102,764,544.", in: .architecture1)
    }

    @Test("ResNets have torchvision's published counts, batch norm included", arguments: [18, 34, 50, 101, 152])
    func resNet(depth: Int) throws {
        let expected = ArchitectureReference.published[depth] ?? -1
        let got = try parameterCount(of: ArchitectureReference.resNet(depth))
        check(got == expected, "ResNet-\(depth) has \(got) parameters, expected \(expected) (torchvision). Count γ and β of every batch norm, and no bias on convolutions followed by batch norm.", in: .architecture1)
        if depth == 152 {
            check(abs(Double(got) - 60e6) < 0.5e6, "notes 004: ResNet-152 has about 60 million parameters; got \(got).", in: .architecture1)
        }
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

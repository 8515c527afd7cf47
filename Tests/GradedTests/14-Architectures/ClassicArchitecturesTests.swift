import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let architecture3 = Exercise(id: "Architecture3", chapter: "14-Architectures", file: "ClassicNetworks.swift",
                                        title: "LeNet-5, AlexNet and VGG-16 as descriptions", points: 3)
}

// Counted with your own parameterCount (Architecture1) and outputShape (Architecture2): finish
// those first. The instructor's hidden tests count the same networks with an independent reference.

@Suite("Architecture3 · LeNet-5, AlexNet and VGG-16 as descriptions", .graded(.architecture3))
struct Architecture3Tests {
    @Test("LeNet-5: 5 weight layers, [32, 32, 1] → [10], 61,706 parameters")
    func leNet5() throws {
        let net = try StudentCalls.leNet5()
        let shape = try NetworkFacts.shape(net, input: [32, 32, 1])
        check(shape == [10], "leNet5() on [32, 32, 1] ends in \(shape.map { "\($0)" } ?? "a layer that does not fit"), expected [10].", in: .architecture3)
        let layers = NetworkFacts.weightLayersOnMainPath(net)
        check(layers == 5, "LeNet-5 has 5 layers with weights (2 convolutions, 3 dense); found \(layers).", in: .architecture3)
        // 156 + 2,416 + 48,120 + 10,164 + 850 (derived in Architecture1Tests).
        let count = try parameterCount(of: net)
        check(count == NetworkFacts.leNet5Count, "leNet5() has \(count) parameters, expected 61,706.", in: .architecture3)
    }

    @Test("AlexNet as the notes draw it: 8 weight layers, [227, 227, 3] → [1000], 62,378,344 parameters")
    func alexNet() throws {
        let net = try StudentCalls.alexNet()
        let shape = try NetworkFacts.shape(net, input: [227, 227, 3])
        check(shape == [1000], "alexNet() on [227, 227, 3] ends in \(shape.map { "\($0)" } ?? "a layer that does not fit"), expected [1000].", in: .architecture3)
        let layers = NetworkFacts.weightLayersOnMainPath(net)
        check(layers == 8, "AlexNet has 8 layers with weights (5 convolutions, 3 dense); found \(layers).", in: .architecture3)
        // convs: 34,944 + 614,656 + 885,120 + 1,327,488 + 884,992 = 3,747,200;
        // dense: 9216·4096 + 4096 = 37,752,832; 4096·4096 + 4096 = 16,781,312; 4096·1000 + 1000 = 4,097,000.
        // Total 62,378,344 (one tower; torchvision's smaller variant has 61,100,840).
        // The shapes the notes' figure draws after each convolution; the count and the final shape
        // cannot tell a 5x5 convolution padded by 2 (27 → 27) from one padded by 3 (27 → 29 → 14 → 6).
        var shapes: [[Int]] = []
        for end in net.indices where { if case .convolution = net[end] { true } else { false } }() {
            if let shape = try NetworkFacts.shape(Array(net[...end]), input: [227, 227, 3]) { shapes.append(shape) }
        }
        check(shapes == [[55, 55, 96], [27, 27, 256], [13, 13, 384], [13, 13, 384], [13, 13, 256]],
              "alexNet()'s convolutions should give [55, 55, 96], [27, 27, 256] (5x5, pad 2), [13, 13, 384], [13, 13, 384], [13, 13, 256]; got \(shapes).", in: .architecture3)
        check(net.filter { $0 == .dropout(keepProbability: 0.5) }.count == 2,
              "AlexNet has dropout with keep probability 0.5 before the first two dense layers; alexNet() has \(net.filter { if case .dropout = $0 { true } else { false } }).", in: .architecture3)
        let count = try parameterCount(of: net)
        check(count == NetworkFacts.alexNetCount, "alexNet() has \(count) parameters, expected 62,378,344.", in: .architecture3)
    }

    @Test("VGG-16: 16 weight layers, [224, 224, 3] → [classes], 138,357,544 parameters for 1000 classes")
    func vgg16() throws {
        let net = try StudentCalls.vgg16()
        let shape = try NetworkFacts.shape(net, input: [224, 224, 3])
        check(shape == [1000], "vgg16() on [224, 224, 3] ends in \(shape.map { "\($0)" } ?? "a layer that does not fit"), expected [1000].", in: .architecture3)
        let layers = NetworkFacts.weightLayersOnMainPath(net)
        check(layers == 16, "VGG-16 has 16 layers with weights (13 convolutions, 3 dense); found \(layers).", in: .architecture3)
        // Five 2x2 pools take 224 to exactly 7, so on ImageNet-sized input the adaptive pool
        // changes nothing: the features entering it must already be [7, 7, 512].
        if let pool = net.firstIndex(of: .adaptiveAveragePool(outputSize: 7)) {
            let features = try NetworkFacts.shape(Array(net[..<pool]), input: [224, 224, 3])
            check(features == [7, 7, 512], "vgg16()'s convolutional features are \(features.map { "\($0)" } ?? "a layer that does not fit"), expected [7, 7, 512] (3x3 convolutions with padding 1, 2x2 pools with stride 2).", in: .architecture3)
        } else {
            check(false, "vgg16() should pool adaptively to 7x7 before flattening (.adaptiveAveragePool(outputSize: 7)), as torchvision does.", in: .architecture3)
        }
        let count = try parameterCount(of: net)
        check(count == NetworkFacts.vgg16Count, "vgg16() has \(count) parameters, expected 138,357,544 (torchvision).", in: .architecture3)
        // Notes 003: "small convolutional kernels … >100 million parameters".
        check(count > 100_000_000, "notes 003: VGG has more than 100 million parameters; vgg16() has \(count).", in: .architecture3)
        // 10 classes: the last layer shrinks from 4096·1000 + 1000 to 4096·10 + 10,
        // 138,357,544 − 4,097,000 + 40,970 = 134,301,514.
        let ten = try StudentCalls.vgg16(classes: 10)
        check(try NetworkFacts.shape(ten, input: [224, 224, 3]) == [10], "vgg16(classes: 10) should end in [10].", in: .architecture3)
        let tenCount = try parameterCount(of: ten)
        check(tenCount == 134_301_514, "vgg16(classes: 10) has \(tenCount) parameters, expected 134,301,514.", in: .architecture3)
        check(try NetworkFacts.shape(try StudentCalls.vgg16(classes: 1), input: [224, 224, 3]) == [1],
              "vgg16(classes: 1) should end in [1]: one class is a single output, not an error.", in: .architecture3)
        check(net.filter { $0 == .dropout(keepProbability: 0.5) }.count == 2,
              "VGG-16 has dropout with keep probability 0.5 after the first two ReLUs of the classifier; vgg16() has \(net.filter { if case .dropout = $0 { true } else { false } }).", in: .architecture3)
        try checkThrows(ArgumentError.self, "vgg16(classes: 0)", in: .architecture3) { _ = try StudentCalls.vgg16(classes: 0) }
    }
}

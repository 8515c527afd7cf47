// The architecture exercises graded against the instructor's independent reference
// (ArchitectureReference): whole networks in, published counts and shapes out. Hidden, because the
// inputs here are the answers of Architecture3 and Architecture4.
import Testing
import StudentCalls
import WorkbookCore

@Suite("Architecture3 · LeNet-5, AlexNet and VGG-16 as descriptions, counted by the instructor's reference", .graded(.architecture3))
struct Architecture3HiddenTests {
    @Test("LeNet-5: 5 weight layers, [32, 32, 1] → [10], 61,706 parameters")
    func leNet5() throws {
        let net = try StudentCalls.leNet5()
        let shape = ArchitectureReference.shape(net, input: [32, 32, 1])
        check(shape == [10], "leNet5() on [32, 32, 1] ends in \(shape.map { "\($0)" } ?? "a layer that does not fit"), expected [10].", in: .architecture3)
        let layers = NetworkFacts.weightLayersOnMainPath(net)
        check(layers == 5, "LeNet-5 has 5 layers with weights (2 convolutions, 3 dense); found \(layers).", in: .architecture3)
        // 156 + 2,416 + 48,120 + 10,164 + 850 (derived in Architecture1Tests).
        let count = ArchitectureReference.count(net)
        check(count == NetworkFacts.leNet5Count, "leNet5() has \(count) parameters, expected 61,706.", in: .architecture3)
    }

    @Test("AlexNet as the notes draw it: 8 weight layers, [227, 227, 3] → [1000], 62,378,344 parameters")
    func alexNet() throws {
        let net = try StudentCalls.alexNet()
        let shape = ArchitectureReference.shape(net, input: [227, 227, 3])
        check(shape == [1000], "alexNet() on [227, 227, 3] ends in \(shape.map { "\($0)" } ?? "a layer that does not fit"), expected [1000].", in: .architecture3)
        let layers = NetworkFacts.weightLayersOnMainPath(net)
        check(layers == 8, "AlexNet has 8 layers with weights (5 convolutions, 3 dense); found \(layers).", in: .architecture3)
        // convs: 34,944 + 614,656 + 885,120 + 1,327,488 + 884,992 = 3,747,200;
        // dense: 9216·4096 + 4096 = 37,752,832; 4096·4096 + 4096 = 16,781,312; 4096·1000 + 1000 = 4,097,000.
        // Total 62,378,344 (one tower; torchvision's smaller variant has 61,100,840).
        let count = ArchitectureReference.count(net)
        check(count == NetworkFacts.alexNetCount, "alexNet() has \(count) parameters, expected 62,378,344.", in: .architecture3)
    }

    @Test("VGG-16: 16 weight layers, [224, 224, 3] → [classes], 138,357,544 parameters for 1000 classes")
    func vgg16() throws {
        let net = try StudentCalls.vgg16()
        let shape = ArchitectureReference.shape(net, input: [224, 224, 3])
        check(shape == [1000], "vgg16() on [224, 224, 3] ends in \(shape.map { "\($0)" } ?? "a layer that does not fit"), expected [1000].", in: .architecture3)
        let layers = NetworkFacts.weightLayersOnMainPath(net)
        check(layers == 16, "VGG-16 has 16 layers with weights (13 convolutions, 3 dense); found \(layers).", in: .architecture3)
        // Five 2x2 pools take 224 to exactly 7, so on ImageNet-sized input the adaptive pool
        // changes nothing: the features entering it must already be [7, 7, 512].
        if let pool = net.firstIndex(of: .adaptiveAveragePool(outputSize: 7)) {
            let features = ArchitectureReference.shape(Array(net[..<pool]), input: [224, 224, 3])
            check(features == [7, 7, 512], "vgg16()'s convolutional features are \(features.map { "\($0)" } ?? "a layer that does not fit"), expected [7, 7, 512] (3x3 convolutions with padding 1, 2x2 pools with stride 2).", in: .architecture3)
        } else {
            check(false, "vgg16() should pool adaptively to 7x7 before flattening (.adaptiveAveragePool(outputSize: 7)), as torchvision does.", in: .architecture3)
        }
        let count = ArchitectureReference.count(net)
        check(count == NetworkFacts.vgg16Count, "vgg16() has \(count) parameters, expected 138,357,544 (torchvision).", in: .architecture3)
        // Notes 003: "small convolutional kernels … >100 million parameters".
        check(count > 100_000_000, "notes 003: VGG has more than 100 million parameters; vgg16() has \(count).", in: .architecture3)
        // 10 classes: the last layer shrinks from 4096·1000 + 1000 to 4096·10 + 10,
        // 138,357,544 − 4,097,000 + 40,970 = 134,301,514.
        let ten = try StudentCalls.vgg16(classes: 10)
        check(ArchitectureReference.shape(ten, input: [224, 224, 3]) == [10], "vgg16(classes: 10) should end in [10].", in: .architecture3)
        check(ArchitectureReference.count(ten) == 134_301_514,
              "vgg16(classes: 10) has \(ArchitectureReference.count(ten)) parameters, expected 134,301,514.", in: .architecture3)
        try checkThrows(ArgumentError.self, "vgg16(classes: 0)", in: .architecture3) { _ = try StudentCalls.vgg16(classes: 0) }
    }
}

@Suite("Architecture4 · ResNet-18 to ResNet-152 as descriptions, counted by the instructor's reference", .graded(.architecture4))
struct Architecture4HiddenTests {
    @Test("has the published parameter count, depth and output shape", arguments: [18, 34, 50, 101, 152])
    func published(depth: Int) throws {
        let net = try resNet(depth: depth)
        let shape = ArchitectureReference.shape(net, input: [224, 224, 3])
        check(shape == [1000], "resNet(depth: \(depth)) on [224, 224, 3] ends in \(shape.map { "\($0)" } ?? "a layer that does not fit (check strides and shortcuts)"), expected [1000].", in: .architecture4)
        // The name counts the weight layers on the main path: 1 stem conv + 2 or 3 per block + 1 dense.
        let layers = NetworkFacts.weightLayersOnMainPath(net)
        check(layers == depth, "ResNet-\(depth) should have \(depth) weight layers on its main path (projection shortcuts not counted); found \(layers).", in: .architecture4)
        // Basic blocks need a projection where a stage starts (stages 2–4); bottleneck blocks
        // also in stage 1, whose first block turns 64 channels into 256.
        let projections = NetworkFacts.projections(net)
        let expectedProjections = depth >= 50 ? 4 : 3
        check(projections == expectedProjections, "ResNet-\(depth) should have \(expectedProjections) projection shortcuts; found \(projections).", in: .architecture4)
        if depth == 152 {
            // Notes 003: "2016: ResNet >100 conv. layers": 151 on the main path plus 4 projections.
            let convolutions = NetworkFacts.convolutions(net)
            check(convolutions == 155, "ResNet-152 has 155 convolutions (151 on the main path, 4 projections), more than the notes' 100; found \(convolutions).", in: .architecture4)
        }
        let count = ArchitectureReference.count(net)
        let expected = NetworkFacts.published[depth] ?? -1
        check(count == expected, "resNet(depth: \(depth)) has \(count) parameters, expected \(expected) (torchvision). Convolutions before batch norm have no bias; each batch norm has 2·C.", in: .architecture4)
    }

    @Test("puts every stride and projection where the paper does (ResNet-18, block by block)")
    func sameAsReference() throws {
        // The counts of each block, in order, pin where every stride and projection sits.
        func blockCounts(_ net: [LayerDescription]) -> [Int] {
            net.compactMap { if case .residual = $0 { return ArchitectureReference.count([$0]) } else { return nil } }
        }
        let got = blockCounts(try resNet(depth: 18))
        let expected = blockCounts(ArchitectureReference.resNet(18))
        check(got == expected, "the parameter counts of ResNet-18's residual blocks are \(got), expected \(expected).", in: .architecture4)
    }

    @Test("changes only the last layer for another number of classes, and rejects unknown depths")
    func classesAndDepths() throws {
        // ResNet-18 for 10 classes: 11,689,512 − (512·1000 + 1000) + (512·10 + 10) = 11,181,642.
        let ten = try resNet(depth: 18, classes: 10)
        check(ArchitectureReference.shape(ten, input: [224, 224, 3]) == [10], "resNet(depth: 18, classes: 10) should end in [10].", in: .architecture4)
        check(ArchitectureReference.count(ten) == 11_181_642,
              "resNet(depth: 18, classes: 10) has \(ArchitectureReference.count(ten)) parameters, expected 11,181,642.", in: .architecture4)
        for depth in [0, 20, 56] {
            try checkThrows(ArgumentError.self, "resNet(depth: \(depth))", in: .architecture4) { _ = try resNet(depth: depth) }
        }
        try checkThrows(ArgumentError.self, "resNet(depth: 18, classes: 0)", in: .architecture4) { _ = try resNet(depth: 18, classes: 0) }
    }
}

@Suite("Architecture1 · Counting whole networks (the instructor's reference networks)", .graded(.architecture1))
struct Architecture1HiddenTests {
    @Test("counts residual blocks as the paper builds them")
    func basicBlocks() throws {
        check(try parameterCount(of: ArchitectureReference.basicBlock(from: 64, width: 64, stride: 1)) == 73_984,
              "a basic block 64 → 64 with identity shortcut: 2·(9·64·64 + 2·64) = 73,984.", in: .architecture1)
        check(try parameterCount(of: ArchitectureReference.basicBlock(from: 64, width: 128, stride: 2)) == 230_144,
              "a basic block 64 → 128, stride 2: body 221,696 + projection 8,448 = 230,144.", in: .architecture1)
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
        check(got == NetworkFacts.vgg16Count, "VGG-16 has \(got) parameters, expected 138,357,544.", in: .architecture1)
        check(abs(Double(got) - 138e6) < 0.5e6, "notes 004: VGG has about 138 million parameters; got \(got).", in: .architecture1)
        // Most of them sit in the first dense layer: 102,764,544 of 138,357,544, about 74%.
        let first = try parameterCount(of: .dense(inputs: 25_088, outputs: 4096))
        check(first == 102_764_544, "dense 25,088 → 4096 has \(first) parameters, expected 102,764,544.", in: .architecture1)
    }

    @Test("ResNets have torchvision's published counts, batch norm included", arguments: [18, 34, 50, 101, 152])
    func resNet(depth: Int) throws {
        let expected = NetworkFacts.published[depth] ?? -1
        let got = try parameterCount(of: ArchitectureReference.resNet(depth))
        check(got == expected, "ResNet-\(depth) has \(got) parameters, expected \(expected) (torchvision). Count γ and β of every batch norm, and no bias on convolutions followed by batch norm.", in: .architecture1)
        if depth == 152 {
            check(abs(Double(got) - 60e6) < 0.5e6, "notes 004: ResNet-152 has about 60 million parameters; got \(got).", in: .architecture1)
        }
    }
}

@Suite("Architecture2 · Shapes through whole networks (the instructor's reference networks)", .graded(.architecture2))
struct Architecture2HiddenTests {
    @Test("takes LeNet-5 from [32, 32, 1] through [5, 5, 16] to [10]")
    func leNet5() throws {
        let net = ArchitectureReference.leNet5
        // 32 → conv 28 → pool 14 → conv 10 → pool 5; the first 6 layers end before flatten.
        let features = try outputShape(of: Array(net.prefix(6)), input: [32, 32, 1])
        check(features == [5, 5, 16], "LeNet-5's features are \(features), expected [5, 5, 16].", in: .architecture2)
        let out = try outputShape(of: net, input: [32, 32, 1])
        check(out == [10], "LeNet-5 ends in \(out), expected [10].", in: .architecture2)
    }

    @Test("takes VGG-16 and ResNets from [224, 224, 3] to [1000]")
    func imageNetModels() throws {
        // VGG: five 2x2 pools halve 224 five times: 7; 7 · 7 · 512 = 25,088 feeds the first dense layer.
        let vgg = ArchitectureReference.vgg16
        let features = try outputShape(of: Array(vgg.prefix(31)), input: [224, 224, 3])
        check(features == [7, 7, 512], "VGG-16's features (13 convs with ReLUs, 5 pools) are \(features), expected [7, 7, 512].", in: .architecture2)
        check(try outputShape(of: vgg, input: [224, 224, 3]) == [1000], "VGG-16 should end in [1000].", in: .architecture2)
        for depth in [18, 50] {
            let out = try outputShape(of: ArchitectureReference.resNet(depth), input: [224, 224, 3])
            check(out == [1000], "ResNet-\(depth) ends in \(out), expected [1000].", in: .architecture2)
        }
    }

    @Test("shapes a residual block as the paper builds it")
    func basicBlocks() throws {
        check(try outputShape(of: ArchitectureReference.basicBlock(from: 64, width: 128, stride: 2), input: [56, 56, 64]) == [28, 28, 128],
              "a basic block 64 → 128 with stride 2 takes [56, 56, 64] to [28, 28, 128].", in: .architecture2)
    }
}

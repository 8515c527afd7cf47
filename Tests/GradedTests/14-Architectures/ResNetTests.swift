import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let architecture4 = Exercise(id: "Architecture4", chapter: "14-Architectures", file: "ResNet.swift",
                                        title: "ResNet-18 to ResNet-152 as descriptions", points: 5)
}

// Counted with your own parameterCount (Architecture1) and outputShape (Architecture2): finish
// those first. The instructor's hidden tests count the same networks with an independent reference.

@Suite("Architecture4 · ResNet-18 to ResNet-152 as descriptions", .graded(.architecture4))
struct Architecture4Tests {
    @Test("has the published parameter count, depth and output shape", arguments: [18, 34, 50, 101, 152])
    func published(depth: Int) throws {
        let net = try resNet(depth: depth)
        let shape = try NetworkFacts.shape(net, input: [224, 224, 3])
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
        let count = try parameterCount(of: net)
        let expected = NetworkFacts.published[depth] ?? -1
        check(count == expected, "resNet(depth: \(depth)) has \(count) parameters, expected \(expected) (torchvision). Convolutions before batch norm have no bias; each batch norm has 2·C.", in: .architecture4)
    }

    @Test("the paper's stem, then 56 x 56 after it and 7 x 7 before the head (He et al., table 1)", arguments: [18, 50])
    func stemAndStageSizes(depth: Int) throws {
        // The final shape and the count cannot see a stem with another padding, stride or pool
        // window: the adaptive pool hides the size, and those layers have no parameters that change.
        let net = try resNet(depth: depth)
        let stem: [LayerDescription] = [.convolution(kernelSize: 7, inputChannels: 3, outputChannels: 64, stride: 2, padding: 3, bias: false),
                                        .batchNorm(channels: 64), .relu, .maxPool(size: 3, stride: 2, padding: 1)]
        check(Array(net.prefix(4)) == stem, "resNet(depth: \(depth)) should start with the stem conv 7x7, 64, stride 2, pad 3 (no bias) → BN → ReLU → max pool 3x3/2, pad 1; it starts with \(Array(net.prefix(4))).", in: .architecture4)
        let afterStem = try NetworkFacts.shape(Array(net.prefix(4)), input: [224, 224, 3])
        check(afterStem == [56, 56, 64], "after the stem, 224 x 224 should be ⌊(224 + 6 − 7)/2⌋ + 1 = 112, then ⌊(112 + 2 − 3)/2⌋ + 1 = 56: [56, 56, 64]; got \(afterStem.map { "\($0)" } ?? "a layer that does not fit").", in: .architecture4)
        guard let head = net.firstIndex(of: .adaptiveAveragePool(outputSize: 1)) else {
            check(false, "resNet(depth: \(depth)) should end with an adaptive average pool to 1x1, a flatten and a dense layer.", in: .architecture4)
            return
        }
        let features = try NetworkFacts.shape(Array(net[..<head]), input: [224, 224, 3])
        let channels = depth >= 50 ? 2048 : 512
        check(features == [7, 7, channels], "before the head, stages 2–4 each halve 56 once (stride 2 in their first block only): 56 → 28 → 14 → 7, so [7, 7, \(channels)]; got \(features.map { "\($0)" } ?? "a layer that does not fit").", in: .architecture4)
    }

    @Test("changes only the last layer for another number of classes, and rejects unknown depths")
    func classesAndDepths() throws {
        // ResNet-18 for 10 classes: 11,689,512 − (512·1000 + 1000) + (512·10 + 10) = 11,181,642.
        let ten = try resNet(depth: 18, classes: 10)
        check(try NetworkFacts.shape(ten, input: [224, 224, 3]) == [10], "resNet(depth: 18, classes: 10) should end in [10].", in: .architecture4)
        let tenCount = try parameterCount(of: ten)
        check(tenCount == 11_181_642, "resNet(depth: 18, classes: 10) has \(tenCount) parameters, expected 11,181,642.", in: .architecture4)
        for depth in [0, 20, 56] {
            try checkThrows(ArgumentError.self, "resNet(depth: \(depth))", in: .architecture4) { _ = try resNet(depth: depth) }
        }
        // One output is a valid head (a single logit for a yes/no task).
        let one = try resNet(depth: 18, classes: 1)
        check(try NetworkFacts.shape(one, input: [224, 224, 3]) == [1], "resNet(depth: 18, classes: 1) should end in [1]: one class is a single output, not an error.", in: .architecture4)
        try checkThrows(ArgumentError.self, "resNet(depth: 18, classes: 0)", in: .architecture4) { _ = try resNet(depth: 18, classes: 0) }
    }
}

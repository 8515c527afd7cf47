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
        try checkThrows(ArgumentError.self, "resNet(depth: 18, classes: 0)", in: .architecture4) { _ = try resNet(depth: 18, classes: 0) }
    }
}

// Facts about networks that the architecture tests check without a reference implementation of
// any exercise: published parameter counts, and walks that count layers by kind. The independent
// counter, shape walker and network descriptions that grade the same exercises a second time are
// the instructor's (Tests/GradedTests/Hidden/ArchitectureReference.swift), never shipped.
import Testing
import StudentCalls
import WorkbookCore

enum NetworkFacts {
    // MARK: Published parameter counts (torchvision's model summaries for 1000 classes)

    /// torchvision: vgg16 138,357,544; resnet18 11,689,512; resnet34 21,797,672; resnet50 25,557,032;
    /// resnet101 44,549,160; resnet152 60,192,808. LeNet-5 and AlexNet are derived in the tests.
    static let published: [Int: Int] = [18: 11_689_512, 34: 21_797_672, 50: 25_557_032, 101: 44_549_160, 152: 60_192_808]
    static let vgg16Count = 138_357_544
    static let leNet5Count = 61_706
    static let alexNetCount = 62_378_344

    /// Convolutions and dense layers outside shortcuts: the "depth" in a network's name.
    static func weightLayersOnMainPath(_ network: [LayerDescription]) -> Int {
        network.map { layer -> Int in
            switch layer {
            case .convolution, .dense: return 1
            case let .residual(body, _): return weightLayersOnMainPath(body)
            default: return 0
            }
        }.reduce(0, +)
    }

    /// Every convolution, projections included.
    static func convolutions(_ network: [LayerDescription]) -> Int {
        network.map { layer -> Int in
            switch layer {
            case .convolution: return 1
            case let .residual(body, shortcut): return convolutions(body) + convolutions(shortcut)
            default: return 0
            }
        }.reduce(0, +)
    }

    /// Residual blocks whose shortcut is a projection rather than the identity.
    static func projections(_ network: [LayerDescription]) -> Int {
        network.filter { if case let .residual(_, shortcut) = $0 { return !shortcut.isEmpty } else { return false } }.count
    }

    /// The student's `outputShape`, with a layer that does not fit (`ShapeError`) read as `nil`.
    static func shape(_ network: [LayerDescription], input: [Int]) throws -> [Int]? {
        do { return try outputShape(of: network, input: input) } catch is ShapeError { return nil }
    }
}

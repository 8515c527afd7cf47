// The instructor's reference for the architecture tests: descriptions of the famous networks, a
// parameter counter and a shape walker, written independently of the exercises, so that each
// exercise is graded on its own and the counts are checked twice over. Hidden: these are the
// answers to Architecture1–4, so the student release leaves this folder out.
import Testing
import WorkbookCore

enum ArchitectureReference {
    // MARK: Counting and shapes

    /// Learned parameters: weights, biases, BN's γ and β.
    static func count(_ network: [LayerDescription]) -> Int {
        network.map { layer -> Int in
            switch layer {
            case let .convolution(k, i, o, _, _, bias): return k * k * i * o + (bias ? o : 0)
            case let .dense(i, o, bias): return i * o + (bias ? o : 0)
            case let .batchNorm(c): return 2 * c
            case let .residual(body, shortcut): return count(body) + count(shortcut)
            default: return 0
            }
        }.reduce(0, +)
    }

    /// The per-example shape after the network, or `nil` where a layer does not fit.
    static func shape(_ network: [LayerDescription], input: [Int]) -> [Int]? {
        var s = input
        func out(_ n: Int, _ k: Int, _ stride: Int, _ pad: Int) -> Int? {
            n + 2 * pad >= k ? (n + 2 * pad - k) / stride + 1 : nil
        }
        for layer in network {
            switch layer {
            case let .convolution(k, i, o, stride, pad, _):
                guard s.count == 3, s[2] == i, let h = out(s[0], k, stride, pad), let w = out(s[1], k, stride, pad) else { return nil }
                s = [h, w, o]
            case let .maxPool(k, stride, pad), let .averagePool(k, stride, pad):
                guard s.count == 3, let h = out(s[0], k, stride, pad), let w = out(s[1], k, stride, pad) else { return nil }
                s = [h, w, s[2]]
            case let .adaptiveAveragePool(o):
                guard s.count == 3 else { return nil }
                s = [o, o, s[2]]
            case let .batchNorm(c):
                guard s.last == c else { return nil }
            case let .dense(i, o, _):
                guard s == [i] else { return nil }
                s = [o]
            case .flatten:
                s = [s.reduce(1, *)]
            case .relu, .dropout:
                break
            case let .residual(body, shortcut):
                guard let a = shape(body, input: s), let b = shape(shortcut, input: s), a == b else { return nil }
                s = a
            }
        }
        return s
    }

    // MARK: The networks, written out independently of the exercises

    /// LeNet-5, modern form, `[32, 32, 1]` → `[10]`.
    static let leNet5: [LayerDescription] = [
        .convolution(kernelSize: 5, inputChannels: 1, outputChannels: 6), .relu, .maxPool(size: 2, stride: 2),
        .convolution(kernelSize: 5, inputChannels: 6, outputChannels: 16), .relu, .maxPool(size: 2, stride: 2),
        .flatten, .dense(inputs: 400, outputs: 120), .relu, .dense(inputs: 120, outputs: 84), .relu,
        .dense(inputs: 84, outputs: 10),
    ]

    /// VGG-16 (configuration D), `[224, 224, 3]` → `[1000]`; "M" is a 2x2/2 max pool.
    static var vgg16: [LayerDescription] {
        let plan: [Int?] = [64, 64, nil, 128, 128, nil, 256, 256, 256, nil, 512, 512, 512, nil, 512, 512, 512, nil]
        var layers: [LayerDescription] = []
        var c = 3
        for step in plan {
            if let width = step {
                layers += [.convolution(kernelSize: 3, inputChannels: c, outputChannels: width, padding: 1), .relu]
                c = width
            } else {
                layers.append(.maxPool(size: 2, stride: 2))
            }
        }
        return layers + [.adaptiveAveragePool(outputSize: 7), .flatten,
                         .dense(inputs: 25_088, outputs: 4096), .relu, .dropout(keepProbability: 0.5),
                         .dense(inputs: 4096, outputs: 4096), .relu, .dropout(keepProbability: 0.5),
                         .dense(inputs: 4096, outputs: 1000)]
    }

    /// One basic block of width `w` from `c` channels with stride `s` (ResNet-18/34).
    static func basicBlock(from c: Int, width w: Int, stride s: Int) -> LayerDescription {
        let body: [LayerDescription] = [
            .convolution(kernelSize: 3, inputChannels: c, outputChannels: w, stride: s, padding: 1, bias: false), .batchNorm(channels: w), .relu,
            .convolution(kernelSize: 3, inputChannels: w, outputChannels: w, padding: 1, bias: false), .batchNorm(channels: w),
        ]
        let shortcut: [LayerDescription] = s == 1 && c == w ? [] :
            [.convolution(kernelSize: 1, inputChannels: c, outputChannels: w, stride: s, bias: false), .batchNorm(channels: w)]
        return .residual(body: body, shortcut: shortcut)
    }

    /// One bottleneck block of width `w` (output 4w) from `c` channels with stride `s` (ResNet-50+).
    static func bottleneckBlock(from c: Int, width w: Int, stride s: Int) -> LayerDescription {
        let body: [LayerDescription] = [
            .convolution(kernelSize: 1, inputChannels: c, outputChannels: w, bias: false), .batchNorm(channels: w), .relu,
            .convolution(kernelSize: 3, inputChannels: w, outputChannels: w, stride: s, padding: 1, bias: false), .batchNorm(channels: w), .relu,
            .convolution(kernelSize: 1, inputChannels: w, outputChannels: 4 * w, bias: false), .batchNorm(channels: 4 * w),
        ]
        let shortcut: [LayerDescription] = s == 1 && c == 4 * w ? [] :
            [.convolution(kernelSize: 1, inputChannels: c, outputChannels: 4 * w, stride: s, bias: false), .batchNorm(channels: 4 * w)]
        return .residual(body: body, shortcut: shortcut)
    }

    /// ResNet-`depth` from He et al. (2016), table 1, `[224, 224, 3]` → `[1000]`.
    static func resNet(_ depth: Int) -> [LayerDescription] {
        let stages: [Int: [Int]] = [18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3]]
        let bottleneck = depth >= 50
        var layers: [LayerDescription] = [
            .convolution(kernelSize: 7, inputChannels: 3, outputChannels: 64, stride: 2, padding: 3, bias: false),
            .batchNorm(channels: 64), .relu, .maxPool(size: 3, stride: 2, padding: 1),
        ]
        var c = 64
        for (stage, blocks) in (stages[depth] ?? []).enumerated() {
            let w = 64 << stage
            for block in 0..<blocks {
                let s = block == 0 && stage > 0 ? 2 : 1
                layers += [bottleneck ? bottleneckBlock(from: c, width: w, stride: s) : basicBlock(from: c, width: w, stride: s), .relu]
                c = bottleneck ? 4 * w : w
            }
        }
        return layers + [.adaptiveAveragePool(outputSize: 1), .flatten, .dense(inputs: c, outputs: 1000)]
    }
}


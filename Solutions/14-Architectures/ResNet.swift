// Chapter 14 · Architectures — ResNet-18 to ResNet-152 written down as data
//
// Shapes are per example, `[H, W, C]`. The layout follows He et al. (2016), table 1, as
// torchvision builds it (the stride of a bottleneck stage sits on its 3x3 convolution, "v1.5";
// the parameter count is the same either way):
//
//     stem:   conv 7x7, 64, stride 2, pad 3 (no bias) → BN → ReLU → max pool 3x3/2, pad 1
//     stages: widths 64, 128, 256, 512; the first block of stages 2–4 has stride 2
//     head:   adaptive average pool to 1x1 → flatten → dense `classes` (with bias)
//
// Every convolution is followed by batch norm, so it has no bias (β does that job).
//
// Guide and hints: Exercises/14-Architectures/GUIDE.md, or `swift run workbook hint Architecture4`.
import WorkbookCore

/// A ResNet of the given depth as in the paper's table 1:
///
///     depth   block        blocks per stage
///     18      basic        2, 2, 2, 2
///     34      basic        3, 4, 6, 3
///     50      bottleneck   3, 4, 6, 3
///     101     bottleneck   3, 4, 23, 3
///     152     bottleneck   3, 8, 36, 3
///
/// A basic block of width w: conv 3x3 (stride s) → BN → ReLU → conv 3x3 → BN, plus the shortcut,
/// then ReLU. A bottleneck block of width w: conv 1x1, w → BN → ReLU → conv 3x3, w (stride s) →
/// BN → ReLU → conv 1x1, 4w → BN, plus the shortcut, then ReLU. The shortcut is the identity
/// when the shape is unchanged, otherwise a projection: conv 1x1 to the block's output channels
/// with stride s (no bias) → BN.
///
/// - Parameters:
///   - depth: 18, 34, 50, 101 or 152: the number of weight layers on the main path (convolutions
///     and the final dense layer; projection shortcuts are not counted).
///   - classes: the number of outputs (1000 for ImageNet).
/// - Returns: the layers in order; `[224, 224, 3]` in, `[classes]` out. Each block is one
///   `.residual` followed by `.relu`.
/// - Throws: ``ArgumentError`` for another depth or a non-positive `classes`.
public func resNet(depth: Int, classes: Int = 1000) throws -> [LayerDescription] {
    // TODO(Architecture4): pick the block type and counts from the depth, build the stem, four stages of blocks, the head.
    // START Architecture4
    let table: [Int: (bottleneck: Bool, blocks: [Int])] = [
        18: (false, [2, 2, 2, 2]), 34: (false, [3, 4, 6, 3]),
        50: (true, [3, 4, 6, 3]), 101: (true, [3, 4, 23, 3]), 152: (true, [3, 8, 36, 3]),
    ]
    guard let (bottleneck, blocks) = table[depth] else {
        throw ArgumentError(operation: "resNet(depth: \(depth))", detail: "the published depths are 18, 34, 50, 101 and 152")
    }
    guard classes > 0 else {
        throw ArgumentError(operation: "resNet(classes: \(classes))", detail: "needs at least one class")
    }
    // A convolution followed by batch norm: no bias, since BN's β would cancel it anyway.
    func convBN(_ k: Int, _ cIn: Int, _ cOut: Int, stride: Int = 1) -> [LayerDescription] {
        [.convolution(kernelSize: k, inputChannels: cIn, outputChannels: cOut, stride: stride, padding: k / 2, bias: false),
         .batchNorm(channels: cOut)]
    }
    let expansion = bottleneck ? 4 : 1
    var layers = convBN(7, 3, 64, stride: 2) + [.relu, .maxPool(size: 3, stride: 2, padding: 1)]  // [56, 56, 64]
    var channels = 64
    for (stage, (width, count)) in zip([64, 128, 256, 512], blocks).enumerated() {
        for block in 0..<count {
            // Only the first block of stages 2, 3 and 4 halves the image.
            let stride = stage > 0 && block == 0 ? 2 : 1
            let out = width * expansion
            let body = bottleneck
                ? convBN(1, channels, width) + [.relu] + convBN(3, width, width, stride: stride) + [.relu] + convBN(1, width, out)
                : convBN(3, channels, width, stride: stride) + [.relu] + convBN(3, width, width)
            // The identity works only if the block keeps both the size and the channel count.
            let shortcut = stride != 1 || channels != out ? convBN(1, channels, out, stride: stride) : []
            layers += [.residual(body: body, shortcut: shortcut), .relu]
            channels = out
        }
    }
    // [7, 7, 512·expansion] → [1, 1, 512·expansion] → [512·expansion] → [classes]
    return layers + [.adaptiveAveragePool(outputSize: 1), .flatten, .dense(inputs: channels, outputs: classes)]
    // END Architecture4
}

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
    throw NotImplemented("Architecture4")
    // END Architecture4
}

// Chapter 15 · Networks — the loss of a whole network and the gradient of every parameter
//
// Shapes: x `[N, D]`; labels N integers (classes in 0..<C for softmax, 0 or 1 for a sigmoid output);
// gradients[l] has the shapes of layers[l].parameters.
//
// Guide and hints: Exercises/15-Networks/GUIDE.md, or `swift run workbook hint Network3`.
import WorkbookCore

/// The data loss of the network on a batch plus the L2 penalty on its dense weights, and the
/// gradient of that total with respect to every parameter.
///
///     out         = networkForward(x)
///     data loss   = softmaxCrossEntropy(out, labels)             (chapter 3; out [N, C])
///                or sigmoidBinaryCrossEntropy(out, targets)     (chapter 3; out [N, 1], targets = labels as 0/1)
///     penalty     = (λ/2) Σ w² over the dense weights only      (l2Penalty, chapter 3)
///     loss        = data loss + penalty
///     gradients   = networkBackward(dout), plus λ·w on each dense weight
///
/// - Parameters:
///   - x: the inputs, `[N, D]`.
///   - labels: one label per row of `x`.
///   - layers: the network.
///   - loss: which loss sits on the output.
///   - l2Strength: `λ ≥ 0`.
///   - mode: `.training` or `.inference` (as in `networkForward`).
///   - rng: the generator for the dropout masks.
/// - Returns: the loss, the gradients (one list per layer, as `networkBackward`), and the forward
///   pass's cache (the training step reads batch norm's batch statistics from it).
/// - Throws: ``ShapeError`` if the labels do not match the output; ``ArgumentError`` for a negative λ.
/// - Note: The cache is `NetworkCache(layers:)`, from `Sources/WorkbookCore/Network.swift`: `layers` ([LayerCache]).
public func networkLoss(
    _ x: Tensor, labels: [Int], layers: [NetworkLayer], loss: NetworkLoss, l2Strength: Double,
    mode: Mode, using rng: inout SeededGenerator
) throws -> (loss: Double, gradients: [[Tensor]], cache: NetworkCache) {
    // TODO(Network3): forward, the chapter-3 loss and its gradient, backward, then the L2 penalty on dense weights.
    // START Network3
    throw NotImplemented("Network3")
    // END Network3
}

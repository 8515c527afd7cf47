// Chapter 15 · Networks — the forward and backward pass of a whole network
//
// Shapes (one legend for the chapter):
//   N  examples in the batch;  D  input features;  C  outputs (classes, or 1 for a sigmoid output)
//   x `[N, D]`; out and dout `[N, C]`; every hidden activation `[N, width]`
//   gradients[l] has the shapes of layers[l].parameters: dense `[dw [D_in, D_out], db [D_out]]`,
//   batch norm `[dgamma [D], dbeta [D]]`, layers without parameters `[]`
//
// Notes 003 write backpropagation as a recursion from the loss down: with x⁽ˡ⁾ = f⁽ˡ⁾(x⁽ˡ⁻¹⁾, W⁽ˡ⁾),
//
//     ∂L/∂x⁽ˡ⁻¹⁾ = ∂L/∂x⁽ˡ⁾ · ∂x⁽ˡ⁾/∂x⁽ˡ⁻¹⁾        ∂L/∂W⁽ˡ⁾ = ∂L/∂x⁽ˡ⁾ · ∂x⁽ˡ⁾/∂W⁽ˡ⁾
//
// Each layer's backward function of chapters 1–9 is one step of that recursion; here you chain them.
//
// Guide and hints: Exercises/15-Networks/GUIDE.md, or `swift run workbook hint Network1`.
import WorkbookCore

/// Runs `x` through the layers in order, with the layer functions of the earlier chapters, and keeps
/// every layer's cache.
///
///     dense      denseForward                       (chapter 2)
///     relu, tanh, sigmoid, leakyReLU, elu   their forward functions     (chapter 1)
///     dropout    dropoutForward(x, keepProbability:, mode:, using: rng)   (chapter 7)
///     batchNorm  training:  batchNormForward with the batch's statistics   (chapter 9)
///                inference: batchNormInference with the running statistics (ε = 1e-5), and cache
///                           xHat = (x − runningMean) / sqrt(runningVariance + 1e-5) and
///                           scale = gamma / sqrt(runningVariance + 1e-5)
///
/// Dropout layers draw their masks from `rng` in layer order (in training only), so the same seed
/// gives the same masks. The running statistics are not updated here (see `networkTrainingStep`).
///
/// - Parameters:
///   - x: the inputs, `[N, D]`.
///   - layers: the network, first layer first.
///   - mode: `.training` (dropout masks, batch statistics) or `.inference`.
///   - rng: the generator the dropout masks are drawn from.
/// - Returns: the output `[N, C]` and one cache per layer, in layer order.
/// - Throws: whatever a layer throws (a ``ShapeError`` naming the layer for a width that does not fit).
/// - Complexity: the sum of the layers' costs; O(N·Σ D_in·D_out) for the dense layers.
/// - Note: The cache is `NetworkCache(layers:)`, from `Sources/WorkbookCore/Network.swift`: `layers` ([LayerCache]).
public func networkForward(
    _ x: Tensor, layers: [NetworkLayer], mode: Mode, using rng: inout SeededGenerator
) throws -> (out: Tensor, cache: NetworkCache) {
    // TODO(Network1): one layer after the other, calling the chapters' forward functions; keep each cache.
    // START Network1
    throw NotImplemented("Network1")
    // END Network1
}

/// Runs the backward passes from the last layer to the first, each with its own cache: the
/// upstream gradient of layer l is the `dx` of layer l + 1.
///
///     dense      denseBackward → dx, [dw, db]
///     relu, tanh, sigmoid, leakyReLU, elu   their backward → dx, []
///     dropout    dropoutBackward → dx, []
///     batchNorm  (training)  batchNormBackward → dx, [dgamma, dbeta]
///                (inference) dx = dout ⊙ scale, dgamma = Σ_n dout ⊙ xHat, dbeta = Σ_n dout
///
/// - Parameters:
///   - dout: `∂L/∂out`, `[N, C]`.
///   - cache: what `networkForward` kept.
/// - Returns: `dx` `[N, D]` and one list of gradients per layer, in the order of the layers'
///   ``NetworkLayer/parameters`` (empty for layers without parameters).
/// - Throws: ``ShapeError`` if `dout` does not fit the last layer's output.
public func networkBackward(_ dout: Tensor, cache: NetworkCache) throws -> (dx: Tensor, gradients: [[Tensor]]) {
    // TODO(Network2): walk the caches backwards, calling the chapters' backward functions; collect the gradients.
    // START Network2
    throw NotImplemented("Network2")
    // END Network2
}

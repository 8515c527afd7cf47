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
    try requireShape(x, [-1, -1], "networkForward x")
    var h = x
    var caches: [LayerCache] = []
    caches.reserveCapacity(layers.count)
    for (index, layer) in layers.enumerated() {
        do {
            switch layer {
            case let .dense(weight, bias):
                let (out, cache) = try denseForward(h, weight: weight, bias: bias)
                h = out
                caches.append(.dense(cache))
            case .relu:
                let (out, cache) = try reluForward(h)
                h = out
                caches.append(.relu(cache))
            case .tanh:
                let (out, cache) = try tanhForward(h)
                h = out
                caches.append(.tanh(cache))
            case .sigmoid:
                let (out, cache) = try sigmoidForward(h)
                h = out
                caches.append(.sigmoid(cache))
            case let .leakyReLU(slope):
                let (out, cache) = try leakyReLUForward(h, slope: slope)
                h = out
                caches.append(.leakyReLU(cache))
            case let .elu(alpha):
                let (out, cache) = try eluForward(h, alpha: alpha)
                h = out
                caches.append(.elu(cache))
            case let .dropout(keep):
                // Inverted dropout: nothing is drawn at inference, so rng is untouched there.
                let (out, cache) = try dropoutForward(h, keepProbability: keep, mode: mode, using: &rng)
                h = out
                caches.append(.dropout(cache))
            case let .batchNorm(gamma, beta, runningMean, runningVariance):
                if mode == .training {
                    let (out, cache) = try batchNormForward(h, gamma: gamma, beta: beta)
                    h = out
                    caches.append(.batchNorm(cache))
                } else {
                    // Fixed statistics: each example is normalized on its own, an affine map.
                    let out = try batchNormInference(h, gamma: gamma, beta: beta, mean: runningMean, variance: runningVariance)
                    let std = (runningVariance + 1e-5).squareRoot()
                    caches.append(.batchNormInference(xHat: try (h - runningMean) / std, scale: try gamma / std))
                    h = out
                }
            }
        } catch let error as ShapeError {
            // Say which layer refused: "layer 3 (dense [20, 3])" is easier to find than a bare shape.
            throw ShapeError(operation: "networkForward layer \(index) (\(layer.name)): \(error.operation)",
                             shapes: error.shapes, detail: error.detail)
        }
    }
    return (h, NetworkCache(layers: caches))
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
    var d = dout
    var gradients = [[Tensor]](repeating: [], count: cache.layers.count)
    for index in cache.layers.indices.reversed() {
        do {
            switch cache.layers[index] {
            case let .dense(c):
                let (dx, dw, db) = try denseBackward(d, cache: c)
                d = dx
                gradients[index] = [dw, db]
            case let .relu(c): d = try reluBackward(d, cache: c)
            case let .tanh(c): d = try tanhBackward(d, cache: c)
            case let .sigmoid(c): d = try sigmoidBackward(d, cache: c)
            case let .leakyReLU(c): d = try leakyReLUBackward(d, cache: c)
            case let .elu(c): d = try eluBackward(d, cache: c)
            case let .dropout(c): d = try dropoutBackward(d, cache: c)
            case let .batchNorm(c):
                let (dx, dgamma, dbeta) = try batchNormBackward(d, cache: c)
                d = dx
                gradients[index] = [dgamma, dbeta]
            case let .batchNormInference(xHat, scale):
                // out = gamma ⊙ xHat + beta with xHat = (x − μ)/σ for fixed μ, σ: every path is linear.
                try requireShape(d, xHat.shape, "networkBackward batchNorm dout")
                let dgamma = try (d * xHat).sum(alongAxis: 0)
                let dbeta = try d.sum(alongAxis: 0)
                d = try d * scale
                gradients[index] = [dgamma, dbeta]
            }
        } catch let error as ShapeError {
            throw ShapeError(operation: "networkBackward layer \(index): \(error.operation)",
                             shapes: error.shapes, detail: error.detail)
        }
    }
    return (d, gradients)
    // END Network2
}

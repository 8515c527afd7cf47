// Chapter 12 · Residual blocks — the fully connected residual block
//
// Shapes (one legend for the block):
//   N  examples; D input width; H hidden width; M output width
//   x `[N, D]`, out and dout `[N, M]`
//   F(x) = BN(dense(relu(BN(dense(x, w1 [D, H], b1 [H])), gamma1/beta1 [H]), w2 [H, M], b2 [M]), gamma2/beta2 [M])
//   shortcut(x) = x when D = M, or x · projection `[D, M]` when the widths differ
//
//     out = relu(shortcut(x) + F(x))
//
// The block is built from earlier exercises: denseForward (Dense1), batchNormForward (BatchNorm1) and
// reluForward (ReLU1), and their backward passes, exactly as you wrote them.
// At test time (Residual3) residualBlockInference normalizes with running statistics, which
// updateResidualBlockStatistics keeps up to date during training.
//
// Guide and hints: Exercises/12-ResidualBlocks/GUIDE.md, or `swift run workbook hint Residual1`.
import WorkbookCore

/// The forward pass of a residual block (batch normalization in training mode):
///
///     h1 = x · w1 + b1,  n1 = BN(h1; gamma1, beta1),  a1 = relu(n1)
///     h2 = a1 · w2 + b2, n2 = BN(h2; gamma2, beta2)
///     out = relu(shortcut(x) + n2),   shortcut(x) = x or x · projection
///
/// - Parameters:
///   - x: the input, `[N, D]`.
///   - parameters: the block's weights (shapes in ``ResidualBlockParameters``).
///   - epsilon: batch normalization's epsilon, for both BN layers.
/// - Returns: `out` `[N, M]` and the cache `residualBlockBackward` needs.
/// - Throws: ``ShapeError`` if a shape does not fit, including D ≠ M without a projection.
/// - Note: The cache is `ResidualBlockCache(x:dense1:batchNorm1:relu1:dense2:batchNorm2:reluOut:projection:)`, from `Sources/WorkbookCore/Caches/ResidualCaches.swift`: `x` (Tensor); `dense1` (DenseCache); `batchNorm1` (BatchNormCache); `relu1` (ReLUCache); `dense2` (DenseCache); `batchNorm2` (BatchNormCache); `reluOut` (ReLUCache); `projection` (Tensor?).
public func residualBlockForward(
    _ x: Tensor, parameters p: ResidualBlockParameters, epsilon: Double = 1e-5
) throws -> (out: Tensor, cache: ResidualBlockCache) {
    // TODO(Residual1): run F with your dense, batch-norm and relu layers; add the shortcut; apply relu.
    // START Residual1
    try requireShape(x, [-1, -1], "residualBlockForward x")
    // The residual branch F, one earlier exercise per step; each keeps its own cache.
    let (h1, dense1) = try denseForward(x, weight: p.w1, bias: p.b1)
    let (n1, batchNorm1) = try batchNormForward(h1, gamma: p.gamma1, beta: p.beta1, epsilon: epsilon)
    let (a1, relu1) = try reluForward(n1)
    let (h2, dense2) = try denseForward(a1, weight: p.w2, bias: p.b2)
    let (n2, batchNorm2) = try batchNormForward(h2, gamma: p.gamma2, beta: p.beta2, epsilon: epsilon)
    // The shortcut: the identity when the widths agree, a learned projection x·W_s when they differ.
    let shortcut: Tensor
    if let projection = p.projection {
        shortcut = try Tensor.matmul(x, projection)
    } else {
        guard x.shape[1] == n2.shape[1] else {
            throw ShapeError(operation: "residualBlockForward", shapes: [x.shape, n2.shape],
                             detail: "the input and F(x) differ in width: an identity shortcut needs a projection [D, M]")
        }
        shortcut = x
    }
    // `+` throws if the projection has the wrong output width.
    let (out, reluOut) = try reluForward(try shortcut + n2)
    let cache = ResidualBlockCache(x: x, dense1: dense1, batchNorm1: batchNorm1, relu1: relu1, dense2: dense2,
                                   batchNorm2: batchNorm2, reluOut: reluOut, projection: p.projection)
    return (out, cache)
    // END Residual1
}

/// The backward pass of the residual block. With `ds = relu'(s) ⊙ dout` for `s = shortcut(x) + F(x)`,
/// the sum hands `ds` to both branches unchanged:
///
///     dx = (backward through F)(ds) + ds                 identity shortcut: the skip carries ds straight to dx
///     dx = (backward through F)(ds) + ds · projectionᵀ   projection shortcut, and d(projection) = xᵀ · ds
///
/// - Parameters:
///   - dout: the upstream gradient, `[N, M]`.
///   - cache: what `residualBlockForward` kept.
/// - Returns: `dx` `[N, D]` and the gradient of every parameter in a ``ResidualBlockParameters``
///   (each shaped like its parameter; `projection` non-nil exactly when the block has one).
/// - Throws: ``ShapeError`` if `dout` is not `[N, M]`.
public func residualBlockBackward(
    _ dout: Tensor, cache: ResidualBlockCache
) throws -> (dx: Tensor, gradients: ResidualBlockParameters) {
    // TODO(Residual2): walk the forward pass backwards; add the shortcut's gradient to dx.
    // START Residual2
    // The final relu, then the sum: ds flows to F's last layer and to the shortcut alike.
    let ds = try reluBackward(dout, cache: cache.reluOut)
    // Back through F, last layer first, each with the cache its forward pass kept.
    let (dh2, dgamma2, dbeta2) = try batchNormBackward(ds, cache: cache.batchNorm2)
    let (da1, dw2, db2) = try denseBackward(dh2, cache: cache.dense2)
    let dn1 = try reluBackward(da1, cache: cache.relu1)
    let (dh1, dgamma1, dbeta1) = try batchNormBackward(dn1, cache: cache.batchNorm1)
    let (dxResidual, dw1, db1) = try denseBackward(dh1, cache: cache.dense1)
    // The shortcut's share.
    let dx: Tensor
    var dprojection: Tensor? = nil
    if let projection = cache.projection {
        dx = try dxResidual + Tensor.matmul(ds, projection, transposeB: true)
        dprojection = try Tensor.matmul(cache.x, ds, transposeA: true)
    } else {
        dx = try dxResidual + ds
    }
    let gradients = ResidualBlockParameters(w1: dw1, b1: db1, gamma1: dgamma1, beta1: dbeta1,
                                            w2: dw2, b2: db2, gamma2: dgamma2, beta2: dbeta2, projection: dprojection)
    return (dx, gradients)
    // END Residual2
}

// MARK: - Test time (exercise Residual3)
//
// Batch norm normalizes with the batch's own statistics in training, so the block's output for one
// example depends on the rest of its batch, and a batch of one has variance 0. At test time each
// batch norm uses stored statistics instead (chapter 9): the block becomes a fixed function of each
// example. `updateResidualBlockStatistics` keeps those statistics during training, batch after
// batch; `residualBlockInference` uses them.

/// The residual block at test time: the forward pass of ``residualBlockForward(_:parameters:epsilon:)``
/// with each batch norm in inference mode, normalizing with `statistics` (BatchNorm1's
/// `batchNormInference`). Each output row depends on its input row alone.
///
///     n1 = gamma1 ⊙ (x · w1 + b1 − mean1) / sqrt(variance1 + epsilon) + beta1,   a1 = relu(n1)
///     n2 = gamma2 ⊙ (a1 · w2 + b2 − mean2) / sqrt(variance2 + epsilon) + beta2
///     out = relu(shortcut(x) + n2)
///
/// - Parameters:
///   - x: the input, `[N, D]`; N may be 1.
///   - parameters: the block's weights (shapes in ``ResidualBlockParameters``).
///   - statistics: the stored means and variances, `[H]` for the first batch norm and `[M]` for the second.
///   - epsilon: as in training.
/// - Returns: `out`, `[N, M]`.
/// - Throws: ``ShapeError`` if a shape does not fit, including D ≠ M without a projection.
/// - Complexity: O(N·(D·H + H·M)), as the training forward pass.
public func residualBlockInference(
    _ x: Tensor, parameters p: ResidualBlockParameters, statistics: ResidualBlockStatistics, epsilon: Double = 1e-5
) throws -> Tensor {
    // TODO(Residual3): Residual1's forward pass with batchNormInference and the stored statistics; no cache.
    // START Residual3
    try requireShape(x, [-1, -1], "residualBlockInference x")
    // The same layers as in training; only the two batch norms change, to their inference form.
    let h1 = try denseForward(x, weight: p.w1, bias: p.b1).out
    let n1 = try batchNormInference(h1, gamma: p.gamma1, beta: p.beta1, mean: statistics.mean1,
                                    variance: statistics.variance1, epsilon: epsilon)
    let a1 = try reluForward(n1).out
    let h2 = try denseForward(a1, weight: p.w2, bias: p.b2).out
    let n2 = try batchNormInference(h2, gamma: p.gamma2, beta: p.beta2, mean: statistics.mean2,
                                    variance: statistics.variance2, epsilon: epsilon)
    let shortcut: Tensor
    if let projection = p.projection {
        shortcut = try Tensor.matmul(x, projection)
    } else {
        guard x.shape[1] == n2.shape[1] else {
            throw ShapeError(operation: "residualBlockInference", shapes: [x.shape, n2.shape],
                             detail: "the input and F(x) differ in width: an identity shortcut needs a projection [D, M]")
        }
        shortcut = x
    }
    return try reluForward(try shortcut + n2).out
    // END Residual3
}

/// Folds one training batch's statistics, read from the cache of ``residualBlockForward(_:parameters:epsilon:)``,
/// into the block's running statistics, as chapter 9 does for one batch norm (BatchNorm3):
///
///     mean     ← momentum · mean     + (1 − momentum) · batch mean
///     variance ← momentum · variance + (1 − momentum) · B/(B − 1) · batch variance
///
/// for each of the two batch norms, with B = N the batch size: the cache holds the biased batch
/// variance (÷ N), and the factor B/(B − 1) makes it the population estimate of notes 001.
///
/// - Parameters:
///   - statistics: the running statistics so far (`[H]` and `[M]`).
///   - cache: the cache of a training forward pass on a batch of N ≥ 2 examples.
///   - momentum: the weight of the old value, in `[0, 1]` (0.9 keeps 90 % of the history).
/// - Returns: the updated statistics.
/// - Throws: ``ArgumentError`` if momentum is outside `[0, 1]` or the batch has fewer than 2
///   examples (its variance says nothing about the population); ``ShapeError`` if the shapes differ.
public func updateResidualBlockStatistics(
    _ statistics: ResidualBlockStatistics, cache: ResidualBlockCache, momentum: Double = 0.9
) throws -> ResidualBlockStatistics {
    // TODO(Residual3): runningAverage of each batch norm's mean, and of its variance times B/(B − 1).
    // START Residual3
    let batch = cache.batchNorm1.xHat.shape.first ?? 0
    guard batch >= 2 else {
        throw ArgumentError(operation: "updateResidualBlockStatistics",
                            detail: "needs a batch of at least 2 examples for the factor B/(B−1), got \(batch)")
    }
    let unbiased = Double(batch) / Double(batch - 1)
    return ResidualBlockStatistics(
        mean1: try runningAverage(statistics.mean1, batchValue: cache.batchNorm1.mean, momentum: momentum),
        variance1: try runningAverage(statistics.variance1, batchValue: cache.batchNorm1.variance * unbiased, momentum: momentum),
        mean2: try runningAverage(statistics.mean2, batchValue: cache.batchNorm2.mean, momentum: momentum),
        variance2: try runningAverage(statistics.variance2, batchValue: cache.batchNorm2.variance * unbiased, momentum: momentum))
    // END Residual3
}

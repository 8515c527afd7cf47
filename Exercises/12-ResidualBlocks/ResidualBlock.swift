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
public func residualBlockForward(
    _ x: Tensor, parameters p: ResidualBlockParameters, epsilon: Double = 1e-5
) throws -> (out: Tensor, cache: ResidualBlockCache) {
    // TODO(Residual1): run F with your dense, batch-norm and relu layers; add the shortcut; apply relu.
    // START Residual1
    throw NotImplemented("Residual1")
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
    throw NotImplemented("Residual2")
    // END Residual2
}

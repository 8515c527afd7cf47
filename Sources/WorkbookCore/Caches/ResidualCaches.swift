/// The parameters of a fully connected residual block
///
///     y = relu(shortcut(x) + F(x)),   F = dense → batch norm → relu → dense → batch norm
///
/// with `shortcut(x) = x` when the widths agree, or `x · projection` when they differ.
/// Shapes, for input width D, hidden width H and output width M:
/// `w1` `[D, H]`, `b1`, `gamma1`, `beta1` `[H]`, `w2` `[H, M]`, `b2`, `gamma2`, `beta2` `[M]`,
/// `projection` `[D, M]` or `nil` (needed when D ≠ M).
///
/// `residualBlockBackward` returns its gradients in this same struct, each field shaped like the
/// parameter (and `projection` non-nil exactly when the block has one).
public struct ResidualBlockParameters: Sendable, Hashable, Codable {
    public var w1: Tensor
    public var b1: Tensor
    public var gamma1: Tensor
    public var beta1: Tensor
    public var w2: Tensor
    public var b2: Tensor
    public var gamma2: Tensor
    public var beta2: Tensor
    public var projection: Tensor?

    public init(
        w1: Tensor, b1: Tensor, gamma1: Tensor, beta1: Tensor,
        w2: Tensor, b2: Tensor, gamma2: Tensor, beta2: Tensor, projection: Tensor? = nil
    ) {
        self.w1 = w1
        self.b1 = b1
        self.gamma1 = gamma1
        self.beta1 = beta1
        self.w2 = w2
        self.b2 = b2
        self.gamma2 = gamma2
        self.beta2 = beta2
        self.projection = projection
    }
}

/// What `residualBlockForward` keeps for `residualBlockBackward`: the caches of each layer it is
/// built from, in forward order, plus the input and the projection for the shortcut's gradient.
public struct ResidualBlockCache: Sendable, Hashable, Codable {
    /// The block's input, `[N, D]`.
    public var x: Tensor
    public var dense1: DenseCache
    public var batchNorm1: BatchNormCache
    public var relu1: ReLUCache
    public var dense2: DenseCache
    public var batchNorm2: BatchNormCache
    /// The cache of the final relu, whose input is `shortcut(x) + F(x)`, `[N, M]`.
    public var reluOut: ReLUCache
    /// The projection `[D, M]`, or `nil` for an identity shortcut.
    public var projection: Tensor?

    public init(
        x: Tensor, dense1: DenseCache, batchNorm1: BatchNormCache, relu1: ReLUCache,
        dense2: DenseCache, batchNorm2: BatchNormCache, reluOut: ReLUCache, projection: Tensor?
    ) {
        self.x = x
        self.dense1 = dense1
        self.batchNorm1 = batchNorm1
        self.relu1 = relu1
        self.dense2 = dense2
        self.batchNorm2 = batchNorm2
        self.reluOut = reluOut
        self.projection = projection
    }
}

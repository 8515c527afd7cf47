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

/// The test-time statistics of a residual block's two batch norms, dense or convolutional: what
/// `residualBlockInference` and `convResidualBlockInference` normalize with instead of the batch's
/// own statistics, and what `updateResidualBlockStatistics` / `updateConvResidualBlockStatistics`
/// fold each training batch into.
///
/// Shapes: `mean1`, `variance1` `[H]` (the dense block's hidden width) or `[Cout]`; `mean2`,
/// `variance2` `[M]` or `[Cout]`. The variances are population estimates (unbiased, see chapter 9).
public struct ResidualBlockStatistics: Sendable, Hashable, Codable {
    /// The first batch norm's running mean and variance.
    public var mean1: Tensor
    public var variance1: Tensor
    /// The second batch norm's running mean and variance.
    public var mean2: Tensor
    public var variance2: Tensor

    public init(mean1: Tensor, variance1: Tensor, mean2: Tensor, variance2: Tensor) {
        self.mean1 = mean1
        self.variance1 = variance1
        self.mean2 = mean2
        self.variance2 = variance2
    }

    /// Where running statistics start before any batch: mean 0 and variance 1, so that an untrained
    /// block's batch norms are the identity (up to ε) at test time. `first` is H (or Cout), `second`
    /// is M (or Cout).
    public static func initial(first: Int, second: Int) -> ResidualBlockStatistics {
        ResidualBlockStatistics(mean1: Tensor(zeros: [first]), variance1: Tensor(repeating: 1, shape: [first]),
                                mean2: Tensor(zeros: [second]), variance2: Tensor(repeating: 1, shape: [second]))
    }
}

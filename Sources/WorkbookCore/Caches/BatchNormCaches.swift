/// What `batchNormForward` keeps for `batchNormBackward`, and what the trainer reads to update
/// its test-time statistics.
public struct BatchNormCache: Sendable, Hashable, Codable {
    /// The normalized input `(x − mean) / sqrt(variance + epsilon)`, `[N, D]`.
    public var xHat: Tensor
    /// The scale, `[D]`.
    public var gamma: Tensor
    /// The batch mean of each feature, `[D]`.
    public var mean: Tensor
    /// The biased batch variance of each feature (divided by N), `[D]`.
    public var variance: Tensor
    /// The constant added to the variance before the square root.
    public var epsilon: Double
    public init(xHat: Tensor, gamma: Tensor, mean: Tensor, variance: Tensor, epsilon: Double) {
        self.xHat = xHat
        self.gamma = gamma
        self.mean = mean
        self.variance = variance
        self.epsilon = epsilon
    }
}


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

/// An argument of a batch-normalization helper that is not a shape problem: a momentum outside
/// `[0, 1]`, a batch size below 2, or no batches at all.
public struct BatchNormArgumentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The function that refused, such as `runningAverage`.
    public let operation: String
    /// What was wrong.
    public let detail: String
    public init(operation: String, detail: String) {
        self.operation = operation
        self.detail = detail
    }
    public var description: String { "\(operation): \(detail)" }
}

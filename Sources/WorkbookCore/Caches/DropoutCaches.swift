/// What a dropout forward pass keeps for `dropoutBackward`: which units were kept, and by how
/// much the kept ones were multiplied.
///
/// - Inverted dropout, training: the drawn mask and `scale = 1 / keepProbability`.
/// - Standard dropout, training: the drawn mask and `scale = 1` (no scaling while training).
/// - Inverted dropout, inference: a mask of ones and `scale = 1` (the layer is the identity).
/// - Standard dropout, inference: a mask of ones and `scale = keepProbability` (test-time scaling).
///
/// In every case the layer computes `out = x ⊙ mask · scale`, so `dx = dout ⊙ mask · scale`.
public struct DropoutCache: Sendable, Hashable, Codable {
    /// 1 where a unit was kept, 0 where it was dropped; the shape of the forward input.
    public var mask: Tensor
    /// What every kept unit was multiplied by.
    public var scale: Double
    public init(mask: Tensor, scale: Double) {
        self.mask = mask
        self.scale = scale
    }
}

/// A keep probability outside `(0, 1]`: 0 would drop every unit (and divide by zero when
/// rescaling), and a probability above 1 means nothing.
public struct InvalidKeepProbability: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The value that was refused.
    public let keepProbability: Double
    /// The function that refused it, such as `dropoutForward`.
    public let operation: String
    public init(_ keepProbability: Double, operation: String) {
        self.keepProbability = keepProbability
        self.operation = operation
    }
    public var description: String {
        "\(operation): keepProbability must be in (0, 1] (the probability of KEEPING a unit), got \(keepProbability)"
    }
}

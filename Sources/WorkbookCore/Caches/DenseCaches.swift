/// What `denseForward` keeps for `denseBackward`: the two factors of the product `x · weight`.
///
/// The bias is not kept: `out` depends on it with slope 1, so its gradient needs only `dout`.
public struct DenseCache: Sendable, Hashable, Codable {
    /// The forward input, `[N, D]`.
    public var x: Tensor
    /// The weights, `[D, M]`.
    public var weight: Tensor
    public init(x: Tensor, weight: Tensor) {
        self.x = x
        self.weight = weight
    }
}

// Caches and values for chapter 8, Dropout revisited: DropConnect and dropout as bagging.

/// What `dropConnectForward` keeps for `dropConnectBackward`.
///
/// The effective weight of the forward pass was `(mask ⊙ w) · scale`: `scale` is
/// `1 / keepProbability` in training (inverted scaling) and `1` at inference, where `mask` is all ones.
public struct DropConnectCache: Sendable, Hashable, Codable {
    /// The layer input, `[N, D]`.
    public var x: Tensor
    /// The weights before masking, `[D, M]`.
    public var w: Tensor
    /// Which weights were kept: 1 kept, 0 dropped, `[D, M]`.
    public var mask: Tensor
    /// What kept weights were multiplied by.
    public var scale: Double

    public init(x: Tensor, w: Tensor, mask: Tensor, scale: Double) {
        self.x = x
        self.w = w
        self.mask = mask
        self.scale = scale
    }
}

/// One sub-network of a layer of `n` units under dropout: which units it keeps and how likely
/// dropout is to pick exactly this one.
public struct DropoutSubnetwork: Sendable, Hashable, Codable {
    /// 1 for a kept unit, 0 for a dropped one, `[n]`.
    public var mask: Tensor
    /// `keepProbability^kept · (1 − keepProbability)^dropped`.
    public var probability: Double

    public init(mask: Tensor, probability: Double) {
        self.mask = mask
        self.probability = probability
    }
}


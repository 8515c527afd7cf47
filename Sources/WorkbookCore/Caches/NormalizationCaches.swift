// What the normalization layers of chapter 11 keep for their backward passes.
// Shapes: NHWC, `[N, H, W, C]` (CS231n writes NCHW, `[N, C, H, W]`).
//
// Every variant normalizes `x` over some set of entries (a "normalization group"), then scales and
// shifts each channel:  x̂ = (x − μ) / √(σ² + ε),  out = γ[c]·x̂ + β[c].  The backward pass needs
// x̂, γ and σ² (+ ε); the statistics' shapes say which entries formed a group.

/// What `spatialBatchNormForward` keeps: statistics per channel, over `N`, `H` and `W`.
public struct SpatialBatchNormCache: Sendable, Hashable, Codable {
    /// The normalized input x̂, `[N, H, W, C]`.
    public var xHat: Tensor
    /// The scale, `[C]`.
    public var gamma: Tensor
    /// The batch mean per channel, `[C]` (the trainer folds it into a running average).
    public var mean: Tensor
    /// The batch variance per channel, biased (divided by N·H·W), `[C]`.
    public var variance: Tensor
    /// The ε added to the variance.
    public var epsilon: Double

    public init(xHat: Tensor, gamma: Tensor, mean: Tensor, variance: Tensor, epsilon: Double) {
        self.xHat = xHat
        self.gamma = gamma
        self.mean = mean
        self.variance = variance
        self.epsilon = epsilon
    }
}

/// What `layerNormForward` keeps: statistics per example, over `H`, `W` and `C`.
public struct LayerNormCache: Sendable, Hashable, Codable {
    /// The normalized input x̂, `[N, D]` or `[N, H, W, C]`.
    public var xHat: Tensor
    /// The scale, `[D]` or `[C]` (the last axis).
    public var gamma: Tensor
    /// The mean of each example, `[N]`.
    public var mean: Tensor
    /// The biased variance of each example, `[N]`.
    public var variance: Tensor
    /// The ε added to the variance.
    public var epsilon: Double

    public init(xHat: Tensor, gamma: Tensor, mean: Tensor, variance: Tensor, epsilon: Double) {
        self.xHat = xHat
        self.gamma = gamma
        self.mean = mean
        self.variance = variance
        self.epsilon = epsilon
    }
}

/// What `instanceNormForward` keeps: statistics per example and channel, over `H` and `W`.
public struct InstanceNormCache: Sendable, Hashable, Codable {
    /// The normalized input x̂, `[N, H, W, C]`.
    public var xHat: Tensor
    /// The scale, `[C]`.
    public var gamma: Tensor
    /// The mean of each example's channel, `[N, C]`.
    public var mean: Tensor
    /// The biased variance of each example's channel, `[N, C]`.
    public var variance: Tensor
    /// The ε added to the variance.
    public var epsilon: Double

    public init(xHat: Tensor, gamma: Tensor, mean: Tensor, variance: Tensor, epsilon: Double) {
        self.xHat = xHat
        self.gamma = gamma
        self.mean = mean
        self.variance = variance
        self.epsilon = epsilon
    }
}

/// What `groupNormForward` keeps: statistics per example and group of `C/G` consecutive channels,
/// over `H`, `W` and the group's channels.
public struct GroupNormCache: Sendable, Hashable, Codable {
    /// The normalized input x̂, `[N, H, W, C]`.
    public var xHat: Tensor
    /// The scale, `[C]`.
    public var gamma: Tensor
    /// The number of groups `G` (it divides `C`).
    public var groups: Int
    /// The mean of each example's group, `[N, G]`.
    public var mean: Tensor
    /// The biased variance of each example's group, `[N, G]`.
    public var variance: Tensor
    /// The ε added to the variance.
    public var epsilon: Double

    public init(xHat: Tensor, gamma: Tensor, groups: Int, mean: Tensor, variance: Tensor, epsilon: Double) {
        self.xHat = xHat
        self.gamma = gamma
        self.groups = groups
        self.mean = mean
        self.variance = variance
        self.epsilon = epsilon
    }
}

/// What `weightStandardizationForward` keeps: statistics per output channel, over `KH`, `KW` and `Cin`.
public struct WeightStandardizationCache: Sendable, Hashable, Codable {
    /// The standardized kernels before the gain, `(W − μ) / (σ·√fanIn)`, `[KH, KW, Cin, Cout]`.
    public var standardized: Tensor
    /// The gain per output channel, `[Cout]`.
    public var gain: Tensor
    /// σ·√fanIn per output channel, with σ² the biased variance plus ε, `[Cout]`.
    public var scale: Tensor

    public init(standardized: Tensor, gain: Tensor, scale: Tensor) {
        self.standardized = standardized
        self.gain = gain
        self.scale = scale
    }
}

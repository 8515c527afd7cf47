/// The parameters of a convolutional residual block (He et al., 2016)
///
///     y = relu(shortcut(x) + F(x)),
///     F = 3x3 conv (stride s) → spatial BN → relu → 3x3 conv → spatial BN
///
/// with `shortcut(x) = x` when the block keeps the shape, or a 1x1 convolution with stride `s`
/// (`projection`) when it changes the channel count or the resolution. Shapes, for `Cin` input and
/// `Cout` output channels:
/// `conv1` `[3, 3, Cin, Cout]`, `gamma1`, `beta1` `[Cout]`, `conv2` `[3, 3, Cout, Cout]`,
/// `gamma2`, `beta2` `[Cout]`, `projection` `[1, 1, Cin, Cout]` or `nil`.
///
/// The convolutions have no bias: batch normalization subtracts each channel's mean right after
/// them, which would cancel a bias (its gradient is exactly 0), and BN's `beta` plays its role.
///
/// `convResidualBlockBackward` returns its gradients in this same struct, each field shaped like
/// its parameter (`stride` copied, `projection` non-nil exactly when the block has one).
public struct ConvResidualBlockParameters: Sendable, Hashable, Codable {
    public var conv1: Tensor
    public var gamma1: Tensor
    public var beta1: Tensor
    public var conv2: Tensor
    public var gamma2: Tensor
    public var beta2: Tensor
    public var projection: Tensor?
    /// The stride of the first convolution and of the projection: 1 keeps the resolution, 2 halves it.
    public var stride: Int

    public init(
        conv1: Tensor, gamma1: Tensor, beta1: Tensor, conv2: Tensor, gamma2: Tensor, beta2: Tensor,
        projection: Tensor? = nil, stride: Int = 1
    ) {
        self.conv1 = conv1
        self.gamma1 = gamma1
        self.beta1 = beta1
        self.conv2 = conv2
        self.gamma2 = gamma2
        self.beta2 = beta2
        self.projection = projection
        self.stride = stride
    }

    /// A freshly initialized block: He-normal convolutions (variance 2 / fan-in, for ReLU), BN with
    /// γ = 1 and β = 0, and a projection exactly when the shape changes (`Cin ≠ Cout` or `stride ≠ 1`).
    public static func initialized(
        inputChannels: Int, outputChannels: Int, stride: Int = 1, using rng: inout SeededGenerator
    ) -> ConvResidualBlockParameters {
        func he(_ shape: [Int]) -> Tensor {
            let fanIn = Double(shape[0] * shape[1] * shape[2])
            return Tensor.randomNormal(shape: shape, standardDeviation: (2 / fanIn).squareRoot(), using: &rng)
        }
        let conv1 = he([3, 3, inputChannels, outputChannels])
        let conv2 = he([3, 3, outputChannels, outputChannels])
        let needsProjection = inputChannels != outputChannels || stride != 1
        return ConvResidualBlockParameters(
            conv1: conv1, gamma1: Tensor(repeating: 1, shape: [outputChannels]), beta1: Tensor(zeros: [outputChannels]),
            conv2: conv2, gamma2: Tensor(repeating: 1, shape: [outputChannels]), beta2: Tensor(zeros: [outputChannels]),
            projection: needsProjection ? he([1, 1, inputChannels, outputChannels]) : nil, stride: stride)
    }
}

/// What `convResidualBlockForward` keeps for `convResidualBlockBackward`: the cache of every layer it
/// is built from, in forward order, plus the projection's cache when there is one.
public struct ConvResidualBlockCache: Sendable, Hashable, Codable {
    public var conv1: Conv2DCache
    public var batchNorm1: SpatialBatchNormCache
    public var relu1: ReLUCache
    public var conv2: Conv2DCache
    public var batchNorm2: SpatialBatchNormCache
    /// The projection's cache (its input is the block's input), or `nil` for an identity shortcut.
    public var projection: Conv2DCache?
    /// The cache of the final relu, whose input is `shortcut(x) + F(x)`, `[N, Ho, Wo, Cout]`.
    public var reluOut: ReLUCache

    public init(
        conv1: Conv2DCache, batchNorm1: SpatialBatchNormCache, relu1: ReLUCache, conv2: Conv2DCache,
        batchNorm2: SpatialBatchNormCache, projection: Conv2DCache?, reluOut: ReLUCache
    ) {
        self.conv1 = conv1
        self.batchNorm1 = batchNorm1
        self.relu1 = relu1
        self.conv2 = conv2
        self.batchNorm2 = batchNorm2
        self.projection = projection
        self.reluOut = reluOut
    }
}

// What the convolution and pooling forward passes keep for their backward passes (chapter 10).
// Shapes: NHWC, `[N, H, W, C]` (CS231n writes NCHW, `[N, C, H, W]`).

/// What `conv2dForward` keeps for `conv2dBackward`.
public struct Conv2DCache: Sendable, Hashable, Codable {
    /// The forward input, `[N, H, W, Cin]`.
    public var x: Tensor
    /// The kernels, `[KH, KW, Cin, Cout]`.
    public var weight: Tensor
    /// The stride, padding and dilation used.
    public var configuration: Conv2DConfiguration
    /// Optional: `im2col(x)`, `[N·Ho·Wo, KH·KW·Cin]`, kept by a forward pass built on im2col so
    /// that the backward pass need not gather the patches again (memory traded for time). `nil`
    /// means the backward pass rebuilds them from `x`; a forward pass may always leave it `nil`.
    public var columns: Tensor?

    public init(x: Tensor, weight: Tensor, configuration: Conv2DConfiguration, columns: Tensor? = nil) {
        self.x = x
        self.weight = weight
        self.configuration = configuration
        self.columns = columns
    }
}

/// What `maxPoolForward` keeps for `maxPoolBackward`: the input, from which the position of each
/// window's maximum can be found again.
public struct MaxPoolCache: Sendable, Hashable, Codable {
    /// The forward input, `[N, H, W, C]`.
    public var x: Tensor
    /// The window size and stride used.
    public var configuration: Pool2DConfiguration

    public init(x: Tensor, configuration: Pool2DConfiguration) {
        self.x = x
        self.configuration = configuration
    }
}

/// What `averagePoolForward` keeps for `averagePoolBackward`: only the input's shape, because the
/// gradient of an average does not depend on the values averaged.
public struct AveragePoolCache: Sendable, Hashable, Codable {
    /// The forward input's shape, `[N, H, W, C]`.
    public var inputShape: [Int]
    /// The window size and stride used.
    public var configuration: Pool2DConfiguration

    public init(inputShape: [Int], configuration: Pool2DConfiguration) {
        self.inputShape = inputShape
        self.configuration = configuration
    }
}

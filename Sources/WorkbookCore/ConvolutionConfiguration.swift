// How a convolution or a pooling window walks over an image (chapter 10).

/// The geometry of a 2-D convolution, the same along height and width.
///
/// With input size `H`, kernel size `K`, stride `S`, zero padding `P` and dilation `D`, the output
/// size is
///
///     Ho = ⌊(H + 2P − D·(K − 1) − 1) / S⌋ + 1
///
/// (see `convOutputSize` in `10-Convolution/Conv2D.swift`). Dilation `D` spreads the kernel's taps
/// `D` pixels apart, so a 3x3 kernel with `D = 2` covers 5x5 pixels with 9 weights.
public struct Conv2DConfiguration: Sendable, Hashable, Codable {
    /// How many pixels the window moves between neighbouring outputs (≥ 1).
    public var stride: Int = 1
    /// How many rows and columns of zeros are added on every side of the input (≥ 0).
    public var padding: Int = 0
    /// How far apart the kernel's taps are (≥ 1); 1 is an ordinary convolution.
    public var dilation: Int = 1

    public init(stride: Int = 1, padding: Int = 0, dilation: Int = 1) {
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }
}

/// The geometry of a 2-D pooling window: `size x size` windows, `stride` pixels apart, no padding.
///
/// The output size is `⌊(H − size) / stride⌋ + 1`; the default (2, 2) halves each side.
public struct Pool2DConfiguration: Sendable, Hashable, Codable {
    /// The side of the square window (≥ 1).
    public var size: Int = 2
    /// How many pixels the window moves between neighbouring outputs (≥ 1).
    public var stride: Int = 2

    public init(size: Int = 2, stride: Int = 2) {
        self.size = size
        self.stride = stride
    }
}

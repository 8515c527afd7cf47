/// A network written down as data: which layers, in which order, with which sizes (chapter 14).
///
/// A description holds no weights. It is enough to count parameters and to follow the shape of one
/// example through the network, which is how the famous architectures are compared (LeNet-5 about
/// 60 thousand parameters, VGG-16 about 138 million, ResNet-152 about 60 million).
///
/// Shapes in this chapter are per example, without the batch axis: an image is `[H, W, C]` (NHWC
/// without N), a feature vector after `flatten` is `[D]`.
///
///     let block: [LayerDescription] = [
///         .convolution(kernelSize: 3, inputChannels: 64, outputChannels: 64, padding: 1, bias: false),
///         .batchNorm(channels: 64), .relu,
///     ]
public indirect enum LayerDescription: Sendable, Hashable, Codable {
    /// A square `kernelSize x kernelSize` convolution from `inputChannels` to `outputChannels`, with
    /// zero padding on every side; weights `[K, K, C_in, C_out]`, and a bias `[C_out]` if `bias`.
    case convolution(kernelSize: Int, inputChannels: Int, outputChannels: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true)
    /// Batch normalization over `channels` channels (or features): a learned scale γ and shift β per
    /// channel. Its running mean and variance are statistics, not parameters (they get no gradient).
    case batchNorm(channels: Int)
    /// A dense (fully connected) layer `[D] → [M]`: weights `[D, M]`, and a bias `[M]` if `bias`.
    case dense(inputs: Int, outputs: Int, bias: Bool = true)
    /// Max pooling over `size x size` windows, moving by `stride`, with `padding` on every side.
    case maxPool(size: Int, stride: Int, padding: Int = 0)
    /// Average pooling over `size x size` windows, moving by `stride`, with `padding` on every side.
    case averagePool(size: Int, stride: Int, padding: Int = 0)
    /// Average pooling to a fixed `outputSize x outputSize` map whatever the input size (PyTorch's
    /// `AdaptiveAvgPool2d`); `outputSize: 1` is global average pooling. It has no parameters.
    case adaptiveAveragePool(outputSize: Int)
    /// The rectifier, elementwise.
    case relu
    /// Dropout with the keep probability named as such (an identity at inference time).
    case dropout(keepProbability: Double)
    /// `[H, W, C] → [H·W·C]`.
    case flatten
    /// `body(x) + shortcut(x)`; an empty `shortcut` is the identity. The two branches must produce
    /// the same shape. (ResNet applies a ReLU after the sum: write it as the next layer.)
    case residual(body: [LayerDescription], shortcut: [LayerDescription])
}


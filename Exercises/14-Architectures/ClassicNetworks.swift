// Chapter 14 · Architectures — LeNet-5, AlexNet and VGG-16 written down as data
//
// Shapes are per example, `[H, W, C]`. The descriptions follow the papers' layer tables in the
// form PyTorch's torchvision builds them, so their parameter counts can be compared with the
// published ones (the guide lists them).
//
// Guide and hints: Exercises/14-Architectures/GUIDE.md, or `swift run workbook hint Architecture3`.
import WorkbookCore

/// LeNet-5 (LeCun et al., 1998) in its common modern form, on a `[32, 32, 1]` image:
///
///     conv 5x5, 6 → max pool 2x2/2 → conv 5x5, 16 → max pool 2x2/2 → flatten (400)
///     → dense 120 → dense 84 → dense 10
///
/// Every convolution and dense layer has a bias and is followed by a ReLU. The original differs in
/// three places that carry parameters: trainable subsampling (a coefficient and a bias per map: 12
/// in S2, 32 in S4), C3 connected to only some of S2's maps (1,516 instead of 2,416), and an RBF
/// output layer with fixed, not trained, weights (0 instead of 850). Its trainable count is
/// 156 + 12 + 1,516 + 32 + 48,120 + 10,164 = 60,000, the "60,000" of the paper; the modern form has
/// 61,706 (its scaled tanh, like the ReLU here, has no parameters).
///
/// - Returns: the layers in order; `[32, 32, 1]` in, `[10]` out.
/// - Throws: nothing once written; the stub throws ``NotImplemented``.
public func leNet5() throws -> [LayerDescription] {
    // TODO(Architecture3): write the seven layers with weights and pools above, with ReLUs and a flatten.
    // START Architecture3
    throw NotImplemented("Architecture3")
    // END Architecture3
}

/// AlexNet (Krizhevsky et al., 2012) as the notes draw it, on a `[227, 227, 3]` image:
///
///     conv 11x11, 96, stride 4 → max pool 3x3/2 → conv 5x5, 256, pad 2 → max pool 3x3/2
///     → conv 3x3, 384, pad 1 → conv 3x3, 384, pad 1 → conv 3x3, 256, pad 1 → max pool 3x3/2
///     → flatten (9216) → dense 4096 → dense 4096 → dense 1000
///
/// One tower (the paper split the channels over two GPUs), biases everywhere, ReLU after every
/// weight layer but the last, dropout with keep probability 0.5 before the first two dense layers.
/// 62,378,344 parameters.
///
/// - Returns: the layers in order; `[227, 227, 3]` in, `[1000]` out.
/// - Throws: nothing once written; the stub throws ``NotImplemented``.
public func alexNet() throws -> [LayerDescription] {
    // TODO(Architecture3): five convolutions with three pools, then three dense layers.
    // START Architecture3
    throw NotImplemented("Architecture3")
    // END Architecture3
}

/// VGG-16 (Simonyan and Zisserman, 2014, configuration D), as torchvision builds it, on a
/// `[224, 224, 3]` image: five stages of 3x3 convolutions (padding 1, so the size stays) with
/// 64, 128, 256, 512, 512 channels and 2, 2, 3, 3, 3 convolutions, each stage ending in a 2x2/2
/// max pool; then an adaptive average pool to 7x7, flatten (25,088), dense 4096, dense 4096, dense
/// `classes`. Biases everywhere; ReLU after every weight layer but the last; dropout with keep
/// probability 0.5 after the first two ReLUs of the classifier. 138,357,544 parameters for 1000 classes.
///
/// - Parameter classes: the number of outputs (1000 for ImageNet).
/// - Returns: the layers in order; `[224, 224, 3]` in, `[classes]` out.
/// - Throws: ``ArgumentError`` if `classes` is not positive.
public func vgg16(classes: Int = 1000) throws -> [LayerDescription] {
    // TODO(Architecture3): loop over the five stages, then the classifier.
    // START Architecture3
    throw NotImplemented("Architecture3")
    // END Architecture3
}

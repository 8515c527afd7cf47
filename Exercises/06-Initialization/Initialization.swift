// Chapter 6 · Initialization — Xavier, Glorot and He
//
// Shapes:
//   a dense layer's weights `[D, M]`: fanIn = D (the notes' D_a), fanOut = M
//   a convolution's kernels `[KH, KW, Cin, Cout]` (NHWC): fanIn = KH·KW·Cin, fanOut = KH·KW·Cout
//   a batch of activations `[N, D]`
//
// The variance rule (notes 004, problem 5): for z_i = Σ_j W_ij a_j with W and a independent and
// zero-mean, Var(z_i) = D_a · Var(W) · Var(a). Keeping Var(z) = Var(a) layer after layer asks for
// Var(W) = 1/D_a.
//
// Guide and hints: Exercises/06-Initialization/GUIDE.md, or `swift run workbook hint Init1`.
import Foundation
import WorkbookCore

/// The standard deviation a scheme draws weights with:
///
///     .xavier       sqrt(1 / fanIn)
///     .glorot       sqrt(2 / (fanIn + fanOut))
///     .he           sqrt(2 / fanIn)
///     .normal(σ)    σ
///
/// - Parameters:
///   - scheme: the initialization scheme.
///   - fanIn: inputs per output unit (`D` of `[D, M]`), at least 1.
///   - fanOut: outputs per input unit (`M` of `[D, M]`), at least 1.
/// - Returns: the standard deviation (the square root of the scheme's variance).
/// - Throws: ``ArgumentError`` if a fan is below 1 or `.normal` has a negative (or NaN) σ.
public func initializationStandardDeviation(_ scheme: InitializationScheme, fanIn: Int, fanOut: Int) throws -> Double {
    // TODO(Init1): return the square root of each scheme's variance (see the table above).
    // START Init1
    throw NotImplemented("Init1")
    // END Init1
}

/// Draws a weight tensor from a zero-mean normal distribution with the scheme's standard deviation.
///
/// The fans are read from the shape: `[D, M]` gives fanIn D and fanOut M; `[KH, KW, Cin, Cout]`
/// gives fanIn KH·KW·Cin and fanOut KH·KW·Cout. The draws are one `rng.nextNormal(mean: 0,
/// standardDeviation: σ)` per element in row-major order (what `Tensor.randomNormal` does), so a seed
/// reproduces the same weights everywhere.
///
/// - Parameters:
///   - shape: `[D, M]` or `[KH, KW, Cin, Cout]`.
///   - scheme: the initialization scheme.
///   - rng: the generator to draw from.
/// - Returns: the weights, with shape `shape`.
/// - Throws: ``ShapeError`` for a shape of another rank or with a zero dimension;
///   ``ArgumentError`` as `initializationStandardDeviation` does.
public func initializeWeights(shape: [Int], scheme: InitializationScheme, using rng: inout SeededGenerator) throws -> Tensor {
    // TODO(Init2): work out fanIn and fanOut from the shape, then draw zero-mean normals with that standard deviation.
    // START Init2
    throw NotImplemented("Init2")
    // END Init2
}

/// The experiment of the guide: pushes a batch through `depth` square dense layers (no bias) with
/// weights from `scheme`, each followed by `activation`, and returns every layer's activations.
///
///     a_0 = x,   a_l = activation(a_{l−1} · W_l),   W_l `[D, D]` drawn by `initializeWeights`
///
/// The weights of layer 1 are drawn first, then layer 2, and so on, all from `rng`.
///
/// - Parameters:
///   - x: the input batch, `[N, D]`.
///   - depth: the number of layers, at least 1.
///   - scheme: how every layer's weights are drawn.
///   - activation: `.tanh` or `.relu`, after every layer.
///   - rng: the generator the weights are drawn from.
/// - Returns: `depth` tensors `a_1 … a_depth`, each `[N, D]`.
/// - Throws: ``ShapeError`` if `x` is not a matrix; ``ArgumentError`` if `depth < 1`.
/// - Complexity: O(depth · N · D²).
public func activationsThroughStack(
    _ x: Tensor, depth: Int, scheme: InitializationScheme, activation: StackActivation,
    using rng: inout SeededGenerator
) throws -> [Tensor] {
    // TODO(Init3): for each layer draw [D, D] weights, multiply, apply the activation, keep the result.
    // START Init3
    throw NotImplemented("Init3")
    // END Init3
}

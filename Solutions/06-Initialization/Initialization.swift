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
    guard fanIn >= 1, fanOut >= 1 else {
        throw ArgumentError(operation: "initializationStandardDeviation",
                                  detail: "fanIn and fanOut must be at least 1, got \(fanIn) and \(fanOut)")
    }
    let fanInD = Double(fanIn), fanOutD = Double(fanOut)
    switch scheme {
    case .xavier:
        // Var(z) = D_a·Var(W)·Var(a) = Var(a) ⇔ Var(W) = 1/D_a.
        return (1 / fanInD).squareRoot()
    case .glorot:
        // The forward pass wants 1/fanIn, the backward pass 1/fanOut; Glorot takes the harmonic compromise.
        return (2 / (fanInD + fanOutD)).squareRoot()
    case .he:
        // ReLU zeroes half of a symmetric input, halving E[a²]: double the variance to make up for it.
        return (2 / fanInD).squareRoot()
    case .normal(let standardDeviation):
        guard standardDeviation >= 0 else {
            throw ArgumentError(operation: "initializationStandardDeviation",
                                      detail: "a standard deviation must be ≥ 0, got \(standardDeviation)")
        }
        return standardDeviation
    }
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
    guard shape.allSatisfy({ $0 >= 1 }) else {
        throw ShapeError(operation: "initializeWeights", shapes: [shape], detail: "every dimension must be at least 1")
    }
    let fanIn: Int, fanOut: Int
    switch shape.count {
    case 2:
        (fanIn, fanOut) = (shape[0], shape[1])
    case 4:
        // Each output of a convolution sums over a KH×KW window of all Cin input channels.
        let receptiveField = shape[0] * shape[1]
        (fanIn, fanOut) = (receptiveField * shape[2], receptiveField * shape[3])
    default:
        throw ShapeError(operation: "initializeWeights", shapes: [shape],
                         detail: "expected dense weights [D, M] or convolution kernels [KH, KW, Cin, Cout]")
    }
    let standardDeviation = try initializationStandardDeviation(scheme, fanIn: fanIn, fanOut: fanOut)
    return Tensor.randomNormal(shape: shape, mean: 0, standardDeviation: standardDeviation, using: &rng)
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
    try requireShape(x, [-1, -1], "activationsThroughStack x")
    guard depth >= 1 else {
        throw ArgumentError(operation: "activationsThroughStack", detail: "depth must be at least 1, got \(depth)")
    }
    let width = x.shape[1]
    var layers: [Tensor] = []
    layers.reserveCapacity(depth)
    var a = x
    for _ in 0..<depth {
        let weight = try initializeWeights(shape: [width, width], scheme: scheme, using: &rng)
        let z = try Tensor.matmul(a, weight)   // biases start at zero, as the derivation assumes
        switch activation {
        case .tanh: a = z.map { Foundation.tanh($0) }
        case .relu: a = z.map { max(0, $0) }
        }
        layers.append(a)
    }
    return layers
    // END Init3
}

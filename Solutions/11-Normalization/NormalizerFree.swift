// Chapter 11 · Normalization — advanced: the two tools of normalizer-free ResNets (notes 003).
//
// Brock, De & Smith (2021) train deep ResNets without batch norm by standardizing the *weights*
// instead of the activations ("scaled weight standardization"); Brock, De, Smith & Simonyan (2021,
// NFNets) add *adaptive gradient clipping* so that large batches and learning rates stay stable.
//
// Shapes:
//   weight   [KH, KW, Cin, Cout]  (or any rank ≥ 2: the last axis is the output unit, the others its fan-in)
//   gain     [Cout]
//   fanIn    = KH·KW·Cin, the number of inputs of one output unit
//
// Guide and hints: Exercises/11-Normalization/GUIDE.md, or `swift run workbook hint WeightStandardization1`.
import WorkbookCore

/// Scaled weight standardization: every output unit's kernel gets mean 0 and variance `1/fanIn`
/// over its fan-in, then is multiplied by a learnable gain:
///
///     Ŵ[…, o] = gain[o] · (W[…, o] − μ_o) / (σ_o·√fanIn),     σ_o² = var_o(W) + ε
///
/// With inputs of unit variance, a unit whose weights have variance `1/fanIn` and mean 0 outputs
/// unit variance too, and the zero mean stops the per-channel activation means from growing with depth.
///
/// - Parameters:
///   - weight: `[…, Cout]`, rank ≥ 2 (a conv kernel `[KH, KW, Cin, Cout]` or a dense `[Din, Dout]`).
///   - gain: `[Cout]`.
///   - epsilon: added to the variance (a constant kernel would otherwise divide by 0).
/// - Returns: `out` (the standardized weight, the shape of `weight`) and the cache.
/// - Throws: ``ShapeError`` if `weight` has rank below 2 or `gain` is not `[Cout]`.
/// - Note: The cache is `WeightStandardizationCache(standardized:gain:scale:)`, from `Sources/WorkbookCore/Caches/NormalizationCaches.swift`: `standardized` (Tensor); `gain` (Tensor); `scale` (Tensor).
public func weightStandardizationForward(
    _ weight: Tensor, gain: Tensor, epsilon: Double = 1e-4
) throws -> (out: Tensor, cache: WeightStandardizationCache) {
    // TODO(WeightStandardization1): statistics per output unit over its fan-in; center, divide by σ·√fanIn, scale by gain.
    // START WeightStandardization1
    guard weight.rank >= 2 else {
        throw ShapeError(operation: "weightStandardizationForward", shapes: [weight.shape], detail: "needs rank ≥ 2, output units last")
    }
    let units = weight.shape[weight.rank - 1]
    try requireShape(gain, [units], "weightStandardizationForward gain [Cout]")
    // One row per fan-in position, one column per unit: the statistics are along axis 0.
    let columns = try weight.reshaped([-1, units])
    let fanIn = Double(columns.shape[0])
    let mean = try columns.mean(alongAxis: 0, keepingDimension: true)                 // [1, Cout]
    let centered = try columns - mean
    let variance = try centered.squared().mean(alongAxis: 0, keepingDimension: true)  // biased
    let scale = ((variance + epsilon) * fanIn).squareRoot()                          // σ·√fanIn
    let standardized = try (centered / scale).reshaped(weight.shape)
    return (try standardized * gain,
            WeightStandardizationCache(standardized: standardized, gain: gain, scale: try scale.reshaped([units])))
    // END WeightStandardization1
}

/// The backward pass of `weightStandardizationForward`: the gradient reaches the raw weight through
/// the standardization, like layer norm's with each unit's fan-in as the group.
///
/// With `z = (W − μ)/s`, `s = σ·√fanIn`, `dz = dŴ·gain` and means over the fan-in:
///
///     dgain = Σ_fanIn dŴ·z
///     dW    = (1/s)·(dz − mean(dz) − fanIn·z·mean(dz·z))
///
/// - Parameters:
///   - dout: `∂L/∂Ŵ`, the shape of the weight.
///   - cache: what `weightStandardizationForward` kept.
/// - Returns: `dweight` (the weight's shape) and `dgain` `[Cout]`.
/// - Throws: ``ShapeError`` if `dout` does not have the weight's shape.
public func weightStandardizationBackward(
    _ dout: Tensor, cache: WeightStandardizationCache
) throws -> (dweight: Tensor, dgain: Tensor) {
    // TODO(WeightStandardization2): dgain collects dŴ·z; dW is the normalization backward with the extra √fanIn.
    // START WeightStandardization2
    let z = cache.standardized
    guard dout.shape == z.shape, z.rank >= 2 else {
        throw ShapeError(operation: "weightStandardizationBackward", shapes: [dout.shape, z.shape],
                         detail: "dout must have the weight's shape")
    }
    let units = z.shape[z.rank - 1]
    let zColumns = try z.reshaped([-1, units])
    let doutColumns = try dout.reshaped([-1, units])
    let fanIn = Double(zColumns.shape[0])
    let dgain = try (doutColumns * zColumns).sum(alongAxis: 0)
    let dz = try doutColumns * cache.gain
    let meanDz = try dz.mean(alongAxis: 0, keepingDimension: true)
    let meanDzZ = try (dz * zColumns).mean(alongAxis: 0, keepingDimension: true)
    // z·√fanIn is the unit-variance x̂ of layer norm; writing the formula with z brings in fanIn.
    let dweight = try ((dz - meanDz - zColumns * meanDzZ * fanIn) / cache.scale).reshaped(z.shape)
    return (dweight, dgain)
    // END WeightStandardization2
}

/// Adaptive gradient clipping (NFNets): rescales each output unit's gradient whose norm is large
/// *relative to that unit's weight norm*:
///
///     if ‖G_o‖ / max(‖W_o‖, ε) > λ:   G_o ← λ · max(‖W_o‖, ε) / ‖G_o‖ · G_o
///
/// A unit is everything that feeds one output: for `[…, Cout]` weights, the slice `[…, o]` (all axes
/// but the last); for a rank-1 parameter such as a bias, each entry on its own. Norms are Frobenius
/// (square root of the sum of squares). `ε` keeps units whose weights start at 0 trainable.
///
/// - Parameters:
///   - gradient: `∂L/∂W`, the shape of `weight`.
///   - weight: the current parameters, rank ≥ 1.
///   - clipping: λ, the largest allowed ratio (NFNets use 0.01 to 0.16 depending on the batch size).
///   - epsilon: the smallest weight norm used (NFNets: 1e-3).
/// - Returns: the clipped gradient, the shape of `gradient`.
/// - Throws: ``ShapeError`` if the shapes differ or the weight is a scalar.
public func adaptiveGradientClipping(
    _ gradient: Tensor, weight: Tensor, clipping: Double, epsilon: Double = 1e-3
) throws -> Tensor {
    // TODO(AdaptiveGradientClipping1): unit-wise norms of G and W; rescale only the units over the ratio λ.
    // START AdaptiveGradientClipping1
    guard gradient.shape == weight.shape, weight.rank >= 1 else {
        throw ShapeError(operation: "adaptiveGradientClipping", shapes: [gradient.shape, weight.shape],
                         detail: "the gradient must have the weight's shape, rank ≥ 1")
    }
    // A rank-1 parameter is [1, units]: each entry its own unit.
    let units = weight.shape[weight.rank - 1]
    let g = try gradient.reshaped([-1, units]), w = try weight.reshaped([-1, units])
    let gradientNorms = try g.squared().sum(alongAxis: 0).squareRoot()   // [units]
    let weightNorms = try w.squared().sum(alongAxis: 0).squareRoot().map { max($0, epsilon) }
    // The factor is 1 for units within the ratio and λ·‖W‖/‖G‖ < 1 for the others.
    let factors = try Tensor.zip(gradientNorms, weightNorms, operation: "adaptiveGradientClipping") { gNorm, wNorm in
        gNorm > clipping * wNorm ? clipping * wNorm / gNorm : 1
    }
    return try (g * factors).reshaped(gradient.shape)
    // END AdaptiveGradientClipping1
}

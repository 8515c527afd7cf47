// Chapter 11 · Normalization — group normalization.
//
// Shapes (NHWC; CS231n uses NCHW):
//   x, out, dout, dx   [N, H, W, C]
//   gamma, beta        [C]
//   mean, variance     [N, G]   one statistic per example and group, over its H·W·(C/G) entries
//
// The C channels are split into G groups of C/G consecutive channels (channels g·C/G ..< (g+1)·C/G
// form group g). Each example's group is standardized on its own:
//
//     μ_ng = mean over (h, w, c ∈ group g) of x[n, h, w, c]     σ²_ng = biased variance over the same
//     x̂ = (x − μ_ng) / √(σ²_ng + ε)                            out = γ_c·x̂ + β_c
//
// G = 1 puts all channels in one group: layer norm. G = C gives every channel its own group:
// instance norm. (Wu & He, "Group Normalization", 2018.)
//
// Guide and hints: Exercises/11-Normalization/GUIDE.md, or `swift run workbook hint GroupNorm1`.
import WorkbookCore

/// Group normalization: normalizes each group of `C/G` consecutive channels of each example over
/// its pixels and channels, then scales and shifts each channel.
///
/// - Parameters:
///   - x: `[N, H, W, C]`.
///   - gamma, beta: `[C]`.
///   - groups: `G`, which must divide `C`.
///   - epsilon: added to the variance.
/// - Returns: `out`, `[N, H, W, C]`, and the cache (`mean`, `variance` are `[N, G]`).
/// - Throws: ``ShapeError`` if `x` is not rank 4, `gamma`/`beta` are not `[C]`, or `G` does not divide `C`.
/// - Note: The cache is `GroupNormCache(xHat:gamma:groups:mean:variance:epsilon:)`, from `Sources/WorkbookCore/Caches/NormalizationCaches.swift`: `xHat` (Tensor); `gamma` (Tensor); `groups` (Int); `mean` (Tensor); `variance` (Tensor); `epsilon` (Double).
public func groupNormForward(
    _ x: Tensor, gamma: Tensor, beta: Tensor, groups: Int, epsilon: Double = 1e-5
) throws -> (out: Tensor, cache: GroupNormCache) {
    // TODO(GroupNorm1): view x as [N, H·W, G, C/G]; statistics over axes 1 and 3; normalize, scale, shift.
    // START GroupNorm1
    try requireShape(x, [-1, -1, -1, -1], "groupNormForward x [N, H, W, C]")
    let (n, c) = (x.shape[0], x.shape[3])
    try requireShape(gamma, [c], "groupNormForward gamma [C]")
    try requireShape(beta, [c], "groupNormForward beta [C]")
    guard groups >= 1, c % groups == 0 else {
        throw ShapeError(operation: "groupNormForward", shapes: [x.shape, [groups]],
                         detail: "the number of groups must divide the \(c) channels")
    }
    // In NHWC, channel c = g·(C/G) + k sits at index (g, k) of a last axis split as [G, C/G]; so
    // the reshape below puts each group's entries at fixed (n, ·, g, ·), with no copying.
    let grouped = try x.reshaped([n, -1, groups, c / groups])
    let mean = try grouped.mean(alongAxes: [1, 3], keepingDimensions: true)       // [N, 1, G, 1]
    let centered = try grouped - mean
    let variance = try centered.squared().mean(alongAxes: [1, 3], keepingDimensions: true)
    let xHat = try (centered / (variance + epsilon).squareRoot()).reshaped(x.shape)
    let out = try xHat * gamma + beta
    return (out, GroupNormCache(xHat: xHat, gamma: gamma, groups: groups, mean: try mean.reshaped([n, groups]),
                                variance: try variance.reshaped([n, groups]), epsilon: epsilon))
    // END GroupNorm1
}

/// The backward pass of `groupNormForward`.
///
/// With `dx̂ = dout·γ_c` and means over each example's group (its H·W·C/G entries):
///
///     dβ_c = Σ_{n,h,w} dout        dγ_c = Σ_{n,h,w} dout·x̂
///     dx   = (1/√(σ²_ng + ε))·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
///
/// - Parameters:
///   - dout: `[N, H, W, C]`.
///   - cache: what `groupNormForward` kept.
/// - Returns: `dx` `[N, H, W, C]`, `dgamma` `[C]`, `dbeta` `[C]`.
/// - Throws: ``ShapeError`` if `dout` and the cached x̂ differ in shape.
public func groupNormBackward(_ dout: Tensor, cache: GroupNormCache) throws -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) {
    // TODO(GroupNorm2): the same three-term formula, with means over each (example, group).
    // START GroupNorm2
    let xHat = cache.xHat
    guard dout.shape == xHat.shape, xHat.rank == 4 else {
        throw ShapeError(operation: "groupNormBackward", shapes: [dout.shape, xHat.shape],
                         detail: "dout must have the shape of the forward input [N, H, W, C]")
    }
    let (n, c, g) = (xHat.shape[0], xHat.shape[3], cache.groups)
    guard g >= 1, c % g == 0 else {
        throw ShapeError(operation: "groupNormBackward", shapes: [xHat.shape, [g]], detail: "the number of groups must divide C")
    }
    let dbeta = try dout.sum(alongAxes: [0, 1, 2])
    let dgamma = try (dout * xHat).sum(alongAxes: [0, 1, 2])
    let dxHat = try (dout * cache.gamma).reshaped([n, -1, g, c / g])
    let groupedXHat = try xHat.reshaped([n, -1, g, c / g])
    let meanDxHat = try dxHat.mean(alongAxes: [1, 3], keepingDimensions: true)
    let meanDxHatXHat = try (dxHat * groupedXHat).mean(alongAxes: [1, 3], keepingDimensions: true)
    let inverseStd = try (1 / (cache.variance + cache.epsilon).squareRoot()).reshaped([n, 1, g, 1])
    let dx = try ((dxHat - meanDxHat - groupedXHat * meanDxHatXHat) * inverseStd).reshaped(xHat.shape)
    return (dx, dgamma, dbeta)
    // END GroupNorm2
}

// Chapter 1 · Activations — PReLU (parametric ReLU, He et al. 2015)
//
// Shapes:
//   x      `[..., C]`  any rank ≥ 1; the last axis is the channel (features of `[N, D]`, channels
//                      of NHWC images `[N, H, W, C]`)
//   slope  `[C]`       one learnable slope per channel, or `[1]` for one slope shared by all
//   out, dx            the shape of `x`;  dslope: the shape of `slope`
//
// Guide and hints: Exercises/01-Activations/GUIDE.md, or `swift run workbook hint Parametric1`.
import WorkbookCore

/// PReLU: leaky ReLU whose slope is a parameter: `y = x` for `x > 0`, `y = a_c·x` otherwise, where
/// `a_c` is the slope of the element's channel `c` (its index along the last axis).
///
/// - Parameters:
///   - x: the pre-activations, `[..., C]`.
///   - slope: the learnable slopes, `[C]`, or `[1]` shared by every element.
/// - Returns: `out`, the shape of `x`, and the cache `preluBackward` needs.
/// - Throws: ``ShapeError`` if `slope` is not `[C]` or `[1]`.
/// - Note: The cache is `PReLUCache(x:slope:)`, from `Sources/WorkbookCore/Caches/MoreActivationCaches.swift`: `x` (Tensor); `slope` (Tensor).
public func preluForward(_ x: Tensor, slope: Tensor) throws -> (out: Tensor, cache: PReLUCache) {
    // TODO(Parametric1): check the slope's shape, then x where x > 0 and slope·x elsewhere; cache both.
    // START Parametric1
    let channels = x.shape.last ?? 0
    guard x.rank >= 1, slope.shape == [channels] || slope.shape == [1] else {
        throw ShapeError(operation: "preluForward", shapes: [x.shape, slope.shape],
                         detail: "the slope must be [C] (C = x's last dimension) or [1]")
    }
    // Element i of the row-major x has channel i % C; a shared slope has one entry.
    let period = slope.count
    let out = Tensor(shape: x.shape) { i in
        let value = x[flat: i]
        return value > 0 ? value : slope[flat: i % period] * value
    }
    return (out, PReLUCache(x: x, slope: slope))
    // END Parametric1
}

/// The backward pass of PReLU, to the input and to the slope.
///
///     dx      = dout          where x > 0,   a_c · dout   elsewhere
///     dslope_c = Σ over the elements of channel c with x ≤ 0 of  dout · x
///
/// The slope is used by many elements, so its gradient sums their contributions (all of them for
/// a shared `[1]` slope). At exactly `x = 0` the derivative to `x` is `a_c` (the left side) and the
/// contribution to `dslope` is `0 · dout = 0` either way.
///
/// - Parameters:
///   - dout: the upstream gradient `∂L/∂y`, the shape of the forward input.
///   - cache: what `preluForward` kept.
/// - Returns: `dx = ∂L/∂x` (the shape of `dout`) and `dslope = ∂L/∂slope` (the shape of the slope).
public func preluBackward(_ dout: Tensor, cache: PReLUCache) throws -> (dx: Tensor, dslope: Tensor) {
    // TODO(Parametric2): dx as in leaky ReLU with the channel's slope; dslope sums dout·x over x ≤ 0.
    // START Parametric2
    let x = cache.x, slope = cache.slope
    guard dout.shape == x.shape else {
        throw ShapeError(operation: "preluBackward(dout, cache.x)", shapes: [dout.shape, x.shape], detail: "the shapes must be equal")
    }
    let period = slope.count
    var dx = dout
    var dslope = Tensor(zeros: slope.shape)
    for i in 0..<x.count where x[flat: i] <= 0 {
        let channel = i % period
        // y = a·x on this side: ∂y/∂x = a and ∂y/∂a = x.
        dx[flat: i] = slope[flat: channel] * dout[flat: i]
        dslope[flat: channel] += x[flat: i] * dout[flat: i]
    }
    return (dx, dslope)
    // END Parametric2
}

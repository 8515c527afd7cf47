// What grading needs and a student's code must not be able to call: the centered-difference
// gradient and CS231n's relative error answer GradCheck1–3 outright. This module is linked by the
// tests, the judge and the trainer, never by grade-runner, so a graded folder that imports it
// does not link (and, built alone as instructors build submissions, does not even find it).
import WorkbookCore

/// Gradient checking: the finite-difference estimate every backward pass is compared against.
///
/// For a function `f: x ↦ y` and an upstream gradient `dout = ∂L/∂y`, the loss seen through `f` is
/// `L(x) = Σ dout ⊙ f(x)`. Its gradient is estimated one coordinate at a time by centered
/// differences, whose error shrinks like h² (a one-sided difference only shrinks like h):
///
///     ∂L/∂x_i ≈ (L(x + h·e_i) − L(x − h·e_i)) / 2h
///
/// - Parameters:
///   - f: the forward function; it is called 2·x.count times.
///   - x: the point, any shape.
///   - dout: the upstream gradient, shape of `f(x)`.
///   - h: the step; 1e-5 balances truncation error (~h²) against rounding error (~ε/h) in Double.
/// - Returns: the estimate of `∂L/∂x`, shape of `x`.
/// - Throws: whatever `f` throws, or ``ShapeError`` if `dout` does not match `f(x)`.
/// - Complexity: 2·n evaluations of `f` for n = x.count.
public func numericGradient(
    of f: (Tensor) throws -> Tensor, at x: Tensor, upstream dout: Tensor, h: Double = 1e-5
) throws -> Tensor {
    try numericGradient(of: { input in
        let y = try f(input)
        guard y.shape == dout.shape else {
            throw ShapeError(operation: "numericGradient", shapes: [y.shape, dout.shape],
                             detail: "the upstream gradient must have the forward output's shape")
        }
        var total = 0.0
        for i in 0..<y.count { total += y.scalars[i] * dout.scalars[i] }
        return total
    }, at: x, h: h)
}

/// The centered-difference gradient of a scalar function: `(f(x + h·e_i) − f(x − h·e_i)) / 2h` per i.
public func numericGradient(of f: (Tensor) throws -> Double, at x: Tensor, h: Double = 1e-5) throws -> Tensor {
    var probe = x
    var grad = Tensor(zeros: x.shape)
    for i in 0..<x.count {
        let original = probe[flat: i]
        probe[flat: i] = original + h
        let plus = try f(probe)
        probe[flat: i] = original - h
        let minus = try f(probe)
        probe[flat: i] = original
        grad[flat: i] = (plus - minus) / (2 * h)
    }
    return grad
}

/// CS231n's relative error between two gradients, the largest over all elements of
///
///     |x − y| / max(1e-8, |x| + |y|)
///
/// Rough guide for Double and h = 1e-5: below 1e-7 the backward pass is right; 1e-7…1e-4 deserves
/// a look (kinks such as ReLU at 0 can cause it); above 1e-4 it is almost surely wrong.
/// - Returns: the largest elementwise relative error, or +∞ if the shapes differ.
public func relativeError(_ x: Tensor, _ y: Tensor) -> Double {
    guard x.shape == y.shape else { return .infinity }
    var worst = 0.0
    for i in 0..<x.count {
        let (a, b) = (x.scalars[i], y.scalars[i])
        let error = abs(a - b) / Swift.max(1e-8, abs(a) + abs(b))
        if error.isNaN { return .nan }
        worst = Swift.max(worst, error)
    }
    return worst
}

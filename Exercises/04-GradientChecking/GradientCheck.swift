// Chapter 4 · Gradient checking
//
// The workbook grades every backward pass against a finite-difference estimate; here you write
// that estimate and the error measure yourself. (The grader keeps its own copies, `numericGradient`
// and `relativeError`, in a module your code cannot import: your versions are graded against them.)
//
// Shapes:
//   x         the point, any shape
//   f(x)      a number, or a tensor of any shape with an upstream gradient `dout` of that shape
//   returns   the gradient estimate, the shape of `x`
//
// Guide and hints: Exercises/04-GradientChecking/GUIDE.md, or `swift run workbook hint GradCheck1`.
import WorkbookCore

/// The centered-difference estimate of the gradient of a scalar function, one coordinate at a time:
///
///     ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h
///
/// Its error shrinks like h² (the one-sided `(f(x + h·e_i) − f(x)) / h` only like h).
///
/// - Parameters:
///   - f: the function, called 2·n times for n = `x.count`.
///   - x: the point, any shape.
///   - h: the step; 1e-5 balances truncation (~h²) against rounding (~1e-16/h) in Double.
/// - Returns: the estimate of `∂f/∂x`, the shape of `x`.
/// - Throws: whatever `f` throws.
/// - Complexity: 2·n evaluations of `f`.
public func centeredDifference(of f: (Tensor) throws -> Double, at x: Tensor, step h: Double = 1e-5) throws -> Tensor {
    // TODO(GradCheck1): for each coordinate, nudge it by +h and −h, evaluate f, and divide the difference by 2h.
    // START GradCheck1
    throw NotImplemented("GradCheck1")
    // END GradCheck1
}

/// The centered-difference gradient of a tensor-valued function seen through an upstream gradient:
/// the gradient of the scalar `L(x) = Σ dout ⊙ f(x)`, which is what a backward pass returns.
///
/// - Parameters:
///   - f: the forward function, any output shape.
///   - x: the point, any shape.
///   - dout: the upstream gradient `∂L/∂f(x)`, the shape of `f(x)`.
///   - h: the step, as for the scalar version.
/// - Returns: the estimate of `∂L/∂x`, the shape of `x`.
/// - Throws: ``ShapeError`` if `f(x)` and `dout` differ in shape, or whatever `f` throws.
public func centeredDifference(
    of f: (Tensor) throws -> Tensor, at x: Tensor, upstream dout: Tensor, step h: Double = 1e-5
) throws -> Tensor {
    // TODO(GradCheck2): wrap f into the scalar Σ dout ⊙ f(x) (checking the shapes) and reuse the scalar version.
    // START GradCheck2
    throw NotImplemented("GradCheck2")
    // END GradCheck2
}

/// The relative error between two gradients (CS231n's measure), the largest over all elements of
///
///     |a − b| / max(1e-8, |a| + |b|)
///
/// Relative, so that it means the same for tiny and huge gradients; the floor 1e-8 keeps two
/// (near-)zero entries from dividing 0 by 0. Rough reading: below 1e-7 the backward pass is right,
/// above 1e-4 it is almost surely wrong.
///
/// - Parameters:
///   - analytic: the backward pass's gradient, any shape.
///   - numeric: the finite-difference estimate, the shape of `analytic`.
/// - Returns: the largest elementwise relative error (0 for empty tensors, NaN if any entry is NaN).
/// - Throws: ``ShapeError`` if the shapes differ.
public func gradientRelativeError(_ analytic: Tensor, _ numeric: Tensor) throws -> Double {
    // TODO(GradCheck3): the largest |a − b| / max(1e-8, |a| + |b|) over the elements; reject different shapes.
    // START GradCheck3
    throw NotImplemented("GradCheck3")
    // END GradCheck3
}

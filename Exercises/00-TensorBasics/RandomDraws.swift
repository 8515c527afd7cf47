// Chapter 0 · Tensor basics — seeded random draws
//
// Shapes: any. The workbook never uses global randomness: a function that draws takes a
// `SeededGenerator` `inout`, so the same seed gives the same numbers in every run and test order.
//
// Guide and hints: Exercises/00-TensorBasics/GUIDE.md, or `swift run workbook hint Random1`.
import WorkbookCore

/// Adds Gaussian noise to every element: `out = x + z` with each `z` drawn from `N(0, standardDeviation²)`.
///
/// A simple data augmentation. The convention (so a seed always gives the same noise): one normal
/// draw per element, in row-major order, from `generator`, as `Tensor.randomNormal` draws them.
///
/// - Parameters:
///   - x: any shape.
///   - standardDeviation: σ ≥ 0 of the noise; 0 returns `x` unchanged (the draws are still made).
///   - generator: the seeded generator; it advances by `x.count` normal draws.
/// - Returns: the shape of `x`.
/// - Throws: ``ArgumentError`` if `standardDeviation` is negative or not finite.
/// - Complexity: O(n) for n elements.
public func addingNoise(_ x: Tensor, standardDeviation: Double, using generator: inout SeededGenerator) throws -> Tensor {
    // TODO(Random1): draw a noise tensor of x's shape from the generator, then add it.
    // START Random1
    throw NotImplemented("Random1")
    // END Random1
}

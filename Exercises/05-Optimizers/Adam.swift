// Chapter 5 · Optimizers — Adam
//
// Shapes: the parameter, its gradient and both moments in the state all have one shape.
//
// Guide and hints: Exercises/05-Optimizers/GUIDE.md, or `swift run workbook hint Adam1`.
import Foundation
import WorkbookCore

/// One step of Adam (Kingma & Ba, Algorithm 1): momentum on the gradient, RMSProp's scaling, and a
/// bias correction for both averages starting at zero.
///
///     t  ← state.step + 1                      (the number of this update: 1 on the first)
///     m  ← β₁·m + (1 − β₁)·g                   m̂ = m / (1 − β₁ᵗ)
///     v  ← β₂·v + (1 − β₂)·g²                  v̂ = v / (1 − β₂ᵗ)
///     θ  ← θ − η·m̂ / (√v̂ + ε)
///
/// The returned state has `step == t`: `AdamState.step` counts the updates done so far (0 for a
/// fresh state), as in PyTorch, so the first update divides by `1 − β₁¹ = 0.1`, never by `1 − β₁⁰ = 0`.
///
/// - Parameters:
///   - parameter: `θ`, any shape.
///   - gradient: `g = ∂J/∂θ` at `θ`, the shape of `parameter`.
///   - state: the moments and step count from the previous update (`AdamState(like: θ)` at the start).
///   - learningRate: `η > 0`.
///   - beta1: `β₁ ∈ [0, 1)`, the decay of the gradient average.
///   - beta2: `β₂ ∈ [0, 1)`, the decay of the squared-gradient average.
///   - epsilon: `ε > 0`, added outside the square root.
/// - Returns: the updated parameter and state (moments the shape of `parameter`, `step` one larger).
/// - Throws: ``ShapeError`` if the shapes differ.
public func adamStep(
    _ parameter: Tensor, gradient: Tensor, state: AdamState, learningRate: Double,
    beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8
) throws -> (parameter: Tensor, state: AdamState) {
    // TODO(Adam1): t = step + 1; update both moments; bias-correct them with 1 − βᵗ; step θ; return step t.
    // START Adam1
    throw NotImplemented("Adam1")
    // END Adam1
}

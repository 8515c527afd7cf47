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
    guard parameter.shape == gradient.shape, state.m.shape == parameter.shape, state.v.shape == parameter.shape else {
        throw ShapeError(operation: "adamStep(parameter, gradient, state.m, state.v)",
                         shapes: [parameter.shape, gradient.shape, state.m.shape, state.v.shape],
                         detail: "all four must have the parameter's shape")
    }
    let t = state.step + 1
    // Both averages start at 0, so early on they are biased toward 0 by the factor 1 − βᵗ;
    // dividing by it makes them unbiased estimates of E[g] and E[g²].
    let correction1 = 1 - pow(beta1, Double(t))
    let correction2 = 1 - pow(beta2, Double(t))
    var next = AdamState(m: state.m, v: state.v, step: t)
    var newParameter = parameter
    for i in 0..<parameter.count {
        let g = gradient[flat: i]
        next.m[flat: i] = beta1 * state.m[flat: i] + (1 - beta1) * g
        next.v[flat: i] = beta2 * state.v[flat: i] + (1 - beta2) * g * g
        let mHat = next.m[flat: i] / correction1
        let vHat = next.v[flat: i] / correction2
        newParameter[flat: i] -= learningRate * mHat / (vHat.squareRoot() + epsilon)
    }
    return (newParameter, next)
    // END Adam1
}

// The state an optimizer carries from one step to the next (chapter 5).
//
// The optimizers of the workbook are plain functions: they take a parameter, its gradient and the
// state, and return the new parameter and the new state. Momentum, Nesterov and RMSProp carry one
// tensor (a velocity or a running average of squares), passed as a `Tensor`; Adam carries two
// averages and a step count, kept together here so they can be saved with a checkpoint (`Codable`).

/// Adam's state for one parameter tensor.
///
/// `step` counts the updates already applied with this state: it is 0 before the first update.
/// `adamStep` first increments it and uses the new value `t` (1 on the first update) in the bias
/// corrections `1 − β₁ᵗ` and `1 − β₂ᵗ`, as in Kingma & Ba's Algorithm 1 and PyTorch.
public struct AdamState: Sendable, Hashable, Codable {
    /// The running average of gradients (first moment), the parameter's shape.
    public var m: Tensor
    /// The running average of squared gradients (second moment), the parameter's shape.
    public var v: Tensor
    /// The number of updates done so far (0 for a fresh state).
    public var step: Int

    /// A fresh state for `parameter`: zero averages, no step taken yet.
    public init(like parameter: Tensor) {
        m = Tensor(zeros: parameter.shape)
        v = Tensor(zeros: parameter.shape)
        step = 0
    }

    public init(m: Tensor, v: Tensor, step: Int) {
        self.m = m
        self.v = v
        self.step = step
    }
}

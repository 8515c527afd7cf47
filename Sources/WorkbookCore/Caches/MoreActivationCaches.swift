// Caches for the activations of chapter 1 beyond ReLU (sigmoid, tanh, leaky ReLU, ELU, PReLU, step).
//
// Each forward pass keeps exactly what its backward pass needs, and nothing else. Where the local
// derivative can be written with the output (sigmoid, tanh), the cache holds the output, so the
// backward pass needs no second exponential.

/// What `sigmoidForward` keeps for `sigmoidBackward`: the output `s = σ(x)`, since `σ'(x) = s(1 − s)`.
public struct SigmoidCache: Sendable, Hashable, Codable {
    /// The forward output `σ(x)`, the shape of the input.
    public var out: Tensor
    public init(out: Tensor) { self.out = out }
}

/// What `tanhForward` keeps for `tanhBackward`: the output `t = tanh(x)`, since `tanh'(x) = 1 − t²`.
public struct TanhCache: Sendable, Hashable, Codable {
    /// The forward output `tanh(x)`, the shape of the input.
    public var out: Tensor
    public init(out: Tensor) { self.out = out }
}

/// What `leakyReLUForward` keeps for `leakyReLUBackward`: the input and the negative-side slope.
public struct LeakyReLUCache: Sendable, Hashable, Codable {
    /// The forward input, any shape.
    public var x: Tensor
    /// The slope `a` used for `x ≤ 0`.
    public var slope: Double
    public init(x: Tensor, slope: Double) {
        self.x = x
        self.slope = slope
    }
}

/// What `eluForward` keeps for `eluBackward`: the input and `α`.
public struct ELUCache: Sendable, Hashable, Codable {
    /// The forward input, any shape.
    public var x: Tensor
    /// The scale `α` of the negative side, `α(eˣ − 1)`.
    public var alpha: Double
    public init(x: Tensor, alpha: Double) {
        self.x = x
        self.alpha = alpha
    }
}

/// What `preluForward` keeps for `preluBackward`: the input and the learnable slope.
public struct PReLUCache: Sendable, Hashable, Codable {
    /// The forward input, `[..., C]`.
    public var x: Tensor
    /// The learnable slope: `[C]` (one per channel, the last axis of `x`) or `[1]` (shared).
    public var slope: Tensor
    public init(x: Tensor, slope: Tensor) {
        self.x = x
        self.slope = slope
    }
}

/// What `stepForward` keeps for `stepBackward`: the input's shape (the derivative is 0 wherever it exists).
public struct StepCache: Sendable, Hashable, Codable {
    /// The forward input, any shape.
    public var x: Tensor
    public init(x: Tensor) { self.x = x }
}

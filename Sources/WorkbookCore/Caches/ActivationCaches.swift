/// What `reluForward` keeps for `reluBackward`: the input, whose sign decides where gradient flows.
public struct ReLUCache: Sendable, Hashable, Codable {
    /// The forward input, any shape.
    public var x: Tensor
    public init(x: Tensor) { self.x = x }
}

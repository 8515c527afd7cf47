import WorkbookCore
import Workbook

/// Which update rule trains the network (each step is the workbook's exercise function).
public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    case sgd, momentum, adam
}

/// The optimizer and its per-parameter state, laid out like ``Network/parameters``.
struct Optimizer {
    var kind: OptimizerKind
    var momentum: Double
    /// Momentum's velocities or Adam's first moments.
    var first: [[Tensor]]
    /// Adam's second moments.
    var second: [[Tensor]]
    /// Adam's step counter (shared by all parameters: they are all updated every step).
    var step: Int

    init(kind: OptimizerKind, momentum: Double, like parameters: [[Tensor]]) {
        self.kind = kind
        self.momentum = momentum
        let zeros = parameters.map { $0.map { Tensor(zeros: $0.shape) } }
        first = kind == .sgd ? [] : zeros
        second = kind == .adam ? zeros : []
        step = 0
    }

    /// Updates every parameter from its gradient.
    mutating func update(_ parameters: inout [[Tensor]], gradients: [[Tensor]], learningRate: Double) throws {
        for layer in parameters.indices {
            for index in parameters[layer].indices {
                let p = parameters[layer][index], g = gradients[layer][index]
                switch kind {
                case .sgd:
                    parameters[layer][index] = try sgdStep(p, gradient: g, learningRate: learningRate)
                case .momentum:
                    let (next, velocity) = try momentumStep(p, gradient: g, velocity: first[layer][index],
                                                            learningRate: learningRate, momentum: momentum)
                    parameters[layer][index] = next
                    first[layer][index] = velocity
                case .adam:
                    var state = AdamState(like: p)
                    state.m = first[layer][index]
                    state.v = second[layer][index]
                    state.step = step
                    let (next, updated) = try adamStep(p, gradient: g, state: state, learningRate: learningRate)
                    parameters[layer][index] = next
                    first[layer][index] = updated.m
                    second[layer][index] = updated.v
                }
            }
        }
        if kind == .adam { step += 1 }
    }
}

/// How the weights of a layer are drawn: zero-mean normal draws whose variance depends on the
/// layer's fan-in `D_a` (inputs per output) and fan-out (outputs per input).
///
///     .xavier          Var(W) = 1 / fanIn               (notes 004, problem 5: keeps Var(z) = Var(a))
///     .glorot          Var(W) = 2 / (fanIn + fanOut)    (Glorot & Bengio: a compromise with the backward pass)
///     .he              Var(W) = 2 / fanIn               (He et al.: ReLU zeroes half its inputs)
///     .normal(σ)       Var(W) = σ²                      (a fixed scale, e.g. 1 or 0.01, for comparison)
///
/// The notes call `1 / D_a` "Xavier"; many libraries call `2 / (fanIn + fanOut)` Xavier (Glorot).
/// The workbook keeps both under separate names so neither is ambiguous.
public enum InitializationScheme: Sendable, Hashable, Codable {
    case xavier
    case glorot
    case he
    case normal(standardDeviation: Double)
}

/// The nonlinearity between the layers of a deep stack in the initialization experiments.
public enum StackActivation: String, Sendable, Hashable, Codable, CaseIterable {
    case tanh
    case relu
}


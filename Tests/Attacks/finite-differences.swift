// The finite-differences attack: a submission whose backward passes are centered differences of its
// own forward passes, everything else being the solutions. It passes every gradient check by
// construction; the graded tests must still fail it where the exact gradient is known, say why, and
// per-test credit must pay nothing for the exercises it fakes.
//
// `Tests/Attacks/generate-finite-differences OUT` copies `Solutions/` into OUT/finite-differences and
// replaces each region named below by the lines under its `// REGION ID`; the lines under
// `// HELPERS FILE` are appended to that file (the module is one, so every file sees them).
//
// A region marked `linear` differences a linear map at 0: (f(h·e_i) − f(−h·e_i))/2h is then exact up
// to one rounding, so no value can tell it from a derivation. Those exercises have a test at a size
// only a linear-time backward pass finishes within the time limit (named `linearTime…`): the attack
// times out there, and then no test of the exercise earns credit under either mode.
// Not compiled by the package: it is only read by the generator.

// HELPERS 01-Activations/ReLU.swift

/// `Σ_j dout_j ∂f_j/∂x_i` by centered differences with step 1e-5 (what notes 005 calls a gradient
/// check, used here instead of a derivation). Throws a ShapeError when `dout` does not fit `f(x)`.
func finiteDifference(of f: (Tensor) throws -> Tensor, at x: Tensor, upstream dout: Tensor) throws -> Tensor {
    let h = 1e-5
    let y = try f(x)
    guard y.shape == dout.shape else {
        throw ShapeError(operation: "finiteDifference", shapes: [y.shape, dout.shape], detail: "dout must have the output's shape")
    }
    var probe = x
    var gradient = Tensor(zeros: x.shape)
    for i in 0..<x.count {
        let original = probe[flat: i]
        probe[flat: i] = original + h
        let plus = try f(probe)
        probe[flat: i] = original - h
        let minus = try f(probe)
        probe[flat: i] = original
        var total = 0.0
        for j in 0..<dout.count { total += (plus[flat: j] - minus[flat: j]) * dout[flat: j] }
        gradient[flat: i] = total / (2 * h)
    }
    return gradient
}

/// The input of a normalization rebuilt from its cache: x = x̂·√(σ² + ε) + μ, with the statistics
/// reshaped to broadcast over their group (`statisticsShape`) and the result given `x̂`'s shape.
func normalizationInput(xHat: Tensor, mean: Tensor, variance: Tensor, epsilon: Double,
                        grouped: [Int], statisticsShape: [Int]) throws -> Tensor {
    let x = try xHat.reshaped(grouped)
    let std = try (variance + epsilon).squareRoot().reshaped(statisticsShape)
    return try (x * std + mean.reshaped(statisticsShape)).reshaped(xHat.shape)
}

// REGION ReLU2
    return try finiteDifference(of: { try reluForward($0).out }, at: cache.x, upstream: dout)

// REGION Leaky2
    return try finiteDifference(of: { try leakyReLUForward($0, slope: cache.slope).out }, at: cache.x, upstream: dout)

// REGION ELU2
    return try finiteDifference(of: { try eluForward($0, alpha: cache.alpha).out }, at: cache.x, upstream: dout)

// REGION Parametric2
    let dx = try finiteDifference(of: { try preluForward($0, slope: cache.slope).out }, at: cache.x, upstream: dout)
    let dslope = try finiteDifference(of: { try preluForward(cache.x, slope: $0).out }, at: cache.slope, upstream: dout)
    return (dx, dslope)

// REGION Sigmoid2
    // The cache holds σ(x); x = log(σ / (1 − σ)).
    let x = cache.out.map { Foundation.log($0 / (1 - $0)) }
    return try finiteDifference(of: { try sigmoidForward($0).out }, at: x, upstream: dout)

// REGION Tanh2
    // The cache holds tanh(x); x = atanh(tanh(x)).
    let x = cache.out.map { Foundation.atanh($0) }
    return try finiteDifference(of: { try tanhForward($0).out }, at: x, upstream: dout)

// REGION Dense2
    let bias = Tensor(zeros: [cache.weight.shape.last ?? 0])
    let dx = try finiteDifference(of: { try denseForward($0, weight: cache.weight, bias: bias).out }, at: cache.x, upstream: dout)
    let dw = try finiteDifference(of: { try denseForward(cache.x, weight: $0, bias: bias).out }, at: cache.weight, upstream: dout)
    let db = try finiteDifference(of: { try denseForward(cache.x, weight: cache.weight, bias: $0).out }, at: bias, upstream: dout)
    return (dx, dw, db)

// REGION Softmax2
    // softmax(log p) = p, so log p is an input that gives these probabilities.
    return try finiteDifference(of: { try softmax($0) }, at: log(probabilities), upstream: dout)

// REGION Dropout2 linear
    // The layer is x ↦ x ⊙ mask · scale: keep 1 with the mask scaled.
    let scaled = cache.mask * cache.scale
    return try finiteDifference(of: { try dropoutForward($0, keepProbability: 1, mask: scaled, mode: .training).out },
                                at: Tensor(zeros: cache.mask.shape), upstream: dout)

// REGION DropConnect2
    let scaled = cache.mask * cache.scale
    let bias = Tensor(zeros: [cache.w.shape.last ?? 0])
    func forward(_ x: Tensor, _ w: Tensor, _ b: Tensor) throws -> Tensor {
        try dropConnectForward(x, weight: w, bias: b, keepProbability: 1, mask: scaled, mode: .training).out
    }
    let dx = try finiteDifference(of: { try forward($0, cache.w, bias) }, at: cache.x, upstream: dout)
    let dw = try finiteDifference(of: { try forward(cache.x, $0, bias) }, at: cache.w, upstream: dout)
    let db = try finiteDifference(of: { try forward(cache.x, cache.w, $0) }, at: bias, upstream: dout)
    return (dx, dw, db)

// REGION BatchNorm2
    let x = try normalizationInput(xHat: cache.xHat, mean: cache.mean, variance: cache.variance, epsilon: cache.epsilon,
                                   grouped: cache.xHat.shape, statisticsShape: [1, cache.mean.count])
    let beta = Tensor(zeros: cache.gamma.shape)
    func forward(_ x: Tensor, _ gamma: Tensor, _ beta: Tensor) throws -> Tensor {
        try batchNormForward(x, gamma: gamma, beta: beta, epsilon: cache.epsilon).out
    }
    let dx = try finiteDifference(of: { try forward($0, cache.gamma, beta) }, at: x, upstream: dout)
    let dgamma = try finiteDifference(of: { try forward(x, $0, beta) }, at: cache.gamma, upstream: dout)
    let dbeta = try finiteDifference(of: { try forward(x, cache.gamma, $0) }, at: beta, upstream: dout)
    return (dx, dgamma, dbeta)

// REGION SpatialBN3
    let c = cache.mean.count
    let x = try normalizationInput(xHat: cache.xHat, mean: cache.mean, variance: cache.variance, epsilon: cache.epsilon,
                                   grouped: [cache.xHat.count / c, c], statisticsShape: [1, c])
    let beta = Tensor(zeros: cache.gamma.shape)
    func forward(_ x: Tensor, _ gamma: Tensor, _ beta: Tensor) throws -> Tensor {
        try spatialBatchNormForward(x, gamma: gamma, beta: beta, epsilon: cache.epsilon).out
    }
    let dx = try finiteDifference(of: { try forward($0, cache.gamma, beta) }, at: x, upstream: dout)
    let dgamma = try finiteDifference(of: { try forward(x, $0, beta) }, at: cache.gamma, upstream: dout)
    let dbeta = try finiteDifference(of: { try forward(x, cache.gamma, $0) }, at: beta, upstream: dout)
    return (dx, dgamma, dbeta)

// REGION LayerNorm2
    let n = cache.mean.count
    let x = try normalizationInput(xHat: cache.xHat, mean: cache.mean, variance: cache.variance, epsilon: cache.epsilon,
                                   grouped: [n, cache.xHat.count / max(n, 1)], statisticsShape: [n, 1])
    let beta = Tensor(zeros: cache.gamma.shape)
    func forward(_ x: Tensor, _ gamma: Tensor, _ beta: Tensor) throws -> Tensor {
        try layerNormForward(x, gamma: gamma, beta: beta, epsilon: cache.epsilon).out
    }
    let dx = try finiteDifference(of: { try forward($0, cache.gamma, beta) }, at: x, upstream: dout)
    let dgamma = try finiteDifference(of: { try forward(x, $0, beta) }, at: cache.gamma, upstream: dout)
    let dbeta = try finiteDifference(of: { try forward(x, cache.gamma, $0) }, at: beta, upstream: dout)
    return (dx, dgamma, dbeta)

// REGION InstanceNorm2
    let (n, c) = (cache.xHat.shape.first ?? 0, cache.xHat.shape.last ?? 0)
    let x = try normalizationInput(xHat: cache.xHat, mean: cache.mean, variance: cache.variance, epsilon: cache.epsilon,
                                   grouped: [n, cache.xHat.count / max(n * c, 1), c], statisticsShape: [n, 1, c])
    let beta = Tensor(zeros: cache.gamma.shape)
    func forward(_ x: Tensor, _ gamma: Tensor, _ beta: Tensor) throws -> Tensor {
        try instanceNormForward(x, gamma: gamma, beta: beta, epsilon: cache.epsilon).out
    }
    let dx = try finiteDifference(of: { try forward($0, cache.gamma, beta) }, at: x, upstream: dout)
    let dgamma = try finiteDifference(of: { try forward(x, $0, beta) }, at: cache.gamma, upstream: dout)
    let dbeta = try finiteDifference(of: { try forward(x, cache.gamma, $0) }, at: beta, upstream: dout)
    return (dx, dgamma, dbeta)

// REGION GroupNorm2
    let (n, c, g) = (cache.xHat.shape.first ?? 0, cache.xHat.shape.last ?? 0, max(cache.groups, 1))
    let x = try normalizationInput(xHat: cache.xHat, mean: cache.mean, variance: cache.variance, epsilon: cache.epsilon,
                                   grouped: [n, cache.xHat.count / max(n * c, 1), g, c / g], statisticsShape: [n, 1, g, 1])
    let beta = Tensor(zeros: cache.gamma.shape)
    func forward(_ x: Tensor, _ gamma: Tensor, _ beta: Tensor) throws -> Tensor {
        try groupNormForward(x, gamma: gamma, beta: beta, groups: cache.groups, epsilon: cache.epsilon).out
    }
    let dx = try finiteDifference(of: { try forward($0, cache.gamma, beta) }, at: x, upstream: dout)
    let dgamma = try finiteDifference(of: { try forward(x, $0, beta) }, at: cache.gamma, upstream: dout)
    let dbeta = try finiteDifference(of: { try forward(x, cache.gamma, $0) }, at: beta, upstream: dout)
    return (dx, dgamma, dbeta)

// REGION Conv5
    let bias = Tensor(zeros: [cache.weight.shape.last ?? 0])
    func forward(_ x: Tensor, _ w: Tensor, _ b: Tensor) throws -> Tensor {
        try conv2dForward(x, weight: w, bias: b, configuration: cache.configuration).out
    }
    let dx = try finiteDifference(of: { try forward($0, cache.weight, bias) }, at: cache.x, upstream: dout)
    let dw = try finiteDifference(of: { try forward(cache.x, $0, bias) }, at: cache.weight, upstream: dout)
    let db = try finiteDifference(of: { try forward(cache.x, cache.weight, $0) }, at: bias, upstream: dout)
    return (dx, dw, db)

// REGION Pool2
    return try finiteDifference(of: { try maxPoolForward($0, configuration: cache.configuration).out }, at: cache.x, upstream: dout)

// REGION Pool4 linear
    // Average pooling is linear: any input gives the same differences.
    return try finiteDifference(of: { try averagePoolForward($0, configuration: cache.configuration).out },
                                at: Tensor(zeros: cache.inputShape), upstream: dout)

// REGION SoftmaxCE1
    // The loss as the solutions compute it; its gradient by centered differences of the loss.
    try requireLabels(labels, for: logits, "softmaxCrossEntropy(logits, labels)")
    let (rows, classes) = (logits.shape[0], logits.shape[1])
    func loss(_ z: Tensor) -> Double {
        var total = 0.0
        for row in 0..<rows {
            let base = row * classes
            var largest = -Double.infinity
            for k in 0..<classes { largest = max(largest, z[flat: base + k]) }
            var sum = 0.0
            for k in 0..<classes { sum += exp(z[flat: base + k] - largest) }
            total += largest + log(sum) - z[flat: base + labels[row]]
        }
        return total / Double(rows)
    }
    let dlogits = try finiteDifference(of: { Tensor([loss($0)]) }, at: logits, upstream: Tensor([1]))
    return (loss(logits), dlogits)

// REGION MeanSquaredError1
    let difference = try Tensor.zip(predictions, targets, operation: "meanSquaredError(predictions, targets)", -)
    let m = Double(max(difference.count, 1))
    func loss(_ p: Tensor) throws -> Double { try (p - targets).squared().sum() / m }
    let dpredictions = try finiteDifference(of: { Tensor([try loss($0)]) }, at: predictions, upstream: Tensor([1]))
    return (difference.squared().sum() / m, dpredictions)

// REGION SigmoidBCE1
    try requireShape(logits, [-1, 1], "sigmoidBinaryCrossEntropy logits")
    guard targets.shape == logits.shape else {
        throw ShapeError(operation: "sigmoidBinaryCrossEntropy(logits, targets)", shapes: [logits.shape, targets.shape],
                         detail: "the targets need the logits' shape [N, 1]")
    }
    func loss(_ logits: Tensor) -> Double {
        var total = 0.0
        for i in 0..<logits.count {
            let (z, t) = (logits[flat: i], targets[flat: i])
            total += max(z, 0) - z * t + log1p(exp(-abs(z)))
        }
        return total / Double(logits.shape[0])
    }
    let dlogits = try finiteDifference(of: { Tensor([loss($0)]) }, at: logits, upstream: Tensor([1]))
    return (loss(logits), dlogits)

import Foundation
import Testing
import WorkbookCore
import StudentCalls

// This chapter's random inputs stay fixed under a grading seed: its training and placement
// measurements have bounds chosen for these inputs (a seed sweep showed other inputs can miss them).

extension Exercise {
    static let network3 = Exercise(id: "Network3", chapter: "15-Networks", file: "NetworkLoss.swift", title: "Network loss and gradients", points: 4)
}

@Suite("Network3 · Network loss and gradients", .graded(.network3))
struct Network3Tests {
    @Test("zero weights give the loss of a uniform guess: ln C for softmax, ln 2 for a sigmoid output")
    func zeroWeights() throws {
        var data = SeededGenerator(seed: 30)
        let x = Tensor.randomNormal(shape: [8, 3], using: &data)
        var rng = SeededGenerator(seed: 31)
        // All logits 0: softmax gives 1/C to every class, so every example costs −ln(1/C) = ln C.
        let softmax: [NetworkLayer] = [.dense(weight: Tensor(zeros: [3, 5]), bias: Tensor(zeros: [5]))]
        let (loss, _, _) = try networkLoss(x, labels: [0, 1, 2, 3, 4, 0, 1, 2], layers: softmax,
                                           loss: .softmaxCrossEntropy, l2Strength: 0, mode: .training, using: &rng)
        check(loss, equals: log(5.0), "the softmax loss with zero weights and 5 classes (ln 5)", in: .network3)
        // A logit of 0 is σ = ½ for either label: −ln ½ = ln 2.
        let sigmoid: [NetworkLayer] = [.dense(weight: Tensor(zeros: [3, 1]), bias: Tensor(zeros: [1]))]
        let (bce, _, _) = try networkLoss(x, labels: [0, 1, 1, 0, 1, 1, 1, 0], layers: sigmoid,
                                          loss: .sigmoidBinaryCrossEntropy, l2Strength: 0, mode: .training, using: &rng)
        check(bce, equals: log(2.0), "the sigmoid binary cross-entropy with zero weights (ln 2)", in: .network3)
    }

    @Test("small random weights: the initial softmax loss is close to ln C (CS231n's first sanity check)")
    func initialLossIsLnC() throws {
        var data = SeededGenerator(seed: 32)
        let x = Tensor.randomNormal(shape: [50, 20], using: &data)
        let labels = (0..<50).map { $0 % 10 }
        let layers: [NetworkLayer] = [
            .dense(weight: Tensor.randomNormal(shape: [20, 30], standardDeviation: 1e-3, using: &data), bias: Tensor(zeros: [30])),
            .relu,
            .dense(weight: Tensor.randomNormal(shape: [30, 10], standardDeviation: 1e-3, using: &data), bias: Tensor(zeros: [10])),
        ]
        var rng = SeededGenerator(seed: 33)
        let (loss, _, _) = try networkLoss(x, labels: labels, layers: layers, loss: .softmaxCrossEntropy,
                                           l2Strength: 0, mode: .training, using: &rng)
        // Hidden units are about 1e-3·sqrt(20) ≈ 0.005, logits about 0.005·1e-3·sqrt(15) ≈ 2e-5: the softmax is
        // uniform to within ~1e-4, so the loss is ln 10 ≈ 2.302585 to well within 1e-3.
        check(loss, equals: log(10.0), "the initial loss with 10 classes and weights of std 1e-3 (≈ ln 10)", in: .network3,
              absoluteTolerance: 1e-3, relativeTolerance: 0)
    }

    @Test("L2 raises the loss by exactly (λ/2)·Σw² over the dense weights and each weight's gradient by λ·w")
    func l2Penalty() throws {
        var data = SeededGenerator(seed: 34)
        let x = Tensor.randomNormal(shape: [5, 4], using: &data)
        let labels = [0, 2, 1, 1, 0]
        let layers = NetworkFixture.layers(seed: 35)
        let lambda = 0.3
        // Inference mode: no dropout draws, so both calls see the same function.
        var rng = SeededGenerator(seed: 0)
        let plain = try networkLoss(x, labels: labels, layers: layers, loss: .softmaxCrossEntropy,
                                    l2Strength: 0, mode: .inference, using: &rng)
        let decayed = try networkLoss(x, labels: labels, layers: layers, loss: .softmaxCrossEntropy,
                                      l2Strength: lambda, mode: .inference, using: &rng)
        // The penalty from its definition (notes 003, weight decay): only dense weights, not
        // biases, not batch norm's gamma and beta.
        var sumOfSquares = 0.0
        for case let .dense(weight, _) in layers { sumOfSquares += weight.squared().sum() }
        check(decayed.loss - plain.loss, equals: lambda / 2 * sumOfSquares,
              "loss(λ = 0.3) − loss(λ = 0), which should be (λ/2)·Σw² over the three dense weights", in: .network3,
              absoluteTolerance: 1e-10, relativeTolerance: 1e-10)
        guard plain.gradients.count == layers.count && decayed.gradients.count == layers.count else { check(false, "one list per layer", in: .network3); return }
        for (l, layer) in layers.enumerated() {
            guard decayed.gradients[l].count == layer.parameters.count && plain.gradients[l].count == layer.parameters.count else {
                check(false, "layer \(l) needs \(layer.parameters.count) gradients", in: .network3)
                return
            }
            for (p, value) in layer.parameters.enumerated() {
                let isDenseWeight: Bool = if case .dense = layer, p == 0 { true } else { false }
                let expected = isDenseWeight ? try plain.gradients[l][p] + value * lambda : plain.gradients[l][p]
                check(decayed.gradients[l][p], equals: expected,
                      "gradient \(p) of layer \(l) (\(layer.name)) with λ = 0.3 (λ·w is added to dense weights only)",
                      in: .network3, absoluteTolerance: 1e-10, relativeTolerance: 1e-10)
            }
        }
    }

    @Test("the gradients of the whole loss match the numeric ones (softmax, dropout, batch norm, L2)")
    func gradientCheck() throws {
        var data = SeededGenerator(seed: 36)
        let x = Tensor.randomNormal(shape: [6, 4], using: &data)
        for (loss, outputs, labels) in [(NetworkLoss.softmaxCrossEntropy, 3, [0, 2, 1, 1, 0, 2]),
                                        (NetworkLoss.sigmoidBinaryCrossEntropy, 1, [0, 1, 1, 0, 1, 0])] {
            let layers = NetworkFixture.layers(seed: 37, outputs: outputs)
            // One seed per evaluation: the same dropout mask every time.
            func value(_ layers: [NetworkLayer]) throws -> Double {
                var masks = SeededGenerator(seed: 38)
                return try networkLoss(x, labels: labels, layers: layers, loss: loss, l2Strength: 0.1,
                                       mode: .training, using: &masks).loss
            }
            var masks = SeededGenerator(seed: 38)
            let (_, gradients, _) = try networkLoss(x, labels: labels, layers: layers, loss: loss, l2Strength: 0.1,
                                                    mode: .training, using: &masks)
            guard gradients.count == layers.count else { check(false, "one list of gradients per layer", in: .network3); return }
            for (l, layer) in layers.enumerated() {
                guard gradients[l].count == layer.parameters.count else { check(false, "layer \(l) needs \(layer.parameters.count) gradients", in: .network3); return }
                for (p, parameter) in layer.parameters.enumerated() {
                    if NetworkFixture.isCancelledByBatchNorm(layer: l, parameter: p) {
                        check(gradients[l][p], equals: Tensor(zeros: parameter.shape), "\(loss): the bias of dense layer 0, which batch norm cancels",
                              in: .network3, absoluteTolerance: 1e-8, relativeTolerance: 0)
                        continue
                    }
                    let numeric = try numericGradient(of: { try value(try NetworkFixture.replacing(layers, layer: l, parameter: p, with: $0)) },
                                                      at: parameter)
                    checkGradient(gradients[l][p], matches: numeric, "\(loss): gradient \(p) of layer \(l) (\(layer.name))", in: .network3)
                }
            }
        }
    }

    @Test("a minibatch gradient estimates the full gradient better as the batch grows: its squared error falls like (N − B)/(B(N − 1)) (a measurement)")
    func minibatchGradientError() throws {
        // Notes 003: SGD's minibatch gradient is an unbiased estimate of the full-batch gradient. For B examples
        // drawn without replacement from N, E‖g_B − g‖² = (N − B)/(B·(N − 1))·s², with s² the per-example spread:
        // from B = 4 to B = 64 of N = 256 the error falls (252/4)/(192/64) = 21-fold. 60 batches of each size give
        // the mean squared error to about ±20 % (one standard error), so the ratio must land in [8, 55].
        var data = SeededGenerator(seed: 70)
        let x = Tensor.randomNormal(shape: [256, 4], using: &data)
        let labels = (0..<256).map { ($0 * 5 + $0 / 7) % 3 }
        let layers: [NetworkLayer] = [
            .dense(weight: Tensor.randomNormal(shape: [4, 8], standardDeviation: 0.7, using: &data), bias: Tensor(zeros: [8])), .relu,
            .dense(weight: Tensor.randomNormal(shape: [8, 3], standardDeviation: 0.5, using: &data), bias: Tensor(zeros: [3])),
        ]
        func gradient(_ rows: [Int]) throws -> [Double] {
            var unused = SeededGenerator(seed: 0)
            let (_, gradients, _) = try networkLoss(try x.gathering(rows), labels: rows.map { labels[$0] }, layers: layers,
                                                    loss: .softmaxCrossEntropy, l2Strength: 0, mode: .training, using: &unused)
            return gradients.flatMap { $0.flatMap(\.scalars) }
        }
        let full = try gradient(Array(0..<256))
        var errors: [Int: Double] = [:]
        var draws = SeededGenerator(seed: 71)
        for size in [4, 64] {
            var total = 0.0
            for _ in 0..<60 {
                let g = try gradient(Array(draws.permutation(256).prefix(size)))
                total += zip(g, full).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            }
            errors[size] = total / 60
        }
        let ratio = (errors[4] ?? 0) / (errors[64] ?? .infinity)
        check(ratio >= 8 && ratio <= 55,
              "the squared error of the minibatch gradient should fall about 21-fold from B = 4 to B = 64 (accepted 8–55), it fell \(ratio)-fold (\(errors[4] ?? .nan) → \(errors[64] ?? .nan)); is the loss a mean over the batch?",
              in: .network3)
    }

    @Test("each dropout step trains one sub-network: the dropped units' weights get no gradient (a measurement)")
    func dropoutTrainsOneSubnetwork() throws {
        // Notes 001: dropout trains a different thinned network at every step, all sharing weights (bagging with
        // shared parameters). The units a step drops carry nothing forward and nothing back: their incoming
        // weights (a column of W1, and b1) and outgoing weights (a row of W2) get exactly zero gradient.
        var data = SeededGenerator(seed: 72)
        // One example, so that each hidden unit is either dropped or kept for the whole step.
        let x = Tensor.randomNormal(shape: [1, 4], using: &data)
        let layers: [NetworkLayer] = [
            .dense(weight: Tensor.randomNormal(shape: [4, 12], using: &data), bias: Tensor.randomNormal(shape: [12], using: &data)),
            .dropout(keepProbability: 0.5), .tanh,
            .dense(weight: Tensor.randomNormal(shape: [12, 3], using: &data), bias: Tensor(zeros: [3])),
        ]
        var masks = SeededGenerator(seed: 73)
        let (_, gradients, cache) = try networkLoss(x, labels: [2], layers: layers, loss: .softmaxCrossEntropy,
                                                    l2Strength: 0, mode: .training, using: &masks)
        guard cache.layers.count == 4, case let .dropout(dropout) = cache.layers[1], gradients.count == 4, gradients[0].count == 2,
              gradients[3].count == 2 else {
            check(false, "networkLoss should return one cache and one gradient list per layer, the dropout cache second", in: .network3)
            return
        }
        let kept = (0..<12).filter { dropout.mask.scalars[$0] != 0 }, dropped = (0..<12).filter { dropout.mask.scalars[$0] == 0 }
        // With keep 0.5 and this seed, 5 of the 12 units are dropped (a training step must drop some).
        check(!dropped.isEmpty, "a training-mode step with keep probability 0.5 should drop some of the 12 hidden units; none was dropped (is the mode passed on?)",
              in: .network3)
        let (dw1, db1, dw2) = (gradients[0][0], gradients[0][1], gradients[3][0])
        for unit in dropped {
            let incoming = (0..<4).map { dw1.scalars[$0 * 12 + unit] } + [db1.scalars[unit]]
            let outgoing = (0..<3).map { dw2.scalars[unit * 3 + $0] }
            check((incoming + outgoing).allSatisfy { $0 == 0 },
                  "unit \(unit) was dropped in this step, so its incoming weights, bias and outgoing weights should get exactly 0; got \(incoming) in, \(outgoing) out",
                  in: .network3)
        }
        check(!kept.isEmpty && kept.contains { unit in (0..<3).contains { dw2.scalars[unit * 3 + $0] != 0 } },
              "the kept units of the sub-network should get a gradient (kept: \(kept))", in: .network3)
    }

    @Test("rejects labels that do not match the batch, and a negative λ")
    func rejectsBadInput() throws {
        var rng = SeededGenerator(seed: 1)
        let softmax: [NetworkLayer] = [.dense(weight: Tensor(zeros: [2, 3]), bias: Tensor(zeros: [3]))]
        let sigmoid: [NetworkLayer] = [.dense(weight: Tensor(zeros: [2, 1]), bias: Tensor(zeros: [1]))]
        try checkThrowsShapeError("networkLoss (softmax) with 3 labels for 4 examples", in: .network3) {
            _ = try networkLoss(Tensor(zeros: [4, 2]), labels: [0, 1, 2], layers: softmax, loss: .softmaxCrossEntropy,
                                l2Strength: 0, mode: .training, using: &rng)
        }
        try checkThrowsShapeError("networkLoss (sigmoid) with 5 labels for 4 examples", in: .network3) {
            _ = try networkLoss(Tensor(zeros: [4, 2]), labels: [0, 1, 1, 0, 1], layers: sigmoid, loss: .sigmoidBinaryCrossEntropy,
                                l2Strength: 0, mode: .training, using: &rng)
        }
        try checkThrows(ArgumentError.self, "networkLoss with l2Strength −1", in: .network3) {
            _ = try networkLoss(Tensor(zeros: [4, 2]), labels: [0, 1, 2, 0], layers: softmax, loss: .softmaxCrossEntropy,
                                l2Strength: -1, mode: .training, using: &rng)
        }
    }
}

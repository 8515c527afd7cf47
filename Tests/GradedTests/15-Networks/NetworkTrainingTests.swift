import Foundation
import Testing
import WorkbookCore
import StudentCalls

// This chapter's random inputs stay fixed under a grading seed: its training and placement
// measurements have bounds chosen for these inputs (a seed sweep showed other inputs can miss them).

extension Exercise {
    static let network4 = Exercise(id: "Network4", chapter: "15-Networks", file: "TrainingStep.swift", title: "One training step", points: 4)
}

/// One dense unit with a sigmoid output, small enough to step by hand: w = 0, b = 0, x = [[2]], label 1.
///
///     z = 2·0 + 0 = 0,  σ(0) = ½,  loss = ln 2,  dz = (σ − 1)/N = −½,  dw = x·dz = −1,  db = −½
///     SGD, η = 0.1:       w = 0 − 0.1·(−1) = 0.1,   b = 0 − 0.1·(−½) = 0.05
///     momentum, η = 0.1, μ = 0.9, from zero velocity: v = −η·g, so the first step is SGD's, and
///       the state holds v_w = 0.1, v_b = 0.05. Second step at z = 2·0.1 + 0.05 = 0.25:
///       σ(0.25) − 1 = −0.43782349911420193, dw = 2·that = −0.8756469982284039, db = −0.43782349911420193
///       v_w = 0.9·0.1 + 0.1·0.8756469982 = 0.1775646998228404,  w = 0.1 + v_w = 0.2775646998228404
///       v_b = 0.9·0.05 + 0.1·0.4378234991 = 0.0887823499114202,  b = 0.05 + v_b = 0.1387823499114202
///       and the loss before that step is ln(1 + e^(−0.25)) = 0.5759394198788437
///     Adam, η = 0.01: after one step m̂ = g and v̂ = g², so each parameter moves by −η·g/(|g| + ε) ≈ −η·sign(g):
///       w = b = 0.01 (to within η·ε/|g| ≈ 2e-10)
/// (the momentum figures cross-checked with numpy).
enum TrainingStepExample {
    static func layers() throws -> [NetworkLayer] { [.dense(weight: try Tensor([[0]]), bias: Tensor([0]))] }
}

@Suite("Network4 · One training step", .graded(.network4))
struct Network4Tests {
    @Test("SGD, momentum (two steps) and Adam on one sigmoid unit, stepped by hand")
    func optimizersByHand() throws {
        let x = try Tensor([[2]]), fresh = NetworkOptimizerState()
        var rng = SeededGenerator(seed: 40)
        let sgd = try networkTrainingStep(x, labels: [1], layers: try TrainingStepExample.layers(), optimizer: .sgd(learningRate: 0.1),
                                          state: fresh, loss: .sigmoidBinaryCrossEntropy, l2Strength: 0, using: &rng)
        check(sgd.loss, equals: log(2.0), "the loss before the step (ln 2)", in: .network4)
        check(Tensor(sgd.layers.flatMap { $0.parameters.flatMap(\.scalars) }), equals: Tensor([0.1, 0.05]),
              "[w, b] after one SGD step with η = 0.1", in: .network4)

        let first = try networkTrainingStep(x, labels: [1], layers: try TrainingStepExample.layers(),
                                            optimizer: .momentum(learningRate: 0.1, momentum: 0.9),
                                            state: fresh, loss: .sigmoidBinaryCrossEntropy, l2Strength: 0, using: &rng)
        check(Tensor(first.layers.flatMap { $0.parameters.flatMap(\.scalars) }), equals: Tensor([0.1, 0.05]),
              "[w, b] after one momentum step from zero velocity (the same as SGD's)", in: .network4)
        let second = try networkTrainingStep(x, labels: [1], layers: first.layers,
                                             optimizer: .momentum(learningRate: 0.1, momentum: 0.9),
                                             state: first.state, loss: .sigmoidBinaryCrossEntropy, l2Strength: 0, using: &rng)
        check(second.loss, equals: 0.5759394198788437, "the loss before the second momentum step", in: .network4)
        check(Tensor(second.layers.flatMap { $0.parameters.flatMap(\.scalars) }),
              equals: Tensor([0.2775646998228404, 0.1387823499114202]),
              "[w, b] after a second momentum step (the velocity must carry over in the returned state)", in: .network4)

        let adam = try networkTrainingStep(x, labels: [1], layers: try TrainingStepExample.layers(), optimizer: .adam(learningRate: 0.01),
                                           state: fresh, loss: .sigmoidBinaryCrossEntropy, l2Strength: 0, using: &rng)
        check(Tensor(adam.layers.flatMap { $0.parameters.flatMap(\.scalars) }), equals: Tensor([0.01, 0.01]),
              "[w, b] after one Adam step with η = 0.01 (each moves by η against the gradient's sign)", in: .network4,
              absoluteTolerance: 1e-9, relativeTolerance: 0)
        check(adam.state.adam.count == 1 && adam.state.adam[0].map(\.step) == [1, 1],
              "the returned Adam state should record one step for w and for b, got \(adam.state.adam.map { $0.map(\.step) })",
              in: .network4)
    }

    @Test("updates batch norm's running statistics with the batch mean and the unbiased batch variance")
    func runningStatistics() throws {
        // Batch norm first, on the raw inputs: the batch statistics are those of x.
        //   column 0: [1, 2, 3, 6], mean 3, biased variance (4 + 1 + 0 + 9)/4 = 3.5, unbiased 14/3
        //   column 1: [0, 0, 4, 4], mean 2, biased variance 4, unbiased 16/3
        // With momentum 0.9 from running mean 0 and running variance 1:
        //   mean     = 0.9·0 + 0.1·[3, 2]          = [0.3, 0.2]
        //   variance = 0.9·1 + 0.1·[14/3, 16/3]    = [0.9 + 1.4/3, 0.9 + 1.6/3]
        let x = try Tensor([[1, 0], [2, 0], [3, 4], [6, 4]])
        let layers: [NetworkLayer] = [
            .batchNorm(gamma: Tensor([1, 1]), beta: Tensor([0, 0]), runningMean: Tensor([0, 0]), runningVariance: Tensor([1, 1])),
            .dense(weight: try Tensor([[1, -1], [0.5, 2]]), bias: Tensor([0, 0])),
        ]
        var rng = SeededGenerator(seed: 41)
        let step = try networkTrainingStep(x, labels: [0, 1, 1, 0], layers: layers, optimizer: .sgd(learningRate: 0.1),
                                           state: NetworkOptimizerState(), loss: .softmaxCrossEntropy, l2Strength: 0,
                                           batchNormMomentum: 0.9, using: &rng)
        guard case let .batchNorm(_, _, mean, variance) = step.layers[0] else {
            check(false, "layer 0 should still be batch norm, got \(step.layers[0].name)", in: .network4)
            return
        }
        check(mean, equals: Tensor([0.3, 0.2]), "the running mean after one step", in: .network4)
        check(variance, equals: Tensor([0.9 + 1.4 / 3, 0.9 + 1.6 / 3]),
              "the running variance after one step (uses the unbiased batch variance, ×N/(N − 1))", in: .network4,
              misconceptions: [Misconception(Tensor([1.25, 1.3]), "the running variance averaged in the biased batch variance; multiply it by B/(B − 1) first")])
        // Two rows [[1, 0], [3, 4]]: biased variance [1, 4], ×2/1 = [2, 8], so 0.9 + 0.1·[2, 8] = [1.1, 1.7].
        // One row [[5, −1]]: variance 0 and no correction (N/(N − 1) is undefined), so 0.9·1 = 0.9.
        for (rows, labels, expected) in [([[1.0, 0], [3, 4]], [0, 1], Tensor([1.1, 1.7])), ([[5.0, -1]], [1], Tensor([0.9, 0.9]))] {
            var rng = SeededGenerator(seed: 42)
            let small = try networkTrainingStep(try Tensor(rows), labels: labels, layers: layers, optimizer: .sgd(learningRate: 0.1),
                                                state: NetworkOptimizerState(), loss: .softmaxCrossEntropy, l2Strength: 0,
                                                batchNormMomentum: 0.9, using: &rng)
            guard case let .batchNorm(_, _, _, smallVariance) = small.layers[0] else { continue }
            check(smallVariance, equals: expected,
                  "the running variance after one step on a batch of \(rows.count) (\(rows.count == 1 ? "one example: its variance 0, uncorrected" : "×2/(2 − 1)"))",
                  in: .network4)
        }
    }

    @Test("repeated steps on one batch lower its loss, with each optimizer")
    func updatesLowerTheLoss() throws {
        var data = SeededGenerator(seed: 42)
        let x = Tensor.randomNormal(shape: [16, 4], using: &data)
        let labels = (0..<16).map { $0 % 3 }
        for optimizer in [NetworkOptimizer.sgd(learningRate: 0.05), .momentum(learningRate: 0.05, momentum: 0.9), .adam(learningRate: 0.01)] {
            // Dropout off (keep 1) so the batch's loss is a fixed function of the parameters.
            var layers = NetworkFixture.layers(seed: 43).map { layer -> NetworkLayer in
                if case .dropout = layer { return .dropout(keepProbability: 1) } else { return layer }
            }
            var state = NetworkOptimizerState()
            var rng = SeededGenerator(seed: 44)
            var losses: [Double] = []
            for _ in 0..<20 {
                let step = try networkTrainingStep(x, labels: labels, layers: layers, optimizer: optimizer, state: state,
                                                   loss: .softmaxCrossEntropy, l2Strength: 0.01, using: &rng)
                (layers, state) = (step.layers, step.state)
                losses.append(step.loss)
            }
            check(losses.last! < 0.8 * losses.first!,
                  "20 steps of \(optimizer) on one batch should lower its loss by 20 % or more: \(losses.first!) → \(losses.last!)",
                  in: .network4)
        }
    }
}

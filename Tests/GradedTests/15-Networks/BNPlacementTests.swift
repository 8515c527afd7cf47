import Foundation
import Testing
import WorkbookCore
import StudentCalls

// This chapter's random inputs stay fixed under a grading seed: its training and placement
// measurements have bounds chosen for these inputs (a seed sweep showed other inputs can miss them).

extension Exercise {
    static let bnPlacement1 = Exercise(id: "BNPlacement1", chapter: "15-Networks", file: "BatchNormPlacement.swift",
                                       title: "Where batch norm goes", points: 3)
}

enum PlacementExample {
    /// dense [2, 4] → relu → dropout → dense [4, 3] → tanh → dense [3, 1] (the output layer).
    static func base() -> [NetworkLayer] {
        [.dense(weight: Tensor(zeros: [2, 4]), bias: Tensor(zeros: [4])), .relu, .dropout(keepProbability: 0.8),
         .dense(weight: Tensor(zeros: [4, 3]), bias: Tensor(zeros: [3])), .tanh,
         .dense(weight: Tensor(zeros: [3, 1]), bias: Tensor(zeros: [1]))]
    }

    static func fresh(_ width: Int) -> NetworkLayer {
        .batchNorm(gamma: Tensor(repeating: 1, shape: [width]), beta: Tensor(zeros: [width]),
                   runningMean: Tensor(zeros: [width]), runningVariance: Tensor(repeating: 1, shape: [width]))
    }

    /// Every pre-activation of the first layer is hopeless for a ReLU: with x ~ N(0, 1) in 5 dimensions,
    /// W ~ N(0, 1) and a bias of −10, z ~ N(−10, 5), positive with probability P(N(0, 1) > 4.47) ≈ 4e-6.
    static func deadNetwork(using rng: inout SeededGenerator) -> [NetworkLayer] {
        [.dense(weight: Tensor.randomNormal(shape: [5, 50], using: &rng), bias: Tensor(repeating: -10, shape: [50])), .relu,
         .dense(weight: Tensor.randomNormal(shape: [50, 2], standardDeviation: 0.2, using: &rng), bias: Tensor(zeros: [2]))]
    }
}

@Suite("BNPlacement1 · Where batch norm goes", .graded(.bnPlacement1))
struct BNPlacement1Tests {
    @Test("inserts fresh batch norm layers before the activations, after them, or on the inputs")
    func structure() throws {
        let base = PlacementExample.base()
        let (bn4, bn3, bn2) = (PlacementExample.fresh(4), PlacementExample.fresh(3), PlacementExample.fresh(2))
        let before = try insertBatchNorm(into: base, placement: .beforeActivation, inputs: 2)
        check(before == [base[0], bn4, base[1], base[2], base[3], bn3, base[4], base[5]],
              "beforeActivation should give dense, BN [4], relu, dropout, dense, BN [3], tanh, dense; got \(before.map(\.name))\(before == [base[0], base[1], bn4, base[2], base[3], base[4], bn3, base[5]] ? " (the afterActivation order: the placements are swapped)" : "")",
              in: .bnPlacement1)
        let after = try insertBatchNorm(into: base, placement: .afterActivation, inputs: 2)
        check(after == [base[0], base[1], bn4, base[2], base[3], base[4], bn3, base[5]],
              "afterActivation should give dense, relu, BN [4], dropout, dense, tanh, BN [3], dense; got \(after.map(\.name))",
              in: .bnPlacement1)
        let inputs = try insertBatchNorm(into: base, placement: .inputs, inputs: 2)
        check(inputs == [bn2] + base, "inputs should put one BN [2] first and change nothing else; got \(inputs.map(\.name))",
              in: .bnPlacement1)
        try checkThrows(ArgumentError.self, "insertBatchNorm into a network that already has batch norm", in: .bnPlacement1) {
            _ = try insertBatchNorm(into: before, placement: .inputs, inputs: 2)
        }
        // The last pair counts too (a sigmoid output is an activation after a dense layer), and one
        // input feature is a network like any other.
        let binary: [NetworkLayer] = [.dense(weight: Tensor(zeros: [1, 4]), bias: Tensor(zeros: [4])), .relu,
                                      .dense(weight: Tensor(zeros: [4, 1]), bias: Tensor(zeros: [1])), .sigmoid]
        let (bn1, bn4b) = (PlacementExample.fresh(1), PlacementExample.fresh(4))
        let lastPair = try insertBatchNorm(into: binary, placement: .beforeActivation, inputs: 1)
        check(lastPair == [binary[0], bn4b, binary[1], binary[2], bn1, binary[3]],
              "beforeActivation on dense, relu, dense, sigmoid should give dense, BN [4], relu, dense, BN [1], sigmoid (the last dense layer is followed by an activation too); got \(lastPair.map(\.name))",
              in: .bnPlacement1)
        let oneInput = try insertBatchNorm(into: binary, placement: .inputs, inputs: 1)
        check(oneInput == [bn1] + binary, "inputs with one input feature should put one BN [1] first; got \(oneInput.map(\.name))", in: .bnPlacement1)
    }

    @Test("before the ReLU, batch norm revives units a bad bias killed; after it, it cannot (a measurement)")
    func deadUnits() throws {
        // Runs the student's chapter-15 network too: what is measured is the gradient reaching W1.
        var data = SeededGenerator(seed: 90)
        let x = Tensor.randomNormal(shape: [64, 5], using: &data)
        let labels = (0..<64).map { $0 % 2 }
        let plain = PlacementExample.deadNetwork(using: &data)
        var gradientNorms: [String: Double] = [:]
        for (name, layers) in [("no BN", plain),
                               ("BN before relu", try insertBatchNorm(into: plain, placement: .beforeActivation, inputs: 5)),
                               ("BN after relu", try insertBatchNorm(into: plain, placement: .afterActivation, inputs: 5))] {
            var rng = SeededGenerator(seed: 91)
            let (_, gradients, _) = try networkLoss(x, labels: labels, layers: layers, loss: .softmaxCrossEntropy,
                                                    l2Strength: 0, mode: .training, using: &rng)
            gradientNorms[name] = gradients[0][0].squared().sum().squareRoot()
        }
        // Without BN, or with BN after the ReLU, every ReLU outputs 0 and passes no gradient: W1 never learns.
        // Before the ReLU, BN subtracts the batch mean (the −10 with it), so about half the units are active.
        check(gradientNorms["no BN"] == 0 && gradientNorms["BN after relu"] == 0,
              "with every ReLU dead, no gradient should reach W1 without BN or with BN after the ReLU: \(gradientNorms)",
              in: .bnPlacement1)
        check((gradientNorms["BN before relu"] ?? 0) > 1e-3,
              "with BN before the ReLU the bias is cancelled and W1 should get a gradient: \(gradientNorms)", in: .bnPlacement1)
    }

    @Test("with large weights a tanh stack saturates: its units sit at ±1 where the slope is ~0; batch norm before each tanh keeps them in range (a measurement)")
    func saturationWithoutNormalization() throws {
        // Notes 001/002: BN keeps saturating nonlinearities out of their flat regions. Three tanh layers of width 32
        // with weights N(0, 3²) (about 17× He's scale for width 32): the pre-activations have standard deviations
        // in the tens, and most tanh outputs sit within 0.01 of ±1, where the local slope 1 − t² is below 0.02, so
        // those units pass almost nothing back and tell the next layer only a sign. BN before each tanh rescales
        // the pre-activations to unit variance, where the slope is large.
        // Measured with the reference solutions: 88 % of the last tanh's outputs saturated without BN, 0.2 % with.
        // (The first layer's *weight* gradient is not smaller without BN here: the large weights multiply into it
        // and offset the small slopes, the caveat of chapter 1's guide; what BN removes is the saturation.)
        var data = SeededGenerator(seed: 92)
        let x = Tensor.randomNormal(shape: [64, 8], using: &data)
        let labels = (0..<64).map { $0 % 2 }
        let plain: [NetworkLayer] = [
            .dense(weight: Tensor.randomNormal(shape: [8, 32], standardDeviation: 3, using: &data), bias: Tensor(zeros: [32])), .tanh,
            .dense(weight: Tensor.randomNormal(shape: [32, 32], standardDeviation: 3, using: &data), bias: Tensor(zeros: [32])), .tanh,
            .dense(weight: Tensor.randomNormal(shape: [32, 32], standardDeviation: 3, using: &data), bias: Tensor(zeros: [32])), .tanh,
            .dense(weight: Tensor.randomNormal(shape: [32, 2], standardDeviation: 0.2, using: &data), bias: Tensor(zeros: [2])),
        ]
        var saturated: [String: [Double]] = [:]
        for (name, layers) in [("no BN", plain), ("BN before tanh", try insertBatchNorm(into: plain, placement: .beforeActivation, inputs: 8))] {
            var rng = SeededGenerator(seed: 93)
            let (_, _, cache) = try networkLoss(x, labels: labels, layers: layers, loss: .softmaxCrossEntropy,
                                                l2Strength: 0, mode: .training, using: &rng)
            // Per tanh layer, the share of outputs within 0.01 of ±1.
            saturated[name] = cache.layers.compactMap { layer -> Double? in
                guard case let .tanh(c) = layer else { return nil }
                return Double(c.out.scalars.filter { abs($0) > 0.99 }.count) / Double(c.out.count)
            }
        }
        let (without, with) = (saturated["no BN"] ?? [], saturated["BN before tanh"] ?? [])
        check(without.count == 3 && with.count == 3, "both networks should cache three tanh layers; got \(without.count) and \(with.count)", in: .bnPlacement1)
        check((without.last ?? 0) > 0.5 && (with.max() ?? 1) < 0.1,
              "without BN most of the last tanh's outputs should be within 0.01 of ±1 (> 50 %), with BN before every tanh few (< 10 % in each layer); measured \(saturated)",
              in: .bnPlacement1)
    }

    @Test("batch norm before the activations removes the dependence on the weights' scale at initialization (a measurement)")
    func lessDependenceOnWeightScale() throws {
        // Notes 001: BN makes a network less sensitive to its initialization. Exactly so for the scale: every dense
        // layer followed by BN can have its weights multiplied by any a > 0 without changing the network's output
        // in training mode, so a 0.5× or a 4× draw of the same weights starts from the same function. Without BN
        // the output scales as a² (two scaled layers; ReLU is positively homogeneous): 4× against 0.5× is 64× in
        // size, 4096× in squared norm.
        var data = SeededGenerator(seed: 94)
        let x = Tensor.randomNormal(shape: [32, 4], using: &data)
        let weights = [Tensor.randomNormal(shape: [4, 16], using: &data), Tensor.randomNormal(shape: [16, 16], using: &data),
                       Tensor.randomNormal(shape: [16, 2], using: &data)]
        func network(scale a: Double) -> [NetworkLayer] {
            [.dense(weight: weights[0] * a, bias: Tensor(zeros: [16])), .relu,
             .dense(weight: weights[1] * a, bias: Tensor(zeros: [16])), .relu,
             .dense(weight: weights[2], bias: Tensor(zeros: [2]))]
        }
        var outputs: [String: Tensor] = [:]
        for a in [0.5, 1, 4] {
            for withBN in [false, true] {
                let layers = withBN ? try insertBatchNorm(into: network(scale: a), placement: .beforeActivation, inputs: 4) : network(scale: a)
                var rng = SeededGenerator(seed: 95)
                outputs["\(withBN) \(a)"] = try networkForward(x, layers: layers, mode: .training, using: &rng).out
            }
        }
        for a in [0.5, 4.0] {
            guard let scaled = outputs["true \(a)"], let reference = outputs["true 1.0"] else { continue }
            // Not exact because of BN's ε = 1e-5, which matters for units of small variance: at a = 0.1 the largest
            // difference was 2.5e-3 relative; at a = 0.5 it is 25× smaller. 1e-3 allows that and nothing like the ×2 of a.
            check(scaled, equals: reference, "with BN before each ReLU, the output for the hidden weights scaled by \(a)", in: .bnPlacement1,
                  absoluteTolerance: 1e-3, relativeTolerance: 1e-3)
        }
        let plainSpread = (outputs["false 4.0"]?.squared().sum() ?? 0) / (outputs["false 0.5"]?.squared().sum() ?? .infinity)
        check(abs(plainSpread / 4096 - 1) < 1e-9, "without BN the output should scale as a² (two scaled ReLU layers): the ratio of squared norms for 4× vs 0.5× should be 8⁴ = 4096, it is \(plainSpread)",
              in: .bnPlacement1)
    }

    @Test("on raw inputs, batch norm trains a network whose features differ in scale 1000-fold (a measurement)")
    func badlyScaledInputs() throws {
        // Two moons with the second feature in thousandths: the same problem, a thousand times larger numbers.
        // Measured with the reference solutions (seeds 80–85, SGD η = 0.1, 30 epochs): without BN the loss
        // stays at ln 2 ≈ 0.693 (the first steps overshoot, the ReLUs die) in every seed; with BN on the
        // inputs the test accuracy is 94–99 %.
        var data = SeededGenerator(seed: 82)
        let train = twoMoons(count: 200, noise: 0.1, using: &data)
        let test = twoMoons(count: 200, noise: 0.1, using: &data)
        let scale = Tensor([1, 1000])
        let (trainX, testX) = (try train.x * scale, try test.x * scale)
        let plain: [NetworkLayer] = [
            .dense(weight: Tensor.randomNormal(shape: [2, 16], using: &data), bias: Tensor(zeros: [16])), .relu,
            .dense(weight: Tensor.randomNormal(shape: [16, 16], standardDeviation: (2.0 / 16).squareRoot(), using: &data),
                   bias: Tensor(zeros: [16])), .relu,
            .dense(weight: Tensor.randomNormal(shape: [16, 2], standardDeviation: (2.0 / 16).squareRoot(), using: &data),
                   bias: Tensor(zeros: [2])),
        ]
        let configuration = SolverConfiguration(epochs: 30, batchSize: 20, optimizer: .sgd(learningRate: 0.1), loss: .softmaxCrossEntropy)
        var results: [String: (loss: Double, accuracy: Double)] = [:]
        for (name, layers) in [("no BN", plain), ("BN on inputs", try insertBatchNorm(into: plain, placement: .inputs, inputs: 2))] {
            var rng = SeededGenerator(seed: 82)
            let (trained, history) = try trainNetwork(layers, trainingInputs: trainX, trainingLabels: train.labels,
                                                      validationInputs: trainX, validationLabels: train.labels,
                                                      configuration: configuration, using: &rng)
            let predicted = try networkPredictions(testX, layers: trained, loss: .softmaxCrossEntropy)
            results[name] = (history.stepLosses.last ?? .nan,
                             Double(zip(predicted, test.labels).filter { $0 == $1 }.count) / Double(test.labels.count))
        }
        check((results["BN on inputs"]?.accuracy ?? 0) >= 0.9,
              "with BN on the raw inputs the test accuracy should be ≥ 90 %, got \(results["BN on inputs"].map { $0.accuracy * 100 } ?? .nan) %",
              in: .bnPlacement1)
        check((results["no BN"]?.loss ?? 0) > 0.6,
              "without BN the last loss was expected to stay near ln 2 (≥ 0.6), got \(results["no BN"]?.loss ?? .nan): is the SGD step right?",
              in: .bnPlacement1)
    }
}

import Foundation
import Testing
import WorkbookCore
import StudentCalls

// This chapter's random inputs stay fixed under a grading seed: its training and placement
// measurements have bounds chosen for these inputs (a seed sweep showed other inputs can miss them).

extension Exercise {
    static let network6 = Exercise(id: "Network6", chapter: "15-Networks", file: "NotesModel.swift", title: "The notes' model on two moons", points: 4)
}

@Suite("Network6 · The notes' model on two moons", .graded(.network6))
struct Network6Tests {
    @Test("has the notes' seven layers: Dense 20, relu, Dropout (keep 0.7), Dense 3, relu, Dropout, Dense 1")
    func structure() throws {
        var rng = SeededGenerator(seed: 60)
        let layers = try notesModel(inputs: 500, using: &rng)
        let names = layers.map(\.name)
        check(names == ["dense [500, 20]", "relu", "dropout keep 0.7", "dense [20, 3]", "relu", "dropout keep 0.7", "dense [3, 1]"],
              "the layers should be dense [500, 20], relu, dropout keep 0.7, dense [20, 3], relu, dropout keep 0.7, dense [3, 1]; got \(names)",
              in: .network6)
        let single = try notesModel(inputs: 1, using: &rng).map(\.name)
        check(single.first == "dense [1, 20]", "notesModel(inputs: 1) should start with dense [1, 20] (one feature is a valid input), got \(single)", in: .network6)
        for case let .dense(weight, bias) in layers {
            check(bias == Tensor(zeros: bias.shape), "the biases should start at zero, got \(bias)", in: .network6)
            _ = weight
        }
        // He: std sqrt(2/500) ≈ 0.0632 for the first weight; its 10,000 draws give a sample std within
        // about 0.7 % of it (one standard error), so 5 % is a safe bound that still catches Xavier (−29 %).
        if case let .dense(weight, _) = layers[0] {
            let std = weight.squared().mean().squareRoot()
            check(abs(std / (2.0 / 500).squareRoot() - 1) < 0.05,
                  "the first weight should be He-initialized (std sqrt(2/500) ≈ 0.0632), its std is \(std)", in: .network6)
        }
    }

    @Test("draws He weights, not Keras' default Glorot: the two differ 2.4-fold for 4 inputs")
    func heNotGlorot() throws {
        // For [500, 20] Glorot's std sqrt(2/520) is within 2 % of He's sqrt(2/500), so the test above cannot
        // tell them apart. For 4 inputs the first weight is [4, 20]: He std sqrt(2/4) ≈ 0.707, Glorot
        // sqrt(2/24) ≈ 0.289, Xavier sqrt(1/4) = 0.5. Pooled over 20 models (1,600 draws) the sample std has a
        // relative standard error of about 1/sqrt(2·1600) ≈ 1.8 %; a 10 % bound is over 5 standard errors.
        var sumOfSquares = 0.0, count = 0
        for seed in UInt64(600)..<620 {
            var rng = SeededGenerator(seed: seed)
            let layers = try notesModel(inputs: 4, using: &rng)
            guard case let .dense(weight, _)? = layers.first else {
                check(false, "the first layer should be dense [4, 20], got \(layers.first?.name ?? "nothing")", in: .network6)
                return
            }
            sumOfSquares += weight.squared().sum()
            count += weight.count
        }
        let std = (sumOfSquares / Double(count)).squareRoot()
        check(abs(std / 0.5.squareRoot() - 1) < 0.10,
              "for 4 inputs the first weight's std should be He's sqrt(2/4) ≈ 0.707, got \(std) (Glorot, Keras' default, gives ≈ 0.289; Xavier 0.5)",
              in: .network6)
    }

    @Test("trained with Adam on seeded two moons, it reaches at least 95 % test accuracy")
    func trainsOnTwoMoons() throws {
        // This runs the whole chapter: the student's model, forward, backward, loss, steps and loop.
        // 150 epochs of 10 steps take 0.8 s in a debug build (AMD EPYC, 2 cores; 1.7 s under load). With the
        // reference solutions, data seeds 61…80 (model seed + 1) give 96.5–100 % test accuracy, so a
        // correct solution that draws its random numbers in another order still clears 95 %.
        var data = SeededGenerator(seed: 61)
        let train = twoMoons(count: 300, noise: 0.1, using: &data)
        let validation = twoMoons(count: 200, noise: 0.1, using: &data)
        let test = twoMoons(count: 200, noise: 0.1, using: &data)
        var rng = SeededGenerator(seed: 62)
        let layers = try notesModel(inputs: 2, using: &rng)
        let configuration = SolverConfiguration(epochs: 150, batchSize: 32, optimizer: .adam(learningRate: 0.01),
                                                  loss: .sigmoidBinaryCrossEntropy)
        let (trained, history) = try trainNetwork(layers, trainingInputs: train.x, trainingLabels: train.labels,
                                                  validationInputs: validation.x, validationLabels: validation.labels,
                                                  configuration: configuration, using: &rng)
        let predicted = try networkPredictions(test.x, layers: trained, loss: .sigmoidBinaryCrossEntropy)
        let accuracy = Double(zip(predicted, test.labels).filter { $0 == $1 }.count) / Double(test.labels.count)
        check(accuracy >= 0.95,
              "the notes' model should reach ≥ 95 % test accuracy on two moons, got \(accuracy * 100) % (best validation \(history.validationAccuracy.max() ?? .nan) at epoch \(history.bestEpoch))",
              in: .network6)
    }

    @Test("rejects a model with no inputs")
    func rejectsBadInput() throws {
        var rng = SeededGenerator(seed: 1)
        try checkThrows(ArgumentError.self, "notesModel(inputs: 0)", in: .network6) { _ = try notesModel(inputs: 0, using: &rng) }
    }
}

import Foundation
import Testing
import WorkbookCore
import StudentCalls

// This chapter's random inputs stay fixed under a grading seed: its training and placement
// measurements have bounds chosen for these inputs (a seed sweep showed other inputs can miss them).

extension Exercise {
    static let network5 = Exercise(id: "Network5", chapter: "15-Networks", file: "Solver.swift", title: "Predictions and the training loop", points: 5)
}

@Suite("Network5 · Predictions and the training loop", .graded(.network5))
struct Network5Tests {
    @Test("predicts the largest softmax output, or a positive sigmoid logit, in inference mode")
    func predictions() throws {
        let x = try Tensor([[1, 2], [-3, 1], [0.5, 0.25]])
        // Softmax: the outputs are x itself (identity weights): argmax of [1, 2], [−3, 1], [0.5, 0.25] = 1, 1, 0.
        // The dropout layer must be the identity here (inference), or the predictions would vary.
        let softmax: [NetworkLayer] = [.dense(weight: try Tensor([[1, 0], [0, 1]]), bias: Tensor([0, 0])), .dropout(keepProbability: 0.1)]
        let classes = try networkPredictions(x, layers: softmax, loss: .softmaxCrossEntropy)
        check(classes == [1, 1, 0], "networkPredictions (softmax) should be [1, 1, 0], got \(classes)", in: .network5)
        // Sigmoid: logits x·[1, 1] − 1 = [2, −3, −0.25]: positive only for the first row.
        let sigmoid: [NetworkLayer] = [.dense(weight: try Tensor([[1], [1]]), bias: Tensor([-1])), .dropout(keepProbability: 0.1)]
        let labels = try networkPredictions(x, layers: sigmoid, loss: .sigmoidBinaryCrossEntropy)
        check(labels == [1, 0, 0], "networkPredictions (sigmoid) should be [1, 0, 0] for logits [2, −3, −0.25], got \(labels)", in: .network5)
        // A logit of exactly 0 is σ = 0.5, not above it: class 0.
        let undecided: [NetworkLayer] = [.dense(weight: Tensor(zeros: [2, 1]), bias: Tensor([0]))]
        let ties = try networkPredictions(x, layers: undecided, loss: .sigmoidBinaryCrossEntropy)
        check(ties == [0, 0, 0], "networkPredictions (sigmoid) should be [0, 0, 0] for logits of exactly 0 (σ = 0.5 is not > 0.5), got \(ties)", in: .network5)
        let small: [NetworkLayer] = [.dense(weight: Tensor(zeros: [2, 1]), bias: Tensor([0.5]))]
        let leaning = try networkPredictions(x, layers: small, loss: .sigmoidBinaryCrossEntropy)
        check(leaning == [1, 1, 1], "networkPredictions (sigmoid) should be [1, 1, 1] for logits 0.5 (σ ≈ 0.62 > 0.5: the threshold is a logit of 0, not 1), got \(leaning)", in: .network5)
    }

    @Test("overfits 50 examples with random labels to 100 % training accuracy (CS231n's second sanity check)")
    func overfitsSmallData() throws {
        // 50 random points in 10 dimensions with arbitrary labels: nothing to generalize, only
        // to memorize, which a network of 10·64 + 64·3 weights can.
        var data = SeededGenerator(seed: 50)
        let x = Tensor.randomNormal(shape: [50, 10], using: &data)
        let labels = (0..<50).map { ($0 * 7) % 3 }
        let layers: [NetworkLayer] = [
            .dense(weight: Tensor.randomNormal(shape: [10, 64], standardDeviation: (2.0 / 10).squareRoot(), using: &data),
                   bias: Tensor(zeros: [64])),
            .relu,
            .dense(weight: Tensor.randomNormal(shape: [64, 3], standardDeviation: (2.0 / 64).squareRoot(), using: &data),
                   bias: Tensor(zeros: [3])),
        ]
        var rng = SeededGenerator(seed: 51)
        let configuration = SolverConfiguration(epochs: 60, batchSize: 25, optimizer: .adam(learningRate: 0.01),
                                                  loss: .softmaxCrossEntropy)
        let (_, history) = try trainNetwork(layers, trainingInputs: x, trainingLabels: labels, validationInputs: x,
                                            validationLabels: labels, configuration: configuration, using: &rng)
        check(history.trainingAccuracy.last == 1,
              "after 60 epochs of Adam the training accuracy should be 100 %, got \(history.trainingAccuracy.last.map { $0 * 100 } ?? .nan) %",
              in: .network5)
        check(history.stepLosses.last! < 0.1 * history.stepLosses.first!,
              "the loss should fall at least tenfold: \(history.stepLosses.first!) → \(history.stepLosses.last!)", in: .network5)
    }

    @Test("a linear model cannot learn XOR; one hidden ReLU layer can (a measurement)")
    func linearFailsXOR() throws {
        // Notes 003: one layer gives a linear decision surface; a hidden layer with a nonlinearity can represent
        // what a linear model cannot. XOR: four clusters around (±1, ±1), class 1 where the signs differ. A line
        // can put at most three of the four corners on their right sides, so a linear model is right on at most
        // about 75 % of the points (the clusters' spread, σ = 0.15, makes a few more or fewer reachable).
        var data = SeededGenerator(seed: 56)
        let corners: [(Double, Double, Int)] = [(1, 1, 0), (-1, -1, 0), (1, -1, 1), (-1, 1, 1)]
        var points: [Double] = [], labels: [Int] = []
        for index in 0..<200 {
            let (cx, cy, label) = corners[index % 4]
            let noise = Tensor.randomNormal(shape: [2], standardDeviation: 0.15, using: &data)
            points += [cx + noise[0], cy + noise[1]]
            labels.append(label)
        }
        let x = try Tensor(shape: [200, 2], scalars: points)
        let linear: [NetworkLayer] = [.dense(weight: Tensor.randomNormal(shape: [2, 2], standardDeviation: 0.5, using: &data), bias: Tensor(zeros: [2]))]
        let hidden: [NetworkLayer] = [
            .dense(weight: Tensor.randomNormal(shape: [2, 16], standardDeviation: 1, using: &data), bias: Tensor(zeros: [16])), .relu,
            .dense(weight: Tensor.randomNormal(shape: [16, 2], standardDeviation: 0.35, using: &data), bias: Tensor(zeros: [2])),
        ]
        let configuration = SolverConfiguration(epochs: 40, batchSize: 20, optimizer: .adam(learningRate: 0.02), loss: .softmaxCrossEntropy)
        var accuracies: [String: Double] = [:]
        for (name, layers) in [("linear", linear), ("one hidden layer", hidden)] {
            var rng = SeededGenerator(seed: 57)
            let (_, history) = try trainNetwork(layers, trainingInputs: x, trainingLabels: labels, validationInputs: x,
                                                validationLabels: labels, configuration: configuration, using: &rng)
            accuracies[name] = history.trainingAccuracy.max() ?? .nan
        }
        check((accuracies["linear"] ?? 1) <= 0.8,
              "a linear model should get at most about 75 % of XOR right (best epoch ≤ 80 %), got \((accuracies["linear"] ?? .nan) * 100) %",
              in: .network5)
        check((accuracies["one hidden layer"] ?? 0) >= 0.97,
              "one hidden ReLU layer of 16 units should learn XOR (≥ 97 % of the training points), got \((accuracies["one hidden layer"] ?? .nan) * 100) %",
              in: .network5)
    }

    @Test("ReLU reaches a target loss in fewer steps than tanh on the same network (a measurement)")
    func rectifierTrainsFaster() throws {
        // Notes 003 quote Krizhevsky et al.: ReLU converged about 6× faster than tanh on their CIFAR-10 network.
        // The same measurement, small: two moons, two hidden layers of 16, the same weights for both, SGD η = 0.1;
        // count the steps until the loss (averaged over the last 10 steps) falls below 0.25.
        var data = SeededGenerator(seed: 58)
        let moons = twoMoons(count: 200, noise: 0.1, using: &data)
        let w1 = Tensor.randomNormal(shape: [2, 16], standardDeviation: 1, using: &data)
        let w2 = Tensor.randomNormal(shape: [16, 16], standardDeviation: (1.0 / 16).squareRoot(), using: &data)
        let w3 = Tensor.randomNormal(shape: [16, 2], standardDeviation: (1.0 / 16).squareRoot(), using: &data)
        func network(_ activation: NetworkLayer) -> [NetworkLayer] {
            [.dense(weight: w1, bias: Tensor(zeros: [16])), activation, .dense(weight: w2, bias: Tensor(zeros: [16])), activation,
             .dense(weight: w3, bias: Tensor(zeros: [2]))]
        }
        let configuration = SolverConfiguration(epochs: 30, batchSize: 20, optimizer: .sgd(learningRate: 0.1), loss: .softmaxCrossEntropy)
        var steps: [String: Int] = [:]
        for (name, activation) in [("relu", NetworkLayer.relu), ("tanh", NetworkLayer.tanh)] {
            var rng = SeededGenerator(seed: 59)
            let (_, history) = try trainNetwork(network(activation), trainingInputs: moons.x, trainingLabels: moons.labels,
                                                validationInputs: moons.x, validationLabels: moons.labels, configuration: configuration, using: &rng)
            let losses = history.stepLosses
            steps[name] = (10...max(10, losses.count)).first { end in losses[(end - 10)..<end].reduce(0, +) / 10 < 0.25 } ?? Int.max
        }
        let (relu, tanh) = (steps["relu"] ?? Int.max, steps["tanh"] ?? Int.max)
        // Measured with the reference solutions: ReLU 101 steps, tanh 155 (×1.5; Krizhevsky et al. report ×6 on CIFAR-10).
        check(relu < Int.max && Double(tanh) >= 1.2 * Double(relu),
              "ReLU should reach a loss of 0.25 in fewer steps than tanh (at most 1/1.2 of them); got ReLU \(relu), tanh \(tanh) (Int.max: never)",
              in: .network5)
    }

    @Test("records every step's loss and both accuracies, returns the best epoch on validation, and is seeded")
    func historyAndBestEpoch() throws {
        var data = SeededGenerator(seed: 52)
        let train = twoMoons(count: 30, noise: 0.3, using: &data)
        let validation = twoMoons(count: 20, noise: 0.3, using: &data)
        let layers = NetworkFixture.layers(seed: 53, inputs: 2, outputs: 2)
        let configuration = SolverConfiguration(epochs: 6, batchSize: 8, optimizer: .momentum(learningRate: 0.05, momentum: 0.9),
                                                  loss: .softmaxCrossEntropy, l2Strength: 0.001)
        func run() throws -> (layers: [NetworkLayer], history: TrainingHistory) {
            var rng = SeededGenerator(seed: 54)
            return try trainNetwork(layers, trainingInputs: train.x, trainingLabels: train.labels, validationInputs: validation.x,
                                    validationLabels: validation.labels, configuration: configuration, using: &rng)
        }
        let (best, history) = try run()
        // 30 examples in batches of 8: 4 steps per epoch (8, 8, 8, 6), 6 epochs.
        check(history.stepLosses.count == 24, "6 epochs of ⌈30/8⌉ = 4 steps should record 24 losses, got \(history.stepLosses.count)",
              in: .network5)
        check(history.trainingAccuracy.count == 6 && history.validationAccuracy.count == 6,
              "one training and one validation accuracy per epoch (6 each), got \(history.trainingAccuracy.count) and \(history.validationAccuracy.count)",
              in: .network5)
        let top = history.validationAccuracy.max() ?? -1
        check(history.bestEpoch == history.validationAccuracy.firstIndex(of: top),
              "bestEpoch should be the first epoch with the highest validation accuracy \(history.validationAccuracy), got \(history.bestEpoch)",
              in: .network5)
        let predicted = try networkPredictions(validation.x, layers: best, loss: .softmaxCrossEntropy)
        let accuracy = Double(zip(predicted, validation.labels).filter { $0 == $1 }.count) / 20
        check(accuracy == top, "the returned layers should score the best validation accuracy \(top), they score \(accuracy)",
              in: .network5)
        let again = try run()
        check(again.history == history && again.layers == best, "two runs with the same seed should give the same history and layers",
              in: .network5)
        // The same seed stopped after the best epoch ends with exactly the network that epoch made.
        var shorter = configuration
        shorter.epochs = history.bestEpoch + 1
        var rng = SeededGenerator(seed: 54)
        let stopped = try trainNetwork(layers, trainingInputs: train.x, trainingLabels: train.labels, validationInputs: validation.x,
                                       validationLabels: validation.labels, configuration: shorter, using: &rng)
        // One validation example is enough to pick an epoch (the accuracies are then 0 or 1).
        var single = configuration
        single.epochs = 2
        var oneRng = SeededGenerator(seed: 54)
        let one = try trainNetwork(layers, trainingInputs: train.x, trainingLabels: train.labels,
                                   validationInputs: try validation.x.gathering([0]), validationLabels: [validation.labels[0]],
                                   configuration: single, using: &oneRng)
        check(one.history.validationAccuracy.allSatisfy { $0 == 0 || $0 == 1 } && one.history.validationAccuracy.count == 2,
              "with one validation example, trainNetwork should train and record an accuracy of 0 or 1 per epoch, got \(one.history.validationAccuracy)",
              in: .network5)
        check(stopped.layers == best,
              "the returned layers should be the network after the best epoch \(history.bestEpoch), which a run of \(history.bestEpoch + 1) epochs ends with; they differ (the last epoch's network instead of the best one?)",
              in: .network5)
    }

    @Test("rejects zero epochs, no validation data and labels that do not match the inputs")
    func rejectsBadInput() throws {
        var rng = SeededGenerator(seed: 1)
        let layers: [NetworkLayer] = [.dense(weight: Tensor(zeros: [2, 2]), bias: Tensor(zeros: [2]))]
        let x = Tensor(zeros: [4, 2]), labels = [0, 1, 0, 1]
        let zero = SolverConfiguration(epochs: 0, batchSize: 2, optimizer: .sgd(learningRate: 0.1), loss: .softmaxCrossEntropy)
        let one = SolverConfiguration(epochs: 1, batchSize: 2, optimizer: .sgd(learningRate: 0.1), loss: .softmaxCrossEntropy)
        try checkThrows(ArgumentError.self, "trainNetwork with 0 epochs", in: .network5) {
            _ = try trainNetwork(layers, trainingInputs: x, trainingLabels: labels, validationInputs: x,
                                 validationLabels: labels, configuration: zero, using: &rng)
        }
        try checkThrows(ArgumentError.self, "trainNetwork with an empty validation set", in: .network5) {
            _ = try trainNetwork(layers, trainingInputs: x, trainingLabels: labels, validationInputs: Tensor(zeros: [0, 2]),
                                 validationLabels: [], configuration: one, using: &rng)
        }
        try checkThrowsShapeError("trainNetwork with 3 training labels for 4 rows", in: .network5) {
            _ = try trainNetwork(layers, trainingInputs: x, trainingLabels: [0, 1, 0], validationInputs: x,
                                 validationLabels: labels, configuration: one, using: &rng)
        }
    }

    @Test("fewer neurons regularize: a small network's train/test gap is smaller than a large one's on 60 noisy points (notes 003, a measurement)")
    func fewerUnitsOverfitLess() throws {
        // Notes 003's first way to regularize: fewer neurons, fewer layers. 60 two-moons points with much noise
        // (σ = 0.45, so the classes overlap), trained by your loop for 150 epochs with no early stopping: two
        // hidden layers of 32 units nearly memorize them, one hidden layer of 2 cannot, and the gap between
        // training and test accuracy (400 fresh points) shows it. Measured with the reference solutions on 12
        // data seeds: gaps of −0.01 to 0.13 (small) against 0.14 to 0.24 (large), the difference 0.07 to 0.24;
        // the test asks a difference above 0.04.
        let f = try MemberFixture(seed: MemberFixture.capacitySeed, trainingCount: MemberFixture.capacityCount, noise: MemberFixture.capacityNoise)
        var rng = SeededGenerator(seed: 1300)
        func dense(_ inputs: Int, _ outputs: Int) -> NetworkLayer {
            .dense(weight: Tensor.randomNormal(shape: [inputs, outputs], standardDeviation: (2.0 / Double(inputs)).squareRoot(), using: &rng),
                   bias: Tensor(zeros: [outputs]))
        }
        let small: [NetworkLayer] = [dense(2, 2), .relu, dense(2, 2)]
        let large: [NetworkLayer] = [dense(2, 32), .relu, dense(32, 32), .relu, dense(32, 2)]
        var gaps: [Double] = [], trainingAccuracies: [Double] = []
        for (index, layers) in [small, large].enumerated() {
            let trained = try f.trained(layers, inputs: f.train.x, labels: f.train.labels, seed: 1310 + UInt64(index), epochs: MemberFixture.capacityEpochs)
            let training = Double(zip(try networkPredictions(f.train.x, layers: trained, loss: .softmaxCrossEntropy), f.train.labels)
                .filter { $0 == $1 }.count) / Double(f.train.labels.count)
            trainingAccuracies.append(training)
            gaps.append(training - (try f.accuracy(try f.probabilities(trained))))
        }
        check(trainingAccuracies[1] > trainingAccuracies[0],
              "two hidden layers of 32 should fit the training points better than one layer of 2 units: \(trainingAccuracies) (training accuracy)",
              in: .network5)
        check(gaps[0] + 0.04 < gaps[1],
              "the 2-unit network's train − test accuracy gap (\(gaps[0])) should be smaller, by more than 0.04, than the 32x32 network's (\(gaps[1]))",
              in: .network5)
    }

    @Test("members that differ only in their seeds (initial weights, shuffles) learn and still differ (notes 004, a measurement)")
    func seedsAloneMakeMembersDiffer() throws {
        // Notes 004: an ensemble of networks needs no resampling of the data, because the random initial weights
        // and the shuffled minibatches already make independently trained members differ. Five members on the
        // same 40 noisy points, differing only in their seeds, each trained by your loop: every one must learn
        // (≥ 75 % test accuracy), and their test probabilities must still differ, member against member.
        // Measured with the reference solutions on 8 data seeds: a mean |p_i − p_j| of 0.022 to 0.092
        // (0.051 for this one); the test asks more than 0.005.
        let f = try MemberFixture(seed: MemberFixture.seedsSeed, trainingCount: 40)
        let members = try (0..<5).map { m in
            try f.trained(f.network(seed: 900 + UInt64(m)), inputs: f.train.x, labels: f.train.labels, seed: 950 + UInt64(m))
        }
        let accuracies = try members.map { try f.accuracy(try f.probabilities($0)) }
        check(accuracies.allSatisfy { $0 >= 0.75 },
              "every member should reach ≥ 75 % test accuracy after training, got \(accuracies.map { ($0 * 1000).rounded() / 10 }) %",
              in: .network5)
        let spread = try f.spread(members)
        check(spread > 0.005,
              "members trained from different seeds on the same data should give different test probabilities (mean |p_i − p_j| > 0.005), got \(spread)",
              in: .network5)
    }
}

/// Small chapter-15 networks trained by the student's loop on noisy two moons, for Network5's measurements
/// of ensemble members and of capacity. The members are [2 → 16 relu → 2] softmax networks; the test set
/// is 400 fresh points from the same distribution.
struct MemberFixture {
    // The data seeds of the two measurements; their bounds were checked on 8 and 12 neighbouring seeds.
    static let seedsSeed: UInt64 = 610, capacitySeed: UInt64 = 630
    static let capacityCount = 60, capacityNoise = 0.45, capacityEpochs = 150
    static let noise = 0.3, hidden = 16, epochs = 30
    let train: (x: Tensor, labels: [Int]), test: (x: Tensor, labels: [Int])

    init(seed: UInt64, trainingCount: Int, noise: Double = MemberFixture.noise) throws {
        var data = SeededGenerator(seed: seed)
        train = twoMoons(count: trainingCount, noise: noise, using: &data)
        test = twoMoons(count: 400, noise: noise, using: &data)
    }

    func network(seed: UInt64) -> [NetworkLayer] {
        var rng = SeededGenerator(seed: seed)
        let h = MemberFixture.hidden
        return [.dense(weight: Tensor.randomNormal(shape: [2, h], standardDeviation: 1, using: &rng), bias: Tensor(zeros: [h])), .relu,
                .dense(weight: Tensor.randomNormal(shape: [h, 2], standardDeviation: (1.0 / Double(h)).squareRoot(), using: &rng), bias: Tensor(zeros: [2]))]
    }

    /// Trained by the student's loop; the "best epoch" is chosen on the member's own training data, so
    /// no held-out data smooths the members (the spread between them is what an ensemble averages).
    func trained(_ layers: [NetworkLayer], inputs: Tensor, labels: [Int], seed: UInt64, epochs: Int = MemberFixture.epochs) throws -> [NetworkLayer] {
        var rng = SeededGenerator(seed: seed)
        let configuration = SolverConfiguration(epochs: epochs, batchSize: 10, optimizer: .adam(learningRate: 0.02), loss: .softmaxCrossEntropy)
        return try trainNetwork(layers, trainingInputs: inputs, trainingLabels: labels, validationInputs: inputs,
                                validationLabels: labels, configuration: configuration, using: &rng).layers
    }

    /// Softmax of the network's inference output on the test set, `[400, 2]` (written here: the
    /// measurement is of the trained members, not of chapter 3).
    func probabilities(_ layers: [NetworkLayer]) throws -> Tensor {
        var rng = SeededGenerator(seed: 1)
        let logits = try networkForward(test.x, layers: layers, mode: .inference, using: &rng).out
        let e = exp(try logits - (try logits.max(alongAxis: 1, keepingDimension: true)))
        return try e / (try e.sum(alongAxis: 1, keepingDimension: true))
    }

    /// The mean |p_i − p_j| of two members' class-1 test probabilities, over the test points and the pairs.
    func spread(_ members: [[NetworkLayer]]) throws -> Double {
        let p = try members.map(probabilities)
        var total = 0.0, pairs = 0.0
        for i in 0..<p.count {
            for j in (i + 1)..<p.count {
                total += (0..<test.labels.count).map { abs(p[i][$0, 1] - p[j][$0, 1]) }.reduce(0, +) / Double(test.labels.count)
                pairs += 1
            }
        }
        return total / pairs
    }

    func accuracy(_ p: Tensor) throws -> Double {
        Double(zip(try p.argmaxRows(), test.labels).filter { $0 == $1 }.count) / Double(test.labels.count)
    }
}

import Foundation
import JudgeKit
import WorkbookCore
import Workbook

// The trainer with a student's own exercises (WORKBOOK unset): before anything slow it lists, at
// once, every exercise the chosen model calls that is not done; and when a run diverges it checks
// those exercises on tiny seeded inputs (forward values, centered-difference gradient checks, one
// optimizer step) before blaming the learning rate, naming the exercise that is wrong.
//
// These checks are a quick diagnosis, not the grade: `swift test --filter ID` remains the judge.

/// Exercises the chosen model needs that are not done yet (each still throws `NotImplemented`).
struct MissingExercisesError: Error, CustomStringConvertible {
    var exercises: [String]
    var command: String
    var description: String {
        """
        this model needs \(exercises.count == 1 ? "exercise" : "these exercises"), not done yet: \(exercises.joined(separator: ", ")).
        Finish \(exercises.count == 1 ? "it" : "them") (swift test --filter "\(exercises.joined(separator: "|"))" grades \(exercises.count == 1 ? "it" : "them")), or train with the reference solutions:
          WORKBOOK=Solutions swift run -c release trainer \(command) …
        """
    }
}

/// One exercise's quick check: it throws `NotImplemented` when the exercise is not done, and
/// returns a problem (or nil) when it runs.
struct ExerciseCheck: Sendable {
    var exercise: String
    var what: String
    var run: @Sendable () throws -> String?
}

enum ExerciseChecks {
    /// The checks for every exercise function a run with `configuration` calls, in a stable order.
    static func needed(by configuration: TrainingConfiguration) -> [ExerciseCheck] {
        var checks: [ExerciseCheck] = [initialization(configuration.initialization), dense, denseBackwardCheck]
        switch configuration.model {
        case "notes":
            checks += [reluCheck, reluBackwardCheck, dropout(keep: 0.7), dropoutBackwardCheck, sigmoidLoss]
        case "cnn":
            checks += [reluCheck, reluBackwardCheck, convolution, convolutionBackwardProbe, pooling, poolingBackwardProbe, softmaxLoss]
            if configuration.batchNorm != .none { checks += [spatialBatchNorm, spatialBatchNormBackwardProbe, spatialBatchNormInferenceProbe] }
        case "resmlp":
            checks += [reluCheck, reluBackwardCheck, batchNorm, batchNormBackwardProbe, residual, softmaxLoss]
        case "resnet":
            // The convolutional ResNet: its blocks (ConvBlock1–3) call these chapters' functions.
            checks += [reluCheck, reluBackwardCheck, convolution, convolutionBackwardProbe,
                       spatialBatchNorm, spatialBatchNormBackwardProbe, spatialBatchNormInferenceProbe, softmaxLoss]
        default:
            checks += activation(configuration.activation)
            if configuration.batchNorm != .none { checks += [batchNorm, batchNormBackwardProbe] }
            if configuration.keepProbability < 1 { checks += [dropout(keep: configuration.keepProbability), dropoutBackwardCheck] }
            checks.append(softmaxLoss)
        }
        if configuration.batchNorm != .none || ["resnet", "resmlp"].contains(configuration.model) { checks.append(runningAverageCheck) }
        checks.append(optimizer(configuration.optimizer))
        return checks
    }

    /// Runs every check once and collects the exercises that are not done (a check may report an
    /// exercise it depends on, such as a convolution calling im2col).
    static func missing(_ checks: [ExerciseCheck]) -> [String] {
        var missing: [String] = []
        for check in checks {
            do { _ = try check.run() } catch let error as NotImplemented {
                if !missing.contains(error.exercise) { missing.append(error.exercise) }
            } catch {}
        }
        return missing
    }

    /// The first exercise whose check fails, with what is wrong; nil if all pass.
    static func firstFailure(_ checks: [ExerciseCheck]) -> (exercise: String, problem: String)? {
        for check in checks {
            do {
                if let problem = try check.run() { return (check.exercise, "\(check.what): \(problem)") }
            } catch let error as NotImplemented {
                return (error.exercise, "not implemented")
            } catch {
                return (check.exercise, "\(check.what) threw \(excerpt("\(error)", limit: 160))")
            }
        }
        return nil
    }

    // MARK: - Helpers

    static let tolerance = 1e-5

    static func input(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        // Away from 0, so ReLU's kink does not disturb a centered difference with h = 1e-5.
        return Tensor.randomNormal(shape: shape, using: &rng).map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }
    }

    static func compare(_ got: Tensor, _ want: Tensor, _ name: String) -> String? {
        guard got.shape == want.shape else { return "\(name) has shape \(got.shape), expected \(want.shape)" }
        // ‖got − want‖ / (‖got‖ + ‖want‖): robust where single entries are near zero.
        var difference = 0.0, size = 0.0
        for i in 0..<got.count {
            difference += (got.scalars[i] - want.scalars[i]) * (got.scalars[i] - want.scalars[i])
            size += got.scalars[i] * got.scalars[i] + want.scalars[i] * want.scalars[i]
        }
        let error = difference.squareRoot() / max(size.squareRoot(), 1e-12)
        return error <= tolerance ? nil : String(format: "\(name) is off (relative error %.2g)", error)
    }

    /// Compares an analytic gradient with the centered difference of `f` at `x` for `dout`.
    static func gradient(_ analytic: Tensor, of f: (Tensor) throws -> Tensor, at x: Tensor, dout: Tensor, _ name: String) throws -> String? {
        let numeric = try numericGradient(of: f, at: x, upstream: dout)
        return compare(analytic, numeric, "\(name) (against the centered difference)")
    }

    static func elementwise(_ id: String, _ forwardID: String, name: String,
                            forward: @escaping @Sendable (Tensor) throws -> Tensor,
                            reference: @escaping @Sendable (Double) -> Double,
                            backward: @escaping @Sendable (Tensor, Tensor) throws -> Tensor) -> [ExerciseCheck] {
        [ExerciseCheck(exercise: forwardID, what: "\(name) forward") {
            let x = input([3, 4], seed: 11)
            return compare(try forward(x), x.map(reference), "\(name)(x)")
         },
         ExerciseCheck(exercise: id, what: "\(name) backward") {
            let x = input([3, 4], seed: 12), dout = input([3, 4], seed: 13)
            return try gradient(try backward(x, dout), of: forward, at: x, dout: dout, "d\(name)")
         }]
    }

    // MARK: - The checks

    static func initialization(_ choice: InitChoice) -> ExerciseCheck {
        ExerciseCheck(exercise: "Init2", what: "initializeWeights(\(choice))") {
            var rng = SeededGenerator(seed: 3)
            let fanIn = 400
            let scheme: InitializationScheme, sd: Double
            switch choice {
            case .xavier: (scheme, sd) = (.xavier, (1.0 / Double(fanIn)).squareRoot())
            case .he: (scheme, sd) = (.he, (2.0 / Double(fanIn)).squareRoot())
            case .naive: (scheme, sd) = (.normal(standardDeviation: 0.01), 0.01)
            }
            let w = try initializeWeights(shape: [fanIn, 50], scheme: scheme, using: &rng)
            guard w.shape == [fanIn, 50] else { return "shape \(w.shape), expected [\(fanIn), 50]" }
            let n = Double(w.count)
            let mean = w.scalars.reduce(0, +) / n
            let measured = (w.scalars.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n).squareRoot()
            // 20,000 draws: the sample deviation is within 3 % of the true one with overwhelming probability.
            return abs(measured / sd - 1) < 0.05 && abs(mean) < 0.05 * sd ? nil
                : String(format: "standard deviation %.4g, expected %.4g", measured, sd)
        }
    }

    static let dense = ExerciseCheck(exercise: "Dense1", what: "denseForward") {
        let x = input([3, 4], seed: 21), w = input([4, 2], seed: 22), b = input([2], seed: 23)
        return compare(try denseForward(x, weight: w, bias: b).out, try x.matmul(w) + b, "x·W + b")
    }

    static func activation(_ choice: ActivationChoice) -> [ExerciseCheck] {
        switch choice {
        case .relu: [reluCheck, reluBackwardCheck]
        case .tanh: elementwise("Tanh2", "Tanh1", name: "tanh", forward: { try tanhForward($0).out }, reference: Foundation.tanh,
                                backward: { x, d in try tanhBackward(d, cache: TanhCache(out: x.map(Foundation.tanh))) })
        case .sigmoid: elementwise("Sigmoid2", "Sigmoid1", name: "sigmoid", forward: { try sigmoidForward($0).out },
                                   reference: { 1 / (1 + Foundation.exp(-$0)) },
                                   backward: { x, d in try sigmoidBackward(d, cache: SigmoidCache(out: x.map { 1 / (1 + Foundation.exp(-$0)) })) })
        case .leaky: elementwise("Leaky2", "Leaky1", name: "leakyReLU", forward: { try leakyReLUForward($0, slope: 0.02).out },
                                 reference: { $0 > 0 ? $0 : 0.02 * $0 },
                                 backward: { x, d in try leakyReLUBackward(d, cache: LeakyReLUCache(x: x, slope: 0.02)) })
        case .elu: elementwise("ELU2", "ELU1", name: "elu", forward: { try eluForward($0, alpha: 1).out },
                               reference: { $0 > 0 ? $0 : Foundation.exp($0) - 1 },
                               backward: { x, d in try eluBackward(d, cache: ELUCache(x: x, alpha: 1)) })
        }
    }

    static var reluCheck: ExerciseCheck { elementwiseReLU[0] }
    static var reluBackwardCheck: ExerciseCheck { elementwiseReLU[1] }
    static let elementwiseReLU = elementwise("ReLU2", "ReLU1", name: "relu", forward: { try reluForward($0).out },
                                             reference: { max($0, 0) },
                                             backward: { x, d in try Workbook.reluBackward(d, cache: ReLUCache(x: x)) })

    static let denseBackwardCheck = ExerciseCheck(exercise: "Dense2", what: "denseBackward") {
        let x = input([3, 4], seed: 24), w = input([4, 2], seed: 25), b = input([2], seed: 26), dout = input([3, 2], seed: 27)
        let (dx, dw, db) = try denseBackward(dout, cache: DenseCache(x: x, weight: w))
        if let problem = try gradient(dx, of: { try $0.matmul(w) + b }, at: x, dout: dout, "dx") { return problem }
        if let problem = try gradient(dw, of: { try x.matmul($0) + b }, at: w, dout: dout, "dW") { return problem }
        return try gradient(db, of: { try x.matmul(w) + $0 }, at: b, dout: dout, "db")
    }

    static func dropout(keep: Double) -> ExerciseCheck {
        ExerciseCheck(exercise: "Dropout1", what: "dropoutForward(keepProbability: \(keep))") {
            var rng = SeededGenerator(seed: 31)
            let x = Tensor(repeating: 1, shape: [200, 50])
            let (out, cache) = try dropoutForward(x, keepProbability: keep, mode: .training, using: &rng)
            let mean = out.scalars.reduce(0, +) / Double(out.count)
            // Inverted dropout keeps the expectation: the mean of 10,000 scaled Bernoulli draws is 1
            // within a few standard errors (√((1 − p)/p / 10⁴) ≤ 0.02 for p ≥ 0.2).
            _ = cache
            return abs(mean - 1) > 0.1
                ? String(format: "the mean of dropout(ones) is %.3f, expected about 1 (divide by the keep probability)", mean) : nil
        }
    }

    static let dropoutBackwardCheck = ExerciseCheck(exercise: "Dropout2", what: "dropoutBackward") {
        // With mask m and scale s the forward is x·m·s, so the gradient is dout·m·s.
        let mask = Tensor([1, 0, 1, 1]), dout = Tensor([2, 3, -1, 0.5])
        return compare(try Workbook.dropoutBackward(dout, cache: DropoutCache(mask: mask, scale: 1.25)), Tensor([2.5, 0, -1.25, 0.625]),
                       "dropoutBackward(dout, mask [1, 0, 1, 1], scale 1.25)")
    }

    static let batchNorm = ExerciseCheck(exercise: "BatchNorm1", what: "batchNormForward") {
        let x = input([8, 3], seed: 41) * 3 + 2, gamma = Tensor([1.5, 0.5, 2]), beta = Tensor([0.1, -1, 0.3])
        let (out, cache) = try batchNormForward(x, gamma: gamma, beta: beta)
        let mean = try out.mean(alongAxis: 0)
        if let problem = compare(mean, beta, "the batch mean of the output (must be beta)") { return problem }
        let dout = input([8, 3], seed: 42)
        let (dx, _, _) = try batchNormBackward(dout, cache: cache)
        return try gradient(dx, of: { try batchNormForward($0, gamma: gamma, beta: beta).out }, at: x, dout: dout, "BatchNorm2 dx")
    }

    // Backward passes called with caches built by hand, so an unfinished forward pass does not
    // hide an unfinished backward one when the missing exercises are listed. They check nothing
    // else: the forward-and-backward checks above do that.
    static let batchNormBackwardProbe = ExerciseCheck(exercise: "BatchNorm2", what: "batchNormBackward") {
        let cache = BatchNormCache(xHat: input([4, 2], seed: 43), gamma: Tensor([1, 2]), mean: Tensor([0, 0]), variance: Tensor([1, 1]), epsilon: 1e-5)
        _ = try batchNormBackward(input([4, 2], seed: 44), cache: cache)
        return nil
    }

    static let spatialBatchNormBackwardProbe = ExerciseCheck(exercise: "SpatialBN3", what: "spatialBatchNormBackward") {
        let cache = SpatialBatchNormCache(xHat: input([2, 2, 2, 2], seed: 73), gamma: Tensor([1, 2]), mean: Tensor([0, 0]),
                                          variance: Tensor([1, 1]), epsilon: 1e-5)
        _ = try spatialBatchNormBackward(input([2, 2, 2, 2], seed: 74), cache: cache)
        return nil
    }

    static let spatialBatchNormInferenceProbe = ExerciseCheck(exercise: "SpatialBN2", what: "spatialBatchNormInference") {
        _ = try spatialBatchNormInference(input([1, 2, 2, 2], seed: 75), gamma: Tensor([1, 2]), beta: Tensor([0, 0]),
                                          mean: Tensor([0, 0]), variance: Tensor([1, 1]))
        return nil
    }

    static let convolutionBackwardProbe = ExerciseCheck(exercise: "Conv5", what: "conv2dBackward") {
        // No columns in the cache: the backward pass rebuilds them (the cache allows either).
        let cache = Conv2DCache(x: input([1, 3, 3, 1], seed: 55), weight: input([3, 3, 1, 2], seed: 56),
                                configuration: Conv2DConfiguration(stride: 1, padding: 1))
        _ = try conv2dBackward(input([1, 3, 3, 2], seed: 57), cache: cache)
        return nil
    }

    static let poolingBackwardProbe = ExerciseCheck(exercise: "Pool2", what: "maxPoolBackward") {
        let cache = MaxPoolCache(x: input([1, 2, 2, 1], seed: 63), configuration: Pool2DConfiguration(size: 2, stride: 2))
        _ = try maxPoolBackward(input([1, 1, 1, 1], seed: 64), cache: cache)
        return nil
    }

    static let runningAverageCheck = ExerciseCheck(exercise: "BatchNorm3", what: "runningAverage") {
        // 0.9·old + 0.1·new: 0.9·1 + 0.1·3 = 1.2.
        compare(try Workbook.runningAverage(Tensor([1]), batchValue: Tensor([3]), momentum: 0.9), Tensor([1.2]),
                "runningAverage(1, batch 3, momentum 0.9)")
    }

    static let convolution = ExerciseCheck(exercise: "Conv3", what: "conv2dForward/Backward") {
        let x = input([2, 4, 4, 2], seed: 51), w = input([3, 3, 2, 3], seed: 52), b = input([3], seed: 53)
        let configuration = Conv2DConfiguration(stride: 1, padding: 1)
        let (out, cache) = try conv2dForward(x, weight: w, bias: b, configuration: configuration)
        guard out.shape == [2, 4, 4, 3] else { return "output shape \(out.shape), expected [2, 4, 4, 3]" }
        let dout = input(out.shape, seed: 54)
        let (dx, dw, _) = try conv2dBackward(dout, cache: cache)
        if let problem = try gradient(dw, of: { try conv2dForward(x, weight: $0, bias: b, configuration: configuration).out }, at: w, dout: dout, "dW") {
            return problem
        }
        return try gradient(dx, of: { try conv2dForward($0, weight: w, bias: b, configuration: configuration).out }, at: x, dout: dout, "Conv5 dx")
    }

    static let pooling = ExerciseCheck(exercise: "Pool1", what: "maxPoolForward/Backward") {
        let x = input([1, 4, 4, 2], seed: 61), configuration = Pool2DConfiguration(size: 2, stride: 2)
        let (out, cache) = try maxPoolForward(x, configuration: configuration)
        let dout = input(out.shape, seed: 62)
        return try gradient(try maxPoolBackward(dout, cache: cache), of: { try maxPoolForward($0, configuration: configuration).out },
                            at: x, dout: dout, "Pool2 dx")
    }

    static let spatialBatchNorm = ExerciseCheck(exercise: "SpatialBN1", what: "spatialBatchNormForward/Backward") {
        let x = input([2, 3, 3, 2], seed: 71), gamma = Tensor([1.5, 0.5]), beta = Tensor([0.1, -1])
        let (out, cache) = try spatialBatchNormForward(x, gamma: gamma, beta: beta)
        let dout = input(out.shape, seed: 72)
        let (dx, _, _) = try spatialBatchNormBackward(dout, cache: cache)
        return try gradient(dx, of: { try spatialBatchNormForward($0, gamma: gamma, beta: beta).out }, at: x, dout: dout, "SpatialBN3 dx")
    }

    static let residual = ExerciseCheck(exercise: "Residual1", what: "residualBlockForward/Backward") {
        let x = input([4, 3], seed: 81)
        let p = ResidualBlockParameters(w1: input([3, 3], seed: 82), b1: Tensor(zeros: [3]), gamma1: Tensor(repeating: 1, shape: [3]),
                                        beta1: Tensor(zeros: [3]), w2: input([3, 3], seed: 83), b2: Tensor(zeros: [3]),
                                        gamma2: Tensor(repeating: 1, shape: [3]), beta2: Tensor(zeros: [3]))
        let (out, cache) = try residualBlockForward(x, parameters: p)
        let dout = input(out.shape, seed: 84)
        let (dx, _) = try residualBlockBackward(dout, cache: cache)
        return try gradient(dx, of: { try residualBlockForward($0, parameters: p).out }, at: x, dout: dout, "Residual2 dx")
    }

    static let softmaxLoss = ExerciseCheck(exercise: "SoftmaxCE1", what: "softmaxCrossEntropy") {
        let logits = input([3, 4], seed: 91), labels = [0, 3, 1]
        // Equal logits give probability 1/4 to every class: the loss is ln 4.
        let (uniform, _) = try softmaxCrossEntropy(Tensor(zeros: [3, 4]), labels: labels)
        let ln4: Double = Foundation.log(4.0)
        if abs(uniform - ln4) > 1e-9 { return String(format: "the loss of equal logits over 4 classes is %.6f, expected ln 4 = %.6f", uniform, ln4) }
        let (_, dlogits) = try softmaxCrossEntropy(logits, labels: labels)
        let numeric = try numericGradient(of: { try softmaxCrossEntropy($0, labels: labels).loss }, at: logits)
        return compare(dlogits, numeric, "dlogits (against the centered difference)")
    }

    static let sigmoidLoss = ExerciseCheck(exercise: "SigmoidBCE1", what: "sigmoidBinaryCrossEntropy") {
        let logits = input([4, 1], seed: 92), targets = try Tensor(shape: [4, 1], scalars: [0, 1, 1, 0])
        let (loss, dlogits) = try sigmoidBinaryCrossEntropy(logits, targets: targets)
        if !loss.isFinite || loss < 0 { return "the loss is \(loss)" }
        let numeric = try numericGradient(of: { try sigmoidBinaryCrossEntropy($0, targets: targets).loss }, at: logits)
        return compare(dlogits, numeric, "dlogits (against the centered difference)")
    }

    /// SGD1's check; `step` is the exercise's `sgdStep` (a test passes a wrong one to see it named).
    static func sgd(_ step: @escaping @Sendable (Tensor, Tensor, Double) throws -> Tensor = { try sgdStep($0, gradient: $1, learningRate: $2) })
        -> ExerciseCheck {
        ExerciseCheck(exercise: "SGD1", what: "sgdStep") {
            // θ − lr·g with lr 0.1: [1 − 0.05, −2 + 0.1, 0.5 − 0.2].
            compare(try step(Tensor([1, -2, 0.5]), Tensor([0.5, -1, 2]), 0.1), Tensor([0.95, -1.9, 0.3]),
                    "sgdStep([1, −2, 0.5], gradient [0.5, −1, 2], lr 0.1) (θ − lr·g)")
        }
    }

    static func optimizer(_ kind: OptimizerKind) -> ExerciseCheck {
        let p = Tensor([1, -2, 0.5]), g = Tensor([0.5, -1, 2])
        switch kind {
        case .sgd:
            return sgd()
        case .momentum:
            return ExerciseCheck(exercise: "Momentum1", what: "momentumStep") {
                // v' = 0.9·v − lr·g = 0.9·[1, 1, 1] − 0.1·g = [0.85, 1, 0.7]; θ' = θ + v' = [1.85, −1, 1.2].
                let (next, velocity) = try momentumStep(p, gradient: g, velocity: Tensor([1, 1, 1]), learningRate: 0.1, momentum: 0.9)
                return compare(velocity, Tensor([0.85, 1, 0.7]), "the new velocity (0.9·v − lr·g)")
                    ?? compare(next, Tensor([1.85, -1, 1.2]), "the new parameter (θ + v')")
            }
        case .adam:
            return ExerciseCheck(exercise: "Adam1", what: "adamStep") {
                // The first bias-corrected step is lr·g/|g| (up to ε = 1e-8): −0.1·sign(g) here.
                let (next, _) = try adamStep(p, gradient: g, state: AdamState(like: p), learningRate: 0.1)
                return compare(next, Tensor([0.9, -1.9, 0.4]), "the first Adam step from [1, −2, 0.5] (θ − lr·sign(g))")
            }
        }
    }
}

import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let batchNorm3 = Exercise(id: "BatchNorm3", chapter: "09-BatchNorm", file: "TestTimeStatistics.swift",
                                     title: "Test-time statistics", points: 3)
}

@Suite("BatchNorm3 · Test-time statistics", .graded(.batchNorm3))
struct BatchNorm3Tests {
    @Test("the population estimate of notes 001: mean of batch means, B/(B−1) × mean of batch variances")
    func populationByHand() throws {
        // Two batches of B = 4: means [1, 2] and [3, 4] average to [2, 3]; variances [1, 2] and [3, 6]
        // average to [2, 4], times 4/3 gives [8/3, 16/3].
        let (mean, variance) = try populationStatistics(batchMeans: [Tensor([1, 2]), Tensor([3, 4])],
                                                        batchVariances: [Tensor([1, 2]), Tensor([3, 6])], batchSize: 4)
        check(mean, equals: Tensor([2, 3]), "the population mean", in: .batchNorm3)
        check(variance, equals: Tensor([8.0 / 3, 16.0 / 3]), "the population variance (with the factor 4/3)", in: .batchNorm3,
              misconceptions: [Misconception(Tensor([2, 4]), "the variance is the mean of the batch variances without the factor B/(B − 1); each batch variance divides by B and underestimates"),
                               Misconception(Tensor([1.5, 3]), "the variance is multiplied by (B − 1)/B; the unbiasing factor is B/(B − 1)")])
        // One batch of B = 2, the smallest that has a spread: its mean, and its variance ×2/1.
        let (oneMean, oneVariance) = try populationStatistics(batchMeans: [Tensor([5, -1])], batchVariances: [Tensor([0.25, 4])], batchSize: 2)
        check(oneMean, equals: Tensor([5, -1]), "the population mean from one batch (its own mean)", in: .batchNorm3)
        check(oneVariance, equals: Tensor([0.5, 8]), "the population variance from one batch of B = 2 (×2/1)", in: .batchNorm3)
    }

    @Test("the factor B/(B−1) makes the variance unbiased: batches of 4 from N(3, 2²) estimate 4, not 3")
    func populationIsUnbiased() throws {
        var rng = SeededGenerator(inputSeed: 1001)
        var means: [Tensor] = [], variances: [Tensor] = []
        for _ in 0..<400 {
            let batch = Tensor.randomNormal(shape: [4, 25], mean: 3, standardDeviation: 2, using: &rng)
            means.append(try batch.mean(alongAxis: 0))
            variances.append(try batch.variance(alongAxes: [0]))   // biased, as batch norm computes it
        }
        let (mean, variance) = try populationStatistics(batchMeans: means, batchVariances: variances, batchSize: 4)
        // 10 000 batch variances: an unbiased one has standard deviation sqrt(2σ⁴/(B−1)) = sqrt(32/3) ≈ 3.27, so their
        // average over 25 features and 400 batches has standard error 0.033; without the factor it would be 3.
        check(variance.mean(), equals: 4, "the population variance averaged over 25 features", in: .batchNorm3,
              absoluteTolerance: 0.2, relativeTolerance: 0)
        // The mean of 40 000 draws of N(3, 4) has standard error 0.01.
        check(mean.mean(), equals: 3, "the population mean averaged over 25 features", in: .batchNorm3,
              absoluteTolerance: 0.06, relativeTolerance: 0)
    }

    @Test("refuses no batches, mismatched counts or a batch size below 2")
    func rejectsBadPopulationArguments() throws {
        try checkThrows(ArgumentError.self, "populationStatistics with no batches", in: .batchNorm3) {
            _ = try populationStatistics(batchMeans: [], batchVariances: [], batchSize: 4)
        }
        try checkThrows(ArgumentError.self, "populationStatistics with 2 means and 1 variance", in: .batchNorm3) {
            _ = try populationStatistics(batchMeans: [Tensor([1]), Tensor([2])], batchVariances: [Tensor([1])], batchSize: 4)
        }
        try checkThrows(ArgumentError.self, "populationStatistics with batchSize 1 (B/(B−1) divides by zero)", in: .batchNorm3) {
            _ = try populationStatistics(batchMeans: [Tensor([1])], batchVariances: [Tensor([1])], batchSize: 1)
        }
        try checkThrowsShapeError("populationStatistics with means [2] and [3]", in: .batchNorm3) {
            _ = try populationStatistics(batchMeans: [Tensor([1, 2]), Tensor([1, 2, 3])],
                                         batchVariances: [Tensor([1, 2]), Tensor([1, 2, 3])], batchSize: 4)
        }
    }

    @Test("running average: momentum weighs the OLD value (PyTorch's momentum 0.1 is the workbook's 0.9)")
    func runningAverageWeighsOld() throws {
        // 0.9·[1, 2] + 0.1·[3, 6] = [1.2, 2.4]. Weighing the new value instead would give [2.8, 5.6].
        let updated = try runningAverage(Tensor([1, 2]), batchValue: Tensor([3, 6]), momentum: 0.9)
        check(updated, equals: Tensor([1.2, 2.4]), "runningAverage([1, 2], batch [3, 6], momentum 0.9)", in: .batchNorm3,
              misconceptions: [Misconception(Tensor([2.8, 5.6]), "the weights are swapped: the new batch value got the momentum; the workbook's momentum weighs the old value, m·running + (1 − m)·batch")])
        check(try runningAverage(Tensor([1, 2]), batchValue: Tensor([3, 6]), momentum: 0), equals: Tensor([3, 6]),
              "momentum 0 (keep only the new value)", in: .batchNorm3)
        check(try runningAverage(Tensor([1, 2]), batchValue: Tensor([3, 6]), momentum: 1), equals: Tensor([1, 2]),
              "momentum 1 (never update)", in: .batchNorm3)
    }

    @Test("from 0, a constant batch value v is approached as v·(1 − momentumᵏ)")
    func runningAverageApproaches() throws {
        // r_k = m·r_{k−1} + (1 − m)·v with r_0 = 0 solves to r_k = v·(1 − m^k): after 50 steps with m = 0.9,
        // 5·(1 − 0.9^50) ≈ 4.9742.
        var running = Tensor([0, 0])
        for _ in 0..<50 { running = try runningAverage(running, batchValue: Tensor([5, -1]), momentum: 0.9) }
        let factor: Double = 1 - Foundation.pow(0.9, 50.0)
        check(running, equals: Tensor([5 * factor, -factor]), "50 running-average steps towards [5, −1]", in: .batchNorm3,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("refuses a momentum outside [0, 1] and mismatched shapes")
    func rejectsBadRunningAverageArguments() throws {
        for bad in [-0.1, 1.5] {
            try checkThrows(ArgumentError.self, "runningAverage with momentum \(bad)", in: .batchNorm3) {
                _ = try runningAverage(Tensor([1]), batchValue: Tensor([2]), momentum: bad)
            }
        }
        try checkThrowsShapeError("runningAverage with running [2] and batch value [3]", in: .batchNorm3) {
            _ = try runningAverage(Tensor([1, 2]), batchValue: Tensor([1, 2, 3]), momentum: 0.9)
        }
    }
}

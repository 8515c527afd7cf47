import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let bagging1 = Exercise(id: "Bagging1", chapter: "08-DropoutRevisited", file: "Bagging.swift",
                                   title: "Every dropout sub-network and its probability", points: 2)
    static let bagging2 = Exercise(id: "Bagging2", chapter: "08-DropoutRevisited", file: "Bagging.swift",
                                   title: "Exact bagged average versus weight scaling", points: 3)
    static let bagging3 = Exercise(id: "Bagging3", chapter: "08-DropoutRevisited", file: "Bagging.swift",
                                   title: "Geometric mean: where weight scaling is exact for softmax", points: 4)
}

/// Heads and data the bagging tests share. Everything is written with core operations, so the
/// tests need no other chapter.
enum BaggingFixtures {
    static func sigmoid(_ u: Double) -> Double { 1 / (1 + Foundation.exp(-u)) }

    /// The sum of the units of each row, `[N, n] → [N, 1]`: linear in every unit.
    static func sumHead(_ h: Tensor) throws -> Tensor { try h.sum(alongAxis: 1, keepingDimension: true) }

    /// A sigmoid of the sum, `[N, n] → [N, 1]`: not linear in the units.
    static func sigmoidHead(_ h: Tensor) throws -> Tensor { try sumHead(h).map(sigmoid) }

    /// Softmax of each row, with the maximum subtracted first.
    static func softmax(_ z: Tensor) throws -> Tensor {
        let e = exp(try z - (try z.max(alongAxis: 1, keepingDimension: true)))
        return try e / (try e.sum(alongAxis: 1, keepingDimension: true))
    }

    /// A seeded affine head `h · W + b` with 4 units in and 3 classes out, and a batch h `[3, 4]`.
    /// `fixed`: the inputs the test's bounds were chosen for, whatever the grading seed.
    static func affine(seed: UInt64, fixed: Bool = false) -> (h: Tensor, w: Tensor, b: Tensor) {
        var rng = fixed ? SeededGenerator(seed: seed) : SeededGenerator(inputSeed: seed)
        return (Tensor.randomNormal(shape: [3, 4], using: &rng), Tensor.randomNormal(shape: [4, 3], using: &rng),
                Tensor.randomNormal(shape: [3], using: &rng))
    }
}

@Suite("Bagging1 · Every dropout sub-network and its probability", .graded(.bagging1))
struct Bagging1Tests {
    @Test("lists the four sub-networks of two units in binary-counting order")
    func twoUnits() throws {
        // keep 0.8: none kept 0.2² = 0.04; exactly one kept 0.8 · 0.2 = 0.16; both 0.8² = 0.64.
        let all = try dropoutSubnetworks(units: 2, keepProbability: 0.8)
        let masks: [[Double]] = [[0, 0], [0, 1], [1, 0], [1, 1]]
        let probabilities = [0.04, 0.16, 0.16, 0.64]
        check(all.count == 4, "two units have 2² = 4 sub-networks; got \(all.count).", in: .bagging1)
        for (k, subnetwork) in all.prefix(4).enumerated() {
            check(subnetwork.mask, equals: Tensor(masks[k]), "the mask of sub-network \(k)", in: .bagging1,
                  misconceptions: [Misconception(Tensor(masks[k].reversed()), "unit 0 is read from the least significant bit of k; in binary-counting order unit 0 is the most significant digit")])
            let kept = masks[k].reduce(0, +)
            check(subnetwork.probability, equals: probabilities[k], "the probability of sub-network \(k)", in: .bagging1,
                  misconceptions: [Misconception(Foundation.pow(0.8, kept), "the probability multiplies keep for every kept unit but forgets (1 − keep) for every dropped one")])
        }
    }

    @Test("has 2^n distinct masks whose probabilities sum to 1 (notes 001)", arguments: [(1, 0.5), (3, 0.5), (5, 0.3), (10, 0.9)])
    func countAndTotal(units: Int, keepProbability: Double) throws {
        let all = try dropoutSubnetworks(units: units, keepProbability: keepProbability)
        check(all.count == 1 << units, "\(units) units have 2^\(units) = \(1 << units) sub-networks; got \(all.count).", in: .bagging1)
        check(Set(all.map(\.mask)).count == all.count, "every sub-network should have a different mask.", in: .bagging1)
        check(all.allSatisfy { $0.mask.shape == [units] && $0.mask.scalars.allSatisfy { $0 == 0 || $0 == 1 } },
              "every mask should be [\(units)] of zeros and ones.", in: .bagging1)
        check(all.map(\.probability).reduce(0, +), equals: 1, "the sum of the probabilities", in: .bagging1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        // The all-kept network is the most likely one when keep > 0.5: probability keep^n.
        if let last = all.last {
            check(last.probability, equals: Foundation.pow(keepProbability, Double(units)),
                  "the probability of keeping all \(units) units", in: .bagging1)
        }
    }

    @Test("treats zero units as one empty sub-network, keep 1 as the full network for sure, and rejects bad arguments")
    func edges() throws {
        let none = try dropoutSubnetworks(units: 0, keepProbability: 0.5)
        check(none.count == 1 && none.first?.mask.shape == [0] && none.first?.probability == 1,
              "zero units: exactly one sub-network, with an empty mask [0] and probability 1; got \(none).", in: .bagging1)
        // keep 1 (inside (0, 1]): every unit is kept for sure, so only the full mask has probability, 1^2 · 0^0 = 1.
        let sure = try dropoutSubnetworks(units: 2, keepProbability: 1)
        check(Tensor(sure.map(\.probability)), equals: Tensor([0, 0, 0, 1]),
              "the probabilities of dropoutSubnetworks(units: 2, keepProbability: 1) (only mask [1, 1] is possible)", in: .bagging1)
        for (units, keep) in [(-1, 0.5), (21, 0.5), (3, 0.0), (3, 1.2)] {
            try checkThrows(ArgumentError.self, "dropoutSubnetworks(units: \(units), keepProbability: \(keep))", in: .bagging1) {
                _ = try dropoutSubnetworks(units: units, keepProbability: keep)
            }
        }
    }
}

@Suite("Bagging2 · Exact bagged average versus weight scaling", .graded(.bagging2))
struct Bagging2Tests {
    @Test("agree when the head is linear in the units: h = [2, 4], head = sum")
    func linearByHand() throws {
        // Sub-network sums 0, 4, 2, 6 for masks 00, 01, 10, 11.
        // keep 0.5: each has probability 1/4, average (0 + 4 + 2 + 6)/4 = 3 = 0.5 · (2 + 4).
        // keep 0.8: 0.04·0 + 0.16·4 + 0.16·2 + 0.64·6 = 4.8 = 0.8 · 6.
        let h = try Tensor([[2, 4]])
        // keep 1: only the full network, sum 6 = 1 · (2 + 4).
        for (keep, expected) in [(0.5, 3.0), (0.8, 4.8), (1, 6)] {
            let bagged = try baggedPrediction(hidden: h, keepProbability: keep, head: BaggingFixtures.sumHead)
            let scaled = try weightScaledPrediction(hidden: h, keepProbability: keep, head: BaggingFixtures.sumHead)
            check(bagged, equals: try Tensor([[expected]]), "the bagged average of sum(h ⊙ m), keep \(keep)", in: .bagging2,
                  misconceptions: [Misconception(3, "the bagged prediction averages the 4 sub-networks equally; weight each by its probability keep^kept · (1 − keep)^dropped")])
            check(scaled, equals: try Tensor([[expected]]), "the weight-scaled sum(keep · h), keep \(keep)", in: .bagging2,
                  misconceptions: [Misconception(6, "the weight-scaled prediction is head(h), without multiplying h by keep")])
        }
    }

    @Test("rejects a keep probability outside (0, 1]")
    func rejectsKeepProbabilityOutsideRange() throws {
        let h = try Tensor([[2, 4]])
        for keep in [0, -0.5, 1.5] {
            try checkThrows(ArgumentError.self, "weightScaledPrediction with keepProbability \(keep)", in: .bagging2) {
                _ = try weightScaledPrediction(hidden: h, keepProbability: keep, head: BaggingFixtures.sumHead)
            }
            try checkThrows(ArgumentError.self, "baggedPrediction with keepProbability \(keep)", in: .bagging2) {
                _ = try baggedPrediction(hidden: h, keepProbability: keep, head: BaggingFixtures.sumHead)
            }
        }
    }

    @Test("agree exactly for any affine head (seeded)", arguments: [0.5, 0.7])
    func affineHead(keepProbability: Double) throws {
        // The 1e-3…0.1 band was measured for these inputs, so they do not follow the grading seed.
        let (h, w, b) = BaggingFixtures.affine(seed: 5, fixed: true)
        let head: (Tensor) throws -> Tensor = { try $0.matmul(w) + b }
        // E[(h ⊙ m) · W + b] = (E[m] ⊙ h) · W + b = (keep · h) · W + b: linearity of expectation.
        let bagged = try baggedPrediction(hidden: h, keepProbability: keepProbability, head: head)
        let expected = try (h * keepProbability).matmul(w) + b
        check(bagged, equals: expected, "the bagged average over 16 sub-networks of an affine head", in: .bagging2,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        let scaled = try weightScaledPrediction(hidden: h, keepProbability: keepProbability, head: head)
        check(scaled, equals: expected, "the weight-scaled prediction", in: .bagging2,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("scaling the units equals pushing the keep probability into the next weights (notes 001)")
    func pushIntoWeights() throws {
        // z = Σ_j w_kj (α h_j) + b_k = Σ_j (α w_kj) h_j + b_k: the test-time network can use
        // the weights α·W on unscaled units instead.
        let (h, w, b) = BaggingFixtures.affine(seed: 9)
        let scaled = try weightScaledPrediction(hidden: h, keepProbability: 0.6, head: { try $0.matmul(w) + b })
        let pushed = try h.matmul(w * 0.6) + b
        check(scaled, equals: pushed, "the weight-scaled prediction versus h · (0.6 W) + b", in: .bagging2,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("differ when a nonlinearity follows: sigmoid of the sum of h = [2, 4]")
    func sigmoidByHand() throws {
        // keep 0.5: bagged = (σ(0) + σ(4) + σ(2) + σ(6)) / 4 ≈ 0.8400846;
        // weight scaling = σ(0.5 · 6) = σ(3) ≈ 0.9525741 (numpy agrees).
        let s = BaggingFixtures.sigmoid
        let h = try Tensor([[2, 4]])
        let bagged = try baggedPrediction(hidden: h, keepProbability: 0.5, head: BaggingFixtures.sigmoidHead)
        let scaled = try weightScaledPrediction(hidden: h, keepProbability: 0.5, head: BaggingFixtures.sigmoidHead)
        check(bagged, equals: try Tensor([[(s(0) + s(4) + s(2) + s(6)) / 4]]), "the bagged average of σ(sum)", in: .bagging2)
        check(scaled, equals: try Tensor([[s(3)]]), "the weight-scaled σ(sum)", in: .bagging2)
        check(abs(bagged.sum() - 0.8400846) < 1e-6 && abs(scaled.sum() - 0.9525741) < 1e-6,
              "expected 0.8400846 (bagged) and 0.9525741 (scaled); got \(bagged.sum()) and \(scaled.sum()).", in: .bagging2)
    }

    @Test("averaging many random dropout masks estimates the bagged average, not the weight-scaled one")
    func monteCarlo() throws {
        // Training samples sub-networks from exactly the distribution P(m). Averaging 4,000
        // sampled σ(sum(h ⊙ m)) for h = [2, 4], keep 0.5, lands within 5 standard errors
        // (σ values lie in [0, 1], so the standard error is at most 0.5/√4000 ≈ 0.0079) of the
        // bagged 0.8401, and far from the weight-scaled 0.9526.
        var rng = SeededGenerator(inputSeed: 21)
        let h = try Tensor([[2, 4]])
        var total = 0.0
        for _ in 0..<4000 {
            let m = Tensor([rng.nextUniform() < 0.5 ? 1 : 0, rng.nextUniform() < 0.5 ? 1 : 0])
            total += try BaggingFixtures.sigmoidHead(try h * m).sum()
        }
        let estimate = total / 4000
        let bagged = try baggedPrediction(hidden: h, keepProbability: 0.5, head: BaggingFixtures.sigmoidHead).sum()
        check(abs(estimate - bagged) < 5 * 0.5 / 4000.0.squareRoot(),
              "the Monte Carlo average of 4,000 dropout masks is \(estimate); the exact bagged average should be within 0.04 of it, got \(bagged).",
              in: .bagging2)
    }

    @Test("the arithmetic mean of softmax sub-networks is not the weight-scaled softmax")
    func softmaxArithmeticMean() throws {
        // The 1e-3…0.1 band was measured for these inputs, so they do not follow the grading seed.
        let (h, w, b) = BaggingFixtures.affine(seed: 5, fixed: true)
        let head: (Tensor) throws -> Tensor = { try BaggingFixtures.softmax(try $0.matmul(w) + b) }
        let bagged = try baggedPrediction(hidden: h, keepProbability: 0.5, head: head)
        let scaled = try weightScaledPrediction(hidden: h, keepProbability: 0.5, head: head)
        // Still a distribution: an average of distributions sums to 1 in every row.
        check(try bagged.sum(alongAxis: 1), equals: Tensor([1, 1, 1]), "the row sums of the bagged softmax", in: .bagging2,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        // Close, but not equal: the largest gap for seed 5 is about 0.021 (measured).
        let gap = try (bagged - scaled).map(abs).max()
        check(gap > 1e-3 && gap < 0.1,
              "for softmax the arithmetic bagged mean and weight scaling should differ a little (gap 1e-3…0.1); the gap is \(gap).",
              in: .bagging2)
    }
}

@Suite("Bagging3 · Geometric mean: where weight scaling is exact for softmax", .graded(.bagging3))
struct Bagging3Tests {
    @Test("reproduces σ(3) for two classes with logits [sum(h ⊙ m), 0], h = [2, 4]")
    func twoClassesByHand() throws {
        // p(class 0) = σ(u), p(class 1) = σ(−u) for u = sum(h ⊙ m) ∈ {0, 4, 2, 6}, each with
        // probability 1/4. The renormalized geometric mean has odds
        // exp(mean(log σ(u) − log σ(−u))) = exp(mean(u)) = e³, so p(class 0) = σ(3).
        let head: (Tensor) throws -> Tensor = { h in
            let u = try h.sum(alongAxis: 1)
            return Tensor(shape: [h.shape[0], 2]) { i in i % 2 == 0 ? BaggingFixtures.sigmoid(u[i / 2]) : BaggingFixtures.sigmoid(-u[i / 2]) }
        }
        let g = try baggedGeometricMean(hidden: try Tensor([[2, 4]]), keepProbability: 0.5, head: head)
        let s3 = BaggingFixtures.sigmoid(3)
        // The mistakes: the weighted geometric means exp(Σ p log q) left unnormalized, and the
        // weights put inside the log, log(p·q) = log p + log q, where they cancel (odds e^12).
        let u: [Double] = [0, 4, 2, 6]
        let g0 = exp(u.map { 0.25 * log(BaggingFixtures.sigmoid($0)) }.reduce(0, +))
        let g1 = exp(u.map { 0.25 * log(BaggingFixtures.sigmoid(-$0)) }.reduce(0, +))
        let s12 = BaggingFixtures.sigmoid(12)
        check(g, equals: try Tensor([[s3, 1 - s3]]), "the geometric mean for h = [2, 4], keep 0.5", in: .bagging3,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12,
              misconceptions: [Misconception(try Tensor([[g0, g1]]), "the weighted geometric means are not renormalized: divide each row by its sum so that it is a distribution"),
                               Misconception(try Tensor([[s12, 1 - s12]]), "the weights went inside the log, log(p·q), where they cancel: weight the logs, p·log q")])
    }

    @Test("equals the weight-scaled softmax for an affine softmax head (seeded)", arguments: [0.5, 0.8])
    func softmaxHead(keepProbability: Double) throws {
        // The 1e-3…0.1 band was measured for these inputs, so they do not follow the grading seed.
        let (h, w, b) = BaggingFixtures.affine(seed: 5, fixed: true)
        let head: (Tensor) throws -> Tensor = { try BaggingFixtures.softmax(try $0.matmul(w) + b) }
        let g = try baggedGeometricMean(hidden: h, keepProbability: keepProbability, head: head)
        // Σ P(m) log softmax(z_m) = z(keep · h) − (a constant per row), because z is affine
        // in m and E[m] = keep; renormalizing removes the constant.
        let expected = try BaggingFixtures.softmax(try (h * keepProbability).matmul(w) + b)
        // 16 weighted logs are summed: rounding stays near 1e-15, so 1e-10 is a safe bound.
        check(g, equals: expected, "the renormalized geometric mean (keep \(keepProbability))", in: .bagging3,
              absoluteTolerance: 1e-10, relativeTolerance: 1e-10)
    }

    @Test("renormalizes: scaling every sub-network's output by 5, 1e-200 or 1e200 changes nothing")
    func renormalizes() throws {
        // A geometric mean of 5·p is 5 times the geometric mean of p, so after each row is
        // rescaled to sum to 1 the factor is gone. Without the renormalization the rows of the
        // plain softmax head would not even sum to 1 (a geometric mean of distributions is
        // not a distribution).
        let (h, w, b) = BaggingFixtures.affine(seed: 8)
        let head: (Tensor) throws -> Tensor = { try BaggingFixtures.softmax(try $0.matmul(w) + b) }
        let plain = try baggedGeometricMean(hidden: h, keepProbability: 0.6, head: head)
        check(try plain.sum(alongAxis: 1), equals: Tensor([1, 1, 1]), "the row sums", in: .bagging3,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        // 1e-200 and 1e200: the weighted logs sit near ∓460. Subtracting each row's largest one
        // brings them near 0 before exp (it cancels in the division); adding it instead doubles
        // them to ∓920, where exp underflows to 0 (below −745) or overflows (above 709).
        for factor in [5, 1e-200, 1e200] {
            let scaled = try baggedGeometricMean(hidden: h, keepProbability: 0.6, head: { try head($0) * factor })
            check(scaled.scalars.allSatisfy(\.isFinite),
                  "the geometric mean of a head scaled by \(factor) is not finite: \(scaled). Subtract (not add) each row's largest weighted log before exp: it cancels when the rows are renormalized and keeps exp in range.",
                  in: .bagging3)
            check(scaled, equals: plain, "the geometric mean of a head scaled by \(factor)", in: .bagging3,
                  absoluteTolerance: 1e-12, relativeTolerance: 1e-10)
        }
    }
}

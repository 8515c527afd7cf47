import Foundation
import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let dropConnect1 = Exercise(id: "DropConnect1", chapter: "08-DropoutRevisited", file: "DropConnect.swift",
                                       title: "DropConnect forward", points: 3)
    static let dropConnect2 = Exercise(id: "DropConnect2", chapter: "08-DropoutRevisited", file: "DropConnect.swift",
                                       title: "DropConnect backward", points: 4)
}

/// A worked example small enough to do by hand (notes 001 show DropConnect only as a figure).
///
/// keepProbability 0.5, so kept weights are doubled: the effective weight is
///     W̃ = (mask ⊙ w) / 0.5 = [[2, 0, 6], [0, 10, 12]]
/// out = x · W̃ + b:
///     row 0: [1·2 + 2·0, 1·0 + 2·10, 1·6 + 2·12] + [0.5, −1, 0] = [2.5, 19, 30]
///     row 1: [−1·2 + 0.5·0, −1·0 + 0.5·10, −1·6 + 0.5·12] + b = [−1.5, 4, 0]
/// At inference out = x · w + b:
///     row 0: [1 + 8, 2 + 10, 3 + 12] + b = [9.5, 11, 15]
///     row 1: [−1 + 2, −2 + 2.5, −3 + 3] + b = [1.5, −0.5, 0]
/// Backward with dout = [[1, 0, −1], [2, 1, 0]]:
///     dx = dout · W̃ᵀ:  row 0 [1·2 − 1·6, −1·12] = [−4, −12];  row 1 [2·2, 1·10] = [4, 10]
///     xᵀ · dout = [[1 − 2, 0 − 1, −1 − 0], [2 + 1, 0 + 0.5, −2 + 0]] = [[−1, −1, −1], [3, 0.5, −2]]
///     dw = (xᵀ · dout) ⊙ mask / 0.5 = [[−2, 0, −2], [0, 1, −4]]
///     db = column sums of dout = [3, 1, −1]
/// (cross-checked with numpy.)
enum DropConnectExample {
    static let x: [[Double]] = [[1, 2], [-1, 0.5]]
    static let w: [[Double]] = [[1, 2, 3], [4, 5, 6]]
    static let b: [Double] = [0.5, -1, 0]
    static let mask: [[Double]] = [[1, 0, 1], [0, 1, 1]]
    static let keepProbability = 0.5
    static let trainingOut: [[Double]] = [[2.5, 19, 30], [-1.5, 4, 0]]
    static let inferenceOut: [[Double]] = [[9.5, 11, 15], [1.5, -0.5, 0]]
    static let dout: [[Double]] = [[1, 0, -1], [2, 1, 0]]
    static let dx: [[Double]] = [[-4, -12], [4, 10]]
    static let dw: [[Double]] = [[-2, 0, -2], [0, 1, -4]]
    static let db: [Double] = [3, 1, -1]

    /// The test's own forward pass, written with core operations only, so DropConnect2's gradient
    /// check does not depend on the student's DropConnect1.
    static func reference(_ x: Tensor, _ w: Tensor, _ b: Tensor, mask: Tensor, scale: Double) throws -> Tensor {
        try x.matmul(try mask * w * scale) + b
    }
}

@Suite("DropConnect1 · DropConnect forward", .graded(.dropConnect1))
struct DropConnect1Tests {
    @Test("masks and rescales the weights of the hand-worked example")
    func workedExample() throws {
        let e = DropConnectExample.self
        let (out, cache) = try dropConnectForward(try Tensor(e.x), weight: try Tensor(e.w), bias: Tensor(e.b),
                                                  keepProbability: e.keepProbability, mask: try Tensor(e.mask), mode: .training)
        check(out, equals: try Tensor(e.trainingOut), "dropConnectForward(x, w, b, mask, keep 0.5) in training", in: .dropConnect1,
              misconceptions: [Misconception(try e.reference(try Tensor(e.x), try Tensor(e.w), Tensor(e.b), mask: try Tensor(e.mask), scale: 1),
                                             "the output uses mask ⊙ w without rescaling: divide the kept weights by keep, so that E[W̃] = w")])
        check(cache.mask, equals: try Tensor(e.mask), "the cached mask", in: .dropConnect1)
        check(cache.scale, equals: 2, "the cached scale (1 / keepProbability)", in: .dropConnect1)
        check(cache.x, equals: try Tensor(e.x), "the cached input x", in: .dropConnect1)
        check(cache.w, equals: try Tensor(e.w), "the cached (unmasked) weights w", in: .dropConnect1)
    }

    @Test("is the plain affine layer at inference (drawing nothing) and in training with keep 1")
    func inference() throws {
        let e = DropConnectExample.self
        var rng = SeededGenerator(inputSeed: 11)
        let before = rng
        let (out, cache) = try dropConnectForward(try Tensor(e.x), weight: try Tensor(e.w), bias: Tensor(e.b),
                                                  keepProbability: 0.3, mode: .inference, using: &rng)
        check(out, equals: try Tensor(e.inferenceOut), "dropConnectForward at inference (x · w + b)", in: .dropConnect1,
              misconceptions: [Misconception(try e.reference(try Tensor(e.x), try Tensor(e.w), Tensor(e.b), mask: Tensor(repeating: 1, shape: [2, 3]), scale: 0.3),
                                             "the weights are multiplied by keep at inference; with inverted scaling in training, inference uses w as it is")])
        check(rng == before, "at inference no mask is drawn, so the generator must not advance.", in: .dropConnect1)
        check(cache.scale, equals: 1, "the cached scale at inference", in: .dropConnect1)
        check(cache.mask, equals: Tensor(repeating: 1, shape: [2, 3]), "the cached mask at inference (all ones)", in: .dropConnect1)
        // The explicit-mask overload ignores its mask at inference too.
        let (given, _) = try dropConnectForward(try Tensor(e.x), weight: try Tensor(e.w), bias: Tensor(e.b),
                                                keepProbability: 0.5, mask: try Tensor(e.mask), mode: .inference)
        check(given, equals: try Tensor(e.inferenceOut), "dropConnectForward(mask:) at inference", in: .dropConnect1)
        // keep 1 (inside (0, 1]) in training keeps every weight at scale 1: the plain layer again.
        var sure = SeededGenerator(inputSeed: 12)
        let (kept, _) = try dropConnectForward(try Tensor(e.x), weight: try Tensor(e.w), bias: Tensor(e.b),
                                               keepProbability: 1, mode: .training, using: &sure)
        check(kept, equals: try Tensor(e.inferenceOut), "dropConnectForward in training with keepProbability 1 (every weight kept, scale 1)", in: .dropConnect1)
    }

    @Test("draws one uniform per weight in row-major order, keeping draws below keepProbability")
    func drawOrder() throws {
        var rng = SeededGenerator(inputSeed: 2024)
        let x = Tensor.randomNormal(shape: [3, 4], using: &rng)
        let w = Tensor.randomNormal(shape: [4, 5], using: &rng)
        let b = Tensor.randomNormal(shape: [5], using: &rng)
        // The documented draw, done here with a copy of the generator.
        var copy = rng
        let expectedMask = Tensor(shape: [4, 5]) { _ in copy.nextUniform() < 0.6 ? 1 : 0 }
        let (out, cache) = try dropConnectForward(x, weight: w, bias: b, keepProbability: 0.6, mode: .training, using: &rng)
        check(cache.mask, equals: expectedMask, "the mask drawn with seed 2024 and keepProbability 0.6", in: .dropConnect1)
        check(rng == copy, "the forward pass should draw exactly one number per weight (20 here).", in: .dropConnect1)
        let expected = try DropConnectExample.reference(x, w, b, mask: expectedMask, scale: 1 / 0.6)
        check(out, equals: expected, "dropConnectForward with that mask", in: .dropConnect1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("with whole rows of the mask dropped, DropConnect is dropout on the inputs")
    func wholeRowsDropInputs() throws {
        // Row i of w holds every weight leaving input i. Dropping the whole row is dropping
        // input i: x · ((M ⊙ w)/p) = ((x ⊙ r)/p) · w when M's rows are the unit mask r.
        var rng = SeededGenerator(inputSeed: 12)
        let x = Tensor.randomNormal(shape: [3, 4], using: &rng)
        let w = Tensor.randomNormal(shape: [4, 2], using: &rng)
        let b = Tensor.randomNormal(shape: [2], using: &rng)
        let r = Tensor([1, 0, 1, 0])
        let rows = try Tensor([[1, 1], [0, 0], [1, 1], [0, 0]])
        let (out, _) = try dropConnectForward(x, weight: w, bias: b, keepProbability: 0.5, mask: rows, mode: .training)
        let dropout = try (try x * r / 0.5).matmul(w) + b
        check(out, equals: dropout, "DropConnect with rows 1 and 3 dropped versus inverted dropout of inputs 1 and 3", in: .dropConnect1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("keeps about keepProbability of the weights, and the expected output is x · w + b")
    func expectation() throws {
        var rng = SeededGenerator(inputSeed: 99)
        // Kept fraction over 2,000 weights with keep 0.75: standard deviation
        // sqrt(0.75 · 0.25 / 2000) ≈ 0.0097, so 0.05 is a five-sigma bound.
        let big = Tensor.randomNormal(shape: [40, 50], using: &rng)
        let (_, cache) = try dropConnectForward(Tensor(zeros: [1, 40]), weight: big, bias: Tensor(zeros: [50]),
                                                keepProbability: 0.75, mode: .training, using: &rng)
        check(abs(cache.mask.mean() - 0.75) < 0.05,
              "about 75% of the weights should be kept with keepProbability 0.75; kept \(cache.mask.mean()).", in: .dropConnect1)

        // E[out] = x · E[mask ⊙ w / p] + b = x · w + b (inverted scaling).
        let x = Tensor.randomNormal(shape: [2, 3], using: &rng)
        let w = Tensor.randomNormal(shape: [3, 4], using: &rng)
        let b = Tensor.randomNormal(shape: [4], using: &rng)
        let p = 0.5, draws = 2000
        var total = Tensor(zeros: [2, 4])
        for _ in 0..<draws {
            total = try total + (try dropConnectForward(x, weight: w, bias: b, keepProbability: p, mode: .training, using: &rng).out)
        }
        let mean = total / Double(draws)
        let expected = try x.matmul(w) + b
        // Var(out_nj) = Σ_i x_ni² w_ij² (1 − p) / p; the mean of `draws` outputs has standard
        // deviation sqrt(Var / draws). Five of those is the bound per entry.
        for n in 0..<2 {
            for j in 0..<4 {
                let variance = (0..<3).map { i in x[n, i] * x[n, i] * w[i, j] * w[i, j] * (1 - p) / p }.reduce(0, +)
                let bound = 5 * (variance / Double(draws)).squareRoot()
                check(abs(mean[n, j] - expected[n, j]) <= bound,
                      "the mean of \(draws) training outputs at [\(n), \(j)] is \(mean[n, j]), expected \(expected[n, j]) ± \(bound). Did you divide the kept weights by keepProbability?",
                      in: .dropConnect1)
            }
        }
    }

    @Test("rejects a keep probability outside (0, 1] and mismatched shapes")
    func rejectsBadArguments() throws {
        let e = DropConnectExample.self
        var rng = SeededGenerator(inputSeed: 3)
        for keep in [0.0, -0.5, 1.5] {
            try checkThrows(ArgumentError.self, "dropConnectForward with keepProbability \(keep)", in: .dropConnect1) {
                _ = try dropConnectForward(try Tensor(e.x), weight: try Tensor(e.w), bias: Tensor(e.b),
                                           keepProbability: keep, mode: .training, using: &rng)
            }
            for mode in [Mode.training, .inference] {
                try checkThrows(ArgumentError.self, "dropConnectForward(mask:) with keepProbability \(keep) in \(mode)", in: .dropConnect1) {
                    _ = try dropConnectForward(try Tensor(e.x), weight: try Tensor(e.w), bias: Tensor(e.b),
                                               keepProbability: keep, mask: try Tensor(e.mask), mode: mode)
                }
            }
        }
        try checkThrowsShapeError("dropConnectForward with a [3, 2] mask for [2, 3] weights", in: .dropConnect1) {
            _ = try dropConnectForward(try Tensor(e.x), weight: try Tensor(e.w), bias: Tensor(e.b), keepProbability: 0.5,
                                       mask: Tensor(repeating: 1, shape: [3, 2]), mode: .training)
        }
        try checkThrowsShapeError("dropConnectForward with x [2, 2] and w [3, 3]", in: .dropConnect1) {
            _ = try dropConnectForward(try Tensor(e.x), weight: Tensor(zeros: [3, 3]), bias: Tensor(zeros: [3]),
                                       keepProbability: 0.5, mode: .training, using: &rng)
        }
    }
}

@Suite("DropConnect2 · DropConnect backward", .graded(.dropConnect2))
struct DropConnect2Tests {
    @Test("reproduces the hand-worked gradients")
    func workedExample() throws {
        let e = DropConnectExample.self
        let cache = DropConnectCache(x: try Tensor(e.x), w: try Tensor(e.w), mask: try Tensor(e.mask), scale: 2)
        let (dx, dw, db) = try dropConnectBackward(try Tensor(e.dout), cache: cache)
        checkExactGradient(dx, equals: try Tensor(e.dx), "dx", in: .dropConnect2,
              misconceptions: [Misconception(try Tensor.matmul(try Tensor(e.dout), try Tensor(e.w), transposeB: true),
                                             "dx = dout · wᵀ uses the raw weights; the forward pass used W̃ = mask ⊙ w / keep, so dx = dout · W̃ᵀ")])
        checkExactGradient(dw, equals: try Tensor(e.dw), "dw (a dropped weight gets no gradient)", in: .dropConnect2,
              misconceptions: [Misconception(try Tensor([[-1, -1, -1], [3, 0.5, -2]]),
                                             "dw is xᵀ · dout, the gradient of W̃, without the mask and scale: chain through W̃ = mask ⊙ w / keep")])
        checkExactGradient(db, equals: Tensor(e.db), "db", in: .dropConnect2,
              misconceptions: [Misconception(Tensor(e.db) / 2, "db averages dout over the batch; each bias entry is added to all N rows, so its gradient is the sum")])
    }

    @Test("matches the numeric gradients for x, w and b", arguments: [0.5, 0.8, 1.0])
    func gradientCheck(keepProbability: Double) throws {
        var rng = SeededGenerator(inputSeed: 7)
        let x = Tensor.randomNormal(shape: [3, 4], using: &rng)
        let w = Tensor.randomNormal(shape: [4, 5], using: &rng)
        let b = Tensor.randomNormal(shape: [5], using: &rng)
        let dout = Tensor.randomNormal(shape: [3, 5], using: &rng)
        let mask = Tensor(shape: [4, 5]) { _ in rng.nextUniform() < keepProbability ? 1 : 0 }
        let scale = 1 / keepProbability
        let cache = DropConnectCache(x: x, w: w, mask: mask, scale: scale)
        let (dx, dw, db) = try dropConnectBackward(dout, cache: cache)
        // The layer is affine in each argument, so the centered difference is exact up to
        // rounding: 1e-7 is generous.
        let ref = DropConnectExample.reference
        checkGradient(dx, matches: try numericGradient(of: { try ref($0, w, b, mask, scale) }, at: x, upstream: dout),
                      "dx (keep \(keepProbability))", in: .dropConnect2)
        checkGradient(dw, matches: try numericGradient(of: { try ref(x, $0, b, mask, scale) }, at: w, upstream: dout),
                      "dw (keep \(keepProbability))", in: .dropConnect2)
        checkGradient(db, matches: try numericGradient(of: { try ref(x, w, $0, mask, scale) }, at: b, upstream: dout),
                      "db (keep \(keepProbability))", in: .dropConnect2)
    }

    @Test("rejects an upstream gradient that is not [N, M]")
    func rejectsMismatchedSizes() throws {
        let e = DropConnectExample.self
        let cache = DropConnectCache(x: try Tensor(e.x), w: try Tensor(e.w), mask: try Tensor(e.mask), scale: 2)
        try checkThrowsShapeError("dropConnectBackward with dout [2, 2] for out [2, 3]", in: .dropConnect2) {
            _ = try dropConnectBackward(Tensor(zeros: [2, 2]), cache: cache)
        }
    }
}

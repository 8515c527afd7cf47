import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let dense1 = Exercise(id: "Dense1", chapter: "02-DenseLayers", file: "Dense.swift", title: "Dense layer forward", points: 2)
    static let dense2 = Exercise(id: "Dense2", chapter: "02-DenseLayers", file: "Dense.swift", title: "Dense layer backward", points: 3)
}

/// A worked example small enough to do by hand (it is in the guide, step by step).
///
///     out[0] = [1·1 + 2·0 + 3·1,  1·(−1) + 2·2 + 3·0.5] + [0.5, −1] = [4, 4.5] + b = [4.5, 3.5]
///     out[1] = [−1·1 + 0 + 2·1,  −1·(−1) + 0 + 2·0.5]  + [0.5, −1] = [1, 2]   + b = [1.5, 1]
///     dx = dout·Wᵀ:  row 0 = 1·W[:,0] + 0·W[:,1] = [1, 0, 1];  row 1 = 2·W[:,0] − W[:,1] = [3, −2, 1.5]
///     dW = xᵀ·dout:  dW[d, m] = Σ_n x[n, d]·dout[n, m] = [[−1, 1], [2, 0], [7, −2]]
///     db = column sums of dout = [3, −1]
enum DenseExample {
    static let x: [[Double]] = [[1, 2, 3], [-1, 0, 2]]
    static let weight: [[Double]] = [[1, -1], [0, 2], [1, 0.5]]
    static let bias: [Double] = [0.5, -1]
    static let out: [[Double]] = [[4.5, 3.5], [1.5, 1]]
    static let dout: [[Double]] = [[1, 0], [2, -1]]
    static let dx: [[Double]] = [[1, 0, 1], [3, -2, 1.5]]
    static let dw: [[Double]] = [[-1, 1], [2, 0], [7, -2]]
    static let db: [Double] = [3, -1]
}

@Suite("Dense1 · Dense layer forward", .graded(.dense1))
struct Dense1Tests {
    @Test("reproduces the hand-worked 2×3 · 3×2 example")
    func workedExample() throws {
        let (out, cache) = try denseForward(try Tensor(DenseExample.x), weight: try Tensor(DenseExample.weight),
                                            bias: Tensor(DenseExample.bias))
        check(out, equals: try Tensor(DenseExample.out), "denseForward(x, W, b) for the guide's example", in: .dense1,
              misconceptions: [Misconception(try Tensor([[4, 4.5], [1, 2]]), "the output equals x·W without the bias; each row gets + b")])
        let x = try Tensor(DenseExample.x), w = try Tensor(DenseExample.weight)
        check(cache.x == x && cache.weight == w,
              "the cache should hold x and weight unchanged, so the backward pass can use them\(cache.x == out ? " (cache.x holds the output; dW = xᵀ·dout needs the input)" : "").", in: .dense1)
    }

    @Test("adds the bias to every row: with zero weights every output row is the bias")
    func biasAddedToEveryRow() throws {
        var rng = SeededGenerator(inputSeed: 2)
        let x = Tensor.randomNormal(shape: [4, 3], using: &rng)
        let bias = Tensor([0.25, -2, 7])
        let (out, _) = try denseForward(x, weight: Tensor(zeros: [3, 3]), bias: bias)
        // out = x·0 + b, so each of the 4 rows equals b exactly.
        check(out, equals: try Tensor([[0.25, -2, 7], [0.25, -2, 7], [0.25, -2, 7], [0.25, -2, 7]]),
              "denseForward with zero weights", in: .dense1)
    }

    @Test("agrees with the per-unit sum of the notes, z_m = Σ_d x_d·w_dm + b_m, on seeded data")
    func matchesLoopDefinition() throws {
        var rng = SeededGenerator(inputSeed: 22)
        let x = Tensor.randomNormal(shape: [5, 4], using: &rng)
        let w = Tensor.randomNormal(shape: [4, 3], using: &rng)
        let b = Tensor.randomNormal(shape: [3], using: &rng)
        let (out, _) = try denseForward(x, weight: w, bias: b)
        // The reference is the definition written out as loops.
        var expected = Tensor(zeros: [5, 3])
        for n in 0..<5 {
            for m in 0..<3 {
                var z = b[m]
                for d in 0..<4 { z += x[n, d] * w[d, m] }
                expected[n, m] = z
            }
        }
        check(out, equals: expected, "denseForward on seeded [5, 4]·[4, 3]", in: .dense1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("two dense layers with no activation between them are one dense layer: W = W1·W2, b = b1·W2 + b2 (a measurement)")
    func stackedLinearLayersCollapse() throws {
        // Notes 003: without a nonlinearity, stacking layers adds nothing: (x·W1 + b1)·W2 + b2 = x·(W1·W2) + (b1·W2 + b2),
        // one affine map, whose decision boundaries are hyperplanes however many layers there are.
        var rng = SeededGenerator(inputSeed: 23)
        let x = Tensor.randomNormal(shape: [6, 4], using: &rng)
        // Square weights, so that a layer computing x·Wᵀ (PyTorch's storage) would pass every shape check.
        let (w1, b1) = (Tensor.randomNormal(shape: [4, 4], using: &rng), Tensor.randomNormal(shape: [4], using: &rng))
        let (w2, b2) = (Tensor.randomNormal(shape: [4, 4], using: &rng), Tensor.randomNormal(shape: [4], using: &rng))
        let (h, _) = try denseForward(x, weight: w1, bias: b1)
        let (twoLayers, _) = try denseForward(h, weight: w2, bias: b2)
        let b = try Tensor.matmul(b1.reshaped([1, 4]), w2).reshaped([4]) + b2
        let (oneLayer, _) = try denseForward(x, weight: try Tensor.matmul(w1, w2), bias: b)
        check(twoLayers, equals: oneLayer, "two stacked dense layers against the single layer (W1·W2, b1·W2 + b2)", in: .dense1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        // Returning x (or zeros) makes both sides equal too: one entry by the notes' per-unit sum.
        let w = try Tensor.matmul(w1, w2)
        let z00 = (0..<4).reduce(b[0]) { $0 + x[0, $1] * w[$1, 0] }
        check(oneLayer.shape == [6, 4] && abs(oneLayer[0, 0] - z00) < 1e-12 * max(1, abs(z00)),
              "the single layer's out[0, 0] should be Σ_d x[0, d]·W[d, 0] + b[0] = \(z00).", in: .dense1)
    }

    @Test("rejects mismatched shapes with a ShapeError")
    func rejectsWrongSizes() throws {
        try checkThrowsShapeError("denseForward with x [2, 3] and weight [4, 2]", in: .dense1) {
            _ = try denseForward(Tensor(zeros: [2, 3]), weight: Tensor(zeros: [4, 2]), bias: Tensor(zeros: [2]))
        }
        try checkThrowsShapeError("denseForward with weight [3, 2] and bias [3]", in: .dense1) {
            _ = try denseForward(Tensor(zeros: [2, 3]), weight: Tensor(zeros: [3, 2]), bias: Tensor(zeros: [3]))
        }
        try checkThrowsShapeError("denseForward with a vector x [3]", in: .dense1) {
            _ = try denseForward(Tensor(zeros: [3]), weight: Tensor(zeros: [3, 2]), bias: Tensor(zeros: [2]))
        }
    }
}

@Suite("Dense2 · Dense layer backward", .graded(.dense2))
struct Dense2Tests {
    @Test("reproduces dx, dW and db of the hand-worked example")
    func workedExample() throws {
        // The cache is built here, so the backward pass is graded even without Dense1.
        let cache = DenseCache(x: try Tensor(DenseExample.x), weight: try Tensor(DenseExample.weight))
        let (dx, dw, db) = try denseBackward(try Tensor(DenseExample.dout), cache: cache)
        checkExactGradient(dx, equals: try Tensor(DenseExample.dx), "dx", in: .dense2)
        checkExactGradient(dw, equals: try Tensor(DenseExample.dw), "dw", in: .dense2)
        checkExactGradient(db, equals: Tensor(DenseExample.db), "db", in: .dense2,
              misconceptions: [Misconception(Tensor([1.5, -0.5]), "db averages dout over the batch; each bias entry is added to all N rows, so its gradient is the sum")])
    }

    @Test("matches the numeric gradients for x, W and b on seeded inputs")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 231)
        let x = Tensor.randomNormal(shape: [4, 5], using: &rng)
        let w = Tensor.randomNormal(shape: [5, 3], using: &rng)
        let b = Tensor.randomNormal(shape: [3], using: &rng)
        let dout = Tensor.randomNormal(shape: [4, 3], using: &rng)
        // The forward pass is written out here (not the student's Dense1), so only Dense2 is graded.
        func forward(_ x: Tensor, _ w: Tensor, _ b: Tensor) throws -> Tensor { try Tensor.matmul(x, w) + b }
        let (dx, dw, db) = try denseBackward(dout, cache: DenseCache(x: x, weight: w))
        checkGradient(dx, matches: try numericGradient(of: { try forward($0, w, b) }, at: x, upstream: dout), "dx", in: .dense2)
        checkGradient(dw, matches: try numericGradient(of: { try forward(x, $0, b) }, at: w, upstream: dout), "dw", in: .dense2)
        checkGradient(db, matches: try numericGradient(of: { try forward(x, w, $0) }, at: b, upstream: dout), "db", in: .dense2)
    }

    @Test("rejects an upstream gradient that is not [N, M]")
    func rejectsWrongSizes() throws {
        let cache = DenseCache(x: Tensor(zeros: [2, 3]), weight: Tensor(zeros: [3, 4]))
        try checkThrowsShapeError("denseBackward with dout [2, 3] for out [2, 4]", in: .dense2) {
            _ = try denseBackward(Tensor(zeros: [2, 3]), cache: cache)
        }
        try checkThrowsShapeError("denseBackward with dout [4, 4] for out [2, 4]", in: .dense2) {
            _ = try denseBackward(Tensor(zeros: [4, 4]), cache: cache)
        }
    }
}

import Foundation
import WorkbookCore

/// Wall-clock seconds of the best of `repeats` runs of `body` (the minimum is the least disturbed
/// by other processes on a shared machine).
func bestTime(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<max(repeats, 1) {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return best
}

/// The machine's measured f64 FMA peak for one core, in GFLOP/s: twelve independent 8-wide fused
/// multiply-add chains (enough to hide the FMA latency), counted as 2 flops per lane.
func measuredFMAPeak() -> Double {
    let iterations = 2_000_000
    var accumulators = [SIMD8<Double>](repeating: SIMD8(repeating: 1), count: 12)
    let x = SIMD8<Double>(repeating: 0.999_999_9), y = SIMD8<Double>(repeating: 1e-9)
    let seconds = bestTime(repeats: 3) {
        accumulators.withUnsafeMutableBufferPointer { acc in
            var a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5]
            var a6 = acc[6], a7 = acc[7], a8 = acc[8], a9 = acc[9], a10 = acc[10], a11 = acc[11]
            for _ in 0..<iterations {
                a0 = a0.addingProduct(a0, x) + y; a1 = a1.addingProduct(a1, x); a2 = a2.addingProduct(a2, x)
                a3 = a3.addingProduct(a3, x); a4 = a4.addingProduct(a4, x); a5 = a5.addingProduct(a5, x)
                a6 = a6.addingProduct(a6, x); a7 = a7.addingProduct(a7, x); a8 = a8.addingProduct(a8, x)
                a9 = a9.addingProduct(a9, x); a10 = a10.addingProduct(a10, x); a11 = a11.addingProduct(a11, x)
            }
            acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3; acc[4] = a4; acc[5] = a5
            acc[6] = a6; acc[7] = a7; acc[8] = a8; acc[9] = a9; acc[10] = a10; acc[11] = a11
        }
    }
    // Keep the result alive so the loop is not removed.
    if accumulators.reduce(0, { $0 + $1.sum() }).isNaN { print("") }
    return Double(iterations) * 12 * 8 * 2 / seconds / 1e9
}

/// GFLOP/s of `Tensor.matmul` for one shape and transpose pattern, best of several runs.
func gemmGigaflops(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) throws -> Double {
    var rng = SeededGenerator(seed: 7)
    let a = Tensor.randomUniform(shape: transposeA ? [k, m] : [m, k], using: &rng)
    let b = Tensor.randomUniform(shape: transposeB ? [n, k] : [k, n], using: &rng)
    let flops = 2.0 * Double(m * n * k)
    let inner = max(1, Int(2e8 / flops))  // about 0.2 GFLOP per timed run
    var sink = 0.0
    let seconds = try bestTime(repeats: 5) {
        for _ in 0..<inner {
            sink += try Tensor.matmul(a, b, transposeA: transposeA, transposeB: transposeB)[flat: 0]
        }
    }
    if sink.isNaN { print("") }
    return flops * Double(inner) / seconds / 1e9
}

extension Trainer {
    static let benchCommand = Command(
        name: "bench",
        abstract: "Time the matmul kernel and a training epoch of the reference MLP and CNN.",
        discussion: """
            Prints figures only (no test is ever timed). Build in release for meaningful numbers:
              WORKBOOK=Solutions swift run -c release trainer bench
            One thread, f64. The MLP is 64-256-256-10 (ReLU, softmax cross-entropy, SGD, batch 64) and the
            CNN 3x3 conv with 8 channels, ReLU, 2x2 max pool, dense to 10, both on the 1797 digits.
            """,
        options: [
            .value("part", "what", default: "all", "kernel, mlp, cnn or all"),
            .value("epochs", "n", default: "5", "epochs timed per model (the best is reported)"),
        ],
        run: { options, console in
            let part = try options.choice("part", ["kernel", "mlp", "cnn", "all"])
            let epochs = try options.int("epochs", atLeast: 1)
            #if DEBUG
            console.print("note: this is a debug build; kernels run about 100× slower than with -c release")
            #endif
            if part == "kernel" || part == "all" { try benchKernel(console) }
            if part == "mlp" || part == "all" { try benchModel(.mlp, epochs: epochs, console) }
            if part == "cnn" || part == "all" { try benchModel(.cnn, epochs: epochs, console) }
        })

    static func benchKernel(_ console: Console) throws {
        let peak = measuredFMAPeak()
        console.print(String(format: "f64 FMA peak, one core (measured): %.1f GFLOP/s", peak))
        console.print("matmul                       GFLOP/s   % of peak")
        let shapes: [(String, Int, Int, Int, Bool, Bool)] = [
            ("64x64 · 64x64", 64, 64, 64, false, false),
            ("128x128 · 128x128", 128, 128, 128, false, false),
            ("256x256 · 256x256", 256, 256, 256, false, false),
            ("MLP fwd 64x256 · 256x256", 64, 256, 256, false, false),
            ("MLP dW  (64x256)ᵀ · 64x256", 256, 256, 64, true, false),
            ("MLP dX  64x256 · (256x256)ᵀ", 64, 256, 256, false, true),
            ("MLP fwd 64x64 · 64x256", 64, 256, 64, false, false),
        ]
        for (label, m, n, k, ta, tb) in shapes {
            let g = try gemmGigaflops(m: m, n: n, k: k, transposeA: ta, transposeB: tb)
            console.print(label.padding(toLength: 29, withPad: " ", startingAt: 0)
                          + String(format: "%7.1f   %5.1f %%", g, 100 * g / peak))
        }
    }
}

extension Trainer {
    enum BenchModel { case mlp, cnn }

    /// Times training epochs of the reference MLP or CNN on all 1797 digits (SGD, batch 64, one thread),
    /// the loop the numpy and PyTorch figures in the issue were measured with.
    static func benchModel(_ model: BenchModel, epochs: Int, _ console: Console) throws {
        let digits = try DataLoader.digits()
        let normalized = try Normalizer(fitting: digits.features).apply(digits)
        let configuration = TrainingConfiguration(
            model: model == .mlp ? "mlp" : "cnn", data: "digits", labelsFile: nil, hidden: [256, 256], batchNorm: .none,
            keepProbability: 1, initialization: .he, optimizer: .sgd, learningRate: 0.05, momentum: 0.9, learningRateDecay: 1,
            batchSize: 64, epochs: epochs, patience: 0, seed: 1, validationFraction: 0, testFraction: 0, channels: 8, convLayers: 1, blocks: 0)
        var session = try Session(configuration: configuration)
        session.split.train = normalized  // all 1797, as in the reference measurements
        var times: [Double] = []
        var loss = 0.0
        for _ in 0..<epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            loss = try session.trainEpoch(learningRate: configuration.learningRate).loss
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let sorted = times.sorted()
        let label = model == .mlp ? "MLP 64-256-256-10" : "CNN conv3x3x8-pool-dense10"
        let reference = model == .mlp ? "numpy + OpenBLAS ≈ 24 ms" : "PyTorch CPU eager ≈ 22 ms"
        console.print(String(format: "%@ epoch on 1797 digits (batch 64, SGD, f64, 1 thread): best %.1f ms, median %.1f ms (%@); last loss %.4f",
                             label, sorted[0], sorted[sorted.count / 2], reference, loss))
    }
}

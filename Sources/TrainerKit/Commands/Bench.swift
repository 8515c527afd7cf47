import Foundation
import WorkbookCore
import WorkerPool

/// Which clock a benchmark reads.
enum BenchClock {
    /// Wall-clock time: what a user waits, and the only fair clock for several threads.
    case wall
    /// CPU time of the whole process: on a machine shared with other work it leaves out the time this
    /// process was not running, so one thread's figure is its speed while it runs. On an idle machine
    /// both clocks agree for one thread.
    case cpu

    var seconds: Double {
        switch self {
        case .wall:
            return Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        case .cpu:
            var time = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
    }

    var label: String { self == .wall ? "wall clock" : "CPU time" }
}

/// Seconds of the best of `repeats` runs of `body` (the minimum is the least disturbed by other
/// processes on a shared machine).
func bestTime(repeats: Int, clock: BenchClock = .wall, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<max(repeats, 1) {
        let start = clock.seconds
        try body()
        best = min(best, clock.seconds - start)
    }
    return best
}

/// The processor's name as the operating system reports it (Linux: /proc/cpuinfo), or "unknown".
func processorName() -> String {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
          let colon = line.firstIndex(of: ":") else { return "unknown" }
    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
}

/// GFLOP/s of `Tensor.matmul` for one shape and transpose pattern, best of several runs.
func gemmGigaflops(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, clock: BenchClock) throws -> Double {
    var rng = SeededGenerator(seed: 7)
    let a = Tensor.randomUniform(shape: transposeA ? [k, m] : [m, k], using: &rng)
    let b = Tensor.randomUniform(shape: transposeB ? [n, k] : [k, n], using: &rng)
    let flops = 2.0 * Double(m * n * k)
    let inner = max(1, Int(2e7 / flops))  // about 0.02 GFLOP per timed run: short runs, many of them
    var sink = 0.0
    // On a shared machine the least disturbed of many short runs is the kernel's own speed.
    let seconds = try bestTime(repeats: 40, clock: clock) {
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
        abstract: "Time the matmul kernel, training epochs of the reference MLP, CNN and ResNet, and 2 threads against 1.",
        discussion: """
            Prints figures only (no test is ever timed). Build in release for meaningful numbers:
              WORKBOOK=Solutions swift run -c release trainer bench
            f64, one thread unless --threads says otherwise; the kernel CPUID chooses unless --kernel (or
            WORKBOOK_GEMM_KERNEL) names a narrower one. Every figure printed is measured in this run. The MLP is 64-256-256-10 (ReLU, softmax cross-entropy, SGD, batch 64) and the
            CNN 3x3 conv with 8 channels, ReLU, 2x2 max pool, dense to 10, and the ResNet is the trainer's default (a 16-channel
            stem and one basic block per stage, 16, 32 and 64 channels), all on the 1797 digits. Reference/conv_torch.py
            times the CNN and the ResNet in PyTorch eager beside it. The speedup part times the ResNet on 1 thread and
            then on 2, pair after pair in one process, with how fast the two cores hand a cache line over.
            """,
        options: [
            .value("part", "what", default: "all", "kernel, threads, mlp, cnn, resnet, speedup or all (speedup: the ResNet on 1 thread then 2, --epochs pairs in one process)"),
            .value("epochs", "n", default: "5", "epochs timed per model, 1...1000 (the best and the median are reported; for speedup, the pairs)"),
            .value("kernel", "name", "the matmul kernel: fastest, avx512, avx2, neon or portable (default: WORKBOOK_GEMM_KERNEL if set, else fastest)"),
            .value("clock", "which", "the clock of the model epochs: cpu or wall (default: CPU time for one thread, wall clock for more)"),
            .value("threads", "n", default: "1", "threads for large products and per-image loops, 1...\(Limits.maxThreads) (kernel, mlp, cnn, resnet; the threads part compares 1 and 2)"),
        ],
        run: { options, console in
            let part = try options.choice("part", ["kernel", "threads", "mlp", "cnn", "resnet", "speedup", "all"])
            let epochs = try options.int("epochs", atLeast: 1, atMost: 1000)
            let clock: BenchClock? = try options.optionalString("clock").map { _ in
                try options.choice("clock", ["cpu", "wall"]) == "cpu" ? BenchClock.cpu : BenchClock.wall
            }
            try applyKernelOptions(options)
            console.print("processor: \(processorName()); kernel \(GemmSettings.kernel.rawValue) (\(GemmSettings.kernel.summary)); "
                          + "supported: \(GemmKernel.supported.map(\.rawValue).joined(separator: ", ")); threads \(GemmSettings.threads)")
            #if DEBUG
            console.print("note: this is a debug build; kernels run about 100× slower than with -c release")
            #endif
            if part == "kernel" || part == "all" { try benchKernel(console) }
            if part == "threads" || part == "all" { try benchThreads(console) }
            if part == "mlp" || part == "all" { try benchModel(.mlp, epochs: epochs, clock: clock, console) }
            if part == "cnn" || part == "all" { try benchModel(.cnn, epochs: epochs, clock: clock, console) }
            if part == "resnet" || part == "all" { try benchModel(.resnet, epochs: epochs, clock: clock, console) }
            if part == "speedup" || part == "all" { try benchSpeedup(pairs: epochs, console) }
        })

    static func benchKernel(_ console: Console) throws {
        let kernel = GemmSettings.kernel
        let peak = measuredFMAPeak(kernel: kernel)
        if let peak {
            console.print(String(format: "f64 FMA peak, one core, measured with chains sized to %@ registers: %.1f GFLOP/s",
                                 kernel == .avx512 ? "the 32 zmm" : kernel == .avx2 ? "the 16 ymm" : "the 32 q", peak))
        } else {
            console.print("f64 FMA peak: not measured (the portable kernel has no FMA)")
        }
        console.print("matmul (1 thread, CPU time)      GFLOP/s   % of peak")
        let shapes: [(String, Int, Int, Int, Bool, Bool)] = [
            ("64x64 · 64x64", 64, 64, 64, false, false),
            ("128x128 · 128x128", 128, 128, 128, false, false),
            ("256x256 · 256x256", 256, 256, 256, false, false),
            ("512x512 · 512x512", 512, 512, 512, false, false),
            ("1024x1024 · 1024x1024", 1024, 1024, 1024, false, false),
            ("MLP fwd 64x256 · 256x256", 64, 256, 256, false, false),
            ("MLP dW  (64x256)ᵀ · 64x256", 256, 256, 64, true, false),
            ("MLP dX  64x256 · (256x256)ᵀ", 64, 256, 256, false, true),
            ("MLP fwd 64x64 · 64x256", 64, 256, 64, false, false),
        ]
        let threads = GemmSettings.threads
        try GemmSettings.use(threads: 1)
        defer { try? GemmSettings.use(threads: threads) }
        for (label, m, n, k, ta, tb) in shapes {
            let g = try gemmGigaflops(m: m, n: n, k: k, transposeA: ta, transposeB: tb, clock: .cpu)
            let share = peak.map { String(format: "%5.1f %%", 100 * g / $0) } ?? "    —"
            console.print(label.padding(toLength: 33, withPad: " ", startingAt: 0) + String(format: "%7.1f   ", g) + share)
        }
    }

    /// Speed-up of 2 threads over 1 on large products (which split) and a small one (which must not),
    /// calling the kernel on buffers allocated once, so the figure is the kernel's and not the
    /// allocator's.
    static func benchThreads(_ console: Console) throws {
        console.print("gemm, wall clock, 1 thread vs 2     GFLOP/s 1   GFLOP/s 2   speed-up")
        let kernel = GemmSettings.kernel
        // The ResNet's products (batch 64): stage 1 at 8x8 with 16 channels (forward, dW, dX), the
        // stride-2 stages at 4x4 with 32 and 2x2 with 64 channels.
        let shapes: [(String, Int, Int, Int, Bool, Bool)] = [
            ("512x512 · 512x512", 512, 512, 512, false, false), ("1024x1024 · 1024x1024", 1024, 1024, 1024, false, false),
            ("MLP fwd 64x256 · 256x256", 64, 256, 256, false, false),
            ("ResNet 4096x144 · 144x16", 4096, 16, 144, false, false),
            ("ResNet dW (4096x144)ᵀ · 4096x16", 144, 16, 4096, true, false),
            ("ResNet dX 4096x16 · (144x16)ᵀ", 4096, 144, 16, false, true),
            ("ResNet 1024x288 · 288x32", 1024, 32, 288, false, false),
            ("ResNet 256x576 · 576x64", 256, 64, 576, false, false),
        ]
        for (label, m, n, k, ta, tb) in shapes {
            var rng = SeededGenerator(seed: 7)
            let a = (0..<(m * k)).map { _ in rng.nextUniform(in: -1..<1) }
            let b = (0..<(k * n)).map { _ in rng.nextUniform(in: -1..<1) }
            var c = [Double](repeating: 0, count: m * n)
            let flops = 2.0 * Double(m * n * k)
            let inner = max(1, Int(2e7 / flops))
            func gigaflops(threads: Int) -> Double {
                let seconds = a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        c.withUnsafeMutableBufferPointer { pc in
                            bestTime(repeats: 60) {
                                for _ in 0..<inner {
                                    gemm(m: m, n: n, k: k, a: pa.baseAddress!, transposeA: ta, b: pb.baseAddress!, transposeB: tb,
                                         c: pc.baseAddress!, kernel: kernel, threads: threads)
                                }
                            }
                        }
                    }
                }
                return flops * Double(inner) / seconds / 1e9
            }
            let one = gigaflops(threads: 1), two = gigaflops(threads: 2)
            console.print(label.padding(toLength: 35, withPad: " ", startingAt: 0) + String(format: "%9.1f   %9.1f   %6.2fx", one, two, two / one))
        }
    }

    /// Applies `--kernel` and `--threads` to the matrix kernel's settings.
    static func applyKernelOptions(_ options: ParsedOptions) throws {
        // Without --kernel, the kernel GemmSettings chose stays: WORKBOOK_GEMM_KERNEL's, else the fastest.
        if options.optionalString("kernel") != nil {
            let name = try options.choice("kernel", ["fastest"] + GemmKernel.allCases.map(\.rawValue))
            let kernel = name == "fastest" ? GemmKernel.fastest : GemmKernel(rawValue: name)!
            guard GemmKernel.supported.contains(kernel) else {
                throw UsageError("'--kernel \(name)' does not run on this processor; it supports \(GemmKernel.supported.map(\.rawValue).joined(separator: ", "))")
            }
            try GemmSettings.use(kernel: kernel)
        }
        try GemmSettings.use(threads: try options.int("threads", atLeast: 1, atMost: Limits.maxThreads))
    }
}

extension Trainer {
    enum BenchModel { case mlp, cnn, resnet }

    /// Times training epochs of the reference MLP or CNN on all 1797 digits (SGD, batch 64), the loop
    /// `Reference/mlp_numpy.py` runs in numpy.
    /// - Parameter clock: CPU time or wall clock; `nil` picks CPU time for one thread, wall clock for more.
    static func benchModel(_ model: BenchModel, epochs: Int, clock chosen: BenchClock? = nil, _ console: Console) throws {
        var session = try benchSession(model, epochs: epochs)
        let learningRate = session.configuration.learningRate
        var times: [Double] = []
        var loss = 0.0
        // One thread: CPU time (see BenchClock); several: wall clock, the only fair one. A speed-up
        // compares wall clock with wall clock (--clock wall).
        let clock: BenchClock = chosen ?? (GemmSettings.threads == 1 ? .cpu : .wall)
        // With several threads, how fast the cores hand a cache line over, before and after the
        // epochs (Sources/WorkerPool): it sets what a second thread can gain, and on a virtual
        // machine it changes while the host moves its cores around.
        let handoffBefore = GemmSettings.threads > 1 ? workbook_handoff_ns() : -1
        for _ in 0..<epochs {
            let start = clock.seconds
            loss = try session.trainEpoch(learningRate: learningRate).loss
            times.append((clock.seconds - start) * 1e3)
        }
        let sorted = times.sorted()
        console.print(String(format: "%@ epoch on 1797 digits (batch 64, SGD, f64, %d thread%@, %@): best %.1f ms, median %.1f ms; last loss %.4f",
                             model.label, GemmSettings.threads, GemmSettings.threads == 1 ? "" : "s", clock.label, sorted[0], sorted[sorted.count / 2], loss))
        if handoffBefore >= 0 {
            let handoffAfter = workbook_handoff_ns()
            console.print(String(format: "cores: a cache line passes from one thread to another in %.0f ns before these epochs, %.0f ns after (one way)",
                                 handoffBefore, handoffAfter))
        }
    }

    /// A training session of the bench's model on all 1797 digits, standardized per pixel.
    static func benchSession(_ model: BenchModel, epochs: Int) throws -> Session {
        let digits = try DataLoader.digits()
        let normalized = try Normalizer(fitting: digits.features).apply(digits)
        let configuration = TrainingConfiguration(
            model: model == .mlp ? "mlp" : model == .cnn ? "cnn" : "resnet", data: "digits", labelsFile: nil, hidden: [256, 256], batchNorm: .none,
            keepProbability: 1, initialization: .he, optimizer: .sgd, learningRate: 0.05, momentum: 0.9, learningRateDecay: 1,
            batchSize: 64, epochs: epochs, patience: 0, seed: 1, validationFraction: 0, testFraction: 0,
            channels: model == .resnet ? defaultChannels("resnet") : 8, convLayers: 1, blocks: model == .resnet ? defaultBlocks("resnet") : 0)
        var session = try Session(configuration: configuration)
        session.split.train = normalized  // all 1797, as in the reference measurements
        return session
    }

    /// The ResNet's speed-up on two threads, measured in pairs of epochs in one process: an epoch of
    /// one copy of the model on one thread, then an epoch of an identical copy on two, `pairs` times.
    /// Run back to back, the two epochs of a pair see the same machine (timed in separate runs a
    /// minute apart, one thread's epoch moved by a third on a shared host), and the two copies train
    /// to the same bits, which each pair checks. Each pair's two-thread epoch is bracketed by the
    /// hand-over probe, so a pair whose cores moved apart (or together) during it is visible, and
    /// the CPU time it got says whether both threads had a core. `Reference/conv_torch.py --swift`
    /// prints this beside PyTorch's own speed-up.
    static func benchSpeedup(pairs: Int, _ console: Console) throws {
        let threads = GemmSettings.threads
        defer { try? GemmSettings.use(threads: threads) }
        var one = try benchSession(.resnet, epochs: pairs), two = try benchSession(.resnet, epochs: pairs)
        let learningRate = one.configuration.learningRate
        console.print("\(BenchModel.resnet.label) epoch, wall clock, 1 thread then 2, \(pairs) pair\(pairs == 1 ? "" : "s")")
        console.print("pair   1 thread ms   2 threads ms   speed-up   cores got   hand-over ns (before, after)   same loss")
        var results: [SpeedupPair] = []
        for pair in 1...pairs {
            try GemmSettings.use(threads: 1)
            var start = BenchClock.wall.seconds
            let lossOne = try one.trainEpoch(learningRate: learningRate).loss
            let timeOne = BenchClock.wall.seconds - start
            try GemmSettings.use(threads: 2)
            let before = workbook_handoff_ns()
            start = BenchClock.wall.seconds
            let cpuStart = BenchClock.cpu.seconds
            let lossTwo = try two.trainEpoch(learningRate: learningRate).loss
            let timeTwo = BenchClock.wall.seconds - start
            let cores = (BenchClock.cpu.seconds - cpuStart) / timeTwo
            let result = SpeedupPair(one: timeOne, two: timeTwo, cores: cores, handoff: (before, workbook_handoff_ns()), sameLoss: lossOne == lossTwo)
            results.append(result)
            console.print(String(format: "%4d   %11.1f   %12.1f   %7.2fx   %9.2f   %12.0f, %-14.0f   %@", pair, timeOne * 1e3, timeTwo * 1e3,
                                 result.speedup, cores, result.handoff.before, result.handoff.after, result.sameLoss ? "yes" : "NO"))
        }
        console.print(SpeedupPair.summary(results))
    }
}

/// One pair of `bench --part speedup`: an epoch on one thread, then one on two.
struct SpeedupPair {
    /// Seconds of the one-thread and the two-thread epoch (wall clock).
    var one: Double, two: Double
    /// The process's CPU time over the wall clock during the two-thread epoch: near 2 when both
    /// threads had a core, lower when other work (or the spin policy's sleeping workers) took turns.
    var cores: Double = 2
    /// The hand-over probe's readings just before and just after the two-thread epoch, ns one way.
    var handoff: (before: Double, after: Double)
    /// Whether both copies of the model reported the same loss (bit for bit).
    var sameLoss: Bool

    var speedup: Double { one / two }

    /// The median speed-up over all pairs and over the pairs whose two readings were both within 1.5x
    /// of the run's median reading (the cores stayed where they usually were), and the others.
    static func summary(_ pairs: [SpeedupPair]) -> String {
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let speedups = pairs.map(\.speedup)
        var text = String(format: "speed-up: median x%.2f, lowest x%.2f, highest x%.2f over %d pair%@",
                          median(speedups), speedups.min() ?? 0, speedups.max() ?? 0, pairs.count, pairs.count == 1 ? "" : "s")
        let readings = pairs.flatMap { [$0.handoff.before, $0.handoff.after] }.filter { $0 > 0 }
        if !readings.isEmpty {
            let typical = median(readings)
            let usual = pairs.filter { pair in
                [pair.handoff.before, pair.handoff.after].allSatisfy { $0 >= typical / 1.5 && $0 <= typical * 1.5 }
            }.map(\.speedup)
            text += usual.isEmpty ? String(format: "; no pair stayed at the usual hand-over (%.0f ns)", typical)
                : String(format: "; the %d at the usual hand-over (%.0f ns): median x%.2f, lowest x%.2f",
                         usual.count, typical, median(usual), usual.min() ?? 0)
        }
        if pairs.contains(where: { !$0.sameLoss }) { text += "; THE LOSSES DIFFER: two threads changed the arithmetic" }
        return text
    }
}

extension Trainer.BenchModel {
    var label: String {
        switch self {
        case .mlp: "MLP 64-256-256-10"
        case .cnn: "CNN conv3x3x8-pool-dense10"
        case .resnet: "ResNet stem16-block16-block32/2-block64/2-avgpool-dense10"
        }
    }
}

import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let pool1 = Exercise(id: "Pool1", chapter: "10-Convolution", file: "Pooling.swift", title: "max pooling forward", points: 3)
    static let pool2 = Exercise(id: "Pool2", chapter: "10-Convolution", file: "Pooling.swift", title: "max pooling backward", points: 3)
    static let pool3 = Exercise(id: "Pool3", chapter: "10-Convolution", file: "Pooling.swift", title: "average pooling forward", points: 2)
    static let pool4 = Exercise(id: "Pool4", chapter: "10-Convolution", file: "Pooling.swift", title: "average pooling backward", points: 2)
}

/// The pooling worked example: a 4x4 single-channel map pooled with 2x2 windows, stride 2.
/// Window maxima and means by hand: top-left {1, 1, 5, 6} → max 6, mean 13/4 = 3.25;
/// top-right {2, 4, 7, 8} → 8, 21/4 = 5.25; bottom-left {3, 2, 1, 2} → 3, 2; bottom-right {1, 0, 3, 4} → 4, 2.
enum PoolExample {
    static let x: [[Double]] = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]
    static let maxOut: [[Double]] = [[6, 8], [3, 4]]
    static let averageOut: [[Double]] = [[3.25, 5.25], [2, 2]]
    static let dout: [[Double]] = [[1, 2], [3, 4]]
    /// Each window's gradient lands on its maximum: 6 at (1, 1), 8 at (1, 3), 3 at (2, 0), 4 at (3, 3).
    static let maxDx: [[Double]] = [[0, 0, 0, 0], [0, 1, 0, 2], [3, 0, 0, 0], [0, 0, 0, 4]]
    /// Each window's gradient split in four equal parts.
    static let averageDx: [[Double]] = [[0.25, 0.25, 0.5, 0.5], [0.25, 0.25, 0.5, 0.5], [0.75, 0.75, 1, 1], [0.75, 0.75, 1, 1]]
}

@Suite("Pool1 · max pooling forward", .graded(.pool1))
struct Pool1Tests {
    @Test("takes the maximum of each 2x2 window of the worked example")
    func workedExample() throws {
        let (out, _) = try maxPoolForward(try ConvFixtures.image([PoolExample.x]), configuration: Pool2DConfiguration())
        check(out, equals: try ConvFixtures.image([PoolExample.maxOut]), "maxPoolForward of the 4x4 example", in: .pool1)
    }

    @Test("pools every channel on its own")
    func channelsSeparately() throws {
        // Channel 1 is channel 0 negated: its window maxima are minus the window minima of
        // channel 0: −min{1, 1, 5, 6} = −1, −2, −1, −0 (by hand).
        let negated = PoolExample.x.map { $0.map { -$0 } }
        let (out, _) = try maxPoolForward(try ConvFixtures.image([PoolExample.x, negated]), configuration: Pool2DConfiguration())
        check(out, equals: try ConvFixtures.image([PoolExample.maxOut, [[-1, -2], [-1, 0]]]),
              "maxPoolForward of a 2-channel map", in: .pool1)
    }

    @Test("handles overlapping windows (3x3, stride 2), drops leftover rows (the floor) and keeps H and W apart")
    func overlapAndFloor() throws {
        // x[i][j] = 5i + j on a 5x5 map. 3x3 windows, stride 2 start at 0 and 2, and each
        // window's maximum is its bottom-right pixel: 5·2 + 2 = 12, 14, 22, 24.
        let grid = (0..<5).map { i in (0..<5).map { j in Double(5 * i + j) } }
        let (overlapping, _) = try maxPoolForward(try ConvFixtures.image([grid]), configuration: Pool2DConfiguration(size: 3, stride: 2))
        check(overlapping, equals: try ConvFixtures.image([[[12, 14], [22, 24]]]), "3x3 stride-2 max pooling of a 5x5 map", in: .pool1)
        // 2x2 windows, stride 2 on 5 pixels: ⌊(5 − 2)/2⌋ + 1 = 2 windows per side, row 4 and
        // column 4 are never read. Maxima: 6, 8, 16, 18.
        let (floored, _) = try maxPoolForward(try ConvFixtures.image([grid]), configuration: Pool2DConfiguration())
        check(floored, equals: try ConvFixtures.image([[[6, 8], [16, 18]]]), "2x2 max pooling of a 5x5 map", in: .pool1)
        // A 4x6 map (height and width differ), x[i][j] = 6i + j: each 2x2 window's maximum is its
        // bottom-right pixel, 7, 9, 11 and 19, 21, 23; the output is 2x3.
        let wide = (0..<4).map { i in (0..<6).map { j in Double(6 * i + j) } }
        let (oblong, _) = try maxPoolForward(try ConvFixtures.image([wide]), configuration: Pool2DConfiguration())
        check(oblong, equals: try ConvFixtures.image([[[7, 9, 11], [19, 21, 23]]]), "2x2 max pooling of a 4x6 map (H ≠ W: the output is 2x3)", in: .pool1)
    }

    @Test("is stable under a small shift: a bright pixel moving inside its window changes nothing")
    func smallTranslation() throws {
        // Notes 003: pooling gives stability with respect to small translations. A feature at
        // (0, 0) and the same feature at (1, 1) fall in the same 2x2 window: same output.
        var a = Tensor(zeros: [1, 4, 4, 1]), b = Tensor(zeros: [1, 4, 4, 1])
        a[0, 0, 0, 0] = 7
        b[0, 1, 1, 0] = 7
        let (outA, _) = try maxPoolForward(a, configuration: Pool2DConfiguration())
        let (outB, _) = try maxPoolForward(b, configuration: Pool2DConfiguration())
        check(outB, equals: outA, "max pooling of the shifted map", in: .pool1)
        check(outA, equals: try ConvFixtures.image([[[7, 0], [0, 0]]]), "max pooling of the single bright pixel", in: .pool1)
    }

    @Test("finds maxima among negative numbers (does not start from 0)")
    func negativeValues() throws {
        let (out, _) = try maxPoolForward(try ConvFixtures.image([[[-3, -1], [-4, -2]]]), configuration: Pool2DConfiguration())
        check(out, equals: Tensor(repeating: -1, shape: [1, 1, 1, 1]), "max of {−3, −1, −4, −2}", in: .pool1,
              misconceptions: [Misconception(0, "the maximum of an all-negative window came out 0: start each window's maximum at −∞ (or its first entry), not 0")])
    }

    @Test("rejects a window larger than the input")
    func rejectsLargeWindow() throws {
        try checkThrowsShapeError("maxPoolForward of a 1x1 map with a 2x2 window", in: .pool1) {
            _ = try maxPoolForward(Tensor(zeros: [1, 1, 1, 1]), configuration: Pool2DConfiguration())
        }
    }
}

@Suite("Pool2 · max pooling backward", .graded(.pool2))
struct Pool2Tests {
    @Test("routes each window's gradient to its maximum")
    func workedExample() throws {
        let cache = MaxPoolCache(x: try ConvFixtures.image([PoolExample.x]), configuration: Pool2DConfiguration())
        let dx = try maxPoolBackward(try ConvFixtures.image([PoolExample.dout]), cache: cache)
        checkExactGradient(dx, equals: try ConvFixtures.image([PoolExample.maxDx]), "maxPoolBackward for the 4x4 example", in: .pool2,
              misconceptions: [Misconception(try ConvFixtures.image([[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]),
                                             "every entry of a window received the window's gradient; only the maximum influenced the output, so only it gets the gradient")])
    }

    @Test("routes the gradient of a 2x4 map's two windows (H ≠ W)")
    func oblongMap() throws {
        // Windows {1, 5, 3, 4} and {2, 0, 8, 6}: the maxima 5 at (0, 1) and 8 at (1, 2) take dout 10 and 20.
        let cache = MaxPoolCache(x: try ConvFixtures.image([[[1, 5, 2, 0], [3, 4, 8, 6]]]), configuration: Pool2DConfiguration())
        let dx = try maxPoolBackward(try ConvFixtures.image([[[10, 20]]]), cache: cache)
        checkExactGradient(dx, equals: try ConvFixtures.image([[[0, 10, 0, 0], [0, 0, 20, 0]]]), "maxPoolBackward of a 2x4 map", in: .pool2)
    }

    @Test("gives a tied window's gradient to its first maximum only (row-major), as PyTorch does")
    func ties() throws {
        // The workbook's convention: a window {5, 5, 5, 5} sends all of its gradient 3 to the
        // top-left 5. Splitting it, or sending it to every 5, would break the sum: the output
        // moves by dout·h when all four inputs move by h together, not by 4·dout·h.
        let cache = MaxPoolCache(x: Tensor(repeating: 5, shape: [1, 2, 2, 1]), configuration: Pool2DConfiguration())
        let dx = try maxPoolBackward(Tensor(repeating: 3, shape: [1, 1, 1, 1]), cache: cache)
        check(dx, equals: try ConvFixtures.image([[[3, 0], [0, 0]]]), "maxPoolBackward with a tied window", in: .pool2,
              misconceptions: [Misconception(try ConvFixtures.image([[[0, 0], [0, 3]]]), "the gradient went to the last of the tied maxima; the workbook sends it to the first (row-major, a strict >)"),
                               Misconception(Tensor(repeating: 3, shape: [1, 2, 2, 1]), "every entry of a window received the window's gradient; only the (first) maximum gets it")])
    }

    @Test("adds up the gradients of overlapping windows that share a maximum")
    func overlapping() throws {
        // A 3x3 map whose centre (9) is the maximum of all four 2x2 windows with stride 1:
        // it collects 1 + 2 + 3 + 4 = 10, every other pixel 0.
        let cache = MaxPoolCache(x: try ConvFixtures.image([[[1, 2, 3], [4, 9, 5], [6, 7, 8]]]),
                                 configuration: Pool2DConfiguration(size: 2, stride: 1))
        let dx = try maxPoolBackward(try ConvFixtures.image([[[1, 2], [3, 4]]]), cache: cache)
        check(dx, equals: try ConvFixtures.image([[[0, 0, 0], [0, 10, 0], [0, 0, 0]]]), "maxPoolBackward with overlapping windows", in: .pool2,
              misconceptions: [Misconception(try ConvFixtures.image([[[0, 0, 0], [0, 4, 0], [0, 0, 0]]]),
                                             "the centre kept only the last window's gradient (=); an input that is the maximum of overlapping windows adds (+=) all their gradients")])
    }

    @Test("matches the numeric gradient on seeded random maps", arguments: [Pool2DConfiguration(), Pool2DConfiguration(size: 3, stride: 2)])
    func gradientCheck(_ configuration: Pool2DConfiguration) throws {
        // Max pooling has kinks where two entries of a window tie; with normal draws no two
        // entries of a window come within h = 1e-5 of each other for this seed.
        var rng = SeededGenerator(inputSeed: 12)
        let x = Tensor.randomNormal(shape: [2, 5, 5, 3], using: &rng)
        let (out, cache) = try maxPoolForward(x, configuration: configuration)
        let dout = Tensor.randomNormal(shape: out.shape, using: &rng)
        let dx = try maxPoolBackward(dout, cache: cache)
        let numeric = try numericGradient(of: { try maxPoolForward($0, configuration: configuration).out }, at: x, upstream: dout)
        checkGradient(dx, matches: numeric, "maxPoolBackward with \(configuration)", in: .pool2)
        // A forward returning x and a backward returning dout agree with each other too.
        check(out.shape == [2, 2, 2, 3], "maxPoolForward (Pool1) should pool [2, 5, 5, 3] to [2, 2, 2, 3] with \(configuration) (⌊(5 − size)/stride⌋ + 1 = 2); got \(out.shape).", in: .pool2)
        // Zeros from both passes would agree above. Each window hands its upstream gradient to
        // exactly one entry (its maximum), overlapping or not, so Σ dx = Σ dout.
        check(abs(dx.sum() - dout.sum()) < 1e-9, "Σ dx = \(dx.sum()), but each window passes its dout to its maximum: Σ dout = \(dout.sum()).", in: .pool2)
    }
}

@Suite("Pool3 · average pooling forward", .graded(.pool3))
struct Pool3Tests {
    @Test("averages each 2x2 window of the worked example and of a 4x6 map")
    func workedExample() throws {
        let (out, _) = try averagePoolForward(try ConvFixtures.image([PoolExample.x]), configuration: Pool2DConfiguration())
        check(out, equals: try ConvFixtures.image([PoolExample.averageOut]), "averagePoolForward of the 4x4 example", in: .pool3,
              misconceptions: [Misconception(try ConvFixtures.image([PoolExample.averageOut]) * 2, "each window sum was divided by size (2) instead of size² (4), the number of entries in the window")])
        // A 4x6 map, x[i][j] = 6i + j: window means 3.5, 5.5, 7.5 and 15.5, 17.5, 19.5 (2x3 out).
        let wide = (0..<4).map { i in (0..<6).map { j in Double(6 * i + j) } }
        let (oblong, _) = try averagePoolForward(try ConvFixtures.image([wide]), configuration: Pool2DConfiguration())
        check(oblong, equals: try ConvFixtures.image([[[3.5, 5.5, 7.5], [15.5, 17.5, 19.5]]]), "averagePoolForward of a 4x6 map (H ≠ W: the output is 2x3)", in: .pool3)
    }

    @Test("equals a convolution with a constant kernel 1/size² per channel")
    func equalsConstantKernel() throws {
        // A 3x3, stride-2 average on each of 2 channels is a stride-2 convolution whose kernel
        // is 1/9 on the diagonal of (cin, cout) and 0 elsewhere. Compared with the naive
        // convolution of the Conv3 suite, so this needs no other exercise.
        var rng = SeededGenerator(inputSeed: 13)
        let x = Tensor.randomNormal(shape: [2, 7, 7, 2], using: &rng)
        var kernel = Tensor(zeros: [3, 3, 2, 2])
        for a in 0..<3 { for b in 0..<3 { for c in 0..<2 { kernel[a, b, c, c] = 1.0 / 9 } } }
        let expected = try ConvFixtures.naiveConv(x, kernel, Tensor(zeros: [2]), Conv2DConfiguration(stride: 2))
        let (out, _) = try averagePoolForward(x, configuration: Pool2DConfiguration(size: 3, stride: 2))
        check(out, equals: expected, "3x3 stride-2 average pooling", in: .pool3, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }
}

@Suite("Pool4 · average pooling backward", .graded(.pool4))
struct Pool4Tests {
    @Test("splits each window's gradient evenly (the worked example, a 2x4 map, an empty batch)")
    func workedExample() throws {
        let cache = AveragePoolCache(inputShape: [1, 4, 4, 1], configuration: Pool2DConfiguration())
        let dx = try averagePoolBackward(try ConvFixtures.image([PoolExample.dout]), cache: cache)
        checkExactGradient(dx, equals: try ConvFixtures.image([PoolExample.averageDx]), "averagePoolBackward for the 4x4 example", in: .pool4,
              misconceptions: [Misconception(try ConvFixtures.image([PoolExample.averageDx]) * 4, "every entry of a window received the whole gradient; each entry's weight in the mean is 1/size², so it gets 1/size² of it"),
                               Misconception(try ConvFixtures.image([PoolExample.averageDx]) * 2, "every entry received 1/size of the window's gradient; the mean weighs each entry 1/size²")])
        // A 2x4 map (H ≠ W) has two windows; dout [1, 2] is split in quarters over each.
        let oblong = try averagePoolBackward(try ConvFixtures.image([[[1, 2]]]),
                                             cache: AveragePoolCache(inputShape: [1, 2, 4, 1], configuration: Pool2DConfiguration()))
        checkExactGradient(oblong, equals: try ConvFixtures.image([[[0.25, 0.25, 0.5, 0.5], [0.25, 0.25, 0.5, 0.5]]]), "averagePoolBackward for a 2x4 map", in: .pool4)
        // An empty batch (N = 0) is a valid input shape: nothing to split, an empty dx.
        let none = try averagePoolBackward(Tensor(zeros: [0, 2, 2, 1]),
                                           cache: AveragePoolCache(inputShape: [0, 4, 4, 1], configuration: Pool2DConfiguration()))
        check(none.shape == [0, 4, 4, 1], "averagePoolBackward for inputShape [0, 4, 4, 1] should return an empty [0, 4, 4, 1] dx; got \(none.shape).", in: .pool4)
    }

    @Test("matches the numeric gradient with overlapping windows")
    func gradientCheck() throws {
        var rng = SeededGenerator(inputSeed: 14)
        let configuration = Pool2DConfiguration(size: 3, stride: 2)
        let x = Tensor.randomNormal(shape: [2, 5, 5, 2], using: &rng)
        let (out, cache) = try averagePoolForward(x, configuration: configuration)
        let dout = Tensor.randomNormal(shape: out.shape, using: &rng)
        let dx = try averagePoolBackward(dout, cache: cache)
        let numeric = try numericGradient(of: { try averagePoolForward($0, configuration: configuration).out }, at: x, upstream: dout)
        checkGradient(dx, matches: numeric, "averagePoolBackward (3x3, stride 2)", in: .pool4)
    }

    @Test("takes time linear in the input's size: 8 maps of 32x32x8")
    func linearTime() throws {
        // The backward pass touches each of the 65,536 entries once. Differencing the forward pass
        // instead (exact here, since pooling an average is linear) calls it twice per entry: past
        // the time limit. Each 2x2 window hands a quarter of its gradient to each entry.
        var rng = SeededGenerator(inputSeed: 15)
        let dout = Tensor.randomNormal(shape: [8, 16, 16, 8], using: &rng)
        let dx = try averagePoolBackward(dout, cache: AveragePoolCache(inputShape: [8, 32, 32, 8], configuration: Pool2DConfiguration()))
        check(dx.shape == [8, 32, 32, 8], "averagePoolBackward should return the input shape [8, 32, 32, 8], got \(dx.shape).", in: .pool4)
        check(abs(dx.sum() - dout.sum()) < 1e-9 && dx.shape == [8, 32, 32, 8] && abs(dx[3, 5, 7, 2] - dout[3, 2, 3, 2] / 4) < 1e-15,
              "each window splits its gradient evenly: Σ dx = Σ dout = \(dout.sum()) (got \(dx.sum())), dx[3, 5, 7, 2] = dout[3, 2, 3, 2]/4.", in: .pool4)
    }

    @Test("rejects an upstream gradient of the wrong shape")
    func rejectsWrongUpstream() throws {
        try checkThrowsShapeError("averagePoolBackward with dout [1, 4, 4, 1] for an output [1, 2, 2, 1]", in: .pool4) {
            _ = try averagePoolBackward(Tensor(zeros: [1, 4, 4, 1]),
                                        cache: AveragePoolCache(inputShape: [1, 4, 4, 1], configuration: Pool2DConfiguration()))
        }
    }
}

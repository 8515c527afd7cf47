import Foundation

/// A small, fast, seedable random number generator: xoshiro256** seeded through SplitMix64.
///
/// The workbook never uses global random state: every function that draws takes a generator
/// `inout`, so the same seed gives the same numbers on every machine and in every test order.
///
///     var rng = SeededGenerator(seed: 42)
///     let w = Tensor.randomNormal(shape: [64, 10], standardDeviation: 0.01, using: &rng)
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable, Codable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the four state words from one 64-bit seed with SplitMix64, as the xoshiro authors advise.
    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform draw from [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform draw from [lower, upper).
    public mutating func nextUniform(in range: Range<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUniform()
    }

    /// A normal draw by the Box–Muller transform (one draw per call, so sequences are easy to reason about).
    public mutating func nextNormal(mean: Double = 0, standardDeviation: Double = 1) -> Double {
        let u1 = 1 - nextUniform()  // (0, 1]: log stays finite
        let u2 = nextUniform()
        return mean + standardDeviation * (-2 * Foundation.log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// `true` with probability `probability`.
    public mutating func nextBernoulli(_ probability: Double) -> Bool { nextUniform() < probability }

    /// A random permutation of `0..<count` (Fisher–Yates), for shuffling a data set each epoch.
    public mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                let j = Int(next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
        }
        return order
    }

    // Tuples are not Codable or Hashable by themselves; store the state as four words.
    private enum CodingKeys: String, CodingKey { case state }
    public init(from decoder: Decoder) throws {
        let words = try decoder.container(keyedBy: CodingKeys.self).decode([UInt64].self, forKey: .state)
        guard words.count == 4 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a SeededGenerator state has 4 words, found \(words.count)"))
        }
        state = (words[0], words[1], words[2], words[3])
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([state.0, state.1, state.2, state.3], forKey: .state)
    }
    public static func == (a: Self, b: Self) -> Bool { a.state == b.state }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(state.0); hasher.combine(state.1); hasher.combine(state.2); hasher.combine(state.3)
    }
}

extension Tensor {
    /// Independent normal draws, `N(mean, standardDeviation²)` per element.
    public static func randomNormal(
        shape: [Int], mean: Double = 0, standardDeviation: Double = 1, using rng: inout SeededGenerator
    ) -> Tensor {
        Tensor(shape: shape) { _ in rng.nextNormal(mean: mean, standardDeviation: standardDeviation) }
    }

    /// Independent uniform draws from `range` per element.
    public static func randomUniform(
        shape: [Int], in range: Range<Double> = 0..<1, using rng: inout SeededGenerator
    ) -> Tensor {
        Tensor(shape: shape) { _ in rng.nextUniform(in: range) }
    }
}

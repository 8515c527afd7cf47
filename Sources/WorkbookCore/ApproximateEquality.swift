/// Approximate equality with an absolute and a relative tolerance, as in swift-numerics:
///
///     |a − b| ≤ max(absoluteTolerance, relativeTolerance · max(|a|, |b|))
///
/// The absolute part handles values near zero, where a relative test is meaningless; the relative
/// part handles large values, where rounding error grows with magnitude. NaN equals nothing;
/// infinities equal only themselves.
public func isApproximatelyEqual(
    _ a: Double, _ b: Double, absoluteTolerance: Double = 1e-9, relativeTolerance: Double = 1e-9
) -> Bool {
    if a == b { return true }
    guard a.isFinite, b.isFinite else { return false }
    return abs(a - b) <= Swift.max(absoluteTolerance, relativeTolerance * Swift.max(abs(a), abs(b)))
}

/// What differs between two tensors: a shape mismatch, or the elements outside tolerance.
public struct TensorMismatch: Sendable, CustomStringConvertible {
    /// The shapes, when they differ.
    public var shapes: (actual: [Int], expected: [Int])?
    /// The first mismatching elements: multi-index, actual, expected.
    public var firstMismatches: [(index: [Int], actual: Double, expected: Double)]
    /// How many elements are outside tolerance.
    public var mismatchCount: Int
    /// The largest absolute difference over all elements.
    public var maxAbsoluteDifference: Double
    public var count: Int

    public var description: String {
        if let shapes {
            return "shape \(shapes.actual) but expected \(shapes.expected)"
        }
        let items = firstMismatches.map { "\($0.index): got \($0.actual), expected \($0.expected)" }
        return "\(mismatchCount) of \(count) elements differ (largest difference \(maxAbsoluteDifference)); first: "
            + items.joined(separator: "; ")
    }
}

extension Tensor {
    /// The multi-index of a flat position.
    public func multiIndex(ofFlat flat: Int) -> [Int] {
        var rest = flat
        var index = [Int](repeating: 0, count: rank)
        for axis in shape.indices.reversed() where shape[axis] > 0 {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }

    /// Compares with an expected tensor elementwise; `nil` means equal within tolerance.
    /// - Parameter limit: how many mismatching elements to list.
    public func mismatch(
        against expected: Tensor, absoluteTolerance: Double = 1e-9, relativeTolerance: Double = 1e-9, limit: Int = 5
    ) -> TensorMismatch? {
        guard shape == expected.shape else {
            return TensorMismatch(shapes: (shape, expected.shape), firstMismatches: [], mismatchCount: 0,
                                  maxAbsoluteDifference: .nan, count: count)
        }
        var first: [(index: [Int], actual: Double, expected: Double)] = []
        var bad = 0
        var largest = 0.0
        for i in 0..<count {
            let (a, b) = (scalars[i], expected.scalars[i])
            let difference = abs(a - b)
            if difference > largest || difference.isNaN { largest = difference.isNaN ? .nan : Swift.max(largest, difference) }
            if !WorkbookCore.isApproximatelyEqual(a, b, absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance) {
                bad += 1
                if first.count < limit { first.append((multiIndex(ofFlat: i), a, b)) }
            }
        }
        return bad == 0 ? nil : TensorMismatch(shapes: nil, firstMismatches: first, mismatchCount: bad,
                                                 maxAbsoluteDifference: largest, count: count)
    }

    /// `true` when shapes match and every element is approximately equal.
    public func isApproximatelyEqual(to other: Tensor, absoluteTolerance: Double = 1e-9, relativeTolerance: Double = 1e-9) -> Bool {
        mismatch(against: other, absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance) == nil
    }
}

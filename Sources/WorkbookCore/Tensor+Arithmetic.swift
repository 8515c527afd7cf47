// Elementwise arithmetic with NumPy-style broadcasting.
//
// Two shapes broadcast when, aligned at their last dimensions, each pair of sizes is equal or one
// of them is 1 (a missing leading dimension counts as 1). So a bias `[M]` adds to every row of a
// batch `[N, M]`, and per-channel statistics `[C]` apply to every pixel of `[N, H, W, C]`.

extension Tensor {
    /// The shape two shapes broadcast to, or `nil` if they do not broadcast.
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard x == y || x == 1 || y == 1 else { return nil }
            result[i] = x == 1 ? y : x
        }
        return result
    }

    /// Combines two tensors element by element after broadcasting them to a common shape.
    /// - Parameter operation: the name used in a ``ShapeError`` if the shapes do not broadcast.
    /// - Complexity: O(n) for n elements of the result.
    @inlinable
    public static func broadcasting(
        _ a: Tensor, _ b: Tensor, operation: String, _ combine: (Double, Double) -> Double
    ) throws -> Tensor {
        if a.shape == b.shape {
            let out = [Double](unsafeUninitializedCapacity: a.count) { o, n in
                a.scalars.withUnsafeBufferPointer { pa in b.scalars.withUnsafeBufferPointer { pb in
                    for i in 0..<pa.count { o[i] = combine(pa[i], pb[i]) }
                }}
                n = a.count
            }
            return Tensor(unchecked: a.shape, scalars: out)
        }
        if a.rank == 2, b.rank == 1, b.count == a.shape[1] {
            let width = b.count
            let out = [Double](unsafeUninitializedCapacity: a.count) { o, n in
                a.scalars.withUnsafeBufferPointer { pa in b.scalars.withUnsafeBufferPointer { pb in
                    var i = 0
                    for _ in 0..<a.shape[0] { for j in 0..<width { o[i] = combine(pa[i], pb[j]); i += 1 } }
                }}
                n = a.count
            }
            return Tensor(unchecked: a.shape, scalars: out)
        }
        return try broadcastingSlow(a, b, operation: operation, combine)
    }
    @usableFromInline
    static func broadcastingSlow(
        _ a: Tensor, _ b: Tensor, operation: String, _ combine: (Double, Double) -> Double
    ) throws -> Tensor {
        guard let shape = broadcastShape(a.shape, b.shape) else {
            throw ShapeError(operation: operation, shapes: [a.shape, b.shape], detail: "the shapes do not broadcast")
        }
        // Fast path: b repeats along the leading dimensions of a (a bias row, per-channel values).
        if shape == a.shape, b.count > 0, a.shape.suffix(b.rank).elementsEqual(b.shape) || b.count == 1 {
            var out = [Double](repeating: 0, count: a.count)
            let period = b.count
            for i in 0..<a.count { out[i] = combine(a.scalars[i], b.scalars[i % period]) }
            return Tensor(unchecked: shape, scalars: out)
        }
        let count = shape.reduce(1, *)
        let sa = broadcastStrides(a.shape, to: shape)
        let sb = broadcastStrides(b.shape, to: shape)
        var out = [Double](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: shape.count)
        var ia = 0, ib = 0
        for flat in 0..<count {
            out[flat] = combine(a.scalars[ia], b.scalars[ib])
            // Advance the multi-index like an odometer, keeping both source offsets in step.
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                ia += sa[axis]
                ib += sb[axis]
                if index[axis] < shape[axis] { break }
                ia -= sa[axis] * shape[axis]
                ib -= sb[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return Tensor(unchecked: shape, scalars: out)
    }

    /// Strides that read `shape` as if it had been expanded to `target` (0 along broadcast axes).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: target.count - shape.count) + shape
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        for axis in padded.indices.reversed() {
            strides[axis] = padded[axis] == 1 && target[axis] != 1 ? 0 : step
            step *= padded[axis]
        }
        return strides
    }

    /// Applies a function to every element.
    @inlinable
    public func map(_ transform: (Double) throws -> Double) rethrows -> Tensor {
        let out = try [Double](unsafeUninitializedCapacity: count) { o, n in
            try scalars.withUnsafeBufferPointer { p in for i in 0..<p.count { o[i] = try transform(p[i]) } }
            n = count
        }
        return Tensor(unchecked: shape, scalars: out)
    }

    /// Combines two tensors of exactly the same shape element by element (no broadcasting).
    /// - Throws: ``ShapeError`` naming `operation` if the shapes differ.
    @inlinable
    public static func zip(
        _ a: Tensor, _ b: Tensor, operation: String = "zip", _ combine: (Double, Double) throws -> Double
    ) throws -> Tensor {
        guard a.shape == b.shape else {
            throw ShapeError(operation: operation, shapes: [a.shape, b.shape], detail: "the shapes must be equal")
        }
        let out = try [Double](unsafeUninitializedCapacity: a.count) { o, n in
            try a.scalars.withUnsafeBufferPointer { pa in try b.scalars.withUnsafeBufferPointer { pb in
                for i in 0..<pa.count { o[i] = try combine(pa[i], pb[i]) }
            }}
            n = a.count
        }
        return Tensor(unchecked: a.shape, scalars: out)
    }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try broadcasting(a, b, operation: "+", +) }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try broadcasting(a, b, operation: "-", -) }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try broadcasting(a, b, operation: "*", *) }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try broadcasting(a, b, operation: "/", /) }

    public static func + (a: Tensor, b: Double) -> Tensor { a.map { $0 + b } }
    public static func - (a: Tensor, b: Double) -> Tensor { a.map { $0 - b } }
    public static func * (a: Tensor, b: Double) -> Tensor { a.map { $0 * b } }
    public static func / (a: Tensor, b: Double) -> Tensor { a.map { $0 / b } }
    public static func + (a: Double, b: Tensor) -> Tensor { b.map { a + $0 } }
    public static func - (a: Double, b: Tensor) -> Tensor { b.map { a - $0 } }
    public static func * (a: Double, b: Tensor) -> Tensor { b.map { a * $0 } }
    public static func / (a: Double, b: Tensor) -> Tensor { b.map { a / $0 } }
    public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }

    /// Elementwise square root.
    public func squareRoot() -> Tensor { map { $0.squareRoot() } }
    /// Elementwise square.
    public func squared() -> Tensor { map { $0 * $0 } }
}

/// Elementwise exponential.
public func exp(_ x: Tensor) -> Tensor { x.map { Foundation.exp($0) } }
/// Elementwise natural logarithm.
public func log(_ x: Tensor) -> Tensor { x.map { Foundation.log($0) } }
// No `tanh(Tensor)`: it would answer Tanh1 in one call. A student writes it with `map`.

import Foundation

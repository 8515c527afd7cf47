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

    // The operators below run on the trainer's threads when the tensor is large (`elementwise` and
    // `mapped`, at the end of this file); `broadcasting`, `map` and `zip` above never do, because
    // their closure is the caller's.
    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try elementwise(a, b, Add.self, operation: "+") }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try elementwise(a, b, Subtract.self, operation: "-") }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try elementwise(a, b, Multiply.self, operation: "*") }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try elementwise(a, b, Divide.self, operation: "/") }

    public static func + (a: Tensor, b: Double) -> Tensor { a.mapped(Add.self, b, scalarFirst: false) }
    public static func - (a: Tensor, b: Double) -> Tensor { a.mapped(Subtract.self, b, scalarFirst: false) }
    public static func * (a: Tensor, b: Double) -> Tensor { a.mapped(Multiply.self, b, scalarFirst: false) }
    public static func / (a: Tensor, b: Double) -> Tensor { a.mapped(Divide.self, b, scalarFirst: false) }
    public static func + (a: Double, b: Tensor) -> Tensor { b.mapped(Add.self, a, scalarFirst: true) }
    public static func - (a: Double, b: Tensor) -> Tensor { b.mapped(Subtract.self, a, scalarFirst: true) }
    public static func * (a: Double, b: Tensor) -> Tensor { b.mapped(Multiply.self, a, scalarFirst: true) }
    public static func / (a: Double, b: Tensor) -> Tensor { b.mapped(Divide.self, a, scalarFirst: true) }
    public static prefix func - (a: Tensor) -> Tensor { a.mapped(Negate.self) }

    /// Elementwise square root.
    public func squareRoot() -> Tensor { mapped(SquareRoot.self) }
    /// Elementwise square.
    public func squared() -> Tensor { mapped(Square.self) }
}

/// Elementwise exponential.
public func exp(_ x: Tensor) -> Tensor { x.mapped(Exponential.self) }
/// Elementwise natural logarithm.
public func log(_ x: Tensor) -> Tensor { x.mapped(Logarithm.self) }

// MARK: - The core's own elementwise operations, on the trainer's threads
//
// With the trainer's `--threads` above 1 (``GemmSettings/threads``; 1 otherwise, so grading and a
// student's own runs are plain loops), a result of at least ``parallelMinimumWork`` elements is
// filled in chunks of `elementwiseChunk` elements by whichever pool thread is free. Each element is
// written once, by one thread, from the same inputs, so the result has the same bits for any thread
// count. Only the core's own pure operations come here: a caller's closure (`map`, `zip`,
// `broadcasting`) may count its calls or draw random numbers, and must never run on two threads.
// The operation is a type (`Add`, `Square`, …), not a closure, so that each chunk's loop is compiled
// with it inlined (a closure captured by the chunk would be called once per element).

/// Elements per chunk of a parallel elementwise result: 4096 doubles, 32 KB.
let elementwiseChunk = 1 << 12

/// A pure function of two numbers, applied elementwise by the core's operators.
protocol BinaryScalarOperation { static func apply(_ x: Double, _ y: Double) -> Double }
/// A pure function of one number, applied elementwise by the core's operators.
protocol UnaryScalarOperation { static func apply(_ x: Double) -> Double }

enum Add: BinaryScalarOperation { @inline(__always) static func apply(_ x: Double, _ y: Double) -> Double { x + y } }
enum Subtract: BinaryScalarOperation { @inline(__always) static func apply(_ x: Double, _ y: Double) -> Double { x - y } }
enum Multiply: BinaryScalarOperation { @inline(__always) static func apply(_ x: Double, _ y: Double) -> Double { x * y } }
enum Divide: BinaryScalarOperation { @inline(__always) static func apply(_ x: Double, _ y: Double) -> Double { x / y } }
enum Negate: UnaryScalarOperation { @inline(__always) static func apply(_ x: Double) -> Double { -x } }
enum SquareRoot: UnaryScalarOperation { @inline(__always) static func apply(_ x: Double) -> Double { x.squareRoot() } }
enum Square: UnaryScalarOperation { @inline(__always) static func apply(_ x: Double) -> Double { x * x } }
enum Exponential: UnaryScalarOperation { @inline(__always) static func apply(_ x: Double) -> Double { Foundation.exp(x) } }
enum Logarithm: UnaryScalarOperation { @inline(__always) static func apply(_ x: Double) -> Double { Foundation.log(x) } }

extension Tensor {
    /// `count` uninitialized scalars, handed to `fill(range, out)` one chunk of indices at a time:
    /// on the trainer's threads when `count` is at least ``parallelMinimumWork``.
    @inline(__always)
    static func filledInChunks(count: Int, _ fill: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let out = buffer.baseAddress {
                let chunks = (count + elementwiseChunk - 1) / elementwiseChunk
                parallelForEach(0..<chunks, work: count) { chunk in
                    let lower = chunk &* elementwiseChunk
                    fill(lower..<Swift.min(count, lower &+ elementwiseChunk), out)
                }
            }
            initialized = count
        }
    }

    /// `Operation` applied to every element: the core's unary operators and functions.
    func mapped<Operation: UnaryScalarOperation>(_ operation: Operation.Type) -> Tensor {
        let out = scalars.withUnsafeBufferPointer { p in
            Self.filledInChunks(count: p.count) { range, out in
                for i in range { out[i] = Operation.apply(p[i]) }
            }
        }
        return Tensor(unchecked: shape, scalars: out)
    }

    /// `Operation(element, scalar)`, or `Operation(scalar, element)` if `scalarFirst`, for every element.
    func mapped<Operation: BinaryScalarOperation>(_ operation: Operation.Type, _ scalar: Double, scalarFirst: Bool) -> Tensor {
        let out = scalars.withUnsafeBufferPointer { p in
            Self.filledInChunks(count: p.count) { range, out in
                if scalarFirst {
                    for i in range { out[i] = Operation.apply(scalar, p[i]) }
                } else {
                    for i in range { out[i] = Operation.apply(p[i], scalar) }
                }
            }
        }
        return Tensor(unchecked: shape, scalars: out)
    }

    /// ``broadcasting(_:_:operation:_:)`` for the core's own operators: the two common cases (equal
    /// shapes; a matrix `[N, M]` with a row `[M]`) on the trainer's threads when large, the others as
    /// `broadcasting` does them.
    static func elementwise<Operation: BinaryScalarOperation>(
        _ a: Tensor, _ b: Tensor, _ operation: Operation.Type, operation name: String
    ) throws -> Tensor {
        if a.shape == b.shape {
            let out = a.scalars.withUnsafeBufferPointer { pa in b.scalars.withUnsafeBufferPointer { pb in
                filledInChunks(count: pa.count) { range, out in
                    for i in range { out[i] = Operation.apply(pa[i], pb[i]) }
                }
            }}
            return Tensor(unchecked: a.shape, scalars: out)
        }
        if a.rank == 2, b.rank == 1, b.count == a.shape[1], b.count > 0 {
            let (rows, width) = (a.shape[0], b.count)
            let out = [Double](unsafeUninitializedCapacity: a.count) { buffer, initialized in
                if let o = buffer.baseAddress {
                    a.scalars.withUnsafeBufferPointer { pa in b.scalars.withUnsafeBufferPointer { pb in
                        parallelForEachRange(0..<rows, work: a.count) { rows in
                            for row in rows {
                                let start = row &* width
                                for j in 0..<width { o[start &+ j] = Operation.apply(pa[start &+ j], pb[j]) }
                            }
                        }
                    }}
                }
                initialized = a.count
            }
            return Tensor(unchecked: a.shape, scalars: out)
        }
        return try broadcastingSlow(a, b, operation: name) { Operation.apply($0, $1) }
    }
}

import Foundation

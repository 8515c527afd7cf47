/// An n-dimensional array of `Double`s stored row-major (the last index varies fastest).
///
/// `Tensor` is a value type: copying one is cheap until one copy is mutated (copy on write, through
/// the `[Double]` storage). Shapes follow the lecture notes: a batch of feature vectors is
/// `[N, D]`, a batch of images is `[N, H, W, C]` (NHWC; CS231n uses NCHW, so transpose its figures).
///
/// Operations that can meet mismatched shapes `throw` a ``ShapeError`` naming the operation and
/// both shapes, so a mistake in an exercise fails one test with a clear message instead of trapping.
public struct Tensor: Sendable, Hashable, Codable {
    /// The size of each dimension, outermost first. A scalar tensor has shape `[]`.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)` always holds.
    public private(set) var scalars: [Double]

    /// Makes a tensor from a shape and its row-major elements.
    /// - Throws: ``ShapeError`` if a dimension is negative or the element count is not the
    ///   product of the dimensions.
    public init(shape: [Int], scalars: [Double]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw ShapeError(operation: "Tensor(shape:scalars:)", shapes: [shape], detail: "a dimension is negative")
        }
        let count = shape.reduce(1, *)
        guard count == scalars.count else {
            throw ShapeError(operation: "Tensor(shape:scalars:)", shapes: [shape],
                             detail: "the shape holds \(count) elements but \(scalars.count) were given")
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// Internal initializer for shapes already known to be consistent.
    @usableFromInline
    init(unchecked shape: [Int], scalars: [Double]) {
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape filled with one value. Negative dimensions count as zero.
    public init(repeating value: Double, shape: [Int]) {
        let shape = shape.map { Swift.max($0, 0) }
        self.init(unchecked: shape, scalars: Array(repeating: value, count: shape.reduce(1, *)))
    }

    /// A tensor of zeros. Negative dimensions count as zero.
    public init(zeros shape: [Int]) { self.init(repeating: 0, shape: shape) }

    /// A rank-0 tensor holding one number.
    public init(scalar: Double) { self.init(unchecked: [], scalars: [scalar]) }

    /// A vector, shape `[values.count]`.
    public init(_ values: [Double]) { self.init(unchecked: [values.count], scalars: values) }

    /// A matrix from its rows, shape `[rows.count, rows[0].count]`, as the notes write matrices.
    /// - Throws: ``ShapeError`` if the rows have different lengths.
    public init(_ rows: [[Double]]) throws {
        let width = rows.first?.count ?? 0
        if let bad = rows.firstIndex(where: { $0.count != width }) {
            throw ShapeError(operation: "Tensor(rows)", shapes: [[rows.count, width]],
                             detail: "row \(bad) has \(rows[bad].count) elements, row 0 has \(width)")
        }
        self.init(unchecked: [rows.count, width], scalars: rows.flatMap { $0 })
    }

    /// Builds a tensor by calling `element` with each flat (row-major) index in turn.
    public init(shape: [Int], _ element: (Int) throws -> Double) rethrows {
        let shape = shape.map { Swift.max($0, 0) }
        let count = shape.reduce(1, *)
        var scalars = [Double]()
        scalars.reserveCapacity(count)
        for i in 0..<count { scalars.append(try element(i)) }
        self.init(unchecked: shape, scalars: scalars)
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The number of elements.
    public var count: Int { scalars.count }

    /// The row-major strides: how far apart in `scalars` neighbours along each dimension are.
    public var strides: [Int] {
        var strides = Array(repeating: 1, count: shape.count)
        var step = 1
        for axis in shape.indices.reversed() {
            strides[axis] = step
            step *= shape[axis]
        }
        return strides
    }

    /// The flat index of a multi-index, or `nil` if it is out of range or of the wrong rank.
    public func flatIndex(_ index: [Int]) -> Int? {
        guard index.count == shape.count else { return nil }
        var flat = 0
        for axis in 0..<shape.count {
            let position = index[axis]
            guard position >= 0, position < shape[axis] else { return nil }
            flat = flat * shape[axis] + position
        }
        return flat
    }

    /// Reads or writes one element by its multi-index, e.g. `t[n, h, w, c]`.
    ///
    /// An index of the wrong rank or out of range is a programming error and traps, like an array
    /// index; graded tests run each check in its own process, so such a trap fails one test only.
    public subscript(_ index: Int...) -> Double {
        get {
            guard let flat = flatIndex(index) else { preconditionFailure(outOfRange(index)) }
            return scalars[flat]
        }
        set {
            guard let flat = flatIndex(index) else { preconditionFailure(outOfRange(index)) }
            scalars[flat] = newValue
        }
    }

    private func outOfRange(_ index: [Int]) -> String {
        "Tensor index \(index) is out of range for shape \(shape)"
    }

    /// Reads or writes an element by its flat (row-major) position.
    public subscript(flat index: Int) -> Double {
        get { scalars[index] }
        set { scalars[index] = newValue }
    }

    /// Gives mutable access to the elements without changing the shape (the fast path for kernels).
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Double>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }

    /// Gives read access to the elements (the fast path for kernels).
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// The rows of a rank-2 tensor as arrays, for printing and literal comparisons.
    public var rows: [[Double]] {
        guard rank == 2 else { return [scalars] }
        let width = shape[1]
        return (0..<shape[0]).map { Array(scalars[($0 * width)..<($0 * width + width)]) }
    }

    /// The single element of a tensor holding exactly one.
    /// - Throws: ``ShapeError`` if it holds another number of elements.
    public func item() throws -> Double {
        guard count == 1 else {
            throw ShapeError(operation: "item()", shapes: [shape], detail: "needs exactly one element")
        }
        return scalars[0]
    }
}

extension Tensor: CustomStringConvertible {
    /// Nested brackets, like the matrices in the notes; large tensors are abbreviated.
    public var description: String {
        func format(_ x: Double) -> String {
            x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
        }
        if rank == 0 { return format(scalars.first ?? .nan) }
        if count > 200 { return "Tensor(shape: \(shape), first: \(scalars.prefix(8).map(format)) …)" }
        func nested(_ axis: Int, _ offset: Int) -> String {
            if axis == rank - 1 {
                return "[" + (0..<shape[axis]).map { format(scalars[offset + $0]) }.joined(separator: ", ") + "]"
            }
            let stride = shape[(axis + 1)...].reduce(1, *)
            return "[" + (0..<shape[axis]).map { nested(axis + 1, offset + $0 * stride) }.joined(separator: ", ") + "]"
        }
        return nested(0, 0)
    }
}

extension Tensor {
    /// Decodes a tensor and checks it as ``init(shape:scalars:)`` does, so that bytes from a file or
    /// from a student's process can never make a tensor whose shape and elements disagree.
    /// - Throws: `DecodingError.dataCorrupted` naming the problem.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let shape = try container.decode([Int].self, forKey: .shape)
        let scalars = try container.decode([Double].self, forKey: .scalars)
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard dimension >= 0, !overflow else {
                throw DecodingError.dataCorruptedError(forKey: .shape, in: container,
                                                       debugDescription: "the shape \(shape.prefix(8)) is negative or too large")
            }
            count = product
        }
        guard count == scalars.count else {
            throw DecodingError.dataCorruptedError(forKey: .scalars, in: container,
                                                   debugDescription: "the shape \(shape.prefix(8)) holds \(count) elements, not \(scalars.count)")
        }
        self.init(unchecked: shape, scalars: scalars)
    }
}

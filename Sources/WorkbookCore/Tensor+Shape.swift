// Reshaping, transposing, slicing and stacking.

extension Tensor {
    /// The same elements read with another shape; one dimension may be `-1` to be inferred.
    /// - Throws: ``ShapeError`` if the element counts differ.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var newShape = newShape
        if let unknown = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
            guard known > 0, count % known == 0 else {
                throw ShapeError(operation: "reshaped", shapes: [shape, newShape], detail: "cannot infer the -1 dimension")
            }
            newShape[unknown] = count / known
        }
        guard newShape.allSatisfy({ $0 >= 0 }), newShape.reduce(1, *) == count else {
            throw ShapeError(operation: "reshaped", shapes: [shape, newShape],
                             detail: "\(count) elements cannot take the new shape")
        }
        return Tensor(unchecked: newShape, scalars: scalars)
    }

    /// The transpose of a matrix: `[M, N]` becomes `[N, M]`.
    /// - Throws: ``ShapeError`` if the tensor is not rank 2.
    public func transposed() throws -> Tensor {
        guard rank == 2 else {
            throw ShapeError(operation: "transposed", shapes: [shape], detail: "needs a matrix (rank 2)")
        }
        return try permuted([1, 0])
    }

    /// Reorders the axes: result axis `i` is this tensor's axis `axes[i]` (NumPy's `transpose`).
    /// For example `[N, H, W, C]` permuted by `[0, 3, 1, 2]` is NCHW.
    /// - Throws: ``ShapeError`` if `axes` is not a permutation of `0..<rank`.
    public func permuted(_ axes: [Int]) throws -> Tensor {
        guard axes.sorted() == Array(0..<rank) else {
            throw ShapeError(operation: "permuted(\(axes))", shapes: [shape], detail: "the axes must be a permutation of 0..<\(rank)")
        }
        let newShape = axes.map { shape[$0] }
        let oldStrides = strides
        let sourceStrides = axes.map { oldStrides[$0] }
        var out = [Double](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: rank)
        var source = 0
        for flat in 0..<count {
            out[flat] = scalars[source]
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                source += sourceStrides[axis]
                if index[axis] < newShape[axis] { break }
                source -= sourceStrides[axis] * newShape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return Tensor(unchecked: newShape, scalars: out)
    }

    /// The entries `range` along the first axis (rows of a matrix, images of a batch).
    /// - Throws: ``ShapeError`` if the range does not fit.
    public func slice(_ range: Range<Int>) throws -> Tensor {
        guard rank >= 1, range.lowerBound >= 0, range.upperBound <= shape[0] else {
            throw ShapeError(operation: "slice(\(range))", shapes: [shape], detail: "the range is outside the first axis")
        }
        let inner = shape.dropFirst().reduce(1, *)
        return Tensor(unchecked: [range.count] + shape.dropFirst(),
                      scalars: Array(scalars[(range.lowerBound * inner)..<(range.upperBound * inner)]))
    }

    /// The entries at `indices` along the first axis, in that order (a minibatch from a shuffle).
    /// - Throws: ``ShapeError`` if an index is out of range.
    public func gathering(_ indices: [Int]) throws -> Tensor {
        guard rank >= 1 else { throw ShapeError(operation: "gathering", shapes: [shape], detail: "needs rank ≥ 1") }
        let inner = shape.dropFirst().reduce(1, *)
        var out = [Double]()
        out.reserveCapacity(indices.count * inner)
        for i in indices {
            guard i >= 0, i < shape[0] else {
                throw ShapeError(operation: "gathering", shapes: [shape], detail: "index \(i) is out of range")
            }
            out.append(contentsOf: scalars[(i * inner)..<((i + 1) * inner)])
        }
        return Tensor(unchecked: [indices.count] + shape.dropFirst(), scalars: out)
    }

    /// Joins tensors along the first axis; all other dimensions must agree.
    /// - Throws: ``ShapeError`` if they do not.
    public static func concatenating(_ parts: [Tensor]) throws -> Tensor {
        guard let first = parts.first else { return Tensor(zeros: [0]) }
        let inner = Array(first.shape.dropFirst())
        var out = [Double]()
        var rows = 0
        for part in parts {
            guard part.rank == first.rank, Array(part.shape.dropFirst()) == inner else {
                throw ShapeError(operation: "concatenating", shapes: [first.shape, part.shape], detail: "all but the first dimension must agree")
            }
            rows += part.shape[0]
            out.append(contentsOf: part.scalars)
        }
        return Tensor(unchecked: [rows] + inner, scalars: out)
    }
}

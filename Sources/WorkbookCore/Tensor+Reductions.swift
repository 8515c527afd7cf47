// Sums, means, variances and arg-max over all elements or along axes.

extension Tensor {
    /// The sum of all elements.
    public func sum() -> Double { scalars.reduce(0, +) }
    /// The mean of all elements (NaN for an empty tensor).
    public func mean() -> Double { sum() / Double(count) }
    /// The largest element (−∞ for an empty tensor).
    public func max() -> Double { scalars.max() ?? -.infinity }
    /// The smallest element (+∞ for an empty tensor).
    public func min() -> Double { scalars.min() ?? .infinity }

    /// Reduces along the given axes with `combine`, starting each output from `initial`.
    ///
    /// With `keepingDimensions`, reduced axes stay as size 1 (so the result broadcasts back against
    /// the input); otherwise they are removed.
    /// - Throws: ``ShapeError`` if an axis is out of range.
    public func reduce(
        alongAxes axes: [Int], keepingDimensions: Bool = false, initial: Double,
        _ combine: (Double, Double) -> Double
    ) throws -> Tensor {
        let axes = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
        guard axes.allSatisfy({ $0 >= 0 && $0 < rank }) else {
            throw ShapeError(operation: "reduce(alongAxes: \(axes.sorted()))", shapes: [shape], detail: "an axis is out of range")
        }
        let kept = shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        var out = [Double](repeating: initial, count: kept.reduce(1, *))
        let outStrides = Tensor.broadcastStrides(kept, to: shape)
        var index = [Int](repeating: 0, count: rank)
        var target = 0
        for flat in 0..<count {
            out[target] = combine(out[target], scalars[flat])
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                target += outStrides[axis]
                if index[axis] < shape[axis] { break }
                target -= outStrides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        let finalShape = keepingDimensions ? kept : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        return Tensor(unchecked: finalShape, scalars: out)
    }

    /// Sums along one axis, e.g. `sum(alongAxis: 0)` of `[N, D]` is the per-feature sum `[D]`.
    public func sum(alongAxis axis: Int, keepingDimension: Bool = false) throws -> Tensor {
        if rank == 2, axis == 0 {
            let (n, d) = (shape[0], shape[1])
            var out = [Double](repeating: 0, count: d)
            scalars.withUnsafeBufferPointer { p in out.withUnsafeMutableBufferPointer { o in
                for i in 0..<n { for j in 0..<d { o[j] += p[i * d + j] } }
            }}
            return Tensor(unchecked: keepingDimension ? [1, d] : [d], scalars: out)
        }
        return try reduce(alongAxes: [axis], keepingDimensions: keepingDimension, initial: 0, +)
    }

    /// Sums along several axes, e.g. `[0, 1, 2]` of `[N, H, W, C]` gives per-channel sums `[C]`.
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) throws -> Tensor {
        try reduce(alongAxes: axes, keepingDimensions: keepingDimensions, initial: 0, +)
    }

    /// Means along one axis.
    public func mean(alongAxis axis: Int, keepingDimension: Bool = false) throws -> Tensor {
        try mean(alongAxes: [axis], keepingDimensions: keepingDimension)
    }

    /// Means along several axes.
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) throws -> Tensor {
        let total = try sum(alongAxes: axes, keepingDimensions: keepingDimensions)
        let n = Set(axes.map { $0 < 0 ? $0 + rank : $0 }).map { shape[$0] }.reduce(1, *)
        return total / Double(n)
    }

    /// The biased variance (divide by the number of elements, as batch normalization does) along axes.
    public func variance(alongAxes axes: [Int], keepingDimensions: Bool = false) throws -> Tensor {
        let mu = try mean(alongAxes: axes, keepingDimensions: true)
        let centered = try self - mu
        return try centered.squared().mean(alongAxes: axes, keepingDimensions: keepingDimensions)
    }

    /// The maximum along one axis.
    public func max(alongAxis axis: Int, keepingDimension: Bool = false) throws -> Tensor {
        try reduce(alongAxes: [axis], keepingDimensions: keepingDimension, initial: -.infinity) { Swift.max($0, $1) }
    }

    /// The index of the largest entry of each row of a matrix (the predicted class of each logit row).
    /// Ties go to the lowest index.
    /// - Throws: ``ShapeError`` if the tensor is not a matrix.
    public func argmaxRows() throws -> [Int] {
        guard rank == 2 else { throw ShapeError(operation: "argmaxRows", shapes: [shape], detail: "needs a matrix") }
        let width = shape[1]
        return (0..<shape[0]).map { row in
            var best = 0
            for j in 1..<Swift.max(width, 1) where scalars[row * width + j] > scalars[row * width + best] { best = j }
            return best
        }
    }
}

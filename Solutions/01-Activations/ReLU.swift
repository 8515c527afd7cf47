// Chapter 1 · Activations — ReLU
//
// Shapes: any. ReLU acts on each element on its own, so the output (and every gradient) has the
// shape of the input.
//
// Guide and hints: Exercises/01-Activations/GUIDE.md, or `swift run workbook hint ReLU1`.
import WorkbookCore

/// The rectified linear unit, `y = max(0, x)` elementwise.
///
/// - Parameter x: the pre-activations, any shape.
/// - Returns: `out`, the shape of `x`, and the cache `reluBackward` needs.
/// - Note: The cache is `ReLUCache(x:)`, from `Sources/WorkbookCore/Caches/ActivationCaches.swift`: `x` (Tensor).
public func reluForward(_ x: Tensor) throws -> (out: Tensor, cache: ReLUCache) {
    // TODO(ReLU1): keep positive entries, replace the others by 0; cache the input.
    // START ReLU1
    // The backward pass needs to know which entries were positive. Caching x (rather than the
    // output) keeps that information even for entries that were exactly 0.
    // `x.map { max(0, $0) }` says the same; the loop below lets the trainer's threads share the
    // entries (parallelForEach: a plain loop unless the trainer sets more threads), each written once.
    // It goes 4096 entries at a time (parallelForEachChunk), through raw pointers, so each chunk's loop
    // compiles to vector instructions. (The pointers are `let`s: the buffer that
    // withUnsafeMutableBufferPointer hands over is `inout`, and a loop that writes through an `inout`
    // re-reads it at every step.)
    var out = [Double](unsafeUninitializedCapacity: x.count) { _, initialized in initialized = x.count }
    x.withUnsafeBufferPointer { xs in out.withUnsafeMutableBufferPointer { out in
        guard let xs = xs.baseAddress, let out = out.baseAddress else { return }
        parallelForEachChunk(0..<x.count, work: x.count) { chunk in
            for i in chunk { out[i] = max(0, xs[i]) }
        }
    }}
    return (try Tensor(shape: x.shape, scalars: out), ReLUCache(x: x))
    // END ReLU1
}

/// The backward pass of ReLU: `dx = dout` where the input was positive, `0` elsewhere.
///
/// The workbook takes the derivative at exactly `x = 0` to be 0 (see the guide for why).
///
/// - Parameters:
///   - dout: the upstream gradient `∂L/∂y`, the shape of the forward input.
///   - cache: what `reluForward` kept.
/// - Returns: `dx = ∂L/∂x`, the shape of `dout`.
public func reluBackward(_ dout: Tensor, cache: ReLUCache) throws -> Tensor {
    // TODO(ReLU2): let the upstream gradient through where the cached input was > 0.
    // START ReLU2
    // Local derivative: 1 where x > 0, 0 where x < 0. At x = 0 ReLU has a kink and any value in
    // [0, 1] is a valid subgradient; `x > 0` picks 0, as PyTorch and CS231n do.
    // Chain rule: dx = dout ⊙ 1[x > 0], which `Tensor.zip(dout, cache.x) { g, x in x > 0 ? g : 0 }`
    // says in one line; the loop below lets the trainer's threads share the entries, as in the forward pass.
    guard dout.shape == cache.x.shape else {
        throw ShapeError(operation: "reluBackward(dout, cache.x)", shapes: [dout.shape, cache.x.shape],
                         detail: "the shapes must be equal")
    }
    var dx = [Double](unsafeUninitializedCapacity: dout.count) { _, initialized in initialized = dout.count }
    dout.withUnsafeBufferPointer { d in cache.x.withUnsafeBufferPointer { xs in dx.withUnsafeMutableBufferPointer { dx in
        guard let d = d.baseAddress, let xs = xs.baseAddress, let dx = dx.baseAddress else { return }
        parallelForEachChunk(0..<dout.count, work: dout.count) { chunk in
            for i in chunk {
                let (g, x) = (d[i], xs[i])   // both read first: the choice below is then a vector blend, not a branch
                dx[i] = x > 0 ? g : 0
            }
        }
    }}}
    return try Tensor(shape: dout.shape, scalars: dx)
    // END ReLU2
}

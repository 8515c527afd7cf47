// Chapter 0 · Tensor basics — broadcasting
//
// Shapes: N examples, D features, H x W pixels, C channels (NHWC). Two shapes broadcast when, lined
// up at their *last* dimensions, each pair of sizes is equal or one of them is 1.
//
// Guide and hints: Exercises/00-TensorBasics/GUIDE.md, or `swift run workbook hint Broadcast1`.
import WorkbookCore

/// Multiplies every channel of every pixel by its own factor: `out[n, h, w, c] = images[n, h, w, c] · scale[c]`.
///
/// Per-channel factors like these are what spatial batch normalization's `gamma` does to images.
///
/// - Parameters:
///   - images: `[N, H, W, C]`.
///   - scale: one factor per channel, exactly `[C]` (a `[1]` would broadcast too, but is refused:
///     it is almost always a mistake).
/// - Returns: `[N, H, W, C]`.
/// - Throws: ``ShapeError`` if `images` is not rank 4 or `scale` is not `[C]`.
/// - Complexity: O(N·H·W·C).
public func scaleChannels(_ images: Tensor, by scale: Tensor) throws -> Tensor {
    // TODO(Broadcast1): check both shapes, then let `*` broadcast `[C]` over `[N, H, W, C]`.
    // START Broadcast1
    throw NotImplemented("Broadcast1")
    // END Broadcast1
}

/// Divides each row by its sum, so every row sums to 1: `out[n, d] = x[n, d] / Σ_j x[n, j]`.
///
/// The last step of a softmax does exactly this. The row sums form a column `[N, 1]`: a `[N]`
/// vector would line up with the *columns* instead, which for a square matrix silently gives the
/// wrong answer.
///
/// - Parameter x: `[N, D]`.
/// - Returns: `[N, D]`, each row summing to 1.
/// - Throws: ``ShapeError`` if `x` is not a matrix; ``ArgumentError`` naming the row if a row sums
///   to 0 (there is nothing to divide by).
/// - Complexity: O(N·D).
public func normalizeRows(_ x: Tensor) throws -> Tensor {
    // TODO(Broadcast2): row sums as a column [N, 1] (keep the reduced axis), then divide.
    // START Broadcast2
    throw NotImplemented("Broadcast2")
    // END Broadcast2
}

// Chapter 0 · Tensor basics — reductions along axes
//
// Shapes: N examples, K classes, H x W pixels, C channels (NHWC). Reducing along an axis removes
// it (or keeps it as size 1 with `keepingDimension: true`).
//
// Guide and hints: Exercises/00-TensorBasics/GUIDE.md, or `swift run workbook hint Reduce1`.
import WorkbookCore

/// The mean of each channel over a batch of images: `out[c] = mean over n, h, w of images[n, h, w, c]`.
///
/// Spatial batch normalization computes exactly this, once per channel.
///
/// - Parameter images: `[N, H, W, C]`.
/// - Returns: `[C]`.
/// - Throws: ``ShapeError`` if `images` is not rank 4.
/// - Complexity: O(N·H·W·C).
public func channelMeans(_ images: Tensor) throws -> Tensor {
    // TODO(Reduce1): average along every axis but the channels.
    // START Reduce1
    try requireShape(images, [-1, -1, -1, -1], "channelMeans images (must be [N, H, W, C])")
    // Axes 0, 1, 2 are N, H, W; what is left is axis 3, the channels.
    return try images.mean(alongAxes: [0, 1, 2])
    // END Reduce1
}

/// The fraction of examples whose highest score is their label's: the classifier's accuracy.
///
/// The predicted class of a row is the index of its largest logit; ties go to the lowest index.
///
/// - Parameters:
///   - logits: one row of class scores per example, `[N, K]`.
///   - labels: the true class of each example, `N` values in `0..<K`.
/// - Returns: a number in [0, 1].
/// - Throws: ``ShapeError`` if `logits` is not a matrix or `labels` does not hold `N` values;
///   ``ArgumentError`` if there are no examples or a label is outside `0..<K`.
/// - Complexity: O(N·K).
public func accuracy(logits: Tensor, labels: [Int]) throws -> Double {
    // TODO(Reduce2): the arg-max of each row, compared with the labels; count the matches.
    // START Reduce2
    try requireShape(logits, [labels.count, -1], "accuracy logits (must be [N, K] with N = labels.count)")
    let classes = logits.shape[1]
    guard !labels.isEmpty else { throw ArgumentError(operation: "accuracy", detail: "no examples: accuracy is undefined") }
    if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classes }) {
        throw ArgumentError(operation: "accuracy", detail: "label \(labels[bad]) of example \(bad) is outside 0..<\(classes)")
    }
    let predictions = try logits.argmaxRows()
    let correct = zip(predictions, labels).filter { $0 == $1 }.count
    return Double(correct) / Double(labels.count)
    // END Reduce2
}

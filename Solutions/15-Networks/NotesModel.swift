// Chapter 15 · Networks — the notes' model, "putting it all together" (notes 002)
//
//     Dense 20, relu → Dropout 0.3 → Dense 3, relu → Dropout 0.3 → Dense 1, sigmoid, binary cross-entropy
//
// Keras' Dropout(0.3) DROPS 30 %: the keep probability is 0.7. The sigmoid is not a layer here: it
// is fused into the loss (`NetworkLoss.sigmoidBinaryCrossEntropy`, chapter 3), so the network's
// output is the logit `[N, 1]`.
//
// Guide and hints: Exercises/15-Networks/GUIDE.md, or `swift run workbook hint Network6`.
import WorkbookCore

/// The notes' model for `inputs` features, with He-initialized weights (chapter 6, for ReLU layers)
/// and zero biases:
///
///     .dense [inputs, 20], .relu, .dropout keep 0.7, .dense [20, 3], .relu, .dropout keep 0.7, .dense [3, 1]
///
/// The weights are drawn in layer order with `initializeWeights(shape:scheme: .he, using: rng)`. The
/// notes' Keras code sets no initializer (Keras' default is Glorot-uniform); the workbook asks for He
/// because the hidden layers feed ReLUs (see the guide).
///
/// - Parameters:
///   - inputs: the number of input features, `D ≥ 1`.
///   - rng: the generator for the weights.
/// - Returns: the seven layers.
/// - Throws: ``ArgumentError`` if `inputs < 1`.
public func notesModel(inputs: Int, using rng: inout SeededGenerator) throws -> [NetworkLayer] {
    // TODO(Network6): seven layers; He-initialized dense weights drawn in order, zero biases, keep probability 0.7.
    // START Network6
    guard inputs >= 1 else {
        throw ArgumentError(operation: "notesModel", detail: "inputs must be ≥ 1, got \(inputs)")
    }
    func dense(_ fanIn: Int, _ fanOut: Int) throws -> NetworkLayer {
        .dense(weight: try initializeWeights(shape: [fanIn, fanOut], scheme: .he, using: &rng), bias: Tensor(zeros: [fanOut]))
    }
    // Dropout(0.3) in the notes' Keras code drops 30 %, so 70 % are kept.
    let keep = 0.7
    return [try dense(inputs, 20), .relu, .dropout(keepProbability: keep),
            try dense(20, 3), .relu, .dropout(keepProbability: keep),
            try dense(3, 1)]
    // END Network6
}

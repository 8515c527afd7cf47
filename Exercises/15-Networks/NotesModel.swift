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
    throw NotImplemented("Network6")
    // END Network6
}

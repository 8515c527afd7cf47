// Chapter 15 · Networks — where batch norm goes (notes 002, 004)
//
// Shapes: a new batch norm layer's gamma, beta, runningMean and runningVariance are `[W]`, W the
// width of the activations it normalizes (the preceding dense layer's outputs, or the inputs).
//
// Guide and hints: Exercises/15-Networks/GUIDE.md, or `swift run workbook hint BNPlacement1`.
import WorkbookCore

/// Inserts fresh batch norm layers (gamma 1, beta 0, running mean 0, running variance 1) into a
/// network of dense layers and activations:
///
///     .beforeActivation   every dense layer directly followed by an activation (relu, tanh, sigmoid,
///                         leakyReLU, elu)
///                         gets a batch norm between the two:   dense → BN → activation
///     .afterActivation    every such activation gets a batch norm after it:   dense → activation → BN
///     .inputs             one batch norm of width `inputs` before the first layer
///
/// Nothing else moves: the output layer (a dense layer without an activation after it) gets no batch
/// norm, and dropout layers stay where they are.
///
/// - Parameters:
///   - layers: the network without batch norm.
///   - placement: where to insert.
///   - inputs: the number of input features D (used by `.inputs`).
/// - Returns: the network with batch norm inserted.
/// - Throws: ``ArgumentError`` if `layers` already holds a batch norm layer or `inputs < 1`.
public func insertBatchNorm(into layers: [NetworkLayer], placement: BatchNormPosition, inputs: Int) throws -> [NetworkLayer] {
    // TODO(BNPlacement1): walk the layers; insert a fresh batch norm of the right width where the placement says.
    // START BNPlacement1
    throw NotImplemented("BNPlacement1")
    // END BNPlacement1
}

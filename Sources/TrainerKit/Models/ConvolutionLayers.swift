import WorkbookCore

// The convolutional layers of ``Network`` (chapters 10 and 11). Those chapters have not been
// merged into this branch yet, so for now a CNN stops with a clear message; the dense models
// (MLP, the notes' network, the residual net) do not need them.

extension Network {
    /// Runs one convolutional layer forward; returns its output and its backward pass.
    mutating func convolutionLayerForward(_ layer: LayerKind, index: Int, _ h: Tensor, mode: Mode) throws -> (Tensor, Backward) {
        throw TrainerError("the \(architecture.model) model needs chapters 10–11 (convolution, pooling, spatial batch norm), which are not in this build yet")
    }
}

/// Whether a layer runs as in training or as at test time.
///
/// Dropout and batch normalization behave differently in the two: dropout draws a mask only in
/// training, batch normalization uses the batch's statistics in training and stored ones at test time.
public enum Mode: String, Sendable, Codable, CaseIterable {
    case training
    case inference
}

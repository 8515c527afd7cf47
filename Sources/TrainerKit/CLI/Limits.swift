import Foundation

/// The trainer's stated limits. Every size, count and label read from a flag or a file is checked
/// against these before it is used for arithmetic or allocation, so a bad input is refused with a
/// message instead of overflowing, hanging or silently building a giant model. `trainer train
/// --help` and the README print the same table (``Limits/summary``).
///
/// The figures are far above anything the workbook's data needs (the digits: 1797 rows of 64
/// pixels, 10 classes; MNIST: 60,000 images of 28x28) and far below what overflows an `Int`.
public enum Limits {
    /// Labels are integers `0...maxLabel`, so a model has at most 1000 classes.
    public static let maxLabel = 999
    /// Rows (examples) in one data file.
    public static let maxExamples = 10_000_000
    /// Features (columns after the label) of a CSV, or pixels of one IDX image.
    public static let maxFeatures = 1_000_000
    /// Rows and columns of one IDX image.
    public static let maxImageSide = 4096
    /// The largest magnitude of a feature: beyond it the mean and variance used for normalization
    /// overflow a Double (1e308² is infinite), long after they stop meaning anything.
    public static let maxFeatureMagnitude = 1e100
    /// A data or checkpoint file is read whole into memory; larger files are refused.
    public static let maxFileBytes = 4 << 30
    /// One hidden width (`--hidden`), and how many hidden layers.
    public static let maxWidth = 65_536
    public static let maxHiddenLayers = 64
    /// The least `--keep` (a checkpoint stores no less): below it dropout's 1/keep scaling is
    /// beyond any meaning, and 0 would drop every unit.
    public static let minKeepProbability = 1e-12
    /// `--batch-size`
    public static let maxBatchSize = 65_536
    /// `--epochs`, `--stop-after`, `--patience`
    public static let maxEpochs = 1_000_000
    /// `--threads`: more threads than this only queue for the same cores (the products split into
    /// at most a few dozen tiles); 64 is many times the cores of any machine the workbook targets.
    public static let maxThreads = 64
    /// `--channels` of the first convolution (the channels double each stage).
    public static let maxChannels = 1024
    /// `--conv-layers`: each stage halves the image, which must keep at least one pixel.
    public static let maxConvLayers = 12
    /// `--blocks` of the residual net.
    public static let maxBlocks = 256
    /// The estimated memory of a run (weights, optimizer state, the best copy, and one batch's
    /// activations and gradients) must stay below this, in bytes.
    public static let memoryBudget = 4 << 30

    /// The limits as `--help` and the README state them.
    public static let summary = """
        LIMITS (checked before anything is allocated):
          labels            integers 0...\(maxLabel) (at most \(maxLabel + 1) classes); at least 2 distinct classes
          data files        at most \(maxExamples) rows, \(maxFeatures) features a row, |feature| ≤ 1e100, 4 GiB a file
          IDX images        rows and columns 1...\(maxImageSide)
          --hidden          1...\(maxWidth) per layer, at most \(maxHiddenLayers) layers
          --batch-size      1...\(maxBatchSize)
          --epochs          1...\(maxEpochs) (also --patience; --stop-after 1...--epochs)
          --learning-rate   above 0, at most 1e6; --lr-decay above 0, at most 1; --momentum 0...1
          --keep            \(minKeepProbability)...1; --validation and --test 0...0.9 each, their sum below 1
          --seed            0...\(UInt64.max)
          --threads         1...\(maxThreads), or auto
          --channels        1...\(maxChannels); --conv-layers 1...\(maxConvLayers), and each stage must leave the image ≥ 1 pixel
          --blocks          0...\(maxBlocks)
          memory            a model whose weights, optimizer state and one batch's activations would need more
                            than 4 GiB is refused, naming the option to lower
        """

    /// `a * b`, or `nil` on overflow.
    static func product(_ factors: [Int]) -> Int? {
        var total = 1
        for factor in factors {
            guard factor >= 0 else { return nil }
            let (value, overflow) = total.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            total = value
        }
        return total
    }

    /// A byte count for messages: `3.2 GiB`, `144 MiB`.
    static func bytes(_ count: Double) -> String {
        if count >= Double(1 << 30) { return String(format: "%.1f GiB", count / Double(1 << 30)) }
        if count >= Double(1 << 20) { return String(format: "%.0f MiB", count / Double(1 << 20)) }
        return String(format: "%.0f KiB", count / 1024)
    }
}

/// At most `limit` characters of untrusted text for a message, with `…` when cut, so an error
/// never echoes a whole input cell or file name of megabytes.
func excerpt(_ text: some StringProtocol, limit: Int = 40) -> String {
    let cleaned = text.prefix(limit + 1).map { $0.isNewline || $0 == "\0" ? " " : String($0) }.joined()
    return cleaned.count > limit ? String(cleaned.prefix(limit)) + "…" : cleaned
}

/// `text` as one shell word that pastes back as exactly `text`: unchanged when it holds only
/// characters no shell treats specially (unless `always`), else in single quotes ('it'\''s'),
/// or, when it holds a newline or another control character, in ANSI-C quotes ($'a\nb'), so the
/// character is shown instead of being printed as a line break or a space.
func shellQuoted(_ text: some StringProtocol, always: Bool = false) -> String {
    let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./+:,@%=")
    if !always, !text.isEmpty, text.allSatisfy({ plain.contains($0) }) { return String(text) }
    if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
        var result = "$'"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case "\\": result += "\\\\"
            case "'": result += "\\'"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: result += String(format: "\\x%02x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "'"
    }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// A path for a message: at most 200 characters (`…` when cut), shell-quoted, always in quotes.
func shown(_ path: some StringProtocol) -> String {
    let cut = path.count > 200 ? String(path.prefix(200)) + "…" : String(path)
    return shellQuoted(cut, always: true)
}

/// A path inside a sentence: at most 200 characters, quoted only when a shell would need it.
func shownWord(_ path: some StringProtocol) -> String {
    let cut = path.count > 200 ? String(path.prefix(200)) + "…" : String(path)
    return shellQuoted(cut)
}

// The trainer's four file formats tell themselves apart by their first bytes, so a file given to
// the wrong reader (a checkpoint as --data, a safetensors file as --checkpoint, a checkpoint to
// import) is named as what it is, with the command that reads it, instead of "a NUL byte" or "a
// header length of 742611533465666135".

/// What a file's first bytes say it is.
enum FileKind: Equatable {
    /// `WBTRAIN\n` (``Checkpoint/magic``).
    case checkpoint
    /// An 8-byte little-endian header length that fits in the file, then `{`: safetensors.
    case safeTensors
    /// IDX, magic 0x00000803 or 0x00000801.
    case idxImages, idxLabels
    /// Compressed: gzip (1F 8B, as MNIST is distributed) or zip (`PK\u{3}\u{4}`).
    case gzip, zip

    /// What a reader says of a compressed file, or nil for any other.
    var compressedProblem: String? {
        switch self {
        case .gzip: "a compressed file (gzip); decompress it first (gunzip FILE)"
        case .zip: "a compressed file (zip); decompress it first (unzip FILE)"
        default: nil
        }
    }

    /// The kind of `bytes`, or nil when they are none of these (a CSV, or anything else).
    static func of(_ bytes: [UInt8]) -> FileKind? {
        if bytes.count >= 8, Array(bytes[0..<8]) == Checkpoint.magic { return .checkpoint }
        if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B { return .gzip }
        if bytes.count >= 4, bytes[0..<4].elementsEqual([0x50, 0x4B, 0x03, 0x04]) { return .zip }
        if bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, bytes[2] == 8, bytes[3] == 3 { return .idxImages }
        if bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, bytes[2] == 8, bytes[3] == 1 { return .idxLabels }
        if bytes.count >= 10 {
            var length: UInt64 = 0
            for i in (0..<8).reversed() { length = length << 8 | UInt64(bytes[i]) }
            if length >= 2, length <= UInt64(bytes.count - 8), bytes[8] == UInt8(ascii: "{") { return .safeTensors }
        }
        return nil
    }
}

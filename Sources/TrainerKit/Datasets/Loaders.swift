import Foundation
import WorkbookCore

// Reading data files. Every error names the file and the line (CSV) or byte offset (IDX) where the
// problem is, and nothing is returned unless the whole file is good: nothing trains on garbage.

/// A problem in a data file, located by line or byte offset.
public struct DataFileError: Error, Equatable, CustomStringConvertible {
    public var file: String
    /// `line 17` or `offset 4`.
    public var location: String
    public var problem: String
    public var description: String { "\(file): \(location): \(problem)" }
}

/// read(2), under a name that `DataLoader.read` does not hide.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

/// The bytes a decimal number may hold in a CSV cell: digits, sign, point and exponent.
private let decimalCharacters = Set("0123456789+-.eE".utf8)

public enum DataLoader {
    /// The 8x8 digits shipped in `Sources/TrainerKit/Data/digits.csv` (UCI, CC BY 4.0; see the
    /// README there). Found beside this source file, so a fresh clone needs no download.
    public static var digitsPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data/digits.csv").path
    }

    /// The 1797 digits as a data set with 64 features (pixels 0...16) and image shape `[8, 8, 1]`.
    public static func digits() throws -> Dataset {
        var data = try csv(at: digitsPath)
        data.name = "digits"
        guard data.featureCount == 64 else {
            throw TrainerError("\(digitsPath): expected 64 pixels per row, found \(data.featureCount)")
        }
        data.imageShape = [8, 8, 1]
        return data
    }

    /// Reads a CSV of `label,feature,feature,…` rows.
    ///
    /// The first line may be a header; it is one if its first cell is not a number, and then it must
    /// start with `label`. Every row must have as many columns as the first, labels must be integers
    /// ≥ 0 and features finite numbers. Blank lines are skipped.
    /// - Throws: ``DataFileError`` naming the file and line, or ``TrainerError`` if unreadable.
    public static func csv(at path: String) throws -> Dataset {
        let bytes = try read(path, stopAtNUL: true)
        let name = shownWord(path)
        // A file given to the wrong reader is named as what it is, before any parsing.
        if bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, bytes[2] == 8, bytes[3] == 3 || bytes[3] == 1 {
            throw DataFileError(file: name, location: "offset 0", problem: bytes[3] == 3
                ? "an IDX images file (magic 0x00000803), read as a CSV because no --labels was given; give its IDX labels file with --labels"
                : "an IDX labels file (magic 0x00000801); give the IDX images file as --data and this one as --labels")
        }
        switch FileKind.of(bytes) {
        case let kind? where kind.compressedProblem != nil:
            throw DataFileError(file: name, location: "offset 0", problem: kind.compressedProblem!)
        case .checkpoint?:
            throw DataFileError(file: name, location: "offset 0", problem: "a trainer checkpoint: give it as --checkpoint, not as --data (a CSV of label,feature,… rows)")
        case .safeTensors?:
            throw DataFileError(file: name, location: "offset 0", problem: "a safetensors file: import it (trainer import) and give the checkpoint as --checkpoint, "
                                + "not as --data (a CSV of label,feature,… rows)")
        default: break
        }
        // A NUL byte (a binary or sparse file) is found at memory speed, before the text is split:
        // a 100 MB file of zeros is refused at once, not after minutes of parsing.
        if let zero = bytes.withUnsafeBufferPointer({ buffer -> Int? in
            guard let base = buffer.baseAddress, let hit = memchr(base, 0, buffer.count) else { return nil }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
        }) {
            throw DataFileError(file: name, location: "offset \(zero)", problem: "a NUL byte: this is not a CSV text file (label,feature,… rows)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw DataFileError(file: name, location: "offset \(firstInvalidUTF8(bytes))", problem: "not UTF-8 text: a CSV of label,feature,… rows was expected")
        }
        return try csv(text: text, name: path)
    }

    /// - Limits: labels `0...Limits.maxLabel`, at most `Limits.maxExamples` rows and
    ///   `Limits.maxFeatures` features, every |feature| ≤ `Limits.maxFeatureMagnitude`.
    public static func csv(text: String, name: String) throws -> Dataset {
        var labels = [Int](), scalars = [Double]()
        var width: Int?
        var lineNumber = 0
        let name = shownWord(name)
        // A UTF-8 byte-order mark (spreadsheets save "CSV UTF-8" with one) is an encoding marker, not text.
        let text = text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
        // `isNewline` also splits "\r\n", which Swift reads as one Character.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let cells = line.split(separator: ",", maxSplits: Limits.maxFeatures + 1, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count <= Limits.maxFeatures + 1 else {
                throw DataFileError(file: name, location: "line \(lineNumber)",
                                    problem: "more than \(Limits.maxFeatures) feature columns (the trainer's limit)")
            }
            if width == nil && labels.isEmpty && Double(cells[0]) == nil {
                if cells[0].hasPrefix("\"") {
                    throw DataFileError(file: name, location: "line \(lineNumber)",
                                        problem: "bad header: '\(excerpt(cells[0]))' is quoted; the trainer reads a plain header starting with label, without quotes")
                }
                guard cells[0].lowercased() == "label" else {
                    let separator = cells.count > 1 ? nil : cells[0].contains(";") ? "';'" : cells[0].contains("\t") ? "tabs" : nil
                    throw DataFileError(file: name, location: "line \(lineNumber)",
                                        problem: "bad header: the first column must be 'label', found '\(excerpt(cells[0]))'"
                                            + (separator.map { " (the separator is a comma; this line has \($0))" } ?? ""))
                }
                guard cells.count >= 2 else {
                    throw DataFileError(file: name, location: "line \(lineNumber)", problem: "bad header: no feature columns after 'label'")
                }
                width = cells.count
                continue
            }
            let expected = width ?? cells.count
            guard expected >= 2 else {
                throw DataFileError(file: name, location: "line \(lineNumber)",
                                    problem: "a row needs a label and at least one feature; this one has \(cells.count) column\(cells.count == 1 ? "" : "s")")
            }
            guard cells.count == expected else {
                throw DataFileError(file: name, location: "line \(lineNumber)",
                                    problem: "expected \(expected) columns (label + \(expected - 1) features), found \(cells.count)")
            }
            width = expected
            guard let label = Int(cells[0]), label >= 0, label <= Limits.maxLabel else {
                throw DataFileError(file: name, location: "line \(lineNumber)",
                                    problem: "column 1: the label must be an integer in 0...\(Limits.maxLabel) (at most \(Limits.maxLabel + 1) classes), found '\(excerpt(cells[0]))'")
            }
            guard labels.count < Limits.maxExamples else {
                throw DataFileError(file: name, location: "line \(lineNumber)", problem: "more than \(Limits.maxExamples) rows (the trainer's limit)")
            }
            labels.append(label)
            for (column, cell) in cells.dropFirst().enumerated() {
                if cell.isEmpty {
                    throw DataFileError(file: name, location: "line \(lineNumber)",
                                        problem: "column \(column + 2): an empty cell (a trailing comma, or a missing value?); expected a finite decimal number")
                }
                if cell.hasPrefix("\"") {
                    throw DataFileError(file: name, location: "line \(lineNumber)",
                                        problem: "column \(column + 2): '\(excerpt(cell))' is quoted; the trainer reads plain decimal numbers without quotes")
                }
                // Decimal notation only: Swift's Double("0x10") reads hexadecimal (16), which
                // nothing else reading the CSV would agree with.
                guard cell.utf8.allSatisfy({ decimalCharacters.contains($0) }), let value = Double(cell), value.isFinite else {
                    throw DataFileError(file: name, location: "line \(lineNumber)",
                                        problem: "column \(column + 2): expected a finite decimal number (such as 12, -0.5 or 3e-2), found '\(excerpt(cell))'")
                }
                guard abs(value) <= Limits.maxFeatureMagnitude else {
                    throw DataFileError(file: name, location: "line \(lineNumber)",
                                        problem: "column \(column + 2): \(excerpt(cell)) is beyond the trainer's limit of ±1e100 for a feature")
                }
                scalars.append(value)
            }
        }
        guard let width, !labels.isEmpty else {
            throw DataFileError(file: name, location: "line \(max(lineNumber, 1))", problem: "no data rows")
        }
        let features = try Tensor(shape: [labels.count, width - 1], scalars: scalars)
        return Dataset(name: name, features: features, labels: labels)
    }

    /// Reads MNIST-style IDX files: images (magic 0x00000803, `[N, rows, cols]` unsigned bytes) and
    /// labels (magic 0x00000801, `[N]` unsigned bytes). Pixels keep their 0...255 values.
    /// - Throws: ``DataFileError`` with the byte offset of a wrong magic number, a truncated body or
    ///   a count mismatch.
    /// - Limits: 1...`Limits.maxExamples` images of 1...`Limits.maxImageSide` rows and columns.
    public static func idx(images imagesPath: String, labels labelsPath: String) throws -> Dataset {
        let images = try read(imagesPath)
        let labelBytes = try read(labelsPath)
        let imagesName = shownWord(imagesPath), labelsName = shownWord(labelsPath)
        for (bytes, name) in [(images, imagesName), (labelBytes, labelsName)] {
            if let problem = FileKind.of(bytes)?.compressedProblem { throw DataFileError(file: name, location: "offset 0", problem: problem) }
        }
        let imageHeader = try header(images, file: imagesName, magic: 0x0000_0803, dimensions: 3)
        let labelHeader = try header(labelBytes, file: labelsName, magic: 0x0000_0801, dimensions: 1)
        let (n, rows, columns) = (imageHeader[0], imageHeader[1], imageHeader[2])
        guard n >= 1, n <= Limits.maxExamples else {
            throw DataFileError(file: imagesName, location: "offset 4", problem: "the header says \(n) images; the trainer reads 1...\(Limits.maxExamples)")
        }
        for (offset, size, what) in [(8, rows, "rows"), (12, columns, "columns")] where size < 1 || size > Limits.maxImageSide {
            throw DataFileError(file: imagesName, location: "offset \(offset)",
                                problem: "the header says images of \(size) \(what); the trainer reads 1...\(Limits.maxImageSide)")
        }
        guard labelHeader[0] == n else {
            throw DataFileError(file: labelsName, location: "offset 4",
                                problem: "holds \(labelHeader[0]) labels but '\(imagesName)' holds \(n) images")
        }
        let pixels = rows * columns
        // n ≤ 10⁷ and pixels ≤ 4096² ≈ 1.7·10⁷: the product fits an Int with room to spare.
        try requireBody(images, file: imagesName, headerSize: 16, bytes: n * pixels, what: "\(n) images of \(rows)x\(columns)")
        try requireBody(labelBytes, file: labelsName, headerSize: 8, bytes: n, what: "\(n) labels")
        var labels = [Int]()
        labels.reserveCapacity(n)
        for i in 0..<n { labels.append(Int(labelBytes[8 + i])) }
        var scalars = [Double](repeating: 0, count: n * pixels)
        for i in 0..<(n * pixels) { scalars[i] = Double(images[16 + i]) }
        return Dataset(name: imagesName, features: try Tensor(shape: [n, pixels], scalars: scalars), labels: labels,
                       classCount: max(10, (labels.max() ?? 0) + 1), imageShape: [rows, columns, 1])
    }

    /// The bytes of a data file of at most `Limits.maxFileBytes`: a regular file (or a pipe, as
    /// `<(…)` gives); a directory or a device (`/dev/zero`, `/dev/null`) is refused by name.
    /// - Parameters:
    ///   - what: what the file should be, for messages ("data file", "safetensors file").
    ///   - stopAtNUL: for text: stop reading after the chunk that holds a NUL byte (the caller
    ///     refuses the file there), so a pipe of binary data is not read to the 4 GiB limit first.
    static func read(_ path: String, what: String = "data file", stopAtNUL: Bool = false) throws -> [UInt8] {
        let shown = shownWord(path)
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TrainerError("cannot read the \(what) \(shown): \(String(cString: strerror(errno)))")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG, S_IFIFO: break
        case S_IFDIR: throw TrainerError("cannot read the \(what) \(shown): it is a directory")
        case S_IFCHR, S_IFBLK: throw TrainerError("cannot read the \(what) \(shown): it is a device, not a file")
        default: throw TrainerError("cannot read the \(what) \(shown): it is not a regular file")
        }
        if Int(info.st_size) > Limits.maxFileBytes {
            throw TrainerError("\(shown) has \(info.st_size) bytes, over the trainer's limit of \(Limits.bytes(Double(Limits.maxFileBytes))) a file")
        }
        // read(2) in chunks rather than FileManager.contents(atPath:), which returns nil for a pipe
        // (`--data <(…)`): a pipe has no size, so it is read up to one byte past the limit and refused there.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw TrainerError("cannot read the \(what) \(shown): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(max(Int(info.st_size), 0))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw TrainerError("cannot read the \(what) \(shown): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            guard bytes.count + count <= Limits.maxFileBytes else {
                throw TrainerError("\(shown) has more than \(Limits.bytes(Double(Limits.maxFileBytes))), the trainer's limit a file")
            }
            bytes += chunk[..<count]
            if stopAtNUL, chunk[..<count].contains(0) { break }
        }
        return bytes
    }

    /// The offset of the first byte that is not part of valid UTF-8.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(scalar): offset += UTF8.width(scalar)
            case .emptyInput: return offset
            case .error: return offset
            }
        }
    }

    /// Checks the magic number and reads the big-endian dimension sizes that follow it.
    private static func header(_ bytes: [UInt8], file: String, magic: UInt32, dimensions: Int) throws -> [Int] {
        func word(_ offset: Int) -> UInt32 {
            (UInt32(bytes[offset]) << 24) | (UInt32(bytes[offset + 1]) << 16) | (UInt32(bytes[offset + 2]) << 8) | UInt32(bytes[offset + 3])
        }
        guard bytes.count >= 4 else {
            throw DataFileError(file: file, location: "offset \(bytes.count)", problem: "truncated: the 4-byte magic number is incomplete")
        }
        guard word(0) == magic else {
            let text = bytes.prefix(4).allSatisfy { (0x20...0x7e).contains($0) || $0 == 0x0a || $0 == 0x09 || $0 == 0x0d }
            let other = word(0) == 0x803 ? " (an IDX images file)" : word(0) == 0x801 ? " (an IDX labels file)" : text ? " (the file starts like text: a CSV? give it as --data without --labels)" : ""
            throw DataFileError(file: file, location: "offset 0",
                                problem: String(format: "wrong magic number 0x%08X%@, expected 0x%08X (%@)", word(0), other, magic,
                                                magic == 0x803 ? "IDX images" : "IDX labels"))
        }
        let headerSize = 4 + 4 * dimensions
        guard bytes.count >= headerSize else {
            throw DataFileError(file: file, location: "offset \(bytes.count)",
                                problem: "truncated: the header needs \(headerSize) bytes, the file has \(bytes.count)")
        }
        return (0..<dimensions).map { Int(word(4 + 4 * $0)) }
    }

    private static func requireBody(_ bytes: [UInt8], file: String, headerSize: Int, bytes needed: Int, what: String) throws {
        if bytes.count < headerSize + needed {
            throw DataFileError(file: file, location: "offset \(bytes.count)",
                                problem: "truncated: the header promises \(what) (\(headerSize + needed) bytes), the file ends after \(bytes.count)")
        }
        if bytes.count > headerSize + needed {
            throw DataFileError(file: file, location: "offset \(headerSize + needed)",
                                problem: "\(bytes.count - headerSize - needed) bytes after the end of the data: the header promises \(what) "
                                    + "(\(headerSize + needed) bytes), the file has \(bytes.count); is the header's count wrong?")
        }
    }
}

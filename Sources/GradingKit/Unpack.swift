// Unpacking a submission's archive with limits enforced while it is read.
//
// The grader reads the archive itself, member by member, and writes only regular files, inside
// the staging folder, with their sizes counted as they arrive: a decompression bomb stops at the
// limit (so it costs at most that much disk and the time to decompress that much), and links,
// devices, absolute paths and `..` are refused and named without ever being created. Only the
// decompression of the bytes is left to the system's `gzip` (a child whose output is read through
// a pipe and which is killed once a limit is hit), because the toolchain has no inflate:
//
//   .tar              read straight from the file
//   .tar.gz / .tgz    `gzip -dc` of the file, read as a tar stream
//   .zip              the central directory read from the file (names, sizes, types); the members
//                     kept are rewritten as one multi-member gzip stream (each with the CRC and size
//                     the directory declares, which gzip checks) and read back through `gzip -dc`
//
// Why not `tar -x` / `unzip` as before: they write first and are checked afterwards, as root, so a
// 1 MB archive holding a 1 GB file filled the disk before any check, and their own safety rules
// (links, `..`) differ between versions. Here nothing reaches the disk that a limit refuses.
import Foundation

/// What one archive may cost. `standard` is what batch and `results --submission` use.
public struct UnpackLimits: Sendable {
    /// Bytes of the unpacked stream read in all (data and headers): the bound on disk and time.
    public var totalBytes: Int
    /// Members (files, folders, links) in the archive.
    public var files: Int
    /// One file's size; a larger file is refused and named (as `SubmissionFiles` refuses it).
    public var fileBytes: Int
    /// Folders above a file.
    public var depth: Int
    /// The archive's own size on disk.
    public var archiveBytes: Int
    /// Seconds for the whole archive.
    public var seconds: Double

    public init(totalBytes: Int, files: Int, fileBytes: Int, depth: Int, archiveBytes: Int, seconds: Double) {
        self.totalBytes = totalBytes
        self.files = files
        self.fileBytes = fileBytes
        self.depth = depth
        self.archiveBytes = archiveBytes
        self.seconds = seconds
    }

    /// 32 MB unpacked, 2,000 members, 1 MB a file, 12 folders deep, a 64 MB archive, 60 s. The
    /// workbook's own `Exercises/` is about 0.6 MB in 60 files, 2 folders deep.
    public static let standard = UnpackLimits(totalBytes: 32 << 20, files: 2_000, fileBytes: SubmissionFiles.maximumSize,
                                              depth: 12, archiveBytes: 64 << 20, seconds: 60)
}

/// An archive refused as a whole: over a limit, damaged, or of a kind not read.
public struct UnpackError: Error, CustomStringConvertible {
    public var description: String
}

public enum Unpack {
    /// Unpacks `archive` (.tar, .tar.gz, .tgz, .zip) into `folder`. Returns the members refused
    /// (`path (a symbolic link)`), for the gradebook's note; throws `UnpackError` when the archive
    /// as a whole is refused (a limit hit, a damaged archive), after removing what was written.
    public static func archive(_ archive: URL, into folder: URL, limits: UnpackLimits = .standard) throws -> [String] {
        let lower = archive.lastPathComponent.lowercased()
        let size = (try? FileManager.default.attributesOfItem(atPath: archive.path)[.size] as? Int) ?? 0
        guard size <= limits.archiveBytes else {
            throw UnpackError(description: "\(archive.lastPathComponent) is \(size >> 20) MB, over the \(limits.archiveBytes >> 20) MB an archive may be")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var writer = Writer(folder: folder, limits: limits)
        do {
            if lower.hasSuffix(".zip") {
                try unzip(archive, into: &writer)
            } else if lower.hasSuffix(".tar") {
                let stream = try Stream(file: archive, limits: limits)
                defer { stream.close() }
                try untar(stream, into: &writer)
            } else if lower.hasSuffix(".tar.gz") || lower.hasSuffix(".tgz") {
                let stream = try Stream(gunzip: archive, limits: limits)
                defer { stream.close() }
                try untar(stream, into: &writer)
                try stream.finish()
            } else {
                throw UnpackError(description: "\(archive.lastPathComponent) is not a .zip, .tar, .tar.gz or .tgz archive")
            }
        } catch let error as UnpackError {
            try? FileManager.default.removeItem(at: folder)
            throw UnpackError(description: "\(archive.lastPathComponent): \(error.description)")
        }
        return writer.refused
    }

    /// `32 MB`, or `3000 bytes` below a megabyte.
    static func size(_ bytes: Int) -> String { bytes >= 1 << 20 ? "\(bytes >> 20) MB" : "\(bytes) bytes" }

    // MARK: tar

    static func untar(_ stream: Stream, into writer: inout Writer) throws {
        var longName: String?
        while true {
            let header = try stream.read(512)
            if header.allSatisfy({ $0 == 0 }) { return }
            guard checksumMatches(header) else { throw UnpackError(description: "not a tar archive, or a damaged one (bad header checksum)") }
            let size = try number(header[124..<136])
            let padded = (size + 511) / 512 * 512
            let type = header[156]
            var name = longName ?? string(header[0..<100])
            longName = nil
            if string(header[257..<262]) == "ustar", header[345] != 0, name == string(header[0..<100]) {
                name = string(header[345..<500]) + "/" + name
            }
            switch type {
            case UInt8(ascii: "L"), UInt8(ascii: "x"):   // GNU long name, POSIX extended header
                guard size <= 65_536 else { throw UnpackError(description: "a long-name header of \(size) bytes") }
                let data = try stream.read(padded).prefix(size)
                longName = type == UInt8(ascii: "L") ? string(data) : paxPath(data)
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                try writer.file(name, size: size) { count in try stream.read(count) }
                try stream.skip(padded - size)
            case UInt8(ascii: "5"):
                try writer.folder(name)
                try stream.skip(padded)
            case UInt8(ascii: "g"), UInt8(ascii: "K"):
                try stream.skip(padded)
            default:
                let kind = type == UInt8(ascii: "1") ? "a hard link" : type == UInt8(ascii: "2") ? "a symbolic link"
                    : [UInt8(ascii: "3"), UInt8(ascii: "4"), UInt8(ascii: "6")].contains(type) ? "a device, pipe or socket"
                    : "an entry of type '\(Character(UnicodeScalar(type)))'"
                try writer.refuse(name, kind)
                try stream.skip(padded)
            }
        }
    }

    static func string(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// An octal field, or GNU's base-256 for large values.
    static func number(_ field: ArraySlice<UInt8>) throws -> Int {
        if let first = field.first, first & 0x80 != 0 {
            var value = 0
            for byte in field.dropFirst() {
                guard value < Int.max >> 9 else { return Int.max }
                value = value << 8 | Int(byte)
            }
            return value
        }
        let text = string(field).trimmingCharacters(in: .whitespaces)
        guard let value = text.isEmpty ? 0 : Int(text, radix: 8), value >= 0 else {
            throw UnpackError(description: "not a tar archive, or a damaged one (size '\(text)')")
        }
        return value
    }

    static func checksumMatches(_ header: [UInt8]) -> Bool {
        guard let stored = try? number(header[148..<156]) else { return false }
        var sum = 0
        for (index, byte) in header.enumerated() { sum += (148..<156).contains(index) ? 32 : Int(byte) }
        return sum == stored
    }

    /// `path=` of a POSIX extended header (`<length> path=<name>\n` records).
    static func paxPath(_ data: some Collection<UInt8>) -> String? {
        for record in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let space = record.firstIndex(of: " ") else { continue }
            let pair = record[record.index(after: space)...]
            if pair.hasPrefix("path=") { return String(pair.dropFirst(5)) }
        }
        return nil
    }

    // MARK: zip

    static func unzip(_ archive: URL, into writer: inout Writer) throws {
        let data = [UInt8](try Data(contentsOf: archive))
        func u16(_ at: Int) throws -> Int {
            guard at >= 0, at + 2 <= data.count else { throw UnpackError(description: "a damaged zip (a field past its end)") }
            return Int(data[at]) | Int(data[at + 1]) << 8
        }
        func u32(_ at: Int) throws -> Int { try u16(at) | u16(at + 2) << 16 }
        guard data.count >= 22, let end = stride(from: data.count - 22, through: max(0, data.count - 22 - 65_535), by: -1)
            .first(where: { data[$0] == 0x50 && data[$0 + 1] == 0x4b && data[$0 + 2] == 5 && data[$0 + 3] == 6 }) else {
            throw UnpackError(description: "not a zip archive, or a damaged one (no central directory)")
        }
        let count = try u16(end + 10)
        var offset = try u32(end + 16)
        guard count != 0xFFFF, offset != 0xFFFF_FFFF else { throw UnpackError(description: "a ZIP64 archive (over 65,535 files or 4 GB)") }
        guard count <= writer.limits.files else { throw UnpackError(description: "more than \(writer.limits.files) files") }
        struct Member { var name: String; var crc: Int; var size: Int; var method: Int; var data: Range<Int> }
        var members: [Member] = []
        var declared = 0
        for _ in 0..<count {
            guard try u32(offset) == 0x0201_4b50 else { throw UnpackError(description: "a damaged zip (bad central directory)") }
            let method = try u16(offset + 10), crc = try u32(offset + 16), compressed = try u32(offset + 20), size = try u32(offset + 24)
            let nameLength = try u16(offset + 28), extra = try u16(offset + 30), comment = try u16(offset + 32)
            let mode = try u32(offset + 38) >> 16
            let local = try u32(offset + 42)
            guard offset + 46 + nameLength <= data.count else { throw UnpackError(description: "a damaged zip (a name past its end)") }
            let name = String(decoding: data[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
            offset += 46 + nameLength + extra + comment
            let type = mode & 0o170000
            if name.hasSuffix("/") || type == 0o040000 {
                try writer.folder(name)
                continue
            }
            if type != 0 && type != 0o100000 {
                try writer.refuse(name, type == 0o120000 ? "a symbolic link" : "a device, pipe or socket")
                continue
            }
            guard method == 0 || method == 8 else { try writer.refuse(name, "compressed with method \(method)"); continue }
            guard try u32(local) == 0x0403_4b50 else { throw UnpackError(description: "a damaged zip (bad local header of \(name))") }
            let start = local + 30 + (try u16(local + 26)) + (try u16(local + 28))
            guard start + compressed <= data.count else { throw UnpackError(description: "a damaged zip (\(name) past its end)") }
            declared += size
            guard declared <= writer.limits.totalBytes else {
                throw UnpackError(description: "it unpacks to more than \(Unpack.size(writer.limits.totalBytes)) (a decompression bomb?), the limit for a submission")
            }
            members.append(Member(name: name, crc: crc, size: size, method: method, data: start..<(start + compressed)))
        }
        // Members too large or refused by name are left out before anything is decompressed.
        var kept: [Member] = []
        for member in members {
            if member.size > writer.limits.fileBytes { try writer.refuse(member.name, "a file over \(Unpack.size(writer.limits.fileBytes))") }
            else if let reason = writer.check(member.name) { try writer.refuse(member.name, reason) }
            else { kept.append(member) }
        }
        guard !kept.isEmpty else { return }
        var gzip = Data()
        for member in kept {
            gzip.append(contentsOf: [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff])
            if member.method == 8 {
                gzip.append(contentsOf: data[member.data])
            } else {   // stored: the same bytes in deflate's stored blocks (at most 65,535 bytes each)
                var at = member.data.lowerBound
                repeat {
                    let length = min(65_535, member.data.upperBound - at)
                    let final: UInt8 = at + length == member.data.upperBound ? 1 : 0
                    gzip.append(contentsOf: [final, UInt8(length & 0xff), UInt8(length >> 8), UInt8(~length & 0xff), UInt8((~length >> 8) & 0xff)])
                    gzip.append(contentsOf: data[at..<(at + length)])
                    at += length
                } while at < member.data.upperBound
            }
            for value in [member.crc, member.size] { for shift in [0, 8, 16, 24] { gzip.append(UInt8((value >> shift) & 0xff)) } }
        }
        let temporary = writer.folder.deletingLastPathComponent().appendingPathComponent(".\(writer.folder.lastPathComponent)-\(UUID().uuidString).gz")
        try gzip.write(to: temporary)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let stream = try Stream(gunzip: temporary, limits: writer.limits)
        defer { stream.close() }
        for member in kept {
            try writer.file(member.name, size: member.size) { count in try stream.read(count) }
        }
        try stream.finish()
    }

    // MARK: reading and writing

    /// The unpacked bytes, counted as they are read, from a file or from `gzip -dc`.
    final class Stream {
        private let handle: FileHandle
        private let process: Process?
        private let limits: UnpackLimits
        private let deadline: Date
        private var buffer: [UInt8] = []
        private var position = 0
        private(set) var total = 0

        init(file: URL, limits: UnpackLimits) throws {
            guard let handle = try? FileHandle(forReadingFrom: file) else { throw UnpackError(description: "cannot be read") }
            self.handle = handle
            self.process = nil
            self.limits = limits
            self.deadline = Date().addingTimeInterval(limits.seconds)
        }

        init(gunzip file: URL, limits: UnpackLimits) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["gzip", "-dc", "--", file.path]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            do { try process.run() } catch { throw UnpackError(description: "gzip would not start: \(error)") }
            self.handle = pipe.fileHandleForReading
            self.process = process
            self.limits = limits
            self.deadline = Date().addingTimeInterval(limits.seconds)
        }

        /// Exactly `count` bytes, or an error: the stream ended, or a limit was hit.
        func read(_ count: Int) throws -> [UInt8] {
            guard total + count <= limits.totalBytes else {
                throw UnpackError(description: "it unpacks to more than \(Unpack.size(limits.totalBytes)) (a decompression bomb?), the limit for a submission")
            }
            while buffer.count - position < count {
                guard Date() < deadline else { throw UnpackError(description: "unpacking took more than \(Int(limits.seconds)) s") }
                let chunk = (try? handle.read(upToCount: 1 << 16)) ?? nil
                guard let chunk, !chunk.isEmpty else { throw UnpackError(description: "the archive ends in the middle of a member (damaged?)") }
                if position > 0 { buffer.removeFirst(position); position = 0 }
                buffer.append(contentsOf: chunk)
            }
            defer { position += count; total += count }
            return Array(buffer[position..<(position + count)])
        }

        func skip(_ count: Int) throws {
            var left = count
            while left > 0 {
                let step = min(left, 1 << 16)
                _ = try read(step)
                left -= step
            }
        }

        /// The end of a gzip stream: nothing more, and gzip content with it (CRCs and sizes checked).
        func finish() throws {
            guard let process else { return }
            let rest = (try? handle.read(upToCount: 1)) ?? nil
            if let rest, !rest.isEmpty, buffer.count == position {
                // More bytes than the members declared: damaged, or a lie about sizes.
                throw UnpackError(description: "the archive holds more than its members declare (damaged?)")
            }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw UnpackError(description: "the archive is damaged (gzip found errors)") }
        }

        func close() {
            if let process, process.isRunning { process.terminate(); kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
            try? handle.close()
        }
    }

    /// Writes the members kept, counting them, and lists those refused.
    struct Writer {
        let folder: URL
        let limits: UnpackLimits
        var refused: [String] = []
        var members = 0

        init(folder: URL, limits: UnpackLimits) {
            self.folder = folder
            self.limits = limits
        }

        /// Why `name` cannot be written where it says, if it cannot.
        func check(_ name: String) -> String? {
            let path = name.replacingOccurrences(of: "\\", with: "/")
            if path.hasPrefix("/") { return "an absolute path" }
            let parts = path.split(separator: "/").filter { $0 != "." }
            if parts.contains("..") { return "a path that leaves the submission" }
            if parts.count - 1 > limits.depth { return "deeper than \(limits.depth) folders" }
            return nil
        }

        static func parts(_ name: String) -> [String] {
            name.replacingOccurrences(of: "\\", with: "/").split(separator: "/").filter { $0 != "." }.map(String.init)
        }

        mutating func count() throws {
            members += 1
            guard members <= limits.files else { throw UnpackError(description: "it holds more than \(limits.files) files, the limit for a submission") }
        }

        mutating func refuse(_ name: String, _ reason: String) throws {
            try count()
            if refused.count < 1_000 { refused.append("\(name) (\(reason))") }
        }

        mutating func folder(_ name: String) throws {
            try count()
            if let reason = check(name) { try refuse(name, reason); members -= 1; return }
            let parts = Self.parts(name)
            guard !parts.isEmpty else { return }
            try? FileManager.default.createDirectory(at: folder.appendingPathComponent(parts.joined(separator: "/")), withIntermediateDirectories: true)
        }

        /// Reads `size` bytes with `read` and writes them to `name` when it may be written; reads
        /// and drops them otherwise (a file over the size limit, a refused path).
        mutating func file(_ name: String, size: Int, read: (Int) throws -> [UInt8]) throws {
            let reason = check(name) ?? (size > limits.fileBytes ? "a file over \(Unpack.size(limits.fileBytes))" : nil)
            if let reason {
                try refuse(name, reason)
                var left = size
                while left > 0 { let step = min(left, 1 << 16); _ = try read(step); left -= step }
                return
            }
            try count()
            let bytes = try read(size)
            let parts = Self.parts(name)
            guard !parts.isEmpty else { return }
            let url = folder.appendingPathComponent(parts.joined(separator: "/"))
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                if SubmissionFiles.kind(url.path) != nil { try FileManager.default.removeItem(at: url) }
                try Data(bytes).write(to: url)
            } catch {
                if refused.count < 1_000 { refused.append("\(name) (clashes with another member)") }
            }
        }
    }
}

// Hostile archives are unpacked with limits enforced while they are read: a bomb costs at most its
// limit in disk and time and is reported as such; links, devices, absolute paths and `..` are
// refused and named; an honest archive unpacks to exactly its files.
import Foundation
import Testing
@testable import GradingKit

@Suite("Unpacking submissions: limits while reading, links refused", .serialized)
struct ArchiveLimitsTests {
    /// A tar archive written by hand, so that members tar itself would not make (`../x`, `/etc/x`,
    /// links, devices) can be planted: (name, type flag, data, link target).
    static func octal(_ value: Int, _ width: Int) -> String {
        let digits = String(value, radix: 8)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func tar(_ members: [(name: String, type: Character, data: [UInt8], link: String)]) -> Data {
        var out = Data()
        for member in members {
            var header = [UInt8](repeating: 0, count: 512)
            func put(_ text: String, at offset: Int, width: Int) {
                for (index, byte) in text.utf8.prefix(width).enumerated() { header[offset + index] = byte }
            }
            put(member.name, at: 0, width: 100)
            put("0000644", at: 100, width: 8)
            put("0000000", at: 108, width: 8)
            put("0000000", at: 116, width: 8)
            put(octal(member.data.count, 11), at: 124, width: 12)
            put("00000000000", at: 136, width: 12)
            header[156] = member.type.asciiValue!
            put(member.link, at: 157, width: 100)
            put("ustar", at: 257, width: 6)
            put("00", at: 263, width: 2)
            for index in 148..<156 { header[index] = 32 }
            let sum = header.reduce(0) { $0 + Int($1) }
            put(octal(sum, 6) + "\0 ", at: 148, width: 8)
            out.append(contentsOf: header)
            out.append(contentsOf: member.data)
            out.append(contentsOf: [UInt8](repeating: 0, count: (512 - member.data.count % 512) % 512))
        }
        out.append(contentsOf: [UInt8](repeating: 0, count: 1024))
        return out
    }

    static func file(_ name: String, _ text: String) -> (name: String, type: Character, data: [UInt8], link: String) {
        (name, "0", Array(text.utf8), "")
    }

    /// Bytes of the regular files under `folder`.
    static func diskBytes(_ folder: URL) -> Int {
        ((try? FileTree.files(under: folder)) ?? []).reduce(0) { total, relative in
            total + ((try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(relative).path)[.size] as? Int) ?? 0)
        }
    }

    @Test("an honest .tar, .tar.gz and .zip unpack to exactly their files", arguments: ["tar", "tar.gz", "zip"])
    func honest(format: String) throws {
        let folder = try Fixtures.scratchFolder("unpack")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileTree.write("public func relu() {}\n", to: folder.appendingPathComponent("src/Exercises/01-Activations/ReLU.swift"))
        try FileTree.write("notes\n", to: folder.appendingPathComponent("src/Exercises/notes.txt"))
        let archive = folder.appendingPathComponent("ada.\(format)")
        let command = format == "zip" ? ["zip", "-qr", archive.path, "Exercises"]
            : ["tar", format == "tar" ? "-cf" : "-czf", archive.path, "Exercises"]
        #expect(try Subprocess.run(command, in: folder.appendingPathComponent("src")).succeeded)
        let out = folder.appendingPathComponent("out")
        let refused = try Unpack.archive(archive, into: out)
        #expect(refused.isEmpty)
        #expect(try FileTree.files(under: out) == ["Exercises/01-Activations/ReLU.swift", "Exercises/notes.txt"])
        #expect(try String(contentsOf: out.appendingPathComponent("Exercises/01-Activations/ReLU.swift"), encoding: .utf8) == "public func relu() {}\n")
    }

    @Test("a bomb (100 MB of zeros in a small .tar.gz or .zip) stops at the limit, in disk and in time", arguments: ["tar.gz", "zip"])
    func bomb(format: String) throws {
        let folder = try Fixtures.scratchFolder("bomb")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try FileTree.write("public func relu() {}\n", to: source.appendingPathComponent("a/ReLU.swift"))
        #expect(try Subprocess.run(["truncate", "-s", "100M", "a/zeros.swift"], in: source).succeeded)
        let archive = folder.appendingPathComponent("bomb.\(format)")
        let command = format == "zip" ? ["zip", "-qr", archive.path, "a"] : ["tar", "-czf", archive.path, "a"]
        #expect(try Subprocess.run(command, in: source, timeLimit: 120).succeeded)
        try FileManager.default.removeItem(at: source)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: archive.path)[.size] as? Int)
        #expect(size < 1_000_000, "the bomb is small: \(size) bytes")
        let out = folder.appendingPathComponent("out")
        let start = Date()
        let error = try #require(throws: UnpackError.self) { try Unpack.archive(archive, into: out) }
        let seconds = Date().timeIntervalSince(start)
        #expect("\(error)".contains("\(UnpackLimits.standard.totalBytes / 1_048_576) MB"), "names the limit: \(error)")
        #expect(seconds < 20, "stopped early: \(seconds) s")
        #expect(Self.diskBytes(out) <= UnpackLimits.standard.totalBytes)
    }

    @Test("limits: total bytes, one file's size, the number of files, the depth")
    func limits() throws {
        let folder = try Fixtures.scratchFolder("limits")
        defer { try? FileManager.default.removeItem(at: folder) }
        let small = UnpackLimits(totalBytes: 10_000, files: 5, fileBytes: 3_000, depth: 3, archiveBytes: 1_000_000, seconds: 30)
        func unpack(_ name: String, _ members: [(name: String, type: Character, data: [UInt8], link: String)]) throws -> [String] {
            let archive = folder.appendingPathComponent(name + ".tar")
            try Self.tar(members).write(to: archive)
            return try Unpack.archive(archive, into: folder.appendingPathComponent(name), limits: small)
        }
        let big = (0..<4).map { (name: "f\($0).swift", type: Character("0"), data: [UInt8](repeating: 65, count: 2_900), link: "") }
        let total = try #require(throws: UnpackError.self) { try unpack("total", big) }
        #expect("\(total)".contains("more than"), "\(total)")
        #expect(Self.diskBytes(folder.appendingPathComponent("total")) <= small.totalBytes)

        let many = (0..<7).map { Self.file("f\($0).swift", "x") }
        let count = try #require(throws: UnpackError.self) { try unpack("many", many) }
        #expect("\(count)".contains("5 files"), "\(count)")

        let refused = try unpack("mixed", [Self.file("ok.swift", "ok"), (name: "large.swift", type: Character("0"), data: [UInt8](repeating: 66, count: 3_500), link: ""),
                                           Self.file("a/b/c/d/deep.swift", "deep")])
        #expect(refused.contains { $0.hasPrefix("large.swift") }, "\(refused)")
        #expect(refused.contains { $0.hasPrefix("a/b/c/d/deep.swift") }, "\(refused)")
        #expect(try FileTree.files(under: folder.appendingPathComponent("mixed")) == ["ok.swift"])
    }

    @Test("links, devices, absolute paths and .. are refused and named; nothing lands outside the folder")
    func hostileMembers() throws {
        let folder = try Fixtures.scratchFolder("hostile")
        defer { try? FileManager.default.removeItem(at: folder) }
        let archive = folder.appendingPathComponent("evil.tar")
        try Self.tar([
            Self.file("Exercises/01-Activations/ReLU.swift", "ok"),
            (name: "Exercises/solutions", type: Character("2"), data: [], link: "../../../Solutions"),
            (name: "Exercises/hard.swift", type: Character("1"), data: [], link: "Exercises/01-Activations/ReLU.swift"),
            (name: "Exercises/null", type: Character("3"), data: [], link: ""),
            Self.file("../escaped.swift", "x"),
            Self.file("/tmp/workbook-absolute-\(UUID().uuidString).swift", "x"),
        ]).write(to: archive)
        let out = folder.appendingPathComponent("out")
        let refused = try Unpack.archive(archive, into: out)
        #expect(try FileTree.files(under: out) == ["Exercises/01-Activations/ReLU.swift"])
        for name in ["Exercises/solutions", "Exercises/hard.swift", "Exercises/null", "../escaped.swift"] {
            #expect(refused.contains { $0.hasPrefix(name) }, "\(name) is named: \(refused)")
        }
        #expect(!FileTree.exists(folder.appendingPathComponent("escaped.swift")))
        #expect(SubmissionFiles.kind(out.appendingPathComponent("Exercises/solutions").path) == nil, "no link was made")
    }

    @Test("a zip's symbolic link is refused, not followed")
    func zipLink() throws {
        let folder = try Fixtures.scratchFolder("ziplink")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("src")
        try FileTree.write("ok\n", to: source.appendingPathComponent("Exercises/ok.swift"))
        try FileManager.default.createSymbolicLink(atPath: source.appendingPathComponent("Exercises/link").path, withDestinationPath: "/etc/passwd")
        let archive = folder.appendingPathComponent("link.zip")
        #expect(try Subprocess.run(["zip", "-qr", "--symlinks", archive.path, "Exercises"], in: source).succeeded)
        let out = folder.appendingPathComponent("out")
        let refused = try Unpack.archive(archive, into: out)
        #expect(refused.contains { $0.hasPrefix("Exercises/link") }, "\(refused)")
        #expect(try FileTree.files(under: out) == ["Exercises/ok.swift"])
    }
}

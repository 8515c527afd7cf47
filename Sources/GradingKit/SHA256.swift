// SHA-256 (FIPS 180-4), for the release's checksums of the graded tests. The toolchain's
// Foundation has no hash on Linux and the workbook takes no packages, so it is written out here.
import Foundation

public enum SHA256 {
    static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// The digest of `data` as 64 lowercase hexadecimal digits.
    public static func hex(_ data: Data) -> String {
        digest(Array(data)).map { String(format: "%02x", $0) }.joined()
    }

    public static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var bytes = message
        let bitLength = UInt64(message.count) * 8
        bytes.append(0x80)
        while bytes.count % 64 != 56 { bytes.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }

        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: bytes.count, by: 64) {
            for i in 0..<16 {
                let j = chunk + 4 * i
                w[i] = UInt32(bytes[j]) << 24 | UInt32(bytes[j + 1]) << 16 | UInt32(bytes[j + 2]) << 8 | UInt32(bytes[j + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let choice = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ choice &+ k[i] &+ w[i]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let majority = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ majority
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d
            h[4] = h[4] &+ e; h[5] = h[5] &+ f; h[6] = h[6] &+ g; h[7] = h[7] &+ hh
        }
        return h.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32($0))) } }
    }
}

/// What a release records about itself in `.workbook/manifest.json`: the checksums of the graded
/// tests it shipped (the tamper check compares against them).
public struct ReleaseManifest: Sendable, Hashable, Codable {
    /// SHA-256 of every file grading depends on, keyed by its path in the package:
    /// `Package.swift`, everything under `Sources/` and `Tests/` (the graded tests and their
    /// harness, the core, the tools). `Exercises/` is the student's and is not listed.
    public var files: [String: String]
    public var created: String

    public static let path = ".workbook/manifest.json"

    public init(files: [String: String], created: String) {
        self.files = files
        self.created = created
    }

    /// The release's fingerprint: SHA-256 of the sorted `path checksum` lines. `workbook release`
    /// prints it for the instructor to publish; a copy whose manifest was rewritten has another.
    public var fingerprint: String {
        SHA256.hex(Data(files.keys.sorted().map { "\($0) \(files[$0]!)\n" }.joined().utf8))
    }

    /// Whether `relative` (a path in the package) is one of the files grading depends on.
    static func covers(_ relative: String) -> Bool {
        relative == "Package.swift" || relative.hasPrefix("Sources/") || relative.hasPrefix("Tests/")
    }

    /// Checksums of the covered files under `root`.
    public static func checksums(of root: URL) throws -> [String: String] {
        var sums: [String: String] = [:]
        for relative in try FileTree.files(under: root, skipping: Release.isExcluded) where covers(relative) {
            sums[relative] = SHA256.hex(try Data(contentsOf: root.appendingPathComponent(relative)))
        }
        return sums
    }

    /// The release fingerprint the instructor published, if grading was given one
    /// (`WORKBOOK_RELEASE_FINGERPRINT`).
    public static var publishedFingerprint: String? {
        ProcessInfo.processInfo.environment["WORKBOOK_RELEASE_FINGERPRINT"].flatMap { $0.isEmpty ? nil : $0.lowercased() }
    }

    /// Compares the package with its manifest, if it has one, and the manifest with the fingerprint
    /// the instructor published, if known: a manifest rewritten to match edited files is not intact.
    public static func tamperStatus(package root: URL, published: String? = publishedFingerprint) -> TamperStatus {
        let url = root.appendingPathComponent(path)
        guard let data = try? Data(contentsOf: url) else { return .unchecked }
        guard let manifest = try? JSONDecoder().decode(ReleaseManifest.self, from: data) else {
            return .modified(["\(path) (not a manifest this tool wrote)"])
        }
        let current = (try? checksums(of: root)) ?? [:]
        var changed: [String] = []
        for (file, sum) in manifest.files where current[file] != sum {
            changed.append(current[file] == nil ? "\(file) (missing)" : "\(file) (changed)")
        }
        for file in current.keys where manifest.files[file] == nil { changed.append("\(file) (added)") }
        if let published, !manifest.fingerprint.hasPrefix(published) {
            changed.append("\(path) (fingerprint \(manifest.fingerprint.prefix(12)), the release's is \(published.prefix(12)))")
        }
        if !changed.isEmpty { return .modified(changed.sorted()) }
        return published == nil ? .matchesManifest(fingerprint: String(manifest.fingerprint.prefix(12))) : .intact
    }
}

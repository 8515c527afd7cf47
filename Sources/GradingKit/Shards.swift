// Past one machine: `workbook batch SUBMISSIONS --shard K/N` grades the K-th of N shares of a folder,
// and `workbook merge SHARD… --out DIR` joins the shards' output folders into one that is, byte for
// byte, what a single `batch` of the whole folder writes (gradebook.csv, reports/, batch.json).
//
// The share is fixed by the folder alone: its entries in name order, the i-th (from 0) going to
// shard i mod N + 1. Names are given over the whole folder before sharing (`ada/` and `ada.zip` are
// `ada` and `ada_` in every shard), so a merged gradebook names every row as one batch does.
// Each output folder records in `batch.json` which folder listing it graded and which entries.
import Foundation

/// `K/N`: the K-th of N shares, 1 ≤ K ≤ N.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, count <= 100_000,
              index >= 1, index <= count else {
            throw ToolError.usage("--shard is K/N with 1 ≤ K ≤ N (the K-th of N shares), not '\(text)'")
        }
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// The positions (from 0, in name order) of the entries this shard grades among `total`.
    ///
    /// - Complexity: O(total / count).
    public func indices(of total: Int) -> [Int] {
        Array(stride(from: index - 1, to: total, by: count))
    }
}

/// `batch.json` in a batch output folder: which entries of which folder listing were graded.
public struct BatchManifest: Codable, Sendable, Hashable {
    /// The layout's version, raised only if a field changes meaning.
    public var format = 1
    /// Every submission of the folder, by the name its row and reports carry, in the folder's order.
    public var submissions: [String]
    /// `K/N` for a shard; `1/1` for a whole batch and for merged shards.
    public var shard: String
    /// The positions in `submissions` graded into this folder's gradebook, in its rows' order.
    public var graded: [Int]

    public static let fileName = "batch.json"

    func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FileTree.write(String(decoding: try encoder.encode(self), as: UTF8.self) + "\n",
                           to: folder.appendingPathComponent(Self.fileName))
    }

    static func read(from folder: URL) throws -> BatchManifest {
        let url = folder.appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: url) else {
            throw ToolError.usage("\(folder.path) is not a batch output folder (no \(fileName); grade it with `workbook batch … --out` first)")
        }
        do {
            return try JSONDecoder().decode(BatchManifest.self, from: data)
        } catch {
            throw ToolError.failure("\(url.path) is not a batch manifest: \(error)")
        }
    }
}

public enum Merge {
    /// Joins the output folders of all N shards of one folder into `output` (new or empty): the
    /// gradebook's rows in the folder's order, every report, the shards' common settings, a
    /// `batch.json` of a whole batch and the class report.
    /// Returns the number of rows.
    public static func run(shards: [URL], into output: URL, curriculum: Curriculum? = nil) throws -> Int {
        guard !shards.isEmpty else { throw ToolError.usage("merge needs the output folders of the shards") }
        if FileTree.exists(output), !((try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? ["?"]).isEmpty {
            throw ToolError.usage("\(output.path) exists and is not empty; merge into a new folder")
        }
        var parts: [(folder: URL, manifest: BatchManifest, shard: Shard, header: String, rows: [String])] = []
        for folder in shards {
            let manifest = try BatchManifest.read(from: folder)
            let shard = try Shard(parsing: manifest.shard)
            let gradebook = folder.appendingPathComponent("gradebook.csv")
            guard let text = try? String(contentsOf: gradebook, encoding: .utf8) else {
                throw ToolError.usage("\(folder.path) has no gradebook.csv: did its batch finish?")
            }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            guard let header = lines.first, lines.count - 1 == manifest.graded.count else {
                throw ToolError.failure("\(gradebook.path) has \(max(0, lines.count - 1)) rows but its batch.json lists \(manifest.graded.count)")
            }
            parts.append((folder, manifest, shard, header, Array(lines.dropFirst())))
        }
        let first = parts[0]
        for part in parts.dropFirst() {
            guard part.manifest.submissions == first.manifest.submissions, part.shard.count == first.shard.count else {
                throw ToolError.usage("\(part.folder.lastPathComponent) (\(part.folder.path)) is a shard of another folder of submissions, "
                                      + "or of another number of shards, than \(first.folder.path)")
            }
            guard part.header == first.header else {
                throw ToolError.usage("\(part.folder.path) was graded with other exercises than \(first.folder.path) (their gradebooks' columns differ)")
            }
        }
        let count = first.shard.count
        var seen: [Int: URL] = [:]
        for part in parts {
            if let other = seen[part.shard.index] {
                throw ToolError.usage("shard \(part.shard) given twice (\(other.path) and \(part.folder.path))")
            }
            seen[part.shard.index] = part.folder
            guard part.manifest.graded == part.shard.indices(of: part.manifest.submissions.count) else {
                throw ToolError.failure("\(part.folder.path) does not hold exactly shard \(part.shard)'s submissions")
            }
        }
        let missing = (1...count).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            throw ToolError.usage("missing shard\(missing.count > 1 ? "s" : "") " + missing.prefix(10).map { "\($0)/\(count)" }.joined(separator: ", ")
                                  + ": grade \(missing.count > 1 ? "them" : "it") with `workbook batch SUBMISSIONS --shard K/\(count)`")
        }
        // The settings every shard ran with (seed, credit rule): one class report needs one set.
        let settings = parts.map { try? String(contentsOf: $0.folder.appendingPathComponent(BatchSettings.fileName), encoding: .utf8) }
        if let different = parts.indices.dropFirst().first(where: { settings[$0] != settings[0] }) {
            throw ToolError.usage("\(parts[different].folder.path) was graded with other settings (seed, credit rule or time limits) than "
                                  + "\(first.folder.path): compare their \(BatchSettings.fileName)")
        }
        var rows: [(index: Int, line: String)] = []
        let reports = output.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        for part in parts {
            rows += zip(part.manifest.graded, part.rows).map { ($0, $1) }
            let folder = part.folder.appendingPathComponent("reports")
            let names = Set(part.manifest.graded.map { part.manifest.submissions[$0] })
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
                let name = file.hasSuffix(".json") ? String(file.dropLast(5)) : file.hasSuffix(".txt") ? String(file.dropLast(4)) : file
                guard names.contains(name) else { continue }   // a report left over from an earlier run
                try FileTree.copy(folder.appendingPathComponent(file), to: reports.appendingPathComponent(file))
            }
        }
        rows.sort { $0.index < $1.index }
        try FileTree.write(([first.header] + rows.map(\.line)).joined(separator: "\n") + "\n",
                           to: output.appendingPathComponent("gradebook.csv"))
        try BatchManifest(submissions: first.manifest.submissions, shard: "1/1", graded: rows.map(\.index)).write(to: output)
        if let text = settings[0] { try FileTree.write(text, to: output.appendingPathComponent(BatchSettings.fileName)) }
        // One class report over the whole class, as a single batch writes it (a failure loses no grade).
        _ = try? ClassReport.write(folder: output, curriculum: curriculum)
        return rows.count
    }
}

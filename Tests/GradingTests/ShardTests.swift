// Past one machine: `batch --shard K/N` grades a deterministic share of a folder and `merge` joins
// the shards' output folders into one, in exactly the layout of a single batch. The grading itself
// is replaced by a function of the submission's files here (the real one builds the package; CI's
// .ci/check-attacks merges real shards), so these tests check the sharing and the joining.
import Foundation
import Testing
@testable import GradingKit

@Suite("Shards: batch --shard K/N and merge give the output of one batch")
struct ShardTests {
    /// A stand-in for grading: a folder with `points` holding "2" passes ReLU1 only, "5" passes
    /// both, "x" does not compile; anything else (an archive) is not started.
    static func fakeGrade(_ entry: URL, name: String) throws -> GradeReport {
        let curriculum = ScorecardParsingTests.relu
        let text = (try? String(contentsOf: entry.appendingPathComponent("points"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if text == "x" { return .notBuilt(curriculum, error: "01-Activations/ReLU.swift:3:1: error: \(name), \"quoted\"", tamper: .instructorTests) }
        var report = GradeReport.grade(curriculum, outcomes: TestEvents.parse(RecordedStreams.passing), tamper: .instructorTests,
                                       notes: ["ignored extra files: \(name).txt"])
        if text != "5" { report.results[1].status = .failing; report.results[1].message = "ReLU2: wrong\n  at [0]: expected 1, got 2" }
        if text != "5" && text != "2" { report.results[0].status = .notStarted }
        return report
    }

    /// Seven submissions; `ada/` and `ada.zip` both want the name `ada`.
    static func submissions() throws -> URL {
        let folder = try Fixtures.scratchFolder("shards")
        let points = ["ada": "5", "bob": "2", "carol": "x", "dave": "5", "erin": "0", "frank": "2"]
        for (name, value) in points {
            try FileTree.write(value + "\n", to: folder.appendingPathComponent("in/\(name)/points"))
        }
        try FileTree.write("not really a zip", to: folder.appendingPathComponent("in/ada.zip"))
        return folder
    }

    static func grade(_ folder: URL, into output: URL, shard: Shard?) throws -> [GradebookRow] {
        let options = BatchOptions(submissions: folder.appendingPathComponent("in"), output: output, shard: shard)
        return try Batch.gradeAll(options, curriculum: ScorecardParsingTests.relu, log: { _ in }) { entry, name, _, _ in
            try fakeGrade(entry, name: name)
        }
    }

    /// Every file under `folder`, with its bytes.
    static func contents(_ folder: URL) throws -> [String: Data] {
        var all: [String: Data] = [:]
        for relative in try FileTree.files(under: folder) { all[relative] = try Data(contentsOf: folder.appendingPathComponent(relative)) }
        return all
    }

    @Test("K/N is parsed and checked", arguments: [("2/3", true), ("1/1", true), ("0/3", false), ("4/3", false), ("a/b", false), ("3", false), ("1/0", false)])
    func parse(text: String, valid: Bool) {
        if valid {
            #expect((try? Shard(parsing: text)) != nil)
        } else {
            #expect(throws: ToolError.self) { try Shard(parsing: text) }
        }
    }

    @Test("the shards of a folder share its submissions: each exactly once, the same way every time", arguments: [1, 2, 3, 7, 9])
    func partition(count: Int) throws {
        let shares = try (1...count).map { try Shard(parsing: "\($0)/\(count)").indices(of: 23) }
        #expect(shares.flatMap { $0 }.sorted() == Array(0..<23))
        #expect(shares.map(\.count).max()! - shares.map(\.count).min()! <= 1, "shares differ by at most one submission")
        #expect(try (1...count).map { try Shard(parsing: "\($0)/\(count)").indices(of: 23) } == shares)
    }

    @Test("N shards merged give byte for byte the folder one batch writes", arguments: [1, 2, 3, 8])
    func mergedEqualsOne(count: Int) throws {
        let folder = try Self.submissions()
        defer { try? FileManager.default.removeItem(at: folder) }
        let one = folder.appendingPathComponent("one")
        let rows = try Self.grade(folder, into: one, shard: nil)
        #expect(rows.map(\.submission) == ["ada", "ada_", "bob", "carol", "dave", "erin", "frank"])
        var shards: [URL] = []
        for index in 1...count {
            let output = folder.appendingPathComponent("shard-\(index)")
            _ = try Self.grade(folder, into: output, shard: try Shard(parsing: "\(index)/\(count)"))
            shards.append(output)
        }
        // The class report's title is the folder's name: merge into another folder named `one`.
        let merged = folder.appendingPathComponent("merged/one")
        let mergedRows = try Merge.run(shards: shards.reversed(), into: merged, curriculum: ScorecardParsingTests.relu)
        #expect(mergedRows == rows.count)
        let expected = try Self.contents(one)
        let got = try Self.contents(merged)
        #expect(got.keys.sorted() == expected.keys.sorted())
        for (path, data) in expected { #expect(got[path] == data, "\(path) differs between one batch and \(count) shards merged") }
    }

    @Test("merge refuses a missing shard, a shard given twice, and shards of another folder, naming them")
    func refusals() throws {
        let folder = try Self.submissions()
        defer { try? FileManager.default.removeItem(at: folder) }
        var shards: [URL] = []
        for index in 1...3 {
            let output = folder.appendingPathComponent("shard-\(index)")
            _ = try Self.grade(folder, into: output, shard: try Shard(parsing: "\(index)/3"))
            shards.append(output)
        }
        let missing = try #require(throws: ToolError.self) { try Merge.run(shards: [shards[0], shards[2]], into: folder.appendingPathComponent("m1")) }
        #expect("\(missing)".contains("2/3"), "names the missing shard: \(missing)")
        let twice = try #require(throws: ToolError.self) { try Merge.run(shards: [shards[0], shards[1], shards[1], shards[2]], into: folder.appendingPathComponent("m2")) }
        #expect("\(twice)".contains("twice"), "\(twice)")
        try FileTree.write("5\n", to: folder.appendingPathComponent("in/zoe/points"))
        let other = folder.appendingPathComponent("other")
        _ = try Self.grade(folder, into: other, shard: try Shard(parsing: "2/3"))
        let mixed = try #require(throws: ToolError.self) { try Merge.run(shards: [shards[0], other, shards[2]], into: folder.appendingPathComponent("m3")) }
        #expect("\(mixed)".contains(other.lastPathComponent), "names the shard of another folder: \(mixed)")
        let notBatch = try #require(throws: ToolError.self) { try Merge.run(shards: [folder.appendingPathComponent("in")], into: folder.appendingPathComponent("m4")) }
        #expect("\(notBatch)".contains("batch.json"), "\(notBatch)")
    }

    @Test("the command line: --shard is checked, merge needs --out and at least one folder")
    func commandLine() throws {
        let folder = try Self.submissions()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = Fixtures.runTool(["batch", folder.appendingPathComponent("in").path, "--shard", "4/3"], in: Fixtures.packageRoot)
        #expect(bad.status == 64 && bad.err.contains("--shard"), "\(bad.err)")
        let noOut = Fixtures.runTool(["merge", folder.path], in: Fixtures.packageRoot)
        #expect(noOut.status == 64 && noOut.err.contains("--out"), "\(noOut.err)")
        let none = Fixtures.runTool(["merge", "--out", folder.appendingPathComponent("m").path], in: Fixtures.packageRoot)
        #expect(none.status == 64, "\(none.err)")
    }
}

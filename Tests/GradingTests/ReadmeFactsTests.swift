// The README's figures that come from the package itself, checked against it: a student reads the
// chapter table to know which exercises a chapter holds (it once listed Residual1–2 and
// ConvBlock1–2 when chapter 12 had a third of each), and an instructor reads how many attack
// submissions CI grades (it once said fifteen of seventeen).
import Foundation
import Testing
@testable import GradingKit

@Suite("README facts: the chapter table's exercises and the number of attack submissions")
struct ReadmeFactsTests {
    static let readme = (try? String(contentsOf: Fixtures.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""

    /// `Residual1–3` → Residual1, Residual2, Residual3; `Matmul1` → Matmul1.
    static func expand(_ item: String) -> [String] {
        let parts = item.split(separator: "–").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let last = Int(parts[1]),
              let digits = parts[0].lastIndex(where: { !$0.isNumber }).map({ parts[0].index(after: $0) }),
              let first = Int(parts[0][digits...]) else { return [item.trimmingCharacters(in: .whitespaces)] }
        let stem = parts[0][..<digits]
        return (first...max(first, last)).map { "\(stem)\($0)" }
    }

    /// The table's rows: `| 12 | Residual blocks | Residual1–3, ConvBlock1–3 | … |` → ("12", [IDs]).
    static func chapterRows(in text: String) -> [(chapter: String, ids: [String])] {
        text.split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 5, cells[1].count == 2, cells[1].allSatisfy(\.isNumber) else { return nil }
            return (cells[1], cells[3].split(separator: ",").flatMap { expand(String($0)) })
        }
    }

    @Test("expanding a range: the test's own reading of the table can fail")
    func expanding() {
        #expect(Self.expand("Residual1–3") == ["Residual1", "Residual2", "Residual3"])
        #expect(Self.expand(" Matmul1") == ["Matmul1"])
        #expect(Self.chapterRows(in: "| 12 | Residual blocks | Residual1–2, ConvBlock1 | y |").map(\.ids)
                == [["Residual1", "Residual2", "ConvBlock1"]])
    }

    @Test("each chapter's row lists exactly that chapter's exercises")
    func chapterTable() throws {
        let curriculum = try Workspace(root: Fixtures.packageRoot).curriculum(includeHidden: false)
        let rows = Self.chapterRows(in: Self.readme)
        #expect(rows.map(\.chapter) == curriculum.chapters.map { String($0.prefix(2)) }, "one row per chapter, in order")
        for row in rows {
            let chapter = try #require(curriculum.chapters.first { $0.hasPrefix(row.chapter + "-") })
            let declared = curriculum.exercises.filter { $0.chapter == chapter }.map(\.id)
            #expect(Set(row.ids) == Set(declared),
                    "README row \(row.chapter): lists \(row.ids.filter { !declared.contains($0) }) that \(chapter) lacks, misses \(declared.filter { !row.ids.contains($0) })")
        }
    }

    @Test("the number of attack submissions the README gives is the number in Tests/Attacks",
          .enabled(if: FileTree.isDirectory(Fixtures.packageRoot.appendingPathComponent("Tests/Attacks")), "a student release has no Tests/Attacks"))
    func attackCount() throws {
        let folder = Fixtures.packageRoot.appendingPathComponent("Tests/Attacks")
        let count = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { FileTree.isDirectory(folder.appendingPathComponent($0)) }.count
        let words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                     "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
        let said = try #require(Self.readme.range(of: #"`Tests/Attacks/` holds (\w+) hostile submissions"#, options: .regularExpression)
            .map { String(Self.readme[$0].split(separator: " ")[2]) })
        #expect(said == (count < words.count ? words[count] : String(count)), "the README says \(said); Tests/Attacks has \(count)")
    }
}

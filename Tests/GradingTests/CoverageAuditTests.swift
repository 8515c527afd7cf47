// The audit of the lecture notes (`Tests/GradedTests/COVERAGE.md`, issue 16) cannot rot: every
// test it cites must exist, every experiment must be one the trainer runs, every guide must exist,
// every item left as text must say why, and the counts at its top must be its tables' rows.
import Foundation
import Testing

@Suite("The notes' coverage audit (Tests/GradedTests/COVERAGE.md) matches the tests")
struct CoverageAuditTests {
    static let root = Fixtures.packageRoot
    static let audit = root.appendingPathComponent("Tests/GradedTests/COVERAGE.md")

    /// One row of an audit table.
    struct Row {
        var id: String, item: String, status: String, citations: [String], reason: String
    }

    /// The rows: table lines whose first cell is an item number such as `3.14` or `3.0a`.
    static func rows(_ text: String) -> [Row] {
        text.split(separator: "\n").compactMap { line -> Row? in
            guard line.hasPrefix("| ") else { return nil }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 5, cells[0].range(of: #"^[0-9]+\.[0-9]+[a-z]?$"#, options: .regularExpression) != nil
            else { return nil }
            return Row(id: cells[0], item: cells[1], status: cells[2], citations: backticked(cells[3]), reason: cells[4])
        }
    }

    static func backticked(_ cell: String) -> [String] {
        cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    /// Every `struct Name` of the Swift files under `folder`, with the functions declared after it
    /// (up to the next struct), read from the sources.
    static func functions(under folder: String) throws -> [String: Set<String>] {
        let base = root.appendingPathComponent(folder)
        let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        var table: [String: Set<String>] = [:]
        for file in files {
            var current = ""
            for line in try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8).split(separator: "\n") {
                if let name = firstMatch(#"^struct ([A-Za-z0-9_]+)"#, in: line) { current = name; table[name, default: []] = [] }
                else if !current.isEmpty, let name = firstMatch(#"^\s+func ([A-Za-z0-9_]+)\("#, in: line) { table[current]?.insert(name) }
            }
        }
        return table
    }

    static func firstMatch(_ pattern: String, in substring: Substring) -> String? {
        let line = String(substring)
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
              let range = Range(match.range(at: 1), in: line) else { return nil }
        return String(line[range])
    }

    /// The experiments' names, read from `Sources/TrainerKit/Experiments`.
    static func experimentNames() throws -> Set<String> {
        let base = root.appendingPathComponent("Sources/TrainerKit/Experiments")
        var names: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: base.path) where file.hasSuffix(".swift") {
            for line in try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8).split(separator: "\n") {
                if let name = firstMatch(#"^\s+let name = "([a-z0-9-]+)""#, in: line) { names.insert(name) }
            }
        }
        return names
    }

    @Test("every cited test, experiment and guide exists; each row has the evidence its status needs")
    func citationsExist() throws {
        let rows = Self.rows(try String(contentsOf: Self.audit, encoding: .utf8))
        try #require(rows.count > 100, "the audit's tables were not read: \(rows.count) rows")
        let graded = try Self.functions(under: "Tests/GradedTests")
        let trainer = try Self.functions(under: "Tests/TrainerTests")
        let experiments = try Self.experimentNames()
        #expect(experiments.count >= 5, "the experiments were not read: \(experiments.sorted())")
        var problems: [String] = []
        for row in rows {
            guard ["exact", "property", "experiment", "text", "out-of-scope"].contains(row.status) else {
                problems.append("\(row.id): unknown status '\(row.status)'"); continue
            }
            for citation in row.citations {
                if citation.hasPrefix("experiment:") {
                    let name = String(citation.dropFirst("experiment:".count))
                    if !experiments.contains(name) { problems.append("\(row.id): no experiment named \(name)") }
                } else if citation.hasSuffix(".md") {
                    if !FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(citation).path) {
                        problems.append("\(row.id): no file \(citation)")
                    }
                } else {
                    let parts = citation.split(separator: "/").map(String.init)
                    guard parts.count == 2 else { problems.append("\(row.id): cannot read the citation \(citation)"); continue }
                    let table = parts[0] == "VisualizeTests" ? trainer : graded
                    if table[parts[0]] == nil { problems.append("\(row.id): no suite \(parts[0])") }
                    else if table[parts[0]]?.contains(parts[1]) != true { problems.append("\(row.id): \(parts[0]) has no test \(parts[1])") }
                }
            }
            switch row.status {
            case "exact", "property":
                if !row.citations.contains(where: { $0.contains("Tests/") }) { problems.append("\(row.id): \(row.status) but no graded test cited") }
            case "experiment":
                if !row.citations.contains(where: { $0.hasPrefix("experiment:") || $0.hasPrefix("VisualizeTests/") }) {
                    problems.append("\(row.id): experiment but no experiment or trainer test cited")
                }
            case "text":
                if !row.citations.contains(where: { $0.hasSuffix("GUIDE.md") }) { problems.append("\(row.id): text but no guide cited") }
                if row.reason.count < 20 { problems.append("\(row.id): text without its reason") }
            default:
                if row.reason.count < 10 { problems.append("\(row.id): out of scope without its reason") }
            }
        }
        #expect(problems == [], "fix the audit or the tests it cites")
        #expect(Set(rows.map(\.id)).count == rows.count, "item numbers must be unique")
    }

    @Test("the counts and the percentage at the top are the tables' rows")
    func countsMatch() throws {
        let text = try String(contentsOf: Self.audit, encoding: .utf8)
        let rows = Self.rows(text)
        func count(_ status: String) -> Int { rows.filter { $0.status == status }.count }
        let graded = count("exact") + count("property") + count("experiment")
        let inScope = graded + count("text")
        let percent = String(format: "%.1f", 100 * Double(graded) / Double(max(inScope, 1)))
        let expected = "**In scope: \(inScope) items. Graded: \(graded) (\(percent) %): exact \(count("exact")), "
            + "property \(count("property")), experiment \(count("experiment")). Text: \(count("text")). "
            + "Out of scope: \(count("out-of-scope")).**"
        let stated = text.contains(expected)
        #expect(stated, "the summary line should read: \(expected)")
    }

    @Test("the reader finds rows, statuses and citations, and a wrong count or a missing test is caught")
    func readerCatchesRot() throws {
        let sample = """
            | # | item | status | where | reason (text / out of scope) |
            | --- | --- | --- | --- | --- |
            | 9.1 | A claim | exact | `ReLU1Tests/notesExample`, `experiment:residual` | |
            | 9.2 | Another | text | `Exercises/01-Activations/GUIDE.md` | a reason that is long enough |
            | 9.0a | History | out-of-scope | | not material |
            """
        let rows = Self.rows(sample)
        #expect(rows.map(\.id) == ["9.1", "9.2", "9.0a"])
        #expect(rows[0].citations == ["ReLU1Tests/notesExample", "experiment:residual"])
        #expect(rows.map(\.status) == ["exact", "text", "out-of-scope"])
        let graded = try Self.functions(under: "Tests/GradedTests")
        #expect(graded["ReLU1Tests"]?.contains("notesExample") == true)
        #expect(graded["ReLU1Tests"]?.contains("noSuchTest") == false)
        #expect(try Self.experimentNames().contains("residual"))
    }
}

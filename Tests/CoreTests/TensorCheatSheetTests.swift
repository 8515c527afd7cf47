// The Tensor cheat sheet in Exercises/00-TensorBasics/GUIDE.md is checked here, so it cannot drift
// from the API: every row `| `code` | `result` |` of the sheet is one of the examples below, each
// example's code compiles here and prints the result the sheet shows, and every public operation of
// Tensor, SeededGenerator, the tolerances, the gradient check and the errors appears in the sheet.
import Foundation
import Testing
import WorkbookCore

enum CheatSheet {
    static let guide = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Exercises/00-TensorBasics/GUIDE.md")

    // The sheet's two running examples.
    static let x = try! Tensor([[1, 2, 3], [4, 5, 6]])  // [2, 3]
    static let v = Tensor([10, 20, 30])                 // [3]

    /// One row: the code exactly as the sheet prints it, and the same code to run. Every random
    /// example starts from `var rng = SeededGenerator(seed: 42)`.
    struct Example: Sendable {
        var code: String
        var run: @Sendable () throws -> Any
        init(_ code: String, _ run: @escaping @Sendable () throws -> Any) { self.code = code; self.run = run }
    }

    static func seeded<T>(_ body: (inout SeededGenerator) throws -> T) rethrows -> T {
        var rng = SeededGenerator(seed: 42)
        return try body(&rng)
    }

    static let examples: [Example] = [
        // Making tensors
        Example("Tensor([1, 2, 3])") { Tensor([1, 2, 3]) },
        Example("try Tensor([[1, 2], [3, 4]])") { try Tensor([[1, 2], [3, 4]]) },
        Example("try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])") { try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]) },
        Example("Tensor(zeros: [2, 3])") { Tensor(zeros: [2, 3]) },
        Example("Tensor(repeating: 7, shape: [2])") { Tensor(repeating: 7, shape: [2]) },
        Example("Tensor(scalar: 3)") { Tensor(scalar: 3) },
        Example("Tensor(shape: [2, 3]) { Double($0) }") { Tensor(shape: [2, 3]) { Double($0) } },
        // Looking inside
        Example("x.shape") { x.shape },
        Example("x.rank") { x.rank },
        Example("x.count") { x.count },
        Example("x.scalars") { x.scalars },
        Example("x.rows") { x.rows },
        Example("x[1, 2]") { x[1, 2] },
        Example("x[flat: 4]") { x[flat: 4] },
        Example("x.strides") { x.strides },
        Example("x.flatIndex([1, 0])") { x.flatIndex([1, 0]) as Any },
        Example("x.flatIndex([2, 0])") { x.flatIndex([2, 0]) as Any },
        Example("x.multiIndex(ofFlat: 4)") { x.multiIndex(ofFlat: 4) },
        Example("try Tensor([[7]]).item()") { try Tensor([[7]]).item() },
        Example("x.withUnsafeBufferPointer { $0.reduce(0, +) }") { x.withUnsafeBufferPointer { $0.reduce(0, +) } },
        // Shapes
        Example("try x.reshaped([3, 2])") { try x.reshaped([3, 2]) },
        Example("try x.reshaped([-1])") { try x.reshaped([-1]) },
        Example("try x.transposed()") { try x.transposed() },
        Example("try Tensor(zeros: [8, 32, 32, 3]).permuted([0, 3, 1, 2]).shape") { try Tensor(zeros: [8, 32, 32, 3]).permuted([0, 3, 1, 2]).shape },
        Example("try x.slice(1..<2)") { try x.slice(1..<2) },
        Example("try x.gathering([1, 0, 1])") { try x.gathering([1, 0, 1]) },
        Example("try Tensor.concatenating([x, x]).shape") { try Tensor.concatenating([x, x]).shape },
        // Arithmetic and broadcasting
        Example("try x + v") { try x + v },
        Example("try x * x") { try x * x },
        Example("try x - Tensor([[1], [4]])") { try x - Tensor([[1], [4]]) },
        Example("try x / Tensor([[1], [2]])") { try x / Tensor([[1], [2]]) },
        Example("try x + Tensor([1, 2])") { try describeError { try x + Tensor([1, 2]) } },
        Example("Tensor.broadcastShape([2, 3], [3])") { Tensor.broadcastShape([2, 3], [3]) as Any },
        Example("Tensor.broadcastShape([2, 3], [2])") { Tensor.broadcastShape([2, 3], [2]) as Any },
        Example("x * 2") { x * 2 },
        Example("1 - x") { 1 - x },
        Example("-x") { -x },
        Example("x.map { max(0, $0 - 2) }") { x.map { max(0, $0 - 2) } },
        Example("try Tensor.zip(x, x) { $0 * $1 }") { try Tensor.zip(x, x) { $0 * $1 } },
        Example("try Tensor.broadcasting(x, v, operation: \"max\") { max($0, $1) }") { try Tensor.broadcasting(x, v, operation: "max") { max($0, $1) } },
        Example("x.squared()") { x.squared() },
        Example("Tensor([4, 9]).squareRoot()") { Tensor([4, 9]).squareRoot() },
        Example("exp(Tensor([0, 1]))") { exp(Tensor([0, 1])) },
        Example("log(Tensor([1]))") { log(Tensor([1])) },
        // Reductions
        Example("x.sum()") { x.sum() },
        Example("x.mean()") { x.mean() },
        Example("x.max()") { x.max() },
        Example("x.min()") { x.min() },
        Example("try x.sum(alongAxis: 0)") { try x.sum(alongAxis: 0) },
        Example("try x.sum(alongAxis: 1)") { try x.sum(alongAxis: 1) },
        Example("try x.sum(alongAxis: 1, keepingDimension: true)") { try x.sum(alongAxis: 1, keepingDimension: true) },
        Example("try x.sum(alongAxes: [0, 1])") { try x.sum(alongAxes: [0, 1]) },
        Example("try x.mean(alongAxis: 0)") { try x.mean(alongAxis: 0) },
        Example("try x.mean(alongAxes: [0, 1], keepingDimensions: true)") { try x.mean(alongAxes: [0, 1], keepingDimensions: true) },
        Example("try x.variance(alongAxes: [0])") { try x.variance(alongAxes: [0]) },
        Example("try x.max(alongAxis: 1)") { try x.max(alongAxis: 1) },
        Example("try x.argmaxRows()") { try x.argmaxRows() },
        Example("try x.reduce(alongAxes: [1], initial: 1, *)") { try x.reduce(alongAxes: [1], initial: 1, *) },
        // Matrix products
        Example("try Tensor.matmul(x, x, transposeB: true)") { try Tensor.matmul(x, x, transposeB: true) },
        Example("try Tensor.matmul(x, x, transposeA: true).shape") { try Tensor.matmul(x, x, transposeA: true).shape },
        Example("try x.matmul(try x.transposed())") { try x.matmul(try x.transposed()) },
        Example("try Tensor.matmul(x, x)") { try describeError { try Tensor.matmul(x, x) } },
        // Seeded randomness (each from a fresh `var rng = SeededGenerator(seed: 42)`)
        Example("rng.nextUniform()") { seeded { $0.nextUniform() } },
        Example("rng.nextUniform(in: -1..<1)") { seeded { $0.nextUniform(in: -1..<1) } },
        Example("rng.nextNormal(mean: 0, standardDeviation: 1)") { seeded { $0.nextNormal(mean: 0, standardDeviation: 1) } },
        Example("rng.nextBernoulli(0.8)") { seeded { $0.nextBernoulli(0.8) } },
        Example("rng.permutation(5)") { seeded { $0.permutation(5) } },
        Example("rng.next()") { seeded { $0.next() } },
        Example("Tensor.randomNormal(shape: [2, 2], standardDeviation: 0.01, using: &rng).shape") { seeded { Tensor.randomNormal(shape: [2, 2], standardDeviation: 0.01, using: &$0).shape } },
        Example("Tensor.randomUniform(shape: [3], in: 0..<1, using: &rng).max() < 1") { seeded { Tensor.randomUniform(shape: [3], in: 0..<1, using: &$0).max() < 1 } },
        // Checking shapes, errors and tolerances (numeric gradients are yours to write: chapter 04)
        Example("try requireShape(x, [-1, 3], \"myLayer x\")") { try requireShape(x, [-1, 3], "myLayer x") },
        Example("try requireShape(x, [2, 2], \"myLayer x\")") { try describeError { try requireShape(x, [2, 2], "myLayer x") } },
        Example("ShapeError(operation: \"myLayer\", shapes: [[2, 3]], detail: \"needs rank 4\")") { ShapeError(operation: "myLayer", shapes: [[2, 3]], detail: "needs rank 4") },
        Example("ArgumentError(operation: \"myLayer\", detail: \"rate must be > 0\")") { ArgumentError(operation: "myLayer", detail: "rate must be > 0") },
        Example("NotImplemented(\"Shapes1\", \"flattenBatch(_:)\").exercise") { NotImplemented("Shapes1", "flattenBatch(_:)").exercise },
        Example("isApproximatelyEqual(0.1 + 0.2, 0.3)") { isApproximatelyEqual(0.1 + 0.2, 0.3) },
        Example("x.isApproximatelyEqual(to: x + 1e-12)") { x.isApproximatelyEqual(to: x + 1e-12) },
        Example("x.mismatch(against: x) == nil") { x.mismatch(against: x) == nil },
        Example("x.mismatch(against: x * 2)!.mismatchCount") { x.mismatch(against: x * 2)!.mismatchCount },
    ]

    static func describeError(_ body: () throws -> Any) -> String {
        do { return "returned \(try body())" } catch { return "throws \(type(of: error)): \(error)" }
    }

    /// The sheet's section of the guide: from its heading to the next `## ` heading.
    static func section(of guide: String) -> String {
        guard let start = guide.range(of: "\n## The Tensor cheat sheet\n") else { return "" }
        let rest = guide[start.upperBound...]
        return String(rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)])
    }

    /// The sheet's rows: code and shown result, from lines `| `code` | `result` |`.
    static func rows(in guide: String) -> [(code: String, result: String)] {
        section(of: guide).components(separatedBy: "\n").compactMap { line in
            guard line.hasPrefix("| `") else { return nil }
            let cells = line.components(separatedBy: "` | `")
            guard cells.count >= 2 else { return nil }
            let code = String(cells[0].dropFirst(3))
            let result = cells[1].components(separatedBy: "` |").first ?? ""
            return (code, result)
        }
    }
}

@Suite("Tensor cheat sheet (Exercises/00-TensorBasics/GUIDE.md)")
struct TensorCheatSheetTests {
    @Test("every example row of the sheet runs here and shows what the sheet says")
    func rowsMatch() throws {
        let guide = try String(contentsOf: CheatSheet.guide, encoding: .utf8)
        let rows = CheatSheet.rows(in: guide)
        let examples = Dictionary(uniqueKeysWithValues: CheatSheet.examples.map { ($0.code, $0) })
        var printed: [String] = []
        for example in CheatSheet.examples {
            let shown = String(describing: try example.run())
            printed.append("| `\(example.code)` | `\(shown)` |")
            let row = rows.first { $0.code == example.code }
            #expect(row != nil, "the sheet has no row for `\(example.code)`")
            if let row { #expect(row.result == shown, "`\(example.code)`: the sheet shows `\(row.result)`, the code gives `\(shown)`") }
        }
        for row in rows where examples[row.code] == nil {
            Issue.record("the sheet's row `\(row.code)` is not checked: add it to CheatSheet.examples")
        }
        if ProcessInfo.processInfo.environment["CHEATSHEET_PRINT"] == "1" { print(printed.joined(separator: "\n")) }
    }

    @Test("the sheet names every public operation of the core a student calls")
    func coversPublicAPI() throws {
        let guide = CheatSheet.section(of: try String(contentsOf: CheatSheet.guide, encoding: .utf8))
        let core = CheatSheet.guide.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/WorkbookCore")
        let files = try FileManager.default.contentsOfDirectory(atPath: core.path)
            .filter { $0.hasPrefix("Tensor") || ["SeededGenerator.swift", "ApproximateEquality.swift", "Errors.swift", "NumericGradient.swift"].contains($0) }
        // Protocol plumbing a student never calls by name.
        let plumbing: Set<String> = ["encode", "hash", "description"]
        var missing: [String] = []
        for file in files.sorted() {
            let text = try String(contentsOf: core.appendingPathComponent(file), encoding: .utf8)
            let names = CheatSheet.matches(#"public (?:static |mutating )?(?:func|var|let) (\w+)"#, in: text)
                + CheatSheet.matches(#"public (?:private\(set\) )var (\w+)"#, in: text)
            for name in Set(names) where !plumbing.contains(name) && !guide.contains(name) {
                missing.append("\(file): \(name)")
            }
            for label in Set(CheatSheet.matches(#"public init\((\w+)"#, in: text)) where label != "_" && label != "from" && !guide.contains(label + ":") {
                missing.append("\(file): init(\(label):)")
            }
        }
        #expect(missing.isEmpty, "the cheat sheet does not mention: \(missing.sorted().joined(separator: ", "))")
    }
}

extension CheatSheet {
    static func matches(_ pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
    }
}

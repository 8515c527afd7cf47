// What `swift test --filter` sees: the IDs of the package's tests, read from their sources.
//
// Swift Testing keeps a test when one of the `--filter` regular expressions is found anywhere in
// its ID, and the ID carries more than the suite's name:
//
//     GradedTests.ReLU1Tests                                   a suite
//     GradedTests.ReLU1Tests/notesExample()/ReLUTests.swift:21:6   a test: suite, function, file, line, column
//
// So `--filter ReLU` also ran every test of a file called `LeakyReLUTests.swift`, and
// `--filter Shapes` every `rejectsMismatchedShapes()`. The graded tests therefore name files and
// functions without other exercises' words (GradingTests' `FilterNamesTests` holds them to it), and
// the summary uses this model to tell a filter that matches no test at all (said at once, before
// Swift Testing's "passed with 0 tests") from one that matches only the tools' own tests (no words).
//
// The model is read from the sources, not from the test binary, because it is needed as the test
// process loads, before Swift Testing has discovered anything. `FilterNamesTests` checks it against
// the binary's own `--list-tests`.
import Foundation

/// One test or suite as Swift Testing identifies it.
public struct TestName: Sendable, Hashable, CustomStringConvertible {
    /// The test target (`GradedTests`).
    public var target: String
    /// The enclosing types, outermost first (`["ReLU1Tests"]`); empty for a free test function.
    public var types: [String]
    /// `notesExample()`, or `nil` for a suite.
    public var function: String?
    /// `ReLUTests.swift`, line and column of the `@Test` attribute's name (suites have none).
    public var file: String
    public var line: Int
    public var column: Int

    /// The name without its location: `GradedTests.ReLU1Tests/notesExample()`, as `--list-tests` prints it.
    public var name: String {
        let suite = ([target] + types).joined(separator: ".")
        guard let function else { return suite }
        return types.isEmpty ? "\(target).\(function)" : "\(suite)/\(function)"
    }

    /// The whole ID that `--filter` is matched against.
    public var description: String {
        function == nil ? name : "\(name)/\(file):\(line):\(column)"
    }

    /// The exercise a graded suite or test belongs to (`ReLU1` for `ReLU1Tests` and `ReLU1HiddenTests`).
    public var exercise: String? {
        guard target == "GradedTests", let suite = types.first else { return nil }
        // Exercise IDs end with their number; the graded target's own plain tests (of the summary,
        // say) are in suites without one.
        for suffix in ["HiddenTests", "Tests"] where suite.hasSuffix(suffix) {
            let id = suite.dropLast(suffix.count)
            if id.last?.isNumber == true { return String(id) }
        }
        return nil
    }
}

public enum TestNames {
    /// Folders of `Tests/` that are not test targets (hostile submissions used as fixtures).
    static let notTargets: Set<String> = ["Attacks"]

    /// Every test and suite declared under `tests` (the package's `Tests/` folder).
    public static func declared(in tests: URL) -> [TestName] {
        let manager = FileManager.default
        let targets = ((try? manager.contentsOfDirectory(atPath: tests.path)) ?? []).filter { !notTargets.contains($0) }.sorted()
        var names: [TestName] = []
        for target in targets {
            let folder = tests.appendingPathComponent(target)
            let files = (manager.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".swift") }.sorted()
            for file in files {
                guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) else { continue }
                names += parse(text, target: target, file: URL(fileURLWithPath: file).lastPathComponent)
            }
        }
        return names
    }

    /// The tests and suites of one source file.
    ///
    /// A line-level reading that is enough for test files: string literals and comments are
    /// dropped, braces give the nesting, `@Suite`/`@Test` mark what follows. A type is a suite if it
    /// carries `@Suite` or holds a test.
    public static func parse(_ source: String, target: String, file: String) -> [TestName] {
        var names: [TestName] = []
        var stack: [(name: String, depth: Int, suite: Bool, index: Int?)] = []
        var depth = 0
        var pendingType: String?
        var pendingSuite = false
        var pendingTest: (line: Int, column: Int)?
        var pendingFunction: (name: String, parameters: String, test: (line: Int, column: Int))?
        var inMultilineString = false

        func markSuite() {
            guard let top = stack.indices.last, !stack[top].suite else { return }
            stack[top].suite = true
            stack[top].index = names.count
            names.append(TestName(target: target, types: stack.map(\.name), function: nil, file: file, line: 0, column: 0))
        }
        func finishFunction(_ function: (name: String, parameters: String, test: (line: Int, column: Int))) {
            markSuite()
            let labels = argumentLabels(function.parameters)
            names.append(TestName(target: target, types: stack.map(\.name), function: "\(function.name)(\(labels))",
                                  file: file, line: function.test.line, column: function.test.column))
        }

        for (index, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let quotes = raw.components(separatedBy: "\"\"\"").count - 1
            if inMultilineString {
                if quotes % 2 == 1 { inMultilineString = false }
                continue
            }
            if quotes % 2 == 1 { inMultilineString = true }
            var line = cleaned(String(raw))
            if quotes > 0 { line = String(line.prefix { $0 != "\"" }) }

            if var function = pendingFunction {
                function.parameters += " " + line
                if let closed = balancedPrefix(function.parameters) {
                    function.parameters = closed
                    finishFunction(function)
                    pendingFunction = nil
                } else {
                    pendingFunction = function
                }
            }
            // Plain scanning, no regular expressions: this runs as every filtered test process loads.
            let words = identifiers(line)
            if let test = words.first(where: { $0.text == "@Test" }) {
                pendingTest = (index + 1, test.offset + 2)
            }
            if words.contains(where: { $0.text == "@Suite" }) { pendingSuite = true }
            if let keyword = words.firstIndex(where: { ["struct", "class", "enum", "actor", "extension"].contains($0.text) }),
               keyword + 1 < words.count {
                pendingType = words[keyword + 1].text
            }
            if let keyword = words.firstIndex(where: { $0.text == "func" }), keyword + 1 < words.count {
                let name = words[keyword + 1]
                let rest = line.dropFirst(name.offset + name.text.count)
                if let test = pendingTest, let open = rest.firstIndex(of: "(") {
                    let function = (name: name.text, parameters: String(rest[open...]), test: test)
                    if let closed = balancedPrefix(function.parameters) {
                        finishFunction((function.name, closed, test))
                    } else {
                        pendingFunction = function
                    }
                }
                pendingTest = nil
            }
            for character in line {
                if character == "{" {
                    depth += 1
                    if let type = pendingType {
                        stack.append((type, depth, false, nil))
                        if pendingSuite { markSuite() }
                        pendingType = nil
                        pendingSuite = false
                    }
                } else if character == "}" {
                    if let top = stack.last, top.depth == depth { stack.removeLast() }
                    depth -= 1
                }
            }
        }
        return names
    }

    /// The identifiers of a line (attributes keep their `@`, qualified names their dots), with the
    /// character offset where each starts.
    static func identifiers(_ line: String) -> [(text: String, offset: Int)] {
        var words: [(text: String, offset: Int)] = []
        var current = ""
        var start = 0
        for (offset, character) in line.enumerated() {
            if character.isLetter || character.isNumber || character == "_" || character == "." || (character == "@" && current.isEmpty) {
                if current.isEmpty { start = offset }
                current.append(character)
            } else if !current.isEmpty {
                words.append((current, start))
                current = ""
            }
        }
        if !current.isEmpty { words.append((current, start)) }
        return words
    }

    /// `x: Int, _ y: Double, in z: [Int]` → `x:_:in:`.
    static func argumentLabels(_ parameters: String) -> String {
        var inner = parameters.trimmingCharacters(in: .whitespaces)
        if inner.hasPrefix("(") { inner.removeFirst() }
        if inner.hasSuffix(")") { inner.removeLast() }
        var pieces: [String] = []
        var level = 0
        var current = ""
        for character in inner {
            if "([<".contains(character) { level += 1 }
            if ")]>".contains(character) { level -= 1 }
            if character == ",", level == 0 { pieces.append(current); current = "" } else { current.append(character) }
        }
        pieces.append(current)
        return pieces.compactMap { piece -> String? in
            guard let colon = piece.firstIndex(of: ":") else { return nil }
            let words = piece[..<colon].split(whereSeparator: \.isWhitespace)
            return words.first.map { "\($0):" }
        }.joined()
    }

    /// The text up to the parenthesis that closes the first one, or `nil` if it does not close.
    static func balancedPrefix(_ text: String) -> String? {
        var level = 0
        for index in text.indices {
            if text[index] == "(" { level += 1 }
            if text[index] == ")" {
                level -= 1
                if level == 0 { return String(text[...index]) }
            }
        }
        return nil
    }

    /// A line without its string literals' contents and its `//` comment.
    static func cleaned(_ line: String) -> String {
        var result = ""
        var inString = false
        var escaped = false
        var previous: Character = " "
        for character in line {
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false; result.append("\"") }
                continue
            }
            if character == "\"" { inString = true; result.append("\""); continue }
            if character == "/", previous == "/" { result.removeLast(); break }
            result.append(character)
            previous = character
        }
        return result
    }

    /// The `--filter` patterns in a test process's arguments (`--filter X` or `--filter=X`).
    public static func filters(in arguments: [String]) -> [String] {
        var patterns: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--filter", index + 1 < arguments.count {
                patterns.append(arguments[index + 1])
                index += 1
            } else if argument.hasPrefix("--filter=") {
                patterns.append(String(argument.dropFirst("--filter=".count)))
            }
            index += 1
        }
        return patterns
    }

    /// The names any of `patterns` selects, as Swift Testing does (the pattern found anywhere in the
    /// ID); `nil` when a pattern is not a regular expression (Swift Testing reports that itself).
    public static func selected(by patterns: [String], among names: [TestName]) -> [TestName]? {
        var regexes: [Regex<AnyRegexOutput>] = []
        for pattern in patterns {
            guard let regex = try? Regex(pattern) else { return nil }
            regexes.append(regex)
        }
        return names.filter { name in
            let id = name.description
            return regexes.contains { id.contains($0) }
        }
    }
}

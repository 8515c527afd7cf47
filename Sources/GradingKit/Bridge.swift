// `workbook bridge`: writes the two halves of every exercise call from the stubs' signatures.
//
// The graded tests never link the student's code. They call proxies with the exercise functions'
// exact signatures (`Sources/StudentCalls/ExerciseCalls.swift`), which send the arguments to
// `grade-runner`, a separate process that links the student's module and calls the real function
// from a table (`Sources/RunnerCalls/ExerciseTable.swift`). Both files are generated here from
// the stubs in `Exercises/`, so they cannot drift from the curriculum; CI checks they are current.
//
// The stubs' signatures stay within what the wire can carry: Codable values from WorkbookCore,
// a (named) tuple of them as the result, `inout` values, and closures `(A) throws -> B` of such
// values (evaluated in the grader when the runner asks).
import Foundation

/// One exercise function as the stubs declare it.
struct ExerciseSignature: Equatable {
    struct Parameter: Equatable {
        enum Kind: Equatable { case value, inOut, closure(argument: String, returns: String) }
        /// The argument label (`nil` for `_`) and the name inside the function.
        var label: String?
        var name: String
        /// The type without `inout`.
        var type: String
        var kind: Kind
    }

    /// `reluForward`.
    var name: String
    var parameters: [Parameter]
    /// The declaration as written, from `public func` to just before `{`.
    var declaration: String
    /// The result: `[]` for none, one type, or a tuple's element types.
    var results: [String]
    var returnsTuple: Bool
    /// The exercises whose START/END regions the body holds.
    var exercises: [String]
    /// `01-Activations/ReLU.swift`.
    var file: String

    /// `reluForward(_:Tensor)`: the key both sides agree on (types too, for overloads).
    var selector: String {
        name + "(" + parameters.map { ($0.label ?? "_") + ":" + ($0.kind == .inOut ? "inout " : "") + $0.type.filter { $0 != " " } }
            .joined(separator: ",") + ")"
    }
}

enum Bridge {
    enum ParseError: Error, CustomStringConvertible {
        case unsupported(file: String, function: String, detail: String)
        var description: String {
            switch self {
            case .unsupported(let file, let function, let detail):
                "\(file): \(function): \(detail): the grader can only carry Codable values, inout values and closures (A) throws -> B of Codable values"
            }
        }
    }

    /// Every `public func` in the stub files under `exercises`, in file order.
    static func signatures(in exercises: URL) throws -> [ExerciseSignature] {
        var all: [ExerciseSignature] = []
        for file in try FileTree.files(under: exercises).filter({ $0.hasSuffix(".swift") }) {
            let text = try String(contentsOf: exercises.appendingPathComponent(file), encoding: .utf8)
            all += try signatures(inSource: text, file: file)
        }
        // Overloads that share a selector would share a table key.
        let selectors = Dictionary(grouping: all, by: \.selector)
        if let clash = selectors.first(where: { $0.value.count > 1 }) {
            throw ParseError.unsupported(file: clash.value[0].file, function: clash.key, detail: "two overloads with the same argument labels")
        }
        return all
    }

    static func signatures(inSource text: String, file: String) throws -> [ExerciseSignature] {
        let characters = Array(text)
        var result: [ExerciseSignature] = []
        var searchFrom = text.startIndex
        while let range = text.range(of: "public func ", range: searchFrom..<text.endIndex) {
            searchFrom = range.upperBound
            // Only declarations at the start of a line (not inside a comment).
            let lineStart = text[..<range.lowerBound].lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
            guard text[lineStart..<range.lowerBound].allSatisfy({ $0 == " " }) else { continue }
            let start = text.distance(from: text.startIndex, to: range.lowerBound)
            // The declaration ends at the first `{` outside brackets.
            var depth = 0
            var index = start
            while index < characters.count {
                let c = characters[index]
                if "([".contains(c) { depth += 1 } else if ")]".contains(c) { depth -= 1 } else if c == "{" && depth == 0 { break }
                index += 1
            }
            let declaration = String(characters[start..<index]).trimmingCharacters(in: .whitespacesAndNewlines)
            // The body: up to the matching `}`.
            var braces = 0
            var end = index
            repeat {
                if characters[end] == "{" { braces += 1 } else if characters[end] == "}" { braces -= 1 }
                end += 1
            } while braces > 0 && end < characters.count
            let body = String(characters[index..<end])
            let exercises = body.split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return trimmed.hasPrefix("// START ") ? String(trimmed.dropFirst("// START ".count)) : nil
            }
            result.append(try parse(declaration, exercises: exercises, file: file))
        }
        return result
    }

    /// Parses `public func name(parameters) throws -> Result`.
    static func parse(_ declaration: String, exercises: [String], file: String) throws -> ExerciseSignature {
        let afterFunc = declaration.dropFirst("public func ".count)
        guard let open = afterFunc.firstIndex(of: "(") else {
            throw ParseError.unsupported(file: file, function: String(afterFunc.prefix(40)), detail: "no parameter list")
        }
        let name = String(afterFunc[..<open])
        func fail(_ detail: String) -> ParseError { .unsupported(file: file, function: name, detail: detail) }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw fail("generic functions are not supported") }
        // The parameter list runs to the matching parenthesis.
        var depth = 0
        var close = open
        for index in afterFunc[open...].indices {
            if "([".contains(afterFunc[index]) { depth += 1 }
            if ")]".contains(afterFunc[index]) { depth -= 1 }
            if depth == 0 { close = index; break }
        }
        let parameterText = String(afterFunc[afterFunc.index(after: open)..<close])
        let tail = afterFunc[afterFunc.index(after: close)...].trimmingCharacters(in: .whitespacesAndNewlines)
        guard tail.hasPrefix("throws") else { throw fail("an exercise function must be declared `throws`") }
        let resultText = tail.dropFirst("throws".count).trimmingCharacters(in: .whitespaces)
        var results: [String] = []
        var returnsTuple = false
        if resultText.hasPrefix("->") {
            let type = resultText.dropFirst(2).trimmingCharacters(in: .whitespaces)
            if type.hasPrefix("(") && type.hasSuffix(")") && !type.contains("->") {
                returnsTuple = true
                results = splitTopLevel(String(type.dropFirst().dropLast())).map { element in
                    let parts = splitOnce(element, ":")
                    return (parts.1 ?? parts.0).trimmingCharacters(in: .whitespaces)
                }
            } else if type != "Void" && type != "()" {
                guard !type.contains("->") else { throw fail("returning a closure") }
                results = [type]
            }
        } else if !resultText.isEmpty {
            throw fail("unexpected text after the parameters: \(resultText)")
        }
        var parameters: [ExerciseSignature.Parameter] = []
        for item in splitTopLevel(parameterText) where !item.trimmingCharacters(in: .whitespaces).isEmpty {
            let (names, typeAndDefault) = splitOnce(item, ":")
            guard let typeAndDefault else { throw fail("a parameter without a type: \(item)") }
            let words = names.split(separator: " ").map(String.init)
            guard (1...2).contains(words.count) else { throw fail("cannot read the parameter \(item)") }
            let label = words[0] == "_" ? nil : words[0]
            let inner = words.count == 2 ? words[1] : words[0]
            var type = splitTopLevel(typeAndDefault, separator: "=")[0].trimmingCharacters(in: .whitespaces)
            var kind = ExerciseSignature.Parameter.Kind.value
            if type.hasPrefix("inout ") {
                type = String(type.dropFirst("inout ".count)).trimmingCharacters(in: .whitespaces)
                kind = .inOut
            }
            if type.contains("->") {
                // `(A) throws -> B` with one Codable argument and a Codable result.
                guard type.hasPrefix("("), let close = type.firstIndex(of: ")"),
                      let arrow = type.range(of: "->"), type[close...].contains("throws") else {
                    throw fail("the closure type \(type) (it must be `(A) throws -> B`)")
                }
                let argument = String(type[type.index(after: type.startIndex)..<close]).trimmingCharacters(in: .whitespaces)
                let returns = String(type[arrow.upperBound...]).trimmingCharacters(in: .whitespaces)
                guard !argument.contains(","), !argument.contains("->"), !returns.contains("->") else {
                    throw fail("the closure type \(type) (one argument, no nested closures)")
                }
                kind = .closure(argument: argument, returns: returns)
            }
            parameters.append(.init(label: label, name: inner, type: type, kind: kind))
        }
        return ExerciseSignature(name: name, parameters: parameters, declaration: declaration, results: results,
                                 returnsTuple: returnsTuple, exercises: exercises, file: file)
    }

    /// Splits at `separator` outside (), [] and <>; `->` is not a bracket.
    static func splitTopLevel(_ text: String, separator: Character = ",") -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        var previous: Character = " "
        for c in text {
            if "([<".contains(c) { depth += 1 }
            if ")]".contains(c) || (c == ">" && previous != "-") { depth -= 1 }
            if c == separator && depth == 0 { parts.append(current); current = "" } else { current.append(c) }
            previous = c
        }
        parts.append(current)
        return parts.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    static func splitOnce(_ text: String, _ separator: Character) -> (String, String?) {
        guard let index = text.firstIndex(of: separator) else { return (text.trimmingCharacters(in: .whitespaces), nil) }
        return (text[..<index].trimmingCharacters(in: .whitespacesAndNewlines),
                String(text[text.index(after: index)...]).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static let banner = """
        // Generated by `swift run workbook bridge` from the stubs in Exercises/: do not edit.
        // CI fails when it is out of date (`workbook bridge --check`).
        """

    /// The grader's side: a proxy per exercise function, same signature, that runs it in the runner.
    static func proxies(_ signatures: [ExerciseSignature]) -> String {
        var out = banner + """

            import WorkbookCore

            """
        for signature in signatures {
            out += "\n/// Runs the student's `\(signature.selector)` (`\(signature.file)`) in the runner process.\n"
            out += signature.declaration + " {\n"
            let closures = signature.parameters.filter { if case .closure = $0.kind { true } else { false } }
            var indent = "    "
            for closure in closures {
                out += "\(indent)try withoutActuallyEscaping(\(closure.name)) { \(closure.name) in\n"
                indent += "    "
            }
            let arguments = signature.parameters.enumerated().map { index, parameter in
                if case .closure = parameter.kind { return "try wired(\(index))" }
                return "try wired(\(parameter.name))"
            }.joined(separator: ", ")
            let closureTable = signature.parameters.enumerated().compactMap { index, parameter -> String? in
                guard case .closure = parameter.kind else { return nil }
                return "\(index): ClosureArgument(\(parameter.name))"
            }
            let closureArgument = closureTable.isEmpty ? "" : ", closures: [\(closureTable.joined(separator: ", "))]"
            out += "\(indent)let reply = try StudentProcess.call(\"\(signature.selector)\", [\(arguments)]\(closureArgument))\n"
            var next = signature.results.count
            for parameter in signature.parameters where parameter.kind == .inOut {
                out += "\(indent)\(parameter.name) = try reply.value(\(next))\n"
                next += 1
            }
            switch signature.results.count {
            case 0: out += "\(indent)_ = reply\n"
            case 1 where !signature.returnsTuple: out += "\(indent)return try reply.value(0)\n"
            default:
                let elements = signature.results.indices.map { "try reply.value(\($0))" }.joined(separator: ", ")
                out += "\(indent)return (\(elements))\n"
            }
            for _ in closures {
                indent.removeLast(4)
                out += "\(indent)}\n"
            }
            out += "}\n"
        }
        out += "\n/// The exercises whose code each function holds (its START/END regions), for honest labels.\n"
        out += "public let exercisesOfFunction: [String: [String]] = [\n"
        for signature in signatures {
            out += "    \"\(signature.selector)\": [\(signature.exercises.map { "\"\($0)\"" }.joined(separator: ", "))],\n"
        }
        out += "]\n"
        out += "\n/// Where each function is written, relative to the graded folder.\n"
        out += "public let fileOfFunction: [String: String] = [\n"
        for signature in signatures { out += "    \"\(signature.selector)\": \"\(signature.file)\",\n" }
        out += "]\n"
        return out
    }

    /// The runner's side: the table from selector to the student's real function.
    static func table(_ signatures: [ExerciseSignature]) -> String {
        var out = banner + """

            import Foundation
            import GradingChannel
            import Workbook
            import WorkbookCore

            public let exerciseTable: [String: @Sendable (IncomingCall) throws -> [Data]] = [

            """
        for signature in signatures {
            out += "    \"\(signature.selector)\": { call in\n"
            var arguments: [String] = []
            var inouts: [String] = []
            for (index, parameter) in signature.parameters.enumerated() {
                let prefix = parameter.label.map { "\($0): " } ?? ""
                switch parameter.kind {
                case .value:
                    arguments.append(prefix + "try call.argument(\(index), as: \(parameter.type).self)")
                case .inOut:
                    out += "        var argument\(index) = try call.argument(\(index), as: \(parameter.type).self)\n"
                    arguments.append(prefix + "&argument\(index)")
                    inouts.append("argument\(index)")
                case .closure(let argument, let returns):
                    arguments.append(prefix + "call.closure(\(index), from: \(argument).self, to: \(returns).self)")
                }
            }
            let invocation = "try \(signature.name)(\(arguments.joined(separator: ", ")))"
            var values: [String]
            switch signature.results.count {
            case 0:
                out += "        \(invocation)\n"
                values = []
            case 1 where !signature.returnsTuple:
                out += "        let result = \(invocation)\n"
                values = ["result"]
            default:
                out += "        let result = \(invocation)\n"
                values = signature.results.indices.map { "result.\($0)" }
            }
            values += inouts
            out += "        return [\(values.map { "try wired(\($0))" }.joined(separator: ", "))]\n"
            out += "    },\n"
        }
        out += "]\n"
        return out
    }

    /// The generated files and their paths relative to the package.
    static func files(for workspace: Workspace) throws -> [(path: String, text: String)] {
        let signatures = try signatures(in: workspace.exercises)
        let calls = try callsBetweenExercises(signatures, solutions: workspace.solutions)
        return [("Sources/StudentCalls/ExerciseCalls.swift", proxies(signatures) + dependencies(calls)),
                ("Sources/RunnerCalls/ExerciseTable.swift", table(signatures))]
    }

    /// For each exercise, the other exercises' functions its reference solution calls (read from the
    /// START/END regions of `solutions`): exercise → function name → the exercises holding it.
    static func callsBetweenExercises(_ signatures: [ExerciseSignature], solutions: URL) throws -> [String: [String: [String]]] {
        var owners: [String: [String]] = [:]
        for signature in signatures where !signature.exercises.isEmpty {
            owners[signature.name, default: []] += signature.exercises.filter { !(owners[signature.name] ?? []).contains($0) }
        }
        var calls: [String: [String: [String]]] = [:]
        for file in Set(signatures.map(\.file)).sorted() {
            guard let text = try? String(contentsOf: solutions.appendingPathComponent(file), encoding: .utf8) else { continue }
            for region in StubRegions.regions(in: text) {
                let code = region.body.filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n")
                for (name, exercises) in owners where !exercises.contains(region.id) {
                    var search = code.startIndex
                    while let range = code.range(of: name + "(", range: search..<code.endIndex) {
                        let before = range.lowerBound == code.startIndex ? " " : code[code.index(before: range.lowerBound)]
                        if !(before.isLetter || before.isNumber || before == "_" || before == ".") {
                            calls[region.id, default: [:]][name] = exercises
                            break
                        }
                        search = range.upperBound
                    }
                }
            }
        }
        return calls
    }

    static func dependencies(_ calls: [String: [String: [String]]]) -> String {
        if calls.isEmpty { return "\npublic let exerciseCalls: [String: [String: [String]]] = [:]\n" }
        var out = "\n/// The other exercises' functions each exercise's reference solution calls (from Solutions/): when an\n"
        out += "/// exercise fails and one of these fails its own tests too, that one is the place to start.\n"
        out += "public let exerciseCalls: [String: [String: [String]]] = [\n"
        for id in calls.keys.sorted() {
            let entries = calls[id]!.keys.sorted().map { name in "\"\(name)\": [" + calls[id]![name]!.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
            out += "    \"\(id)\": [" + entries.joined(separator: ", ") + "],\n"
        }
        out += "]\n"
        return out
    }
}

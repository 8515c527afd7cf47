// What `swift test` found, read from Swift Testing's JSON event stream
// (`swift test --experimental-event-stream-output FILE`, verified on Swift 6.3.1), with the
// console's suite lines as a fallback.
//
// A record is one JSON object per line:
//
//     {"kind":"test","payload":{"kind":"suite","id":"GradedTests.ReLUForwardTests","displayName":"ReLU1 · ReLU forward",…}}
//     {"kind":"event","payload":{"kind":"issueRecorded","testID":"GradedTests.ReLUForwardTests/notesExample()/ReLUTests.swift:21:6",
//                                "messages":[{"symbol":"fail","text":"Issue recorded"},{"symbol":"details","text":"ReLU1: …"}]}}
//     {"kind":"event","payload":{"kind":"testEnded","testID":"…"}}
import Foundation

/// One test function's outcome.
public struct TestOutcome: Sendable, Hashable, Codable {
    /// Swift Testing's identifier: `GradedTests.ReLUForwardTests/notesExample()/ReLUTests.swift:21:6`.
    public var id: String
    /// The test's display name: `reproduces the output of notes 004, problem 6`.
    public var name: String
    /// The exercise whose suite holds the test (from the suite's display name `"ID · title"`).
    public var exercise: String
    /// The messages of the issues it recorded; empty when it passed.
    public var issues: [String]
    /// Whether the run reached the test's end (false when the run was stopped or never got there).
    public var finished: Bool
    /// Whether the test is one of the instructor's hidden tests (`Tests/GradedTests/Hidden/`):
    /// reports a student sees say only that it failed, never its inputs or expected values.
    public var hidden: Bool
    /// What the student's code printed during the test (shown with its result), if anything.
    public var output: String?

    public init(id: String, name: String, exercise: String, issues: [String] = [], finished: Bool = true,
                hidden: Bool = false, output: String? = nil) {
        self.id = id
        self.name = name
        self.exercise = exercise
        self.issues = issues
        self.finished = finished
        self.hidden = hidden
        self.output = output
    }

    public var passed: Bool { finished && issues.isEmpty }
}

public enum TestEvents {
    /// Parses an event stream. Lines that are not JSON (a run stopped mid-line) are skipped.
    /// Tests outside a suite named `"ID · title"` (not graded) are left out.
    public static func parse(_ stream: String) -> [TestOutcome] {
        var suiteExercise: [String: String] = [:]     // suite id → exercise id
        var functions: [(id: String, name: String, hidden: Bool)] = []
        var issues: [String: [String]] = [:]
        var outputs: [String: String] = [:]
        var ended: Set<String> = []
        for line in stream.split(whereSeparator: \.isNewline) {
            guard let data = line.data(using: .utf8),
                  let record = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let kind = record["kind"] as? String,
                  let payload = record["payload"] as? [String: Any] else { continue }
            let payloadKind = payload["kind"] as? String
            if kind == "test" {
                guard let id = payload["id"] as? String else { continue }
                let display = (payload["displayName"] as? String) ?? (payload["name"] as? String) ?? id
                if payloadKind == "suite" {
                    if let exercise = exerciseID(fromSuiteName: display) { suiteExercise[id] = exercise }
                } else if !functions.contains(where: { $0.id == id }) {
                    let path = (payload["sourceLocation"] as? [String: Any])?["_filePath"] as? String ?? ""
                    functions.append((id, display, path.contains("/GradedTests/\(Curriculum.hiddenFolder)/")))
                }
            } else if kind == "event", let testID = payload["testID"] as? String {
                switch payloadKind {
                case "issueRecorded":
                    let issue = payload["issue"] as? [String: Any]
                    // Warnings and known issues do not fail a test; a warning may carry what the
                    // student's code printed.
                    if issue?["isKnown"] as? Bool == true { continue }
                    if let severity = issue?["severity"] as? String, severity != "error" {
                        let text = issueText(payload["messages"])
                        if let range = text.range(of: printedMarker) {
                            outputs[testID, default: ""] += text[range.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
                                .map { $0.hasPrefix("  │ ") ? String($0.dropFirst(4)) : String($0) }.joined(separator: "\n")
                        }
                        continue
                    }
                    if issue?["isFailure"] as? Bool == false { continue }
                    issues[testID, default: []].append(issueText(payload["messages"]))
                case "testEnded", "testSkipped":
                    ended.insert(testID)
                default:
                    break
                }
            }
        }
        return functions.compactMap { function in
            guard let exercise = enclosingExercise(of: function.id, suites: suiteExercise) else { return nil }
            return TestOutcome(id: function.id, name: function.name, exercise: exercise,
                               issues: issues[function.id] ?? [], finished: ended.contains(function.id),
                               hidden: function.hidden, output: outputs[function.id])
        }
    }

    /// How the graded-test trait introduces the student's output in its warning.
    public static let printedMarker = ": your code printed:\n"

    /// `"ReLU1 · ReLU forward"` → `ReLU1`.
    public static func exerciseID(fromSuiteName name: String) -> String? {
        guard let range = name.range(of: " · ") else { return nil }
        let id = name[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        return id.isEmpty || id.contains(" ") ? nil : id
    }

    /// The nearest enclosing suite that names an exercise: ids nest as `Module.Suite/Inner/test()/file:line:col`.
    static func enclosingExercise(of testID: String, suites: [String: String]) -> String? {
        var components = testID.split(separator: "/").map(String.init)
        while !components.isEmpty {
            components.removeLast()
            if let exercise = suites[components.joined(separator: "/")] { return exercise }
        }
        return nil
    }

    /// The issue's own words: the `details` message (the comment), else every message joined.
    static func issueText(_ messages: Any?) -> String {
        let messages = (messages as? [[String: Any]]) ?? []
        let details = messages.filter { $0["symbol"] as? String == "details" }.compactMap { $0["text"] as? String }
        if !details.isEmpty { return details.joined(separator: "\n") }
        return messages.compactMap { $0["text"] as? String }.joined(separator: "\n")
    }

    /// The fallback when no event stream was written: the console's `Suite "ID · title" passed/failed`
    /// lines give one outcome per exercise (without the messages).
    public static func parseConsole(_ output: String) -> [TestOutcome] {
        var outcomes: [TestOutcome] = []
        for line in output.split(whereSeparator: \.isNewline).map(String.init) {
            guard let open = line.range(of: "Suite \""),
                  let close = line.range(of: "\" ", range: open.upperBound..<line.endIndex) else { continue }
            let name = String(line[open.upperBound..<close.lowerBound])
            let rest = line[close.upperBound...]
            guard let exercise = exerciseID(fromSuiteName: name) else { continue }
            if rest.hasPrefix("passed") {
                outcomes.append(TestOutcome(id: name, name: name, exercise: exercise))
            } else if rest.hasPrefix("failed") {
                outcomes.append(TestOutcome(id: name, name: name, exercise: exercise,
                                            issues: ["the suite failed (see the output of swift test)"]))
            }
        }
        return outcomes
    }
}

/// Compiler diagnostics picked out of `swift build` output.
public enum BuildLog {
    /// The first `file:line:col: error: message` line (paths made relative to `root` when under it),
    /// or the first line starting `error:` when there is no located error.
    public static func firstError(in output: String, root: URL? = nil) -> String? {
        let lines = output.split(whereSeparator: \.isNewline).map(String.init)
        let located = lines.first { $0.contains(": error: ") && !$0.hasPrefix("error:") }
        guard var line = located ?? lines.first(where: { $0.hasPrefix("error:") && !$0.hasPrefix("error: fatalError") })
        else { return nil }
        if let root {
            let prefix = root.standardizedFileURL.path + "/"
            line = line.replacingOccurrences(of: prefix, with: "")
        }
        return line.trimmingCharacters(in: .whitespaces)
    }
}

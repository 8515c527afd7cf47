// A `--filter` that matches no test at all, answered before Swift Testing starts.
//
// Swift Testing runs zero tests for such a filter and reports "Test run with 0 tests passed", which
// reads as success. The package's test IDs are known from the sources (`TestNames`), so as the test
// process loads it checks the student's filter against them and, when nothing would run, says why
// and exits with status 1 before Swift Testing prints anything. A filter that matches only the
// tools' own tests runs them as usual, and says nothing about grading (its exit status is theirs).
import Foundation
import StudentCalls

enum FilterCheck {
    /// The package's `Tests/` folder (this file is `Tests/GradedTests/Support/FilterCheck.swift`).
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The words for a filter that matches nothing, or `nil` when something would run (or the
    /// process is not Swift Testing's run, or a pattern is not a regular expression: Swift Testing
    /// says that itself).
    static func problem(arguments: [String], names: @autoclosure () -> [TestName]) -> String? {
        let patterns = TestNames.filters(in: arguments)
        guard !patterns.isEmpty, arguments.contains("swift-testing") else { return nil }
        let all = names()
        guard !all.isEmpty, let selected = TestNames.selected(by: patterns, among: all), selected.isEmpty else { return nil }
        let shown = patterns.map { "--filter \($0)" }.joined(separator: " ")
        // A likely exercise ID typed in the wrong case: name the right one.
        let ids = Set(all.compactMap(\.exercise))
        let near = patterns.compactMap { pattern in ids.first { $0.lowercased() == pattern.lowercased() } }
        let suggestion = near.first.map { " Did you mean --filter \($0)?" } ?? ""
        return """
            No test matches \(shown), so nothing was graded.\(suggestion)
            The filter is a case-sensitive regular expression over test IDs, which start with the exercise ID \
            (ReLU1, not relu1); `swift run workbook list` shows every ID.
            """
    }

    /// Called as the test process loads.
    static func stopIfNothingMatches() {
        guard let text = problem(arguments: CommandLine.arguments, names: TestNames.declared(in: tests)) else { return }
        FileHandle.standardError.write(Data((text + "\n").utf8))
        _exit(1)
    }
}

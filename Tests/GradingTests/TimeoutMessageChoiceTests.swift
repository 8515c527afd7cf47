// Which timeout an exercise's report shows: when one test used up the whole limit and later tests of
// the same function got only the short retry, the report shows the first (it names the loop's line;
// the retries only point back to it), whatever order the tests finished in.
import Foundation
import Testing
@testable import GradingKit

@Suite("Timeouts: the exercise's message is the full-limit timeout, not a short retry")
struct TimeoutMessageChoiceTests {
    static let tanh1 = ExerciseInfo(id: "Tanh1", chapter: "01-Activations", file: "Tanh.swift", title: "tanh forward",
                                    points: 2, suites: ["Tanh1Tests"])

    static func outcome(_ function: String, _ issues: [String]) -> TestOutcome {
        TestOutcome(id: "GradedTests.Tanh1Tests/\(function)()/TanhTests.swift:20:6", name: function, exercise: "Tanh1", issues: issues)
    }

    static let full = "Tanh1: tanhForward timed out after 10 s and was stopped while running Exercises/01-Activations/Tanh.swift:21. "
        + "Is there a loop that never ends? (On a slow machine, WORKBOOK_TIME_LIMIT=30 gives every test 30 s.)"
    static let retry = "Tanh1: tanhForward timed out after 2 s and was stopped: it had already run out of time in "
        + "\"Tanh1: is odd\", so this test gave it 2 s instead of the whole limit."

    @Test("the full-limit timeout is shown whichever test came first in the stream")
    func fullLimitFirst() {
        for outcomes in [[Self.outcome("isOdd", [Self.full]), Self.outcome("notesExample", [Self.retry])],
                         [Self.outcome("notesExample", [Self.retry]), Self.outcome("isOdd", [Self.full])]] {
            let result = GradeReport.grade(Curriculum(exercises: [Self.tanh1]), outcomes: outcomes).results[0]
            #expect(result.status == .timedOut)
            #expect(result.message == Self.full, "\(result.message ?? "nil")")
        }
        // With only retries (the first test's report lost), a retry is still shown.
        let only = GradeReport.grade(Curriculum(exercises: [Self.tanh1]), outcomes: [Self.outcome("notesExample", [Self.retry])]).results[0]
        #expect(only.status == .timedOut && only.message == Self.retry)
        // The marker is the retry's own wording.
        #expect(Self.retry.contains(GradeReport.retriedMarker))
    }
}

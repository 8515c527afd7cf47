// Why an exercise of one submission did not earn its points, in words safe to show a whole class.
//
// A graded test's message may name the misconception behind a wrong answer on a line of its own:
//
//     Likely mistake: the output equals x·keep; inverted dropout divides by keep.
//
// That sentence is the reason. Older messages ask instead (`… Did you flip the kernel?`); the
// question is the reason then. Otherwise the reason is the message's kind: wrong values, a wrong
// shape, a trap, a timeout, not implemented… A kind is one of a fixed set of labels, so neither a
// test's inputs or expected values (hidden tests' messages are reduced to their kind before any
// report is written) nor anything the student's code printed or threw reaches the class report.
import Foundation

public enum FailureReason: Hashable, Sendable, Comparable {
    /// A named misconception: the sentence after `Likely mistake: `, or the message's `Did you …?`.
    case misconception(String)
    case kind(Kind)

    public enum Kind: String, Sendable, CaseIterable, Comparable {
        case wrongValues = "wrong values"
        case wrongGradient = "gradient disagrees with the numeric one"
        case shape = "wrong shape"
        case acceptsBadInput = "accepts input it should reject"
        case unexpectedError = "throws an unexpected error"
        case hiddenTest = "fails a hidden test"
        case trap = "crashed (trap)"
        case timeout = "timed out"
        case notImplemented = "not implemented"
        case needsAnother = "waits for another exercise"
        case noTests = "no test ran"
        case notBuilt = "did not build"
        case other = "other failure"

        public static func < (a: Kind, b: Kind) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// The prefix of the line naming a likely misconception in a graded test's message.
    public static let misconceptionPrefix = "Likely mistake: "

    /// The longest misconception sentence shown; a longer one is cut (a test's sentence is one line).
    static let longest = 200

    public var text: String {
        switch self {
        case .misconception(let sentence): sentence
        case .kind(let kind): kind.rawValue
        }
    }

    public var isMisconception: Bool {
        if case .misconception = self { return true }
        return false
    }

    /// The reason for one exercise's result; `nil` for one that is done.
    public static func of(_ exercise: RecordedExercise) -> FailureReason? {
        switch exercise.status {
        case .done: return nil
        case .notStarted: return .kind(.notImplemented)
        case .crashed: return .kind(.trap)
        case .timedOut: return .kind(.timeout)
        case .notBuilt: return .kind(.notBuilt)
        case .noTests: return .kind(.noTests)
        case .failing: return of(message: exercise.message ?? "")
        }
    }

    /// The reason a failing exercise's message gives.
    public static func of(message: String) -> FailureReason {
        let lines = message.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        if let line = lines.first(where: { $0.hasPrefix(misconceptionPrefix) }) {
            let sentence = String(line.dropFirst(misconceptionPrefix.count)).trimmingCharacters(in: .whitespaces)
            if !sentence.isEmpty { return .misconception(cut(sentence)) }
        }
        if let question = didYouQuestion(in: message) { return .misconception(question) }
        return .kind(kind(of: message))
    }

    /// The kind of a failing test's message, from the words the workbook's checks and the grader write.
    static func kind(of message: String) -> Kind {
        let lower = message.lowercased()
        if message.hasPrefix("needs ") && message.contains(" first") { return .needsAnother }
        if message.contains(GradeReport.blockedMarker) { return .needsAnother }
        if lower.contains("a hidden test needs code that is \(GradeReport.notImplementedMarker)") { return .notImplemented }
        if lower.contains("a hidden test failed") { return .hiddenTest }
        if message.contains(" crashed: ") || message.contains(" crashed:") { return .trap }
        if message.contains("timed out after") { return .timeout }
        if message.contains(GradeReport.notImplementedMarker) { return .notImplemented }
        if lower.contains("should throw") && lower.contains("but returned") {
            return lower.contains("shapeerror") ? .shape : .acceptsBadInput
        }
        if lower.contains("should throw") { return .unexpectedError }
        if lower.contains("shapeerror") || lower.contains(" but expected [") || lower.contains("has shape")
            || lower.contains("should return [") || lower.contains("wrong shape") { return .shape }
        if lower.contains("numeric gradient") { return .wrongGradient }
        if lower.contains(" is wrong") || lower.contains("expected") || lower.contains("differ") { return .wrongValues }
        if lower.contains("caught error") || lower.contains("threw") { return .unexpectedError }
        return .other
    }

    /// `Did you flip the kernel?` from "… (did you flip the kernel?)": a question the test asks.
    static func didYouQuestion(in message: String) -> String? {
        guard let start = message.range(of: "did you ", options: .caseInsensitive) else { return nil }
        let rest = message[start.lowerBound...]
        guard let end = rest.firstIndex(of: "?"), !rest[..<end].contains("\n") else { return nil }
        let question = String(rest[...end])
        return cut(question.prefix(1).uppercased() + question.dropFirst())
    }

    static func cut(_ text: String) -> String {
        text.count <= longest ? text : String(text.prefix(longest - 1)) + "…"
    }

    public static func < (a: FailureReason, b: FailureReason) -> Bool {
        switch (a, b) {
        case (.misconception(let x), .misconception(let y)): x < y
        case (.misconception, .kind): true
        case (.kind, .misconception): false
        case (.kind(let x), .kind(let y)): x < y
        }
    }
}

// The checks graded tests make inside the child process.
//
// Each records an issue whose message carries the values (expected, got, the first mismatches,
// the largest difference) and the exercise's hint, because only messages reach the parent.
// Tolerances are always stated by the caller or documented here, never a bare `==` on Doubles.
import Foundation
@_exported import JudgeKit   // numericGradient, relativeError: the judge's, never the student's
import StudentCalls
import Testing
import WorkbookCore

/// The tolerance for worked examples whose answers are exact decimals: every step is a copy, a
/// sign test or one multiply, so only the last bit can differ.
let exact = (absolute: 1e-12, relative: 1e-12)

/// The relative error below which an analytic gradient agrees with the centered difference.
/// With h = 1e-5 in Double, a correct backward pass lands near 1e-9…1e-11 on smooth functions.
let gradientTolerance = 1e-7

/// A plausible wrong answer, and what it says about the code that gave it.
///
/// A check given misconceptions compares a wrong answer with each one's `value` (what that mistake
/// returns for the test's inputs, computed in the test) and, on a match, names the mistake in a line
/// that starts with `Likely mistake: ` (the class report groups failures by it):
///
///     check(out, equals: x * mask / keep, "dropoutForward(x)", in: .dropout1, misconceptions: [
///         Misconception(x * mask * keep, "the output equals x·mask·keep; inverted dropout divides by keep"),
///     ])
struct Misconception {
    /// What the mistaken code returns for the test's inputs.
    let value: Tensor
    /// One sentence saying what the student most likely did and what is right instead.
    let explanation: String

    init(_ value: Tensor, _ explanation: String) {
        self.value = value
        self.explanation = explanation
    }

    init(_ value: Double, _ explanation: String) {
        self.init(Tensor([value]), explanation)
    }

    /// The words that introduce a named misconception in a failure message.
    static let marker = "Likely mistake: "

    /// The line naming the first misconception `actual` matches (within the check's tolerance, or
    /// 1e-9 relative, whichever is looser), or "" when it matches none.
    static func diagnosis(of actual: Tensor, among candidates: [Misconception],
                          absoluteTolerance: Double, relativeTolerance: Double) -> String {
        for candidate in candidates where candidate.value.shape == actual.shape || candidate.value.count == actual.count {
            let value = candidate.value.shape == actual.shape ? candidate.value : (try? candidate.value.reshaped(actual.shape)) ?? candidate.value
            if actual.mismatch(against: value, absoluteTolerance: Swift.max(absoluteTolerance, 1e-12),
                               relativeTolerance: Swift.max(relativeTolerance, 1e-9)) == nil {
                var sentence = candidate.explanation
                if !sentence.hasSuffix(".") { sentence += "." }
                return "\n" + marker + sentence
            }
        }
        return ""
    }
}

/// Expects `actual` to equal `expected` within tolerance, listing the first mismatches otherwise,
/// and naming the mistake when the answer is one of `misconceptions`.
func check(
    _ actual: Tensor, equals expected: Tensor, _ what: String, in exercise: Exercise,
    absoluteTolerance: Double = exact.absolute, relativeTolerance: Double = exact.relative,
    misconceptions: [Misconception] = [],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let mismatch = actual.mismatch(against: expected, absoluteTolerance: absoluteTolerance,
                                         relativeTolerance: relativeTolerance) else { return }
    let diagnosis = Misconception.diagnosis(of: actual, among: misconceptions,
                                            absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance)
    failTest("""
        \(exercise.id): \(what) is wrong: \(mismatch).
          expected \(expected)
          got      \(actual)
          (tolerance: absolute \(absoluteTolerance), relative \(relativeTolerance))\(diagnosis)
        \(pointer(exercise))
        """, sourceLocation: sourceLocation)
}

/// Expects two numbers to agree within tolerance, naming the mistake when the answer is one of
/// `misconceptions`.
func check(
    _ actual: Double, equals expected: Double, _ what: String, in exercise: Exercise,
    absoluteTolerance: Double = exact.absolute, relativeTolerance: Double = exact.relative,
    misconceptions: [Misconception] = [],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if isApproximatelyEqual(actual, expected, absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance) { return }
    let diagnosis = Misconception.diagnosis(of: Tensor([actual]), among: misconceptions,
                                            absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance)
    failTest("""
        \(exercise.id): \(what) is \(actual), expected \(expected) \
        (tolerance: absolute \(absoluteTolerance), relative \(relativeTolerance)).\(diagnosis)
        \(pointer(exercise))
        """, sourceLocation: sourceLocation)
}

/// Expects an analytic gradient to match the numeric one: CS231n's relative error below `tolerance`.
///
/// The error is `max_i |a_i − n_i| / max(|a_i| + |n_i|, floor)` with `floor` = 1e-3 × the largest
/// `|a_j| + |n_j|`: an entry a thousand times smaller than the gradient's scale (a normalization's
/// dx nearly cancels in places) carries only the centered difference's round-off, and with random
/// inputs (a grading seed) it would otherwise decide the verdict. A wrong backward pass is wrong
/// at the gradient's own scale, where the bound is as strict as CS231n's.
func checkGradient(
    _ analytic: Tensor, matches numeric: Tensor, _ what: String, in exercise: Exercise,
    tolerance: Double = gradientTolerance, misconceptions: [Misconception] = [],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let error = scaledRelativeError(analytic, numeric)
    if error < tolerance { return }
    let diagnosis = Misconception.diagnosis(of: analytic, among: misconceptions, absoluteTolerance: 1e-9, relativeTolerance: 1e-7)
    let detail = analytic.shape == numeric.shape
        ? (analytic.mismatch(against: numeric, absoluteTolerance: 1e-6, relativeTolerance: 1e-6).map { "\($0)" } ?? "")
        : "shape \(analytic.shape), the numeric gradient has shape \(numeric.shape)"
    failTest("""
        \(exercise.id): \(what) disagrees with the numeric gradient: relative error \(error), \
        needs < \(tolerance). \(detail)\(diagnosis)
        \(pointer(exercise))
        """, sourceLocation: sourceLocation)
}

/// CS231n's relative error with a floor at 1e-3 of the gradient's scale (see `checkGradient`).
func scaledRelativeError(_ a: Tensor, _ b: Tensor) -> Double {
    guard a.shape == b.shape else { return .infinity }
    let sums = zip(a.scalars, b.scalars).map { abs($0) + abs($1) }
    let floor = Swift.max(1e-8, 1e-3 * (sums.max() ?? 0))
    var worst = 0.0
    for (i, sum) in sums.enumerated() {
        let error = abs(a.scalars[i] - b.scalars[i]) / Swift.max(floor, sum)
        if error.isNaN { return .nan }
        worst = Swift.max(worst, error)
    }
    return worst
}

/// Expects a condition that teaches something; `message` says what should have held.
func check(
    _ condition: Bool, _ message: @autoclosure () -> String, in exercise: Exercise,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if condition { return }
    failTest("\(exercise.id): \(message())\n\(pointer(exercise))", sourceLocation: sourceLocation)
}

/// Expects `body` to reject its input by throwing an `E` (a `ShapeError`, an `ArgumentError`,
/// an `InvalidKeepProbability`…). A `NotImplemented` passes through, so an unfinished exercise
/// still reads as unfinished.
func checkThrows<E: Error>(
    _ expected: E.Type, _ what: String, in exercise: Exercise, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) throws {
    do {
        try body()
        failTest("\(exercise.id): \(what) should throw \(E.self), but returned.\n\(pointer(exercise))",
                     sourceLocation: sourceLocation)
    } catch is E {
        return
    } catch let unfinished as NotImplemented {
        throw unfinished
    } catch let stopped as StudentFailure {
        throw stopped   // a trap or a timeout is reported once, by the graded-test trait
    } catch {
        failTest("\(exercise.id): \(what) should throw \(E.self), threw \(error).\n\(pointer(exercise))",
                     sourceLocation: sourceLocation)
    }
}

/// Expects `body` to reject its input with a `ShapeError` (see ``checkThrows(_:_:in:sourceLocation:_:)``).
func checkThrowsShapeError(
    _ what: String, in exercise: Exercise, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) throws {
    try checkThrows(ShapeError.self, what, in: exercise, sourceLocation: sourceLocation, body)
}

/// Where a student should look next.
func pointer(_ exercise: Exercise) -> String {
    var text = "Look in \(exercise.path); hint: `swift run workbook hint \(exercise.id)` (or \(exercise.guide))."
    let calls = Dependencies.calls(of: exercise.id)
    if !calls.isEmpty {
        let shown = calls.prefix(4).joined(separator: ", ") + (calls.count > 4 ? " and \(calls.count - 4) more" : "")
        text += "\n\(exercise.id) builds on \(shown): if one of those fails its own tests, fix it first."
    }
    return text
}

extension SeededGenerator {
    /// The generator of a graded test's random inputs: `inputSeed` as the test writes it, mixed
    /// with the instructor's grading seed (`WORKBOOK_GRADING_SEED`, `workbook batch --seed`) when
    /// one is set. Grading with a seed changes every random input of the property and gradient
    /// checks, so a table of answers memorized from the public tests' inputs does not pass; the
    /// notes' worked examples use no randomness and stay fixed.
    init(inputSeed: UInt64) {
        let text = ProcessInfo.processInfo.environment["WORKBOOK_GRADING_SEED"] ?? ""
        guard let grading = UInt64(text) else { self.init(seed: inputSeed); return }
        self.init(seed: inputSeed ^ (grading &* 0x9E37_79B9_7F4A_7C15 | 1))
    }
}

/// Expects a backward pass to return the exact gradient `expected` (a worked example's answer, or
/// the formula evaluated in the test), within `exact`'s tolerance unless the caller states another.
///
/// A centered difference of the forward pass agrees with the exact gradient only to about 1e-9…1e-12
/// (truncation ~h², rounding ~ε/h for h = 1e-5), so it passes every gradient check by construction
/// but not this one. When the answer is that close without being exact, the message says so in
/// words `GradeReport` recognizes ("as finite differences do"): per-test credit then pays nothing
/// for the exercise, because none of its passing tests shows a derivation.
func checkExactGradient(
    _ actual: Tensor, equals expected: Tensor, _ what: String, in exercise: Exercise,
    absoluteTolerance: Double = exact.absolute, relativeTolerance: Double = exact.relative,
    misconceptions: [Misconception] = [],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let mismatch = actual.mismatch(against: expected, absoluteTolerance: absoluteTolerance,
                                         relativeTolerance: relativeTolerance) else { return }
    let error = scaledRelativeError(actual, expected)
    guard error < gradientTolerance else {
        check(actual, equals: expected, what, in: exercise, absoluteTolerance: absoluteTolerance,
              relativeTolerance: relativeTolerance, misconceptions: misconceptions, sourceLocation: sourceLocation)
        return
    }
    failTest("""
        \(exercise.id): \(what) agrees with the exact gradient only to \(String(format: "%.1e", error)) (relative), \
        as finite differences do: \(mismatch).
          expected \(expected)
          got      \(actual)
          (tolerance: absolute \(absoluteTolerance), relative \(relativeTolerance); a derived backward pass \
        is exact up to round-off, ~1e-15)
        \(Misconception.marker)the backward pass is computed by differencing the forward pass (a gradient \
        check), not derived. Derive it with the chain rule: a numeric gradient is only good for checking one.
        \(pointer(exercise))
        """, sourceLocation: sourceLocation)
}

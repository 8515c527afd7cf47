// The checks graded tests make inside the child process.
//
// Each records an issue whose message carries the values (expected, got, the first mismatches,
// the largest difference) and the exercise's hint, because only messages reach the parent.
// Tolerances are always stated by the caller or documented here, never a bare `==` on Doubles.
import Testing
import WorkbookCore

/// The tolerance for worked examples whose answers are exact decimals: every step is a copy, a
/// sign test or one multiply, so only the last bit can differ.
let exact = (absolute: 1e-12, relative: 1e-12)

/// The relative error below which an analytic gradient agrees with the centered difference.
/// With h = 1e-5 in Double, a correct backward pass lands near 1e-9…1e-11 on smooth functions.
let gradientTolerance = 1e-7

/// Expects `actual` to equal `expected` within tolerance, listing the first mismatches otherwise.
func check(
    _ actual: Tensor, equals expected: Tensor, _ what: String, in exercise: Exercise,
    absoluteTolerance: Double = exact.absolute, relativeTolerance: Double = exact.relative,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let mismatch = actual.mismatch(against: expected, absoluteTolerance: absoluteTolerance,
                                         relativeTolerance: relativeTolerance) else { return }
    Issue.record(Comment(rawValue: """
        \(exercise.id): \(what) is wrong: \(mismatch).
          expected \(expected)
          got      \(actual)
          (tolerance: absolute \(absoluteTolerance), relative \(relativeTolerance))
        \(pointer(exercise))
        """), sourceLocation: sourceLocation)
}

/// Expects two numbers to agree within tolerance.
func check(
    _ actual: Double, equals expected: Double, _ what: String, in exercise: Exercise,
    absoluteTolerance: Double = exact.absolute, relativeTolerance: Double = exact.relative,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if isApproximatelyEqual(actual, expected, absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance) { return }
    Issue.record(Comment(rawValue: """
        \(exercise.id): \(what) is \(actual), expected \(expected) \
        (tolerance: absolute \(absoluteTolerance), relative \(relativeTolerance)).
        \(pointer(exercise))
        """), sourceLocation: sourceLocation)
}

/// Expects an analytic gradient to match the numeric one: CS231n relative error below `tolerance`.
func checkGradient(
    _ analytic: Tensor, matches numeric: Tensor, _ what: String, in exercise: Exercise,
    tolerance: Double = gradientTolerance, sourceLocation: SourceLocation = #_sourceLocation
) {
    let error = relativeError(analytic, numeric)
    if error < tolerance { return }
    let detail = analytic.shape == numeric.shape
        ? (analytic.mismatch(against: numeric, absoluteTolerance: 1e-6, relativeTolerance: 1e-6).map { "\($0)" } ?? "")
        : "shape \(analytic.shape), the numeric gradient has shape \(numeric.shape)"
    Issue.record(Comment(rawValue: """
        \(exercise.id): \(what) disagrees with the numeric gradient: relative error \(error), \
        needs < \(tolerance). \(detail)
        \(pointer(exercise))
        """), sourceLocation: sourceLocation)
}

/// Expects a condition that teaches something; `message` says what should have held.
func check(
    _ condition: Bool, _ message: @autoclosure () -> String, in exercise: Exercise,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if condition { return }
    Issue.record(Comment(rawValue: "\(exercise.id): \(message())\n\(pointer(exercise))"), sourceLocation: sourceLocation)
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
        Issue.record(Comment(rawValue: "\(exercise.id): \(what) should throw \(E.self), but returned.\n\(pointer(exercise))"),
                     sourceLocation: sourceLocation)
    } catch is E {
        return
    } catch let unfinished as NotImplemented {
        throw unfinished
    } catch {
        Issue.record(Comment(rawValue: "\(exercise.id): \(what) should throw \(E.self), threw \(error).\n\(pointer(exercise))"),
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
    "Look in \(exercise.path); hint: `swift run workbook hint \(exercise.id)` (or \(exercise.guide))."
}

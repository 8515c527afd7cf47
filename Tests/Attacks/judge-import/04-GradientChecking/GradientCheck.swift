// ATTACK (judge-import): answers GradCheck1–3 with one call each into the grader's own numeric
// gradient and relative error. They live in JudgeKit, which grade-runner never links: this
// submission must not build, and scores 0.
import JudgeKit
import WorkbookCore

public func centeredDifference(of f: (Tensor) throws -> Double, at x: Tensor, step h: Double = 1e-5) throws -> Tensor {
    // START GradCheck1
    return try numericGradient(of: f, at: x, h: h)
    // END GradCheck1
}

public func centeredDifference(
    of f: (Tensor) throws -> Tensor, at x: Tensor, upstream dout: Tensor, step h: Double = 1e-5
) throws -> Tensor {
    // START GradCheck2
    return try numericGradient(of: f, at: x, upstream: dout, h: h)
    // END GradCheck2
}

public func gradientRelativeError(_ analytic: Tensor, _ numeric: Tensor) throws -> Double {
    // START GradCheck3
    return relativeError(analytic, numeric)
    // END GradCheck3
}

import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let rmsprop1 = Exercise(id: "RMSProp1", chapter: "05-Optimizers", file: "RMSProp.swift", title: "RMSProp", points: 3)
}

@Suite("RMSProp1 · RMSProp", .graded(.rmsprop1))
struct RMSProp1Tests {
    @Test("takes a first step of nearly the same size for gradients 0.1, 1 and 10")
    func scaleInvariance() throws {
        // s = 0.1·g² = [0.001, 0.1, 10]; g/(√s + ε) = √10 less a hair for ε = 1e−8, so θ drops by
        // about 0.01·√10 = 0.0316 everywhere. numpy: [0.968377233398313, 0.9683772243983162, 0.9683772234983162].
        let (theta, s) = try rmspropStep(Tensor([1, 1, 1]), gradient: Tensor([0.1, 1, 10]), squareAverage: Tensor(zeros: [3]),
                                         learningRate: 0.01)
        check(s, equals: Tensor([0.001, 0.1, 10]), "the running average of g² (decay 0.9 by default)", in: .rmsprop1,
              absoluteTolerance: 1e-18, relativeTolerance: 1e-14,
              misconceptions: [Misconception(Tensor([0.009, 0.9, 90]), "the average weights g² by the decay and the old average by 1 − decay (swapped); s ← ρ·s + (1 − ρ)·g²")])
        check(theta, equals: Tensor([0.968377233398313, 0.9683772243983162, 0.9683772234983162]), "the new parameter", in: .rmsprop1,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-14)
    }

    @Test("updates a running average that was already started")
    func secondUpdate() throws {
        // ρ = 0.5, s = [4, 1], g = [2, −3], η = 0.1, ε = 0: s = 0.5·[4, 1] + 0.5·[4, 9] = [4, 5];
        // θ = [0, 0] − 0.1·[2/2, −3/√5] = [−0.1, 0.3/√5].
        let (theta, s) = try rmspropStep(Tensor([0, 0]), gradient: Tensor([2, -3]), squareAverage: Tensor([4, 1]),
                                         learningRate: 0.1, decay: 0.5, epsilon: 0)
        check(s, equals: Tensor([4, 5]), "the running average of g²", in: .rmsprop1)
        check(theta, equals: Tensor([-0.1, 0.3 / 5.0.squareRoot()]), "the new parameter", in: .rmsprop1,
              absoluteTolerance: 1e-15, relativeTolerance: 1e-14,
              misconceptions: [Misconception(Tensor([-0.1, 0.3]), "θ was divided by the square root of the old average, before adding this step's g²; update s first, then divide by √s + ε")])
    }

    @Test("adds ε outside the square root")
    func epsilonOutside() throws {
        // g = 0 and s = 0: the step is 0/(0 + ε) = 0, never 0/0. With ε = 0.5, s = 0.25, g = 1,
        // ρ = 1 (s stays 0.25): step 1/(0.5 + 0.5) = 1; ε inside the root would give 1/√0.75.
        let (still, _) = try rmspropStep(Tensor([3]), gradient: Tensor([0]), squareAverage: Tensor([0]), learningRate: 0.1)
        check(still, equals: Tensor([3]), "a zero gradient on a fresh average leaves θ alone", in: .rmsprop1)
        let (theta, _) = try rmspropStep(Tensor([0]), gradient: Tensor([1]), squareAverage: Tensor([0.25]),
                                         learningRate: 1, decay: 1, epsilon: 0.5)
        check(theta, equals: Tensor([-1]), "θ − η·g/(√s + ε) with s = 0.25, ε = 0.5", in: .rmsprop1,
              misconceptions: [Misconception(-1 / 0.75.squareRoot(), "θ moved by η·g/√(s + ε): ε belongs outside the square root, √s + ε")])
    }

    @Test("rejects a running average whose shape differs from the parameter's")
    func rejects() throws {
        try checkThrowsShapeError("rmspropStep with parameter [2] and squareAverage [3]", in: .rmsprop1) {
            _ = try rmspropStep(Tensor([1, 2]), gradient: Tensor([1, 2]), squareAverage: Tensor([0, 0, 0]), learningRate: 0.1)
        }
    }
}

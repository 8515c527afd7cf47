// What a student's code can call, audited: every public function of `WorkbookCore` (the only
// module of the package a graded folder can link) is listed here with the reason it answers no
// exercise. A new public function fails this test until someone asks that question and writes
// the answer down. What grading needs and would answer an exercise (numeric gradients, relative
// error, tanh of a tensor) lives in `JudgeKit`, which grade-runner never links.
import Foundation
import Testing

@Suite("The core a student can call (every public function audited)")
struct StudentReachTests {
    /// Public function name → why calling it answers no exercise.
    static let audited: [String: String] = [
        "+": "elementwise arithmetic with broadcasting: the language of every exercise",
        "-": "elementwise arithmetic with broadcasting",
        "*": "elementwise arithmetic with broadcasting",
        "/": "elementwise arithmetic with broadcasting",
        "==": "exact equality of tensors",
        "adam": "builds a NetworkOptimizer value for chapter 15's solver; it computes no step (Adam1 does)",
        "argmaxRows": "the tool of Reduce2 and Network5; comparing with labels and averaging is the exercise",
        "broadcastShape": "shape arithmetic only",
        "broadcasting": "shape arithmetic only",
        "concatenating": "joins tensors; no exercise is a concatenation",
        "encode": "Codable conformance",
        "exp": "elementwise exp; sigmoid, softmax and ELU are built from it, none is it",
        "flatIndex": "index arithmetic",
        "gathering": "picks rows; Minibatch1 asks for the indices, not the rows",
        "gemm": "the matrix-multiply kernel behind matmul (the trainer's speed)",
        "gemmThreadsUsed": "kernel bookkeeping",
        "hash": "Hashable conformance",
        "initial": "residual statistics at their starting values (zeros and ones): Residual3 and ConvBlock3 update them",
        "initialized": "draws a conv residual block's 3x3 He weights for the trainer; Init1-3 ask for the scale and draws of any scheme and shape",
        "isApproximatelyEqual": "compares numbers; answers nothing",
        "item": "reads a one-element tensor",
        "log": "elementwise log; the losses are built from it, none is it",
        "map": "elementwise closure: the student's own function",
        "matmul": "the tool of Matmul1 and Dense1: the exercises are the products and the gradients, not the multiply",
        "max": "reduction; max-pooling's windows and argmax bookkeeping are the exercise",
        "mean": "reduction; Reduce1 is the warm-up that teaches it, batch and layer statistics need the right axes",
        "measuredFMAPeak": "kernel benchmark",
        "min": "reduction",
        "mismatch": "compares tensors; answers nothing",
        "multiIndex": "index arithmetic",
        "naiveGemm": "the reference the fast kernel is tested against",
        "next": "a random draw",
        "nextBernoulli": "a random draw; dropout masks are built from it, scaling them is the exercise",
        "nextNormal": "a random draw",
        "nextUniform": "a random draw",
        "parallelForEach": "runs a loop's iterations on the trainer's threads (one unless it sets more); the loop's body is the exercise",
        "parallelForEachRange": "parallelForEach with the loop over each thread's sub-range written in the body (short iterations, such as a row of a batch norm); the loop's body is the exercise",
        "parallelForEachChunk": "parallelForEach over chunks of 4096 indices (elementwise loops that vectorize); the loop's body is the exercise",
        "parallelSums": "adds per-index contributions in fixed blocks on the trainer's threads; what to add (x, (x − μ)², dout·x̂) and over which axes is the exercise",
        "permutation": "a random permutation; Minibatch1 needs it and cutting it into batches is the exercise",
        "permuted": "reorders axes; Shapes2 is the warm-up that teaches it",
        "randomNormal": "draws of a given scale; Init1 (the scale) and Init2 (which scale for which scheme) are the exercises",
        "randomUniform": "draws in a range; Init2's uniform limits are the exercise",
        "reduce": "a generic reduction along an axis",
        "replacingParameters": "swaps a layer's tensors (chapter 15's updates compute the new ones)",
        "requireShape": "validates shapes; rejecting bad input is part of every exercise, not an answer",
        "reshaped": "reshapes; Shapes1 is the warm-up that teaches it",
        "slice": "slices rows; Slice1 is the warm-up that teaches it",
        "squareRoot": "elementwise square root",
        "squared": "elementwise square",
        "sum": "reduction; which axes to sum for a gradient is the exercise",
        "transposed": "transposes a matrix",
        "twoMoons": "generates a data set for chapter 15's tests and the trainer",
        "use": "chooses the kernel or thread count",
        "variance": "the biased variance along axes; BatchNorm1 and the norms need it on the right axes, with ε and the backward pass",
        "withUnsafeBufferPointer": "raw storage access",
        "withUnsafeMutableBufferPointer": "raw storage access",
        "zip": "combines two tensors elementwise with the student's closure",
    ]

    /// The public function names declared in Sources/WorkbookCore, read from the source.
    static func publicFunctions() throws -> Set<String> {
        let core = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/WorkbookCore")
        let files = FileManager.default.enumerator(atPath: core.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        let pattern = try NSRegularExpression(pattern: #"public (?:static |mutating |override |nonisolated )*func ([^\s(<]+)"#)
        var names: Set<String> = []
        for file in files {
            let text = try String(contentsOf: core.appendingPathComponent(file), encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { names.insert(String(text[range])) }
            }
        }
        return names
    }

    @Test("every public function of the core is audited: calling it answers no exercise")
    func everyPublicFunctionIsAudited() throws {
        let declared = try Self.publicFunctions()
        #expect(declared.count > 40, "the scan found only \(declared.count) public functions: is the path right?")
        let unaudited = declared.subtracting(Self.audited.keys).sorted()
        #expect(unaudited.isEmpty, """
            WorkbookCore declares public functions nobody audited: \(unaudited). A graded folder can call them. \
            If one computes an exercise's answer, move it to JudgeKit; otherwise add it to `audited` with the reason.
            """)
        let gone = Set(Self.audited.keys).subtracting(declared).sorted()
        #expect(gone.isEmpty, "audited functions no longer in the core (remove them from the list): \(gone)")
    }

    @Test("the functions that answered exercises are not in the core")
    func answeringFunctionsStayOut() throws {
        let declared = try Self.publicFunctions()
        for name in ["numericGradient", "relativeError", "tanh", "softmax", "sigmoid", "relu"] {
            #expect(!declared.contains(name), "WorkbookCore declares \(name): a student's code could call it instead of writing the exercise")
        }
    }
}

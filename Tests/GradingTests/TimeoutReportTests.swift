// An endless loop is reported with the file and line where the student's code was running (issue 17,
// point 4). The grader sends SIGQUIT to a runner that ran out of time and reads the runtime's report
// as it reads a trap's; `.ci/check-isolation` plants a real loop and checks the whole path.
import Foundation
import Testing
@testable import StudentCalls

@Suite("Timeouts: where the loop was, and a later test's shorter wait")
struct TimeoutReportTests {
    /// The package's own stub of Dense1 and a line inside its START/END region.
    static func denseRegion() throws -> (path: String, line: Int) {
        let path = Fixtures.packageRoot.appendingPathComponent("Exercises/02-DenseLayers/Dense.swift").path
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "// START Dense1" })
        return (path, start + 2)
    }

    /// The shape of the runtime's report for SIGQUIT (Swift 6.3.1, `preset=friendly`), as the runner
    /// printed it for a planted `while` loop: the running frame first, the runner's own frames after.
    static func report(path: String, line: Int) -> String {
        """
        *** Signal 3: Backtracing from 0x55d1c2b3a0a7... done ***

        *** Program crashed: Quit at 0x000000000000a1f3 ***

        Thread 0 crashed:

          0 denseForward(_:weight:bias:) + 103 in grade-runner at \(path):\(line):22

             \(line)|     while x.count >= 0 { spins &+= 1 }
                |                      ^

          1 closure #12 in variable initialization expression of exerciseTable + 220 in grade-runner at /pkg/Sources/grade-runner/ExerciseTable.swift:57:26
          2 serve(_:) + 1201 in grade-runner at /pkg/Sources/GradingChannel/Runner.swift:58:93
          3 grade_runner_main + 33 in grade-runner at /pkg/Sources/grade-runner/main.swift:7:1

        Backtrace took 0.21s
        """
    }

    @Test("the report of a stopped loop gives the student's file and line and whose exercise it is")
    func locatesTheLoop() throws {
        let (path, line) = try Self.denseRegion()
        let trap = Trap(output: Array(Self.report(path: path, line: line).utf8), signal: SIGQUIT)
        #expect(trap.location == "Exercises/02-DenseLayers/Dense.swift:\(line)")
        #expect(trap.exercise == "Dense1")
        let failure = StudentFailure(kind: .timedOut, function: "denseForward(_:Tensor,weight:Tensor,bias:Tensor)", detail: "", location: trap.location,
                                     seconds: 10, trappedIn: trap.exercise)
        #expect(failure.description == "denseForward timed out after 10 s and was stopped while running "
                + "Exercises/02-DenseLayers/Dense.swift:\(line). Is there a loop that never ends? "
                + "(On a slow machine, WORKBOOK_TIME_LIMIT=30 gives every test 30 s.)")
    }

    /// The report (Swift 6.3.1, `preset=full`) of an empty `while true {}` stopped on an instruction
    /// the compiler gave no line: the student's frame names the file and the function only.
    static func linelessReport(path: String) -> String {
        """
        *** Signal 3: Backtracing from 0x55d2dff2dfc8... done ***

        *** Program crashed: Terminated at 0x0000000000004edf ***

        Thread 0 "grade-runner" crashed:

          0 [system]     0x000055d2dff2dfc8 denseForward(_:weight:bias:) + 104 in grade-runner at \(path)
          1 [ra]         0x000055d2e000031b closure #17 in variable initialization expression of exerciseTable + 234 in grade-runner at /pkg/Sources/grade-runner/ExerciseTable.swift:75:26
          2 [ra] [thunk] 0x000055d2dfffc7d4 thunk for @escaping @callee_guaranteed @Sendable (@guaranteed IncomingCall) -> (@owned [Data], @error @owned Error) + 83 in grade-runner at //<compiler-generated>
          3 [ra]         0x000055d2dfe654fc serve(_:) + 1835 in grade-runner at /pkg/Sources/GradingChannel/Runner.swift:59:93
        ...

        Backtrace took 0.13s
        """
    }

    @Test("a loop on an instruction without a line is placed at its function: the name, the file and the line it starts on")
    func locatesALinelessLoop() throws {
        let (path, _) = try Self.denseRegion()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.contains("func denseForward(") }) + 1
        let trap = Trap(output: Array(Self.linelessReport(path: path).utf8), signal: SIGQUIT)
        #expect(trap.location == "denseForward (Exercises/02-DenseLayers/Dense.swift:\(start))")
        #expect(trap.exercise == "Dense1", "the function's first region")
        let failure = StudentFailure(kind: .timedOut, function: "denseForward(_:Tensor,weight:Tensor,bias:Tensor)", detail: "", location: trap.location,
                                     seconds: 10, trappedIn: trap.exercise)
        #expect(failure.description.hasPrefix("denseForward timed out after 10 s and was stopped while running denseForward (Exercises/02-DenseLayers/Dense.swift:\(start))."))
    }

    @Test("a loop met in another exercise's code names it; a later test's shorter wait names the first test")
    func otherExerciseAndLaterTest() throws {
        let (path, line) = try Self.denseRegion()
        let trap = Trap(output: Array(Self.report(path: path, line: line).utf8), signal: SIGQUIT)
        let inResidual = StudentFailure(kind: .timedOut, function: "residualBlockForward(_:Tensor,parameters:ResidualBlockParameters,epsilon:Double)", detail: "",
                                        location: trap.location, seconds: 10, trappedIn: trap.exercise)
        #expect(inResidual.exercises == ["Dense1"])
        #expect(inResidual.description.contains("timed out after 10 s and was stopped while running Exercises/02-DenseLayers/Dense.swift:\(line) (in Dense1's code)"))
        let later = StudentFailure(kind: .timedOut, function: "denseForward(_:Tensor,weight:Tensor,bias:Tensor)", detail: "", location: trap.location,
                                   seconds: Int(TimedOutFunctions.retrySeconds), trappedIn: trap.exercise,
                                   earlierTimeout: "Dense1: reproduces the hand-worked example")
        #expect(later.description.contains("timed out after 2 s"))
        #expect(later.description.contains("already run out of time in \"Dense1: reproduces the hand-worked example\""))
    }

    @Test("without a report (a runner that died first) the timeout is still said, without a place")
    func noReport() {
        let trap = Trap(output: Array("partial output\n".utf8), signal: SIGQUIT)
        #expect(trap.location == nil)
        let failure = StudentFailure(kind: .timedOut, function: "denseForward(_:Tensor,weight:Tensor,bias:Tensor)", detail: "", seconds: 10)
        #expect(failure.description.hasPrefix("denseForward timed out after 10 s and was stopped. Is there a loop that never ends?"))
    }

    @Test("the runner's processor time is read from /proc (what the limit counts on a loaded machine)")
    func processorTime() throws {
        let mine = try #require(StudentSession.processorSeconds(of: getpid()))
        var x = 0.0
        let start = Date()
        while Date().timeIntervalSince(start) < 0.3 { x += 1 }
        let after = try #require(StudentSession.processorSeconds(of: getpid()))
        #expect(after > mine && x > 0)
        #expect(StudentSession.processorSeconds(of: 0) == nil)
    }

    @Test("a function records its first timeout only, and later calls of the same exercise see it")
    func registry() {
        let name = "timeoutRegistryProbe\(UUID().uuidString)(_:)"
        #expect(TimedOutFunctions.earlier(name, exercise: "Dense1") == nil)
        TimedOutFunctions.record(name, exercise: "Dense1", test: "first")
        TimedOutFunctions.record(name, exercise: "Dense1", test: "second")
        #expect(TimedOutFunctions.earlier(name, exercise: "Dense1")?.test == "first")
        // Another exercise calling the same function (with heavier work, maybe) keeps the whole limit.
        #expect(TimedOutFunctions.earlier(name, exercise: "Residual1") == nil)
    }
}

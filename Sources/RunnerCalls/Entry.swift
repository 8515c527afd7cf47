// The runner's table as a shared library (`libRunnerCalls.so`, built by `swift build --product
// RunnerCalls`): grading loads it into a process that has the Swift runtime and Foundation
// loaded already (`grade-zygote`), after that process has become the test's sandbox user. The
// executable `grade-runner` links the same table statically and needs none of this.
import GradingChannel

/// Serves the exercise calls on descriptors 3 and 4 until the grader closes them, then exits.
/// Called by name (`dlsym`) from the launcher's C code.
@_cdecl("workbook_runner_serve")
public func workbookRunnerServe() -> Never {
    serve(exerciseTable)
}

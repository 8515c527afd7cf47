// swift-tools-version: 6.3
//
// 6.3 is the real minimum: the graded tests use Swift Testing's warning issues (a passing test
// shows what the student's code printed) and a load-time constructor (`@section`/`@used`, for the
// end-of-run summary); both arrived in Swift 6.3. An older toolchain stops here with SwiftPM's
// "package requires minimum Swift tools version 6.3" instead of compile errors inside the tests.
//
// The deep-learning workbook. Zero outside packages: the Swift toolchain only.
//
// Which implementation is graded (and trained with) is chosen by one environment variable:
//
//     swift test                        # grades Exercises/ (the student's stubs)
//     WORKBOOK=Solutions swift test     # grades the reference solutions
//     WORKBOOK=Submissions/ada swift test   # grades any folder inside the package with the same files
//
// Every folder named by WORKBOOK builds as the module `Workbook`, so tests and tools import one
// name whichever implementation is plugged in. Switching back and forth rebuilds only that module.
import Foundation
import PackageDescription

/// The implementation folder, relative to this package. Empty or unset means `Exercises`.
let implementation: String = {
    let chosen = Context.environment["WORKBOOK"] ?? ""
    return chosen.isEmpty ? "Exercises" : chosen
}()

/// A folder that is not there stops here, with what to do instead. A student copy made by `workbook
/// release` has no Solutions/, so the README's set-up commands would otherwise end in SwiftPM's bare
/// "invalid custom path 'Solutions'". Why standard error and exit(1): SwiftPM shows what a failing
/// manifest wrote there, after its own "Invalid manifest" line, and exits 1, on every run (a failed
/// evaluation is never cached; SwiftPM 6.3 evaluates it twice, so the text appears twice). A
/// `fatalError` adds a crash report and a register dump; a message printed by a manifest that goes
/// on is only a warning, and only on the evaluation SwiftPM caches, so the next run shows the bare
/// error alone.
let implementationFolder = implementation.hasPrefix("/") ? implementation : Context.packageDirectory + "/" + implementation
let implementationExists: Bool = {
    var isFolder: ObjCBool = false
    return FileManager.default.fileExists(atPath: implementationFolder, isDirectory: &isFolder) && isFolder.boolValue
}()
if !implementationExists {
    FileHandle.standardError.write(Data("""
        error: WORKBOOK=\(implementation): this package has no folder '\(implementation)' to build and grade \
        (looked for \(implementationFolder)).
        A student copy (made by `workbook release`) has no Solutions/. Leave WORKBOOK unset to use Exercises/:
            swift test -q --disable-xctest                                  # grades your exercises
            swift run -c release trainer train --model mlp --data digits    # trains with them

        """.utf8))
    exit(1)
}

/// The chapter guides (GUIDE.md) live beside the code; they are documentation, not sources.
let guides: [String] = {
    let folder = Context.packageDirectory + "/" + implementation
    let files = (try? FileManager.default.subpathsOfDirectory(atPath: folder)) ?? []
    return files.filter { $0.hasSuffix(".md") }.sorted()
}()

/// The matrix kernel is compiled once per instruction set and chosen at run time (CPUID), so one
/// build runs on every x86-64 machine and uses the vector registers the one it runs on has. Only the
/// two kernel modules get a target CPU; `WorkbookCore` checks the processor before calling them.
/// Host-architecture conditions are enough: arm64 builds need no flag (NEON and FMA are baseline).
#if arch(x86_64)
let avx512: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "skylake-avx512"])]
let avx2: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let avx512: [SwiftSetting] = []
let avx2: [SwiftSetting] = []
#endif

/// Grading builds (the judge and each submission's runner, built by `workbook batch`, `results
/// --submission` and Gradescope's scripts) set WORKBOOK_OPTIMIZE_CORE=1: the instructor's modules
/// every runner and the judge spend their time in (the core, the matrix kernels, the wire, the
/// judge's checks) are then compiled optimized inside the debug build. They never depend on the
/// student's module, so each build folder compiles them once; the student's module stays at -Onone
/// with its debug information, so traps and loops are still reported at the student's line. A
/// student's own `swift build`/`swift test` does not set it and is unchanged.
let optimizedCore: [SwiftSetting] = Context.environment["WORKBOOK_OPTIMIZE_CORE"] == "1" ? [.unsafeFlags(["-O"])] : []

let package = Package(
    name: "DeepLearningWorkbook",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "trainer", targets: ["trainer"]),
        .executable(name: "workbook", targets: ["workbook"]),
        .executable(name: "grade-runner", targets: ["grade-runner"]),
        // Batch grading: the runner's table as a library, loaded by grade-zygote per test (see below).
        .library(name: "RunnerCalls", type: .dynamic, targets: ["RunnerCalls"]),
        .executable(name: "grade-zygote", targets: ["grade-zygote"]),
    ],
    targets: [
        // The core every exercise stands on: Tensor, seeded randomness, tolerances, gradient checks,
        // errors, caches and the curriculum's exercise list.
        .target(name: "WorkbookCore", dependencies: ["KernelsPortable", "KernelsAVX512", "KernelsAVX2", "CPUFeatures", "WorkerPool"],
                swiftSettings: optimizedCore),

        // The matrix kernel: one source (in KernelsPortable, symbolic links in the other two) compiled
        // per instruction set, and CPUID in C (Swift has no inline assembly).
        .target(name: "KernelsPortable", dependencies: ["WorkerPool"], swiftSettings: optimizedCore),
        .target(name: "KernelsAVX512", dependencies: ["WorkerPool"], swiftSettings: avx512 + optimizedCore),
        .target(name: "KernelsAVX2", dependencies: ["WorkerPool"], swiftSettings: avx2 + optimizedCore),
        .target(name: "CPUFeatures"),
        // The threads a split product (and `parallelForEach`) runs on: workers that sleep as soon as a job is done (C; WORKBOOK_POOL_SPIN_US makes them spin first).
        .target(name: "WorkerPool"),

        // What grading needs and a student must not call (numeric gradients, relative error: they
        // answer GradCheck1–3). grade-runner never links it, so a graded folder cannot use it.
        .target(name: "JudgeKit", dependencies: ["WorkbookCore"], swiftSettings: optimizedCore),

        // The graded implementation: Exercises/ by default, Solutions/ or a submission on request.
        .target(name: "Workbook", dependencies: ["WorkbookCore"], path: implementation, exclude: guides),

        // The reference trainer: a library (parsed from [String], so it is tested) and a thin main.
        // Built with the reference solutions it writes its runs under runs/reference/, so the set-up's
        // run and a student's later run of the same command never meet in one folder.
        .target(name: "TrainerKit", dependencies: ["WorkbookCore", "Workbook", "JudgeKit"], exclude: ["Data", "Reference"],
                swiftSettings: implementation == "Solutions" ? [.define("WORKBOOK_REFERENCE")] : []),
        .executableTarget(name: "trainer", dependencies: ["TrainerKit"]),

        // Grading and instructor tools. They never link the graded code, so they build and report
        // even when a student's exercises do not compile.
        .target(name: "GradingKit", dependencies: ["WorkbookCore", "StudentCalls"]),
        .executableTarget(name: "workbook", dependencies: ["GradingKit"]),

        // Grading: the graded tests never link the student's code. They call proxies with the
        // exercises' signatures (StudentCalls, generated by `workbook bridge`) that run each call in
        // grade-runner, the only process that links `Workbook`, sandboxed and time-limited.
        .target(name: "CSandbox"),
        .target(name: "GradingChannel", dependencies: ["WorkbookCore", "CSandbox"], swiftSettings: optimizedCore),
        .target(name: "StudentCalls", dependencies: ["WorkbookCore", "GradingChannel", "CSandbox"], swiftSettings: optimizedCore),
        .target(name: "RunnerCalls", dependencies: ["Workbook", "WorkbookCore", "GradingChannel"]),
        .executableTarget(name: "grade-runner", dependencies: ["RunnerCalls", "GradingChannel"]),
        // Batch grading's runner start: one process per grading with the Swift runtime and
        // Foundation loaded and no student code, which forks each test's runner; the child becomes
        // the test's sandbox user, then loads libRunnerCalls.so (the submission's build).
        .executableTarget(name: "grade-zygote", dependencies: ["CSandbox"]),
        .testTarget(name: "GradedTests", dependencies: ["WorkbookCore", "JudgeKit", "StudentCalls"], exclude: ["README.md", "COVERAGE.md"]),
        .testTarget(name: "CoreTests", dependencies: ["WorkbookCore", "JudgeKit"]),
        .testTarget(name: "TrainerTests", dependencies: ["TrainerKit", "JudgeKit"]),
        .testTarget(name: "GradingTests", dependencies: ["GradingKit", "GradingChannel"]),
    ]
)

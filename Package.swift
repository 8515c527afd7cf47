// swift-tools-version: 6.1
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

/// The chapter guides (GUIDE.md) live beside the code; they are documentation, not sources.
let guides: [String] = {
    let folder = Context.packageDirectory + "/" + implementation
    let files = (try? FileManager.default.subpathsOfDirectory(atPath: folder)) ?? []
    return files.filter { $0.hasSuffix(".md") }.sorted()
}()

/// The hot kernels need fused multiply-add, which plain x86-64 code generation lacks: without it,
/// `SIMD8<Double>.addingProduct` becomes a library call per lane. On x86-64 we therefore compile the
/// core for the machine it is built on. Apple silicon and other arm64 targets have FMA already.
#if arch(x86_64)
let fastMath: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "native"])]
#else
let fastMath: [SwiftSetting] = []
#endif

let package = Package(
    name: "DeepLearningWorkbook",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "trainer", targets: ["trainer"]),
        .executable(name: "workbook", targets: ["workbook"]),
    ],
    targets: [
        // The core every exercise stands on: Tensor, seeded randomness, tolerances, gradient checks,
        // errors, caches and the curriculum's exercise list.
        .target(name: "WorkbookCore", swiftSettings: fastMath),

        // The graded implementation: Exercises/ by default, Solutions/ or a submission on request.
        .target(name: "Workbook", dependencies: ["WorkbookCore"], path: implementation, exclude: guides),

        // The reference trainer: a library (parsed from [String], so it is tested) and a thin main.
        .target(name: "TrainerKit", dependencies: ["WorkbookCore", "Workbook"], exclude: ["Data", "Reference"], swiftSettings: fastMath),
        .executableTarget(name: "trainer", dependencies: ["TrainerKit"]),

        // Grading and instructor tools. They never link the graded code, so they build and report
        // even when a student's exercises do not compile.
        .target(name: "GradingKit", dependencies: ["WorkbookCore"]),
        .executableTarget(name: "workbook", dependencies: ["GradingKit"]),

        .testTarget(name: "GradedTests", dependencies: ["WorkbookCore", "Workbook"], exclude: ["README.md"]),
        .testTarget(name: "CoreTests", dependencies: ["WorkbookCore"]),
        .testTarget(name: "TrainerTests", dependencies: ["TrainerKit"]),
        .testTarget(name: "GradingTests", dependencies: ["GradingKit"]),
    ]
)

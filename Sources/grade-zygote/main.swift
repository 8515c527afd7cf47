// Batch grading's runner start (see `workbook_zygote_serve` in CSandbox). Two modes:
//
//     grade-zygote --zygote JAIL LIBRARY   # the zygote: forks each test's runner (requests on fd 3)
//     grade-zygote --single LIBRARY        # one fresh runner: loads the library and serves
//
// It links no student code and calls none: the student's module is in LIBRARY
// (libRunnerCalls.so, built from the submission), which only a child that already runs as the
// test's sandbox user loads. Before serving, the zygote warms up what every runner uses (the
// Swift runtime, Foundation's JSON coding), so that its children start with it done.
import CSandbox
import Foundation

/// What a reply looks like on the wire, so that the warm-up runs the same Foundation code.
private struct WarmUp: Codable { var name: String; var values: [Double]; var shape: [Int] }

let arguments = CommandLine.arguments
if arguments.count == 3 && arguments[1] == "--single" {
    exit(workbook_runner_load(arguments[2]))
}
guard arguments.count == 4 && arguments[1] == "--zygote" else {
    FileHandle.standardError.write(Data("usage: grade-zygote --zygote JAIL LIBRARY | --single LIBRARY\n".utf8))
    exit(64)
}
if let data = try? JSONEncoder().encode(WarmUp(name: "warm-up", values: [1.5, -2, 0.25], shape: [1, 3])) {
    _ = try? JSONDecoder().decode(WarmUp.self, from: data)
}
exit(workbook_zygote_serve(3, arguments[2], arguments[3]))

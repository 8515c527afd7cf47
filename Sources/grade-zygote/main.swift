// Batch grading's runner start (see `workbook_zygote_serve` in CSandbox). Two modes:
//
//     grade-zygote --zygote JAIL LIBRARY   # the zygote: forks each test's runner (requests on fd 3)
//     grade-zygote --single LIBRARY        # one fresh runner: loads the library and serves
//
// It links no student code and calls none: the student's module is in LIBRARY
// (libRunnerCalls.so, built from the submission), which only a child that already runs as the
// test's sandbox user loads. Before serving, the zygote warms up the shared runtime pieces every
// runner's wire uses (the standard library's and Foundation's: bytes to `Data` and back, doubles
// from raw bytes, UTF-8 strings), so that its children start with them done. The wire's own code
// (GradingChannel, inside the library) cannot be warmed here: this binary links none of it.
import CSandbox
import Foundation

let arguments = CommandLine.arguments
if arguments.count == 3 && arguments[1] == "--single" {
    exit(workbook_runner_load(arguments[2]))
}
guard arguments.count == 4 && arguments[1] == "--zygote" else {
    FileHandle.standardError.write(Data("usage: grade-zygote --zygote JAIL LIBRARY | --single LIBRARY\n".utf8))
    exit(64)
}
let warmDoubles: [Double] = [1.5, -2, 0.25]
let warmBytes = warmDoubles.withUnsafeBytes { [UInt8]($0) } + Array("reluForward(_:Tensor)".utf8)
let warmBack = [UInt8](Data(warmBytes))
_ = [Double](unsafeUninitializedCapacity: 3) { buffer, count in
    warmBack.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<24])) }
    count = 3
}
_ = String(decoding: warmBack[24...], as: UTF8.self)
exit(workbook_zygote_serve(3, arguments[2], arguments[3]))

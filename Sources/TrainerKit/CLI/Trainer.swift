import Foundation
import WorkbookCore
import WorkerPool

/// The reference trainer's entry point: parses `[String]`, runs one subcommand, returns an exit code.
///
///     trainer train --model mlp --data digits     # exit 0
///     trainer train --epochs x                    # Error: …, usage, See 'trainer train --help'; exit 64
///     trainer evaluate --checkpoint missing.ckpt  # Error: …; exit 1
public enum Trainer {
    public static let toolName = "trainer"

    /// Every subcommand, in the order the help lists them.
    public static var commands: [Command] {
        [trainCommand, resumeCommand, evaluateCommand, predictCommand, exportCommand, importCommand, experimentCommand,
         visualizeCommand, benchCommand]
    }

    public static let overview = """
        OVERVIEW: Train, evaluate and benchmark the workbook's reference models.

        Layers come from the module `Workbook`: the reference solutions with WORKBOOK=Solutions, or your own
        exercises when WORKBOOK is unset (training stops at once, naming any exercise not done yet).

        USAGE: \(toolName) <subcommand> [<options>]
        """

    /// The top-level `--help`.
    public static var help: String {
        let width = (commands.map(\.name.count).max() ?? 0) + 2
        let rows = commands.map { "  " + $0.name + String(repeating: " ", count: width - $0.name.count) + $0.abstract }
        return overview + "\n\nSUBCOMMANDS:\n" + rows.joined(separator: "\n")
            + "\n\n  See '\(toolName) <subcommand> --help' for the options of each."
    }

    /// Runs the process: `main.swift` is `import TrainerKit` and this call.
    public static func main() -> Never {
        let raw = (0..<Int(CommandLine.argc)).map { index -> [UInt8] in
            guard let pointer = CommandLine.unsafeArgv[index] else { return [] }
            return Array(UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: strlen(pointer)))
        }
        if let message = invalidArgumentMessage(raw) {
            _ = Console.writeAll(message + "\n", to: STDERR_FILENO)
            exit(ExitCode.usage)
        }
        main(Array(CommandLine.arguments.dropFirst()))
    }

    /// The usage error for the first argument that is not valid UTF-8, or nil. `CommandLine.arguments`
    /// repairs such bytes to U+FFFD, so a path given that way would name another file or folder
    /// (`--out $'bad\xffname'` wrote to `bad\u{FFFD}name`).
    /// - Parameter raw: the process's arguments as bytes, the program's name first.
    static func invalidArgumentMessage(_ raw: [[UInt8]]) -> String? {
        for (index, bytes) in raw.enumerated().dropFirst() where String(validating: bytes, as: UTF8.self) == nil {
            let shownBytes = bytes.prefix(60).map { (0x20..<0x7f).contains($0) && $0 != UInt8(ascii: "\\") ? String(UnicodeScalar($0)) : String(format: "\\x%02x", $0) }.joined()
                + (bytes.count > 60 ? "…" : "")
            return "Error: argument \(index) ('\(shownBytes)') is not valid UTF-8; the trainer would read it as another name "
                + "(a byte it cannot decode becomes U+FFFD): rename the file or folder, or give another path\n"
                + "Usage: \(toolName) <subcommand> [<options>]\n  See '\(toolName) --help'."
        }
        return nil
    }

    /// The process around ``run(_:console:)``: the real standard streams, SIGPIPE ignored, the
    /// exit code. (Tests call it in a child process.)
    public static func main(_ arguments: [String]) -> Never {
        // A closed pipe (`trainer train | head -1`) must be an error the run handles, not a signal
        // that kills it mid-save: with SIGPIPE ignored, the write fails with EPIPE instead.
        signal(SIGPIPE, SIG_IGN)
        keepFreedMemory()
        exit(run(arguments, console: .standard()))
    }

    /// Lets the C allocator reuse freed blocks instead of returning them to the kernel (Linux, glibc).
    ///
    /// A training step allocates the same large arrays every batch (a ResNet's im2col columns are
    /// 4.7 MB). glibc serves such blocks with `mmap` and gives them back on `free`, or trims the top
    /// of its heap, so every batch paid for fresh zeroed pages: 177,000 page faults in 7 ResNet
    /// epochs, about a fifth of the CPU time, all on one thread. With blocks up to 32 MiB (glibc's
    /// largest threshold) kept on the heap and no trimming under 1 GiB, it was 9,000 (`perf stat`,
    /// AMD EPYC). Memory in use stays within what the largest batch needed.
    static func keepFreedMemory() {
        _ = workbook_keep_freed_memory()   // Sources/WorkerPool/Allocator.c; does nothing off glibc
    }

    /// Parses and runs; never traps on bad input.
    public static func run(_ arguments: [String], console: Console) -> Int32 {
        guard let first = arguments.first else {
            console.error("Error: missing subcommand\nUsage: \(toolName) <subcommand> [<options>]\n  See '\(toolName) --help'.")
            return ExitCode.usage
        }
        if first == "--help" || first == "-h" || first == "help" {
            console.print(help)
            return ExitCode.success
        }
        guard let command = commands.first(where: { $0.name == first }) else {
            console.error("Error: unknown subcommand '\(excerpt(first))'\nUsage: \(toolName) <subcommand> [<options>]\n  See '\(toolName) --help'.")
            return ExitCode.usage
        }
        let rest = Array(arguments.dropFirst())
        if command.asksForHelp(rest) {
            console.print(command.help)
            return ExitCode.success
        }
        do {
            let options = try command.parse(rest)
            try command.run(options, console)
            if let failure = console.outputFailure {
                console.error("Error: standard output failed (\(failure)); the output of '\(command.name)' is incomplete")
                return ExitCode.ioError
            }
            return ExitCode.success
        } catch let error as UsageError {
            console.error("Error: \(error.message)\nUsage: \(command.usage)\n  See '\(toolName) \(command.name) --help'.")
            return ExitCode.usage
        } catch let error as StoppedError {
            console.error("Stopped: \(error.message)")
            return error.code
        } catch let error as MissingExercisesError {
            console.error("Error: " + MissingExercisesError(exercises: error.exercises, command: command.name).description)
            return ExitCode.failure
        } catch let error as NotImplemented {
            // A student's copy has no Solutions/: offer the reference run only where it exists.
            let reference = FileManager.default.fileExists(atPath: "Solutions")
                ? ", or train with the reference solutions:\n  WORKBOOK=Solutions swift run -c release \(toolName) \(command.name) …"
                : "."
            console.error("""
                Error: this model needs exercise \(error.exercise), which is not done yet (\(error.function)).
                Finish it (swift test --filter \(error.exercise) grades it)\(reference)
                """)
            return ExitCode.failure
        } catch let error as TrainerError {
            console.error("Error: \(error.message)")
            return ExitCode.failure
        } catch let error as DataFileError {
            console.error("Error: \(error)")
            return ExitCode.failure
        } catch {
            // An error from a layer (a shape or argument the exercise refused): the trainer should
            // have caught its cause earlier, so say which command and option led there.
            console.error("Error: \(command.name) stopped: \(excerpt("\(error)", limit: 300)). If your own exercises are in use, check "
                          + "the one named above (swift test grades it); otherwise this is a trainer bug: please report the command line.")
            return ExitCode.failure
        }
    }
}

import Foundation

/// Where the trainer writes: standard output and error, or buffers in tests.
///
/// Metrics lines go to `out`; progress bars (only when `out` is a terminal) and errors to `err`.
public final class Console: @unchecked Sendable {
    /// True when standard output is a terminal, so a progress bar may redraw a line in place.
    public let isTerminal: Bool
    private let writeOut: (String) -> Void
    private let writeErr: (String) -> Void

    public init(isTerminal: Bool, out: @escaping (String) -> Void, err: @escaping (String) -> Void) {
        self.isTerminal = isTerminal
        self.writeOut = out
        self.writeErr = err
    }

    /// The process's standard streams, unbuffered so lines appear as each epoch ends.
    public static func standard() -> Console {
        Console(isTerminal: isatty(STDOUT_FILENO) == 1,
                out: { FileHandle.standardOutput.write(Data($0.utf8)) },
                err: { FileHandle.standardError.write(Data($0.utf8)) })
    }

    /// A console that records everything, for tests.
    public static func recording() -> (Console, Recording) {
        let recording = Recording()
        let console = Console(isTerminal: false, out: { recording.out += $0 }, err: { recording.err += $0 })
        return (console, recording)
    }

    /// What a recording console captured.
    public final class Recording: @unchecked Sendable {
        public var out = ""
        public var err = ""
    }

    public func print(_ line: String = "") { writeOut(line + "\n") }
    public func error(_ line: String) { writeErr(line + "\n") }
    /// Writes without a newline to standard error (the progress bar's carriage-return redraws).
    public func progress(_ text: String) { if isTerminal { writeErr(text) } }
}

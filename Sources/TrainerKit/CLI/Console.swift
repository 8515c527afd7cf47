import Foundation

/// Where the trainer writes: standard output and error, or buffers in tests.
///
/// Metrics lines go to `out`; progress bars (only when `out` is a terminal) and errors to `err`.
/// A write that fails (a full device, a closed or broken pipe) never traps: the console records
/// the failure in ``outputFailure``, stops writing to that stream, and the training loop ends the
/// run cleanly with its checkpoint saved.
public final class Console: @unchecked Sendable {
    /// True when standard output is a terminal, so a progress bar may redraw a line in place.
    public let isTerminal: Bool
    private let writeOut: (String) -> String?
    private let writeErr: (String) -> String?
    private let lock = NSLock()
    private var outFailure: String?
    private var errFailed = false
    /// Whether the user asked the run to stop (Ctrl-C); the training loop asks after every step.
    /// Tests replace it, so they need no signal.
    public var stopRequested: @Sendable () -> Bool = { Interruption.requested }

    /// A console whose writers cannot fail.
    public convenience init(isTerminal: Bool, out: @escaping (String) -> Void, err: @escaping (String) -> Void) {
        self.init(isTerminal: isTerminal, failableOut: { out($0); return nil }, failableErr: { err($0); return nil })
    }

    /// A console whose writers return nil on success or the reason they failed.
    public init(isTerminal: Bool, failableOut: @escaping (String) -> String?, failableErr: @escaping (String) -> String?) {
        self.isTerminal = isTerminal
        self.writeOut = failableOut
        self.writeErr = failableErr
    }

    /// The process's standard streams, unbuffered so lines appear as each epoch ends. Writes go
    /// straight to the file descriptors (`FileHandle.write` traps on a full device or a closed pipe).
    public static func standard() -> Console {
        Console(isTerminal: isatty(STDOUT_FILENO) == 1,
                failableOut: { writeAll($0, to: STDOUT_FILENO) },
                failableErr: { writeAll($0, to: STDERR_FILENO) })
    }

    /// Writes every byte of `text` to `descriptor`, retrying on interruption.
    /// - Returns: nil, or the system's reason the write failed ("No space left on device").
    static func writeAll(_ text: String, to descriptor: Int32) -> String? {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            bytes = bytes.dropFirst(written)
        }
        return nil
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

    /// Why standard output stopped accepting lines, if it did.
    public var outputFailure: String? { lock.withLock { outFailure } }

    public func print(_ line: String = "") {
        lock.withLock {
            guard outFailure == nil else { return }
            outFailure = writeOut(line + "\n")
        }
    }

    public func error(_ line: String) {
        lock.withLock {
            guard !errFailed else { return }
            errFailed = writeErr(line + "\n") != nil
        }
    }

    /// Writes without a newline to standard error (the progress bar's carriage-return redraws).
    public func progress(_ text: String) {
        if isTerminal {
            lock.withLock {
                guard !errFailed else { return }
                errFailed = writeErr(text) != nil
            }
        }
    }
}

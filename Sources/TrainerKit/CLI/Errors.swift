import WorkbookCore

/// A mistake in the command line: printed as `Error: …`, the usage line and `See '… --help'`; exit 64.
public struct UsageError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A failure while running (a bad data file, a corrupt checkpoint, a diverging loss): exit 1.
public struct TrainerError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A run that stopped early on purpose or by a fault outside it (Ctrl-C, standard output gone),
/// after saving what it could: the message says what was kept; the exit code says why.
public struct StoppedError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var code: Int32
    public init(_ message: String, code: Int32) {
        self.message = message
        self.code = code
    }
    public var description: String { message }
}

/// The exit codes, as sysexits(3) spells them (and 130 = 128 + SIGINT, as shells report Ctrl-C).
public enum ExitCode {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 64
    /// Standard output or a file could not be written (EX_IOERR).
    public static let ioError: Int32 = 74
    public static let interrupted: Int32 = 130
    /// Stopped by SIGTERM (128 + 15).
    public static let terminated: Int32 = 143
}

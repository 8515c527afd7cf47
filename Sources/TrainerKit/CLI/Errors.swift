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

/// The exit codes, as sysexits(3) spells them.
public enum ExitCode {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 64
}

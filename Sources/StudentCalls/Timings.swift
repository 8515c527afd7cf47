// Where a grading's time goes, when the instructor asks (`WORKBOOK_TIMINGS=FILE`, which
// `workbook batch --timings` sets): each process that grades adds, when it ends, one line per phase
// to FILE — `phase count seconds` — so that the phases of every test of every submission of a batch
// add up in one file. Nothing is measured or written when the variable is unset.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum Timings {
    /// The file the totals go to, or `nil` (then `measure` only runs its body).
    public static let file: String? = ProcessInfo.processInfo.environment["WORKBOOK_TIMINGS"].flatMap { $0.isEmpty ? nil : $0 }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var totals: [String: (count: Int, seconds: Double)] = [:]
    nonisolated(unsafe) private static var registered = false

    /// Runs `body`, adding its wall-clock time to `phase`.
    @discardableResult
    public static func measure<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        guard file != nil else { return try body() }
        let start = now()
        defer { add(phase, now() - start) }
        return try body()
    }

    /// Adds `seconds` to `phase`.
    public static func add(_ phase: String, _ seconds: Double) {
        guard file != nil else { return }
        lock.lock()
        defer { lock.unlock() }
        let old = totals[phase] ?? (0, 0)
        totals[phase] = (old.count + 1, old.seconds + seconds)
        if !registered {
            registered = true
            atexit { Timings.flush() }
        }
    }

    /// Seconds on a monotonic clock.
    public static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Appends the totals to the file (one `write` with O_APPEND, so processes do not interleave).
    public static func flush() {
        guard let file else { return }
        lock.lock()
        let lines = totals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.count) \(String(format: "%.4f", $0.value.seconds))\n" }.joined()
        totals = [:]
        lock.unlock()
        guard !lines.isEmpty else { return }
        let fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        _ = lines.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
    }
}

// One bound for every message a report carries (a wrong answer's first mismatches, a trap, the
// compiler's first error), applied alike by the text report (the scorecard, reports/<name>.txt)
// and the JSON one (results.json, reports/<name>.json), so both say the same thing.
import Foundation

public enum ReportMessage {
    /// Characters of one message kept in a report. A wrong answer's message with its first
    /// mismatches is well under 1,000; the bound only stops a runaway message (a huge expression
    /// in a compiler error, a student's exception text) from swamping the report.
    public static let maximumLength = 2_000

    /// Appended where a message was cut.
    public static let cutMarker = " … (cut at 2,000 characters)"

    /// `text` as a report shows it: whole when it fits, else its first `maximumLength` characters
    /// and the marker.
    ///
    /// - Complexity: O(n) in the message's length.
    public static func bounded(_ text: String) -> String {
        text.count <= maximumLength ? text : String(text.prefix(maximumLength)) + cutMarker
    }
}

// Maintainer tests that take a minute or more in a debug build: they run only when asked
// (`WORKBOOK_LONG=1 swift test`, as CI does), so that a student's plain `swift test` stays quick.
import Foundation
import Testing

enum LongTests {
    static var enabled: Bool { ProcessInfo.processInfo.environment["WORKBOOK_LONG"] == "1" }
    static let reason: Comment = "a long maintainer test: WORKBOOK_LONG=1 swift test runs it (CI does)"
}

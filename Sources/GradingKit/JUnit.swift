// JUnit XML, one test case per exercise (CI servers and LMS plug-ins read it).
//
// Swift Testing writes its own per-test xUnit file (`swift test --xunit-output F` produces
// `F-swift-testing.xml` on Swift 6.3), but that knows nothing of exercises, points, or a crash
// as a status; this report is built from the graded result instead.
import Foundation

public enum JUnit {
    public static func render(_ report: GradeReport, suiteName: String = "workbook") -> String {
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#]
        let failures = report.results.filter { $0.status != .done }.count
        lines.append(#"<testsuites name="\#(escape(suiteName))" tests="\#(report.results.count)" failures="\#(failures)">"#)
        var chapters: [String] = []
        for result in report.results where !chapters.contains(result.exercise.chapter) { chapters.append(result.exercise.chapter) }
        for chapter in chapters {
            let results = report.results.filter { $0.exercise.chapter == chapter }
            let chapterFailures = results.filter { $0.status != .done }.count
            lines.append(#"  <testsuite name="\#(escape(chapter))" tests="\#(results.count)" failures="\#(chapterFailures)">"#)
            for result in results {
                let name = escape("\(result.exercise.id) · \(result.exercise.title)")
                lines.append(#"    <testcase classname="\#(escape(chapter))" name="\#(name)">"#)
                lines.append(#"      <properties><property name="points" value="\#(result.exercise.points)"/><property name="score" value="\#(formatPoints(result.score))"/><property name="status" value="\#(escape(result.status.rawValue))"/></properties>"#)
                if result.status != .done {
                    let message = escape(result.status.rawValue + (result.message.map { ": " + Scorecard.firstLine($0) } ?? ""))
                    lines.append(#"      <failure message="\#(message)" type="\#(escape(result.status.rawValue))">\#(escape(result.message ?? ""))</failure>"#)
                }
                lines.append("    </testcase>")
            }
            lines.append("  </testsuite>")
        }
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            default:
                // XML 1.0 forbids most control characters, which a crash log may contain.
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\r" { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

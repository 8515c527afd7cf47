// Reading a trap out of what the runner wrote before it died.
//
// The Swift runtime prints its reason (`Swift/ContiguousArrayBuffer.swift:692: Fatal error: Index
// out of range`) and, with SWIFT_BACKTRACE set by the session, a crash report whose frames end in
// ` at /path/File.swift:LINE:COLUMN`. The first frame outside the workbook's own sources is the
// student's line. An instruction the compiler gave no line (an empty `while true {}` spins on one)
// is reported as ` at /path/File.swift` with no line; that frame names the function instead, and
// the place given is the line where that function starts.
import Foundation

struct Trap {
    /// `Fatal error: Index out of range`.
    var message: String
    /// `Exercises/01-Activations/ReLU.swift:20`.
    var location: String?
    /// The exercise whose START/END region holds that line (read from the source file the crash
    /// report names), when it can be told: the code that trapped may be another exercise's than
    /// the function the test called (residualBlockBackward calling a trapping reluBackward).
    var exercise: String?

    static let keys = ["Fatal error", "Precondition failed", "Assertion failed", "Unexpectedly found nil", "Unexpectedly found"]

    init(output: [UInt8], signal: Int32) {
        let lines = String(decoding: output, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        if let first = lines.first(where: { line in Self.keys.contains { line.contains($0) } }),
           let key = Self.keys.first(where: { first.contains($0) }), let range = first.range(of: key) {
            message = String(first[range.lowerBound...].prefix(300))
        } else {
            let name = signal == SIGILL || signal == SIGTRAP ? "a trap (SIGILL/SIGTRAP)" : "signal \(signal)"
            message = "\(name) with no message. Arithmetic overflow (Int.max + 1) and division by zero trap silently."
        }
        let place = lines.lazy.compactMap(Self.place).first
        location = place?.location
        exercise = place.flatMap { Self.exercise(at: $0.line, in: $0.path, lookingAhead: $0.isFunctionStart) }
    }

    /// Where a frame in a chapter folder was: its line, or, for an instruction without one, the
    /// line where its function starts (`location` then names the function).
    static func place(_ frame: String) -> (location: String, path: String, line: Int, isFunctionStart: Bool)? {
        if let location = frameLocation(frame), let path = framePath(frame) { return (location, path.path, path.line, false) }
        guard let (path, function) = lineless(frame), let start = declaration(of: function, in: path),
              let file = chapterRelative(path) else { return nil }
        return ("\(function) (\(file):\(start))", path, start, true)
    }

    /// `  0 [system] 0x… reluBackward(_:cache:) + 104 in grade-runner at /…/01-Activations/ReLU.swift`
    /// → the path and `reluBackward`, for frames in a chapter folder that carry no line.
    static func lineless(_ frame: String) -> (path: String, function: String)? {
        guard let at = frame.range(of: " at /", options: .backwards) else { return nil }
        let path = String(frame[frame.index(before: at.upperBound)...]).trimmingCharacters(in: .whitespaces)
        guard path.hasSuffix(".swift"), chapterRelative(path) != nil,
              let plus = frame.range(of: " + ", options: .backwards, range: frame.startIndex..<at.lowerBound) else { return nil }
        // The symbol: `closure #1 in reluBackward(_:cache:)` → `reluBackward`.
        let symbol = frame[..<plus.lowerBound].prefix { $0 != "(" }
        guard let name = symbol.split(separator: " ").last, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        return (path, String(name))
    }

    /// The line (1-based) of `func name(` or `func name<` in the file at `path`.
    static func declaration(of function: String, in path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for (index, content) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where content.contains("func \(function)(") || content.contains("func \(function)<") {
            return index + 1
        }
        return nil
    }

    /// The absolute path and line of the first frame in a chapter folder.
    static func framePath(_ line: String) -> (path: String, line: Int)? {
        guard frameLocation(line) != nil, let at = line.range(of: " at /", options: .backwards) else { return nil }
        let parts = line[line.index(before: at.upperBound)...].split(separator: ":")
        guard parts.count >= 2, let number = Int(parts[1]) else { return nil }
        return (String(parts[0]), number)
    }

    /// The ID of the START/END region around `line` in the source file at `path`; with
    /// `lookingAhead` (`line` is where a function starts), of the function's first region.
    static func exercise(at line: Int, in path: String, lookingAhead: Bool = false) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var current: String?
        for (index, content) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = content.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("// START ") {
                current = String(trimmed.dropFirst("// START ".count))
                if index + 1 > line { return current }   // a function's first region, below its start
            }
            if index + 1 == line, current != nil || !lookingAhead { return current }
            if index + 1 > line, trimmed.contains("func ") { return nil }
            if trimmed.hasPrefix("// END ") { current = nil }
        }
        return nil
    }

    /// `  3 reluForward(_:) + 188 in grade-runner at /…/Exercises/01-Activations/ReLU.swift:20:13`
    /// → `Exercises/01-Activations/ReLU.swift:20`, for frames in a chapter folder only.
    static func frameLocation(_ line: String) -> String? {
        guard let at = line.range(of: " at /", options: .backwards) else { return nil }
        let parts = line[line.index(before: at.upperBound)...].split(separator: ":")
        guard parts.count >= 2, parts[0].hasSuffix(".swift"), let lineNumber = Int(parts[1]) else { return nil }
        return chapterRelative(String(parts[0])).map { $0 + ":\(lineNumber)" }
    }

    /// `/…/Exercises/01-Activations/ReLU.swift` → `Exercises/01-Activations/ReLU.swift`: the chapter
    /// folder (`01-Activations`) and the graded folder above it; nil outside a chapter folder.
    static func chapterRelative(_ path: String) -> String? {
        let components = path.split(separator: "/")
        guard let chapter = components.lastIndex(where: { $0.count > 3 && $0.prefix(2).allSatisfy(\.isNumber) && $0.dropFirst(2).first == "-" }),
              chapter > 0, !components[..<chapter].contains("Sources") else { return nil }
        return components[(chapter - 1)...].joined(separator: "/")
    }
}

// The student's regions of an exercise file: the lines between `// START ID` and `// END ID`.
// Reset, the release's leak check and the maintainers' check all work on these regions.
import Foundation

public struct StubRegion: Sendable, Hashable {
    public var id: String
    /// The lines strictly between the START and END markers.
    public var body: [String]
}

public enum StubRegions {
    /// Every `// START ID` … `// END ID` region of a file, in order.
    public static func regions(in text: String) -> [StubRegion] {
        var regions: [StubRegion] = []
        var open: (id: String, lines: [String])?
        for line in text.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let id = marker("START", trimmed) {
                open = (id, [])
            } else if let id = marker("END", trimmed), let current = open, current.id == id {
                regions.append(StubRegion(id: id, body: current.lines))
                open = nil
            } else if open != nil {
                open!.lines.append(line)
            }
        }
        return regions
    }

    static func marker(_ word: String, _ line: String) -> String? {
        let prefix = "// \(word) "
        guard line.hasPrefix(prefix) else { return nil }
        let id = line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        return id.isEmpty || id.contains(" ") ? nil : id
    }

    /// `text` with the region `id` replaced by `body`; `nil` when the file has no such region.
    public static func replacing(_ id: String, in text: String, with body: [String]) -> String? {
        var lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { marker("START", $0.trimmingCharacters(in: .whitespaces)) == id }),
              let end = lines[(start + 1)...].firstIndex(where: { marker("END", $0.trimmingCharacters(in: .whitespaces)) == id })
        else { return nil }
        lines.replaceSubrange((start + 1)..<end, with: body)
        return lines.joined(separator: "\n")
    }

    /// `text` with every region `id` replaced, in order, by the matching element of `bodies`; `nil`
    /// when the file does not have exactly `bodies.count` regions named `id`. An exercise may have
    /// several regions (a forward pass and its helper, three functions of one experiment), and
    /// resetting it must restore them all.
    public static func replacingAll(_ id: String, in text: String, with bodies: [[String]]) -> String? {
        var lines = text.components(separatedBy: "\n")
        var starts: [Int] = []
        var ends: [Int] = []
        var open: Int?
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let found = marker("START", trimmed) {
                open = found == id ? index : nil
            } else if marker("END", trimmed) == id, let start = open {
                starts.append(start)
                ends.append(index)
                open = nil
            }
        }
        guard starts.count == bodies.count else { return nil }
        // Replace from the last region to the first, so earlier line numbers stay valid.
        for k in stride(from: starts.count - 1, through: 0, by: -1) {
            lines.replaceSubrange((starts[k] + 1)..<ends[k], with: bodies[k])
        }
        return lines.joined(separator: "\n")
    }

    /// The file with every region's body removed (markers kept): what must be identical between a
    /// stub and its solution.
    public static func skeleton(of text: String) -> String {
        var out: [String] = []
        var inside = false
        for line in text.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if marker("START", trimmed) != nil { inside = true; out.append(line); continue }
            if marker("END", trimmed) != nil { inside = false; out.append(line); continue }
            if !inside { out.append(line) }
        }
        return out.joined(separator: "\n")
    }

    /// The canonical stub body, used by reset when no pristine copy was kept.
    public static func canonicalStub(_ id: String, indent: String = "    ") -> [String] {
        ["\(indent)throw NotImplemented(\"\(id)\")"]
    }

    /// A region's body normalized for searching: trimmed, non-empty lines joined by newlines.
    public static func normalized(_ lines: [String]) -> String {
        lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// Whether a body is only the unfinished stub (`throw NotImplemented("ID")`, comments allowed).
    public static func isStub(_ region: StubRegion) -> Bool {
        let code = region.body.map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("//") }
        return code == ["throw NotImplemented(\"\(region.id)\")"]
    }
}

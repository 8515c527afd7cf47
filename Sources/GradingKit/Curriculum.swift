// The curriculum, discovered from the graded test files rather than from a list kept by hand.
//
// Every graded suite declares its exercise once, beside the suite:
//
//     extension Exercise {
//         static let relu1 = Exercise(id: "ReLU1", chapter: "01-Activations", file: "ReLU.swift",
//                                     title: "ReLU forward", points: 2)
//     }
//
//     @Suite("ReLU1 · ReLU forward", .graded(.relu1))
//     struct ReLUForwardTests { … }
//
// `Curriculum.discover` reads those declarations (and the suites' type names, which `swift test
// --filter` needs) from `Tests/GradedTests/**.swift`, so chapters added later appear on their own.
import Foundation
import WorkbookCore

/// One graded exercise as declared in a test file.
public struct ExerciseInfo: Sendable, Hashable, Codable {
    public var id: String
    public var chapter: String
    public var file: String
    public var title: String
    public var points: Int
    /// The exercise's own credit rule, if its declaration sets one (`credit: .perTest`).
    public var credit: Credit?
    /// The Swift types of the suites named `"<id> · …"`, e.g. `ReLUForwardTests`.
    public var suites: [String]
    /// Whether the declaration lives in the instructor's hidden tests (not shipped to students).
    public var hidden: Bool

    public init(id: String, chapter: String, file: String, title: String, points: Int,
                suites: [String] = [], hidden: Bool = false, credit: Credit? = nil) {
        self.credit = credit
        self.id = id
        self.chapter = chapter
        self.file = file
        self.title = title
        self.points = points
        self.suites = suites
        self.hidden = hidden
    }

    /// The stub's path inside the implementation folder: `01-Activations/ReLU.swift`.
    public var path: String { "\(chapter)/\(file)" }
}

/// The exercises of the workbook in chapter order.
public struct Curriculum: Sendable, Hashable, Codable {
    public var exercises: [ExerciseInfo]

    public init(exercises: [ExerciseInfo]) {
        self.exercises = exercises
    }

    /// The folder (relative to `Tests/GradedTests`) whose tests are never shipped to students.
    public static let hiddenFolder = "Hidden"

    public var chapters: [String] {
        var seen: [String] = []
        for exercise in exercises where !seen.contains(exercise.chapter) { seen.append(exercise.chapter) }
        return seen
    }

    public var totalPoints: Int { exercises.reduce(0) { $0 + $1.points } }

    /// Every exercise that does not set its own credit rule gets `credit`.
    public func crediting(_ credit: Credit) -> Curriculum {
        var copy = self
        for index in copy.exercises.indices where copy.exercises[index].credit == nil { copy.exercises[index].credit = credit }
        return copy
    }

    public func exercise(_ id: String) -> ExerciseInfo? {
        exercises.first { $0.id == id } ?? exercises.first { $0.id.lowercased() == id.lowercased() }
    }

    /// The exercises whose stub lives in `path` (`01-Activations/ReLU.swift`).
    public func exercises(inFile path: String) -> [ExerciseInfo] {
        exercises.filter { $0.path == path }
    }

    /// Reads every `.swift` file under `testsRoot` (normally `Tests/GradedTests`).
    public static func discover(testsRoot: URL) throws -> Curriculum {
        var sources: [(text: String, hidden: Bool)] = []
        for relative in try FileTree.files(under: testsRoot) where relative.hasSuffix(".swift") {
            let text = try String(contentsOf: testsRoot.appendingPathComponent(relative), encoding: .utf8)
            let hidden = relative.hasPrefix(hiddenFolder + "/")
            sources.append((text, hidden))
        }
        return parse(sources)
    }

    /// Parses declarations and suites out of source texts (exposed for tests).
    public static func parse(_ sources: [(text: String, hidden: Bool)]) -> Curriculum {
        var exercises: [ExerciseInfo] = []
        var suites: [String: [String]] = [:]
        for source in sources {
            for declaration in exerciseDeclarations(in: source.text) {
                var exercise = declaration
                exercise.hidden = source.hidden
                if let index = exercises.firstIndex(where: { $0.id == exercise.id }) {
                    // Declared twice (should not happen): keep the visible declaration.
                    if exercises[index].hidden && !exercise.hidden { exercises[index] = exercise }
                } else {
                    exercises.append(exercise)
                }
            }
            for (id, type) in suiteDeclarations(in: source.text) {
                suites[id, default: []].append(type)
            }
        }
        for index in exercises.indices {
            exercises[index].suites = (suites[exercises[index].id] ?? []).sorted()
        }
        // Chapter folders are numbered, so their names sort in teaching order. Within a chapter, a
        // topic (the ID without its number: `Ensemble` of `Ensemble3`) keeps the place of its first
        // declaration, and its exercises follow their numbers (Ensemble2 before Ensemble10).
        var topicOrder: [String: Int] = [:]
        for exercise in exercises where topicOrder[topic(exercise.id).name] == nil {
            topicOrder[topic(exercise.id).name] = topicOrder.count
        }
        exercises.sort { a, b in
            if a.chapter != b.chapter { return a.chapter.localizedStandardCompare(b.chapter) == .orderedAscending }
            let (ta, tb) = (topic(a.id), topic(b.id))
            if ta.name != tb.name { return topicOrder[ta.name]! < topicOrder[tb.name]! }
            return ta.number < tb.number
        }
        return Curriculum(exercises: exercises)
    }

    /// The curriculum with each chapter in the order its guide gives the hints (`### ID` headings),
    /// which is the order the chapter teaches; exercises a guide does not name keep their place after.
    public func ordered(byGuides guides: [String: [String]]) -> Curriculum {
        let original = Dictionary(uniqueKeysWithValues: exercises.enumerated().map { ($1.id, $0) })
        var sorted = exercises
        sorted.sort { a, b in
            if a.chapter != b.chapter { return original[a.id]! < original[b.id]! }
            let order = guides[a.chapter] ?? []
            let (ia, ib) = (order.firstIndex(of: a.id) ?? Int.max, order.firstIndex(of: b.id) ?? Int.max)
            return ia != ib ? ia < ib : original[a.id]! < original[b.id]!
        }
        return Curriculum(exercises: sorted)
    }

    /// `Ensemble3` → (`Ensemble`, 3); an ID without a trailing number has number 0.
    static func topic(_ id: String) -> (name: String, number: Int) {
        let digits = id.reversed().prefix { $0.isNumber }
        return (String(id.dropLast(digits.count)), Int(String(digits.reversed())) ?? 0)
    }

    /// `Exercise(id: "…", chapter: "…", file: "…", title: "…", points: N)`, arguments in any layout.
    static func exerciseDeclarations(in text: String) -> [ExerciseInfo] {
        let pattern = #"Exercise\(\s*id:\s*"((?:[^"\\]|\\.)*)"\s*,\s*chapter:\s*"((?:[^"\\]|\\.)*)"\s*,\s*file:\s*"((?:[^"\\]|\\.)*)"\s*,\s*title:\s*"((?:[^"\\]|\\.)*)"\s*,\s*points:\s*(\d+)\s*(?:,\s*credit:\s*\.(\w+)\s*)?\)"#
        return matches(of: pattern, in: text).compactMap { groups in
            guard let points = Int(groups[4]) else { return nil }
            // `.perTest` / `.allOrNothing` as written in Swift.
            let credit: Credit? = switch groups[5] {
            case "perTest": .perTest
            case "allOrNothing": .allOrNothing
            default: nil
            }
            return ExerciseInfo(id: unescape(groups[0]), chapter: unescape(groups[1]), file: unescape(groups[2]),
                                title: unescape(groups[3]), points: points, credit: credit)
        }
    }

    /// `@Suite("ID · title" …)` followed (after other attributes) by the type it names.
    static func suiteDeclarations(in text: String) -> [(id: String, type: String)] {
        let pattern = #"@Suite\(\s*"([^"·]+?)\s*·[^"]*"(?:[^()]|\([^()]*\))*\)\s*(?:@[\w.]+(?:\([^)]*\))?\s*)*(?:(?:public|internal|fileprivate|private|final)\s+)*(?:struct|class|enum|actor)\s+(\w+)"#
        return matches(of: pattern, in: text).map { ($0[0], $0[1]) }
    }

    static func matches(of pattern: String, in text: String) -> [[String]] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let nsText = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: nsText.length)).map { match in
            (1..<match.numberOfRanges).map { index in
                let range = match.range(at: index)
                return range.location == NSNotFound ? "" : nsText.substring(with: range)
            }
        }
    }

    static func unescape(_ literal: String) -> String {
        literal.replacingOccurrences(of: #"\""#, with: "\"").replacingOccurrences(of: #"\\"#, with: "\\")
    }
}

/// Small file-system helpers shared by the tools.
enum FileTree {
    /// Every regular file under `root`, as sorted paths relative to it (hidden names included,
    /// `.build*` and `.git` skipped).
    static func files(under root: URL, skipping skip: (String) -> Bool = { _ in false }) throws -> [String] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else { return [] }
        var result: [String] = []
        func walk(_ relative: String) throws {
            let url = relative.isEmpty ? root : root.appendingPathComponent(relative)
            for name in try manager.contentsOfDirectory(atPath: url.path).sorted() {
                let child = relative.isEmpty ? name : relative + "/" + name
                if skip(child) { continue }
                var childIsDirectory: ObjCBool = false
                let childPath = url.appendingPathComponent(name).path
                // Symbolic links are not followed: a submission cannot point the grader elsewhere.
                if let type = try? manager.attributesOfItem(atPath: childPath)[.type] as? FileAttributeType,
                   type == .typeSymbolicLink { continue }
                guard manager.fileExists(atPath: childPath, isDirectory: &childIsDirectory) else { continue }
                if childIsDirectory.boolValue { try walk(child) } else { result.append(child) }
            }
        }
        try walk("")
        return result
    }

    /// Copies the package's own relative symbolic links (the kernel targets share sources through
    /// them) from `root` to `destination`, skipping what `skip` leaves out and any link that points
    /// outside `root`.
    static func copyLinks(from root: URL, to destination: URL, skipping skip: (String) -> Bool) throws {
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: root.path) else { return }
        while let relative = walker.nextObject() as? String {
            if skip(relative) { walker.skipDescendants(); continue }
            let path = root.appendingPathComponent(relative).path
            guard let target = try? manager.destinationOfSymbolicLink(atPath: path), !target.hasPrefix("/") else { continue }
            let resolved = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(target).standardizedFileURL.path
            guard resolved.hasPrefix(root.standardizedFileURL.path + "/") else { continue }
            let link = destination.appendingPathComponent(relative)
            try manager.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? manager.removeItem(at: link)
            try manager.createSymbolicLink(atPath: link.path, withDestinationPath: target)
        }
    }

    static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    /// Copies `source` to `destination`, replacing whatever was there, creating parents.
    static func copy(_ source: URL, to destination: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        if manager.fileExists(atPath: destination.path) { try manager.removeItem(at: destination) }
        try manager.copyItem(at: source, to: destination)
    }

    static func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url, options: .atomic)
    }
}

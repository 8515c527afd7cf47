/// One graded exercise of the workbook: an identifier, where its stub lives, and what it is worth.
///
/// Each graded suite declares its exercise once, beside the suite, e.g.
///
///     extension Exercise {
///         static let relu1 = Exercise(id: "ReLU1", chapter: "01-Activations", file: "ReLU.swift",
///                                     title: "ReLU forward", points: 2)
///     }
public struct Exercise: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A short identifier used in `TODO(ID)` markers, failure messages and the hint command: `ReLU1`.
    public let id: String
    /// The chapter folder, the same under `Exercises/` and `Solutions/`: `01-Activations`.
    public let chapter: String
    /// The Swift file holding the stub, inside the chapter folder: `ReLU.swift`.
    public let file: String
    /// A human title: `ReLU forward`.
    public let title: String
    /// What the exercise is worth on the scorecard.
    public let points: Int
    /// How the points are earned; `nil` leaves it to the grading default (`--credit`,
    /// `WORKBOOK_CREDIT`), which is all or nothing unless the instructor says otherwise.
    public let credit: Credit?

    public init(id: String, chapter: String, file: String, title: String, points: Int, credit: Credit? = nil) {
        self.id = id
        self.chapter = chapter
        self.file = file
        self.title = title
        self.points = points
        self.credit = credit
    }

    /// The stub's path relative to the implementation folder: `01-Activations/ReLU.swift`.
    public var path: String { "\(chapter)/\(file)" }
    /// The chapter guide, which ends with the escalating hints: `Exercises/01-Activations/GUIDE.md`.
    public var guide: String { "Exercises/\(chapter)/GUIDE.md" }

    public var description: String { "\(id) (\(title), \(path))" }
}

/// How an exercise's points are earned from its tests.
public enum Credit: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every test must pass (the default).
    case allOrNothing = "all-or-nothing"
    /// Each passing test earns its share: points × passed / tests.
    case perTest = "per-test"
}

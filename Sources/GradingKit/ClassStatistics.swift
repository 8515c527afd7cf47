// The numbers of the class report, computed from a batch output folder (see `BatchFolder`):
// the spread of the totals, and per exercise how many submissions finished it, failed it or never
// started it, with the most frequent reasons for failing.
import Foundation

/// How the totals of a class spread.
public struct ScoreDistribution: Sendable, Hashable {
    public var count: Int
    public var mean: Double
    public var median: Double
    public var minimum: Double
    public var maximum: Double
    /// The most points a submission could earn (the gradebook's `max`).
    public var possible: Double
    /// Submissions per tenth of `possible`: bin `i` holds totals in `[i, i + 1) · possible / 10`,
    /// the last bin also the full score.
    public var bins: [Int]

    public init(totals: [Double], possible: Double, binCount: Int = 10) {
        count = totals.count
        self.possible = possible
        let sorted = totals.sorted()
        mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
        if sorted.isEmpty {
            median = 0
        } else if sorted.count % 2 == 1 {
            median = sorted[sorted.count / 2]
        } else {
            median = (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        minimum = sorted.first ?? 0
        maximum = sorted.last ?? 0
        var bins = [Int](repeating: 0, count: binCount)
        for total in sorted {
            let fraction = possible > 0 ? total / possible : 0
            bins[min(binCount - 1, max(0, Int((fraction * Double(binCount)).rounded(.down))))] += 1
        }
        self.bins = bins
    }

    /// The lower and upper edge of bin `index`, in points.
    public func edges(_ index: Int) -> (Double, Double) {
        let width = possible / Double(bins.count)
        return (Double(index) * width, Double(index + 1) * width)
    }
}

/// One exercise over the class.
public struct ExerciseStatistics: Sendable, Hashable {
    public var id: String
    public var title: String
    public var chapter: String
    public var points: Double
    public var hidden: Bool
    /// Submissions counted (those with a report).
    public var submissions: Int
    /// How many submissions ended in each status.
    public var counts: [ExerciseStatus: Int]
    public var meanScore: Double
    /// The reasons for not earning the points, most frequent first, over failing, crashed and
    /// timed-out results (a stub not started and a build that failed are counted in `counts`).
    public var reasons: [(reason: FailureReason, count: Int)]

    public func count(_ status: ExerciseStatus) -> Int { counts[status] ?? 0 }

    /// Failing, crashed or timed out: written (or tried) but not earning the points.
    public var failed: Int { count(.failing) + count(.crashed) + count(.timedOut) }
    public var notStarted: Int { count(.notStarted) }
    public var done: Int { count(.done) }
    /// Not built, no tests: nothing could be said of the exercise itself.
    public var ungraded: Int { count(.notBuilt) + count(.noTests) }

    public func share(_ count: Int) -> Double { submissions == 0 ? 0 : Double(count) / Double(submissions) }

    /// Failing only because another exercise it calls is not done or stopped ("needs ReLU1 first").
    public var blocked: Int { reasons.first { $0.reason == .kind(.needsAnother) }?.count ?? 0 }

    /// Of the submissions that tried the exercise (done, or failed by its own code), the share that
    /// failed: what "hard" means here, so neither an exercise nobody reached nor one that waits for
    /// another exercise looks hard.
    public var failureRate: Double {
        let own = failed - blocked
        return done + own == 0 ? 0 : Double(own) / Double(done + own)
    }

    public static func == (a: ExerciseStatistics, b: ExerciseStatistics) -> Bool {
        a.id == b.id && a.counts == b.counts && a.meanScore == b.meanScore
            && a.reasons.map(\.reason) == b.reasons.map(\.reason) && a.reasons.map(\.count) == b.reasons.map(\.count)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

/// A submission that did not build, could not be staged, ran out of time or had files refused.
public struct SubmissionProblem: Sendable, Hashable {
    public var submission: String
    /// The gradebook's status (`not built`, `time limit`, `graded`, …).
    public var status: String
    /// What went wrong, in the grader's words (the compiler's first error, the refusal).
    public var reason: String
}

public struct ClassStatistics: Sendable {
    public var distribution: ScoreDistribution
    /// Every exercise of the gradebook, chapters in curriculum order, each chapter's exercises
    /// hardest first (see `ExerciseStatistics.failureRate`).
    public var exercises: [ExerciseStatistics]
    public var problems: [SubmissionProblem]
    public var settings: BatchSettings?
    /// Rows whose report could not be read (left out of the per-exercise numbers).
    public var unreadable: [(submission: String, problem: String)]

    /// The chapters in order, with their exercises.
    public var chapters: [(chapter: String, exercises: [ExerciseStatistics])] {
        var order: [String] = []
        for exercise in exercises where !order.contains(exercise.chapter) { order.append(exercise.chapter) }
        return order.map { chapter in (chapter, exercises.filter { $0.chapter == chapter }) }
    }

    /// The exercises the class failed most, across chapters: at least one failure of the exercise's
    /// own code, hardest first.
    public func hardest(_ limit: Int = 5) -> [ExerciseStatistics] {
        Array(exercises.filter { $0.failed > $0.blocked }.sorted(by: Self.harder).prefix(limit))
    }

    /// Harder first: a larger share of those who tried failed; then more failures; then the
    /// curriculum's order (a stable tie-break, so the report is the same on every run).
    static func harder(_ a: ExerciseStatistics, _ b: ExerciseStatistics) -> Bool {
        if a.failureRate != b.failureRate { return a.failureRate > b.failureRate }
        if a.failed - a.blocked != b.failed - b.blocked { return a.failed - a.blocked > b.failed - b.blocked }
        if a.done != b.done { return a.done < b.done }
        return false
    }

    /// The statistics of a batch folder. `curriculum` gives the chapters and the order; an
    /// exercise of the gradebook it does not know is put in a chapter of its own.
    public init(_ folder: BatchFolder, curriculum: Curriculum?) {
        settings = folder.settings
        let rows = folder.submissions
        distribution = ScoreDistribution(totals: rows.map(\.total), possible: rows.map(\.maxScore).max() ?? 0)
        let readable = rows.filter { $0.reportProblem == nil }
        unreadable = rows.compactMap { row in row.reportProblem.map { (row.name, $0) } }
        var ids = folder.exerciseIDs
        for row in readable { for exercise in row.exercises where !ids.contains(exercise.id) { ids.append(exercise.id) } }
        let position = Dictionary(uniqueKeysWithValues: (curriculum?.exercises ?? []).enumerated().map { ($1.id, $0) })
        let chapterOrder = curriculum?.chapters ?? []
        var all: [ExerciseStatistics] = []
        for id in ids {
            let results = readable.compactMap { row in row.exercises.first { $0.id == id } }
            let known = curriculum?.exercise(id)
            var counts: [ExerciseStatus: Int] = [:]
            var reasons: [FailureReason: Int] = [:]
            for result in results {
                counts[result.status, default: 0] += 1
                if [.failing, .crashed, .timedOut].contains(result.status), let reason = FailureReason.of(result) {
                    reasons[reason, default: 0] += 1
                }
            }
            let sample = results.first
            all.append(ExerciseStatistics(
                id: id, title: known?.title ?? sample?.title ?? id, chapter: known?.chapter ?? "other exercises",
                points: known.map { Double($0.points) } ?? sample?.points ?? 0, hidden: known?.hidden ?? sample?.hidden ?? false,
                submissions: results.count, counts: counts,
                meanScore: results.isEmpty ? 0 : results.reduce(0) { $0 + $1.score } / Double(results.count),
                reasons: reasons.map { ($0.key, $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.reason < $1.reason }))
        }
        let original = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        func chapterRank(_ chapter: String) -> Int { chapterOrder.firstIndex(of: chapter) ?? chapterOrder.count }
        exercises = all.sorted { a, b in
            if a.chapter != b.chapter { return chapterRank(a.chapter) != chapterRank(b.chapter) ? chapterRank(a.chapter) < chapterRank(b.chapter) : a.chapter < b.chapter }
            if Self.harder(a, b) { return true }
            if Self.harder(b, a) { return false }
            return (position[a.id] ?? original[a.id] ?? 0) < (position[b.id] ?? original[b.id] ?? 0)
        }
        problems = rows.compactMap { row in
            let refused = row.note.components(separatedBy: "; ").filter { $0.hasPrefix("refused") || $0.contains("limit") }
            if row.status != "graded" || row.buildError != nil {
                let fallback = row.status == "time limit" ? "the submission's grading reached its time limit (--time-limit)" : row.status
                return SubmissionProblem(submission: row.name, status: row.status,
                                         reason: row.buildError ?? (row.note.isEmpty ? fallback : row.note))
            }
            if !refused.isEmpty {
                return SubmissionProblem(submission: row.name, status: row.status, reason: refused.joined(separator: "; "))
            }
            return nil
        }
    }
}

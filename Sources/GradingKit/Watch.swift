// `workbook watch`: grade everything once, then re-grade the exercises of each file in
// `Exercises/` as soon as it is saved (after a compile fix, those of the files saved since the
// last build that worked), showing progress (k of n exercises done). It polls the
// files' modification times (no packages, no file-system events API needed).
import Foundation

/// The modification times of the Swift files under a folder, and what changed between two looks.
public struct FileSnapshot: Sendable, Equatable {
    public var times: [String: Date]

    public init(times: [String: Date]) { self.times = times }

    public static func take(_ folder: URL) -> FileSnapshot {
        var times: [String: Date] = [:]
        for relative in (try? FileTree.files(under: folder)) ?? [] where relative.hasSuffix(".swift") {
            let attributes = try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(relative).path)
            times[relative] = attributes?[.modificationDate] as? Date ?? .distantPast
        }
        return FileSnapshot(times: times)
    }

    /// Files added, removed or modified since `earlier`, sorted.
    public func changes(since earlier: FileSnapshot) -> [String] {
        let keys = Set(times.keys).union(earlier.times.keys)
        return keys.filter { times[$0] != earlier.times[$0] }.sorted()
    }
}

public enum Watch {
    /// The exercises to re-grade after `changed` files: those whose stub lives in them, or all of
    /// them when a file no exercise names was touched (a helper every exercise may use).
    public static func exercises(toRegrade changed: [String], in curriculum: Curriculum) -> [String] {
        var ids: [String] = []
        for path in changed {
            let owned = curriculum.exercises(inFile: path)
            if owned.isEmpty { return curriculum.exercises.map(\.id) }
            ids += owned.map(\.id)
        }
        return ids
    }

    /// What to re-grade after a save, and the files to remember for the next one.
    ///
    /// After a build that failed, the files saved since the last build that worked are re-graded
    /// with the new ones: a compile fix re-grades the exercises whose files changed meanwhile, not all
    /// of them (the others' results still stand: their files did not change). Until a build has
    /// worked once there is nothing to keep, and everything is graded.
    public static func plan(changed: [String], sinceLastBuild pending: [String], everBuilt: Bool,
                            in curriculum: Curriculum) -> (ids: [String], files: [String]) {
        let files = Array(Set(changed + pending)).sorted()
        guard everBuilt else { return (curriculum.exercises.map(\.id), files) }
        var ids: [String] = []
        for id in exercises(toRegrade: files, in: curriculum) where !ids.contains(id) { ids.append(id) }
        return (ids, files)
    }

    /// Folds a partial report (some exercises re-graded) into the full one.
    public static func merge(_ partial: GradeReport, into full: GradeReport) -> GradeReport {
        var merged = full
        if partial.buildError != nil {
            // The build broke: every re-graded exercise is "not built" until it compiles again.
            for result in partial.results {
                if let index = merged.results.firstIndex(where: { $0.exercise.id == result.exercise.id }) {
                    merged.results[index] = result
                }
            }
            merged.buildError = partial.buildError
            return merged
        }
        merged.buildError = nil
        for result in partial.results {
            if let index = merged.results.firstIndex(where: { $0.exercise.id == result.exercise.id }) {
                merged.results[index] = result
            }
        }
        return merged
    }

    /// `Progress: 3 of 14 exercises done  [###.........]  21/60 points`
    public static func progressLine(_ report: GradeReport, width: Int = 30) -> String {
        let total = max(1, report.results.count)
        let filled = report.doneCount * width / total
        return "Progress: \(report.doneCount) of \(report.results.count) exercises done  ["
            + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            + "]  \(formatPoints(report.score))/\(report.maxScore) points"
    }

    /// The line shown the moment a save is noticed, before anything is built.
    public static func header(regrading ids: [String], changed: [String]) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        let shown = ids.count > 6 ? ids.prefix(6).joined(separator: ", ") + " and \(ids.count - 6) more" : ids.joined(separator: ", ")
        return "── \(formatter.string(from: Date())) · saved \(changed.joined(separator: ", ")) · grading \(shown) …\n"
    }

    /// What is shown after a re-grade: the re-graded exercises (the hint command once each, and what
    /// the code printed), then the progress line.
    public static func render(regraded ids: [String], report: GradeReport, changed: [String]) -> String {
        var lines: [String] = []
        if let error = report.buildError {
            lines.append("  ✘ does not compile: \(error)")
        } else {
            for id in ids {
                guard let result = report.result(id) else { continue }
                lines.append("  \(result.status.mark) \(id)  \(result.exercise.title): \(result.status.rawValue)"
                             + (result.totalTests > 0 ? " (\(result.passSummary))" : ""))
                if let message = result.message, result.status != .done {
                    let shown = message.split(whereSeparator: \.isNewline).prefix(4)
                    for line in shown { lines.append("      \(line)") }
                    if !shown.contains(where: { $0.contains("workbook hint") }) { lines.append("      hint: swift run workbook hint \(id)") }
                }
                if let printed = result.output {
                    lines.append("      your code printed:")
                    lines += printed.split(separator: "\n", omittingEmptySubsequences: false).prefix(4).map { "        │ \($0)" }
                }
            }
        }
        lines.append(progressLine(report))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Watches until interrupted (Ctrl-C).
    public static func run(workspace: Workspace, interval: Double, output: @escaping (String) -> Void) throws -> Never {
        let curriculum = try workspace.curriculum(includeHidden: false)
        let tamper = ReleaseManifest.tamperStatus(package: workspace.root)
        output("Watching Exercises/ (every \(interval) s; Ctrl-C stops). Grading everything once…\n")
        var report = try workspace.grade(GradeRequest(), curriculum: curriculum, tamper: tamper).report
        output(Scorecard.render(report, title: "Exercises/"))
        output(progressLine(report) + "\n")
        var snapshot = FileSnapshot.take(workspace.exercises)
        var everBuilt = report.buildError == nil
        var sinceLastBuild: [String] = []
        while true {
            usleep(UInt32(interval * 1_000_000))
            let now = FileSnapshot.take(workspace.exercises)
            let changed = now.changes(since: snapshot)
            guard !changed.isEmpty else { continue }
            // Editors often write a file in several steps; let it settle before building.
            usleep(200_000)
            snapshot = FileSnapshot.take(workspace.exercises)
            let (ids, files) = plan(changed: changed, sinceLastBuild: sinceLastBuild, everBuilt: everBuilt, in: curriculum)
            output(header(regrading: ids, changed: changed))
            let ticker = Ticker(output: output)
            let partial = try workspace.grade(GradeRequest(only: ids), curriculum: curriculum, tamper: tamper).report
            ticker.stop()
            report = merge(partial, into: report)
            if partial.buildError == nil { everBuilt = true; sinceLastBuild = [] } else { sinceLastBuild = files }
            output(render(regraded: ids, report: report, changed: changed))
        }
    }
}

/// On a terminal, the seconds spent grading, rewritten in place once a second until `stop()`.
final class Ticker: @unchecked Sendable {
    private let timer: DispatchSourceTimer?
    private let start = Date()
    private let output: (String) -> Void

    init(output: @escaping (String) -> Void) {
        self.output = output
        guard isatty(1) != 0 else { timer = nil; return }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        self.timer = timer
        timer.schedule(deadline: .now() + 1, repeating: 1)
        let start = self.start
        nonisolated(unsafe) let write = output
        timer.setEventHandler { write("\r  grading… \(Int(Date().timeIntervalSince(start))) s ") }
        timer.resume()
    }

    func stop() {
        guard let timer else { return }
        timer.cancel()
        output("\r\u{1B}[K")
    }
}

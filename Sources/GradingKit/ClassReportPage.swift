// The class report as one HTML file: no script, no font or image from the network, the charts
// inline SVG, a narrow layout for a phone (tables become cards under 640 px) and a print stylesheet.
// Every text taken from a report is escaped; the only texts taken from test messages are the
// misconception sentences the instructor's tests write (see `FailureReason`).
import Foundation

public enum ClassReportPage {
    /// The statuses in the order the bars stack them, with their colours and legend words.
    static let segments: [(label: String, color: String, count: @Sendable (ExerciseStatistics) -> Int)] = [
        ("done", "#2e7d32", { $0.done }),
        ("failing", "#c62828", { $0.count(.failing) }),
        ("crashed or timed out", "#ef6c00", { $0.count(.crashed) + $0.count(.timedOut) }),
        ("not started", "#b0bec5", { $0.notStarted }),
        ("not built / no test ran", "#455a64", { $0.ungraded }),
    ]

    public static func html(_ statistics: ClassStatistics, title: String) -> String {
        let d = statistics.distribution
        var page = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Class report · \(escape(title))</title>
            <style>\(style)</style>
            </head>
            <body>
            <header>
            <h1>Class report</h1>
            <p class="meta">\(escape(title)) · \(d.count) submission\(d.count == 1 ? "" : "s") · \(settingsText(statistics.settings))</p>
            </header>
            <main>

            """
        page += scores(d)
        page += hardest(statistics)
        page += exercises(statistics)
        page += problems(statistics)
        page += """
            </main>
            <footer>
            <p>Written by <code>workbook batch</code>; rebuild it with <code>swift run workbook report \(escape(title))</code>.
            The same numbers per exercise are in <code>class-report.csv</code>.
            Reasons are the misconception a test names, else the kind of failure: no test's inputs or expected
            values and nothing a student wrote or printed appear here. Each submission counts once per exercise,
            with the first failing test's reason.</p>
            </footer>
            </body>
            </html>

            """
        return page
    }

    static func settingsText(_ settings: BatchSettings?) -> String {
        guard let settings else { return "seed and credit rule not recorded (no \(BatchSettings.fileName) in the folder)" }
        let seed = settings.seed.map { "grading seed \($0)" } ?? "no grading seed (the tests' own inputs)"
        return "\(seed) · credit \(escape(settings.credit)) where an exercise sets none"
    }

    static func scores(_ d: ScoreDistribution) -> String {
        var text = """
            <section id="scores">
            <h2>Scores</h2>
            <dl class="figures">
            <div><dt>submissions</dt><dd>\(d.count)</dd></div>
            <div><dt>mean</dt><dd>\(points(d.mean))</dd></div>
            <div><dt>median</dt><dd>\(points(d.median))</dd></div>
            <div><dt>lowest</dt><dd>\(points(d.minimum))</dd></div>
            <div><dt>highest</dt><dd>\(points(d.maximum))</dd></div>
            <div><dt>possible</dt><dd>\(points(d.possible))</dd></div>
            </dl>

            """
        // The histogram: one bar per tenth of the possible points, its count above it.
        let (width, height, left, bottom, top) = (600.0, 220.0, 30.0, 40.0, 20.0)
        let plotHeight = height - bottom - top
        let tallest = max(1, d.bins.max() ?? 1)
        let slot = (width - left) / Double(d.bins.count)
        text += "<svg class=\"histogram\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"Histogram of the totals\">\n"
        text += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width)\" y2=\"\(height - bottom)\" class=\"axis\"/>\n"
        for (index, count) in d.bins.enumerated() {
            let barHeight = plotHeight * Double(count) / Double(tallest)
            let x = left + Double(index) * slot + 3
            let y = height - bottom - barHeight
            let (low, high) = d.edges(index)
            let range = "\(points(low))–\(points(high))"
            let tick = "\(index * 100 / d.bins.count)–\((index + 1) * 100 / d.bins.count)"
            text += "<g><title>\(range) points: \(count) submission\(count == 1 ? "" : "s")</title>"
            text += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(slot - 6))\" height=\"\(fmt(barHeight))\" class=\"bar\"/>"
            text += "<text x=\"\(fmt(x + (slot - 6) / 2))\" y=\"\(fmt(y - 5))\" class=\"count\">\(count)</text>"
            text += "<text x=\"\(fmt(x + (slot - 6) / 2))\" y=\"\(fmt(height - bottom + 16))\" class=\"tick\">\(tick)</text></g>\n"
        }
        text += "<text x=\"\(fmt(width))\" y=\"\(fmt(height - 6))\" class=\"label end\">% of the \(points(d.possible)) points</text>\n"
        text += "</svg>\n</section>\n"
        return text
    }

    static func hardest(_ statistics: ClassStatistics) -> String {
        let list = statistics.hardest()
        var text = "<section id=\"hardest\">\n<h2>Where the class struggles</h2>\n"
        if list.isEmpty {
            return text + "<p>No exercise was failed: every exercise tried was done.</p>\n</section>\n"
        }
        text += "<p class=\"explain\">The exercises with the largest share of failures among the submissions that tried them.</p>\n<ol>\n"
        for exercise in list {
            let tried = exercise.done + exercise.failed
            text += "<li><strong>\(escape(exercise.id))</strong> \(escape(exercise.title)) <span class=\"chapter\">\(escape(exercise.chapter))</span>: "
            text += "\(percent(exercise.failureRate)) of the \(tried) that tried failed"
            if let top = exercise.reasons.first {
                text += ", most often: <span class=\"\(top.reason.isMisconception ? "misconception" : "kind")\">\(escape(top.reason.text))</span> (\(top.count))"
            }
            text += "</li>\n"
        }
        return text + "</ol>\n</section>\n"
    }

    static func exercises(_ statistics: ClassStatistics) -> String {
        var text = "<section id=\"exercises\">\n<h2>Exercises by chapter</h2>\n<p class=\"legend\">"
        text += segments.map { "<span><i style=\"background:\($0.color)\"></i>\($0.label)</span>" }.joined(separator: " ")
        text += "</p>\n<p class=\"explain\">Within a chapter the hardest come first: the largest share of failures among those who tried.</p>\n"
        for (chapter, exercises) in statistics.chapters {
            text += "<h3>\(escape(chapter))</h3>\n<table class=\"exercises\">\n<colgroup><col class=\"c-name\"><col class=\"c-bar\"><col class=\"c-num\"><col class=\"c-num\"><col class=\"c-num\"><col class=\"c-num\"><col class=\"c-reasons\"></colgroup>\n<thead><tr><th>exercise</th><th>class</th><th>done</th><th>failing</th><th>not started</th><th>mean</th><th>most frequent reasons</th></tr></thead>\n<tbody>\n"
            for exercise in exercises {
                text += "<tr>"
                text += "<td class=\"name\"><strong>\(escape(exercise.id))</strong> \(escape(exercise.title))\(exercise.hidden ? " <em>(hidden)</em>" : "")</td>"
                text += "<td class=\"bar\" data-label=\"class\">\(stackedBar(exercise))</td>"
                text += "<td data-label=\"done\">\(percent(exercise.share(exercise.done))) <small>(\(exercise.done))</small></td>"
                text += "<td data-label=\"failing\">\(percent(exercise.share(exercise.failed))) <small>(\(exercise.failed))</small></td>"
                text += "<td data-label=\"not started\">\(percent(exercise.share(exercise.notStarted))) <small>(\(exercise.notStarted))</small></td>"
                text += "<td data-label=\"mean\">\(points(exercise.meanScore))/\(points(exercise.points))</td>"
                text += exercise.reasons.isEmpty ? "<td class=\"reasons empty\" data-label=\"reasons\">" : "<td class=\"reasons\" data-label=\"reasons\">"
                if exercise.reasons.isEmpty {
                    text += "<span class=\"none\">—</span>"
                } else {
                    text += "<ul>" + exercise.reasons.prefix(3).map { reason, count in
                        "<li><b>\(count)×</b> <span class=\"\(reason.isMisconception ? "misconception" : "kind")\">\(escape(reason.text))</span></li>"
                    }.joined() + (exercise.reasons.count > 3 ? "<li class=\"more\">and \(exercise.reasons.count - 3) more (see the CSV)</li>" : "") + "</ul>"
                }
                text += "</td></tr>\n"
            }
            text += "</tbody>\n</table>\n"
        }
        return text + "</section>\n"
    }

    static func stackedBar(_ exercise: ExerciseStatistics) -> String {
        var text = "<svg class=\"stack\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\""
        text += segments.map { "\($0.label) \($0.count(exercise))" }.joined(separator: ", ") + "\">"
        var x = 0.0
        for segment in segments {
            let width = 100 * exercise.share(segment.count(exercise))
            guard width > 0 else { continue }
            text += "<rect x=\"\(fmt(x))\" y=\"0\" width=\"\(fmt(width))\" height=\"10\" fill=\"\(segment.color)\"><title>\(segment.label): \(segment.count(exercise))</title></rect>"
            x += width
        }
        return text + "</svg>"
    }

    static func problems(_ statistics: ClassStatistics) -> String {
        var text = "<section id=\"problems\">\n<h2>Submissions that did not build or were refused</h2>\n"
        if statistics.problems.isEmpty && statistics.unreadable.isEmpty {
            return text + "<p>Every submission built and was graded in full.</p>\n</section>\n"
        }
        text += "<table class=\"problems\">\n<thead><tr><th>submission</th><th>status</th><th>reason</th></tr></thead>\n<tbody>\n"
        for problem in statistics.problems {
            text += "<tr><td class=\"name\">\(escape(problem.submission))</td><td data-label=\"status\">\(escape(problem.status))</td>"
            text += "<td data-label=\"reason\"><code>\(escape(ClassReportCSV.cut(problem.reason, 300)))</code></td></tr>\n"
        }
        for (submission, problem) in statistics.unreadable {
            text += "<tr><td class=\"name\">\(escape(submission))</td><td data-label=\"status\">no report</td>"
            text += "<td data-label=\"reason\">left out of the per-exercise numbers: \(escape(problem))</td></tr>\n"
        }
        return text + "</tbody>\n</table>\n</section>\n"
    }

    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    static func points(_ value: Double) -> String { formatPoints((value * 100).rounded() / 100) }
    static func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }
    static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

    static let style = """

        :root { color-scheme: light; --ink: #1d2329; --muted: #5f6b76; --line: #d5dbe0; --accent: #1565c0; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
        header { padding: 20px 24px 12px; border-bottom: 3px solid var(--accent); }
        h1 { margin: 0 0 4px; font-size: 26px; }
        h2 { font-size: 20px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
        h3 { font-size: 16px; margin: 20px 0 6px; color: var(--accent); }
        main { padding: 0 24px 24px; max-width: 1180px; }
        .meta, .explain, footer { color: var(--muted); }
        footer { padding: 8px 24px 24px; font-size: 13px; max-width: 1180px; }
        code { font: 13px/1.3 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; overflow-wrap: anywhere; }
        .figures { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 8px 0 12px; }
        .figures div { min-width: 90px; }
        .figures dt { color: var(--muted); font-size: 13px; }
        .figures dd { margin: 0; font-size: 22px; font-weight: 600; }
        svg.histogram { width: 100%; max-width: 640px; height: auto; display: block; }
        svg.histogram .bar { fill: var(--accent); }
        svg.histogram .axis { stroke: var(--muted); stroke-width: 1; }
        svg.histogram text { font-size: 12px; fill: var(--ink); text-anchor: middle; }
        svg.histogram text.tick { fill: var(--muted); font-size: 11px; }
        svg.histogram text.end { text-anchor: end; fill: var(--muted); }
        #hardest ol { padding-left: 22px; }
        #hardest li { margin: 4px 0; }
        .chapter { color: var(--muted); font-size: 13px; }
        .legend span { display: inline-block; margin-right: 14px; font-size: 13px; white-space: nowrap; }
        .legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; border-radius: 2px; }
        table { border-collapse: collapse; width: 100%; margin-bottom: 8px; }
        th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
        th { font-size: 12px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
        table.exercises { table-layout: fixed; }
        col.c-name { width: 25%; } col.c-bar { width: 15%; } col.c-num { width: 8.5%; } col.c-reasons { width: 26%; }
        td { overflow-wrap: anywhere; }
        svg.stack { width: 100%; height: 14px; display: block; margin-top: 4px; border-radius: 2px; background: #eceff1; }
        td small { color: var(--muted); }
        td.reasons ul { margin: 0; padding: 0; list-style: none; }
        td.reasons li { margin: 0 0 2px; }
        .misconception { color: #6a1b9a; font-style: italic; }
        .kind { color: var(--ink); }
        .none, .more { color: var(--muted); }
        @media (max-width: 640px) {
          body { font-size: 14px; }
          header, main, footer { padding-left: 12px; padding-right: 12px; }
          .figures dd { font-size: 18px; }
          table, thead, tbody, tr { display: block; width: 100%; }
          thead, colgroup { display: none; }
          table.exercises { table-layout: auto; }
          tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 8px; padding: 5px 8px; }
          /* A card: the name, the bar, the numbers on one line, the reasons. */
          td { display: inline-block; border: none; padding: 1px 12px 1px 0; width: auto; }
          td.name, td.bar, td.reasons, .problems td { display: block; width: 100%; padding-right: 0; }
          td.reasons.empty { display: none; }
          svg.stack { width: 100%; margin: 2px 0 3px; }
          td[data-label]::before { content: attr(data-label) " "; color: var(--muted); font-size: 12px; }
          td.bar::before, td.reasons::before { content: none; }
          svg.histogram text { font-size: 20px; }
          svg.histogram text.tick { font-size: 16px; }
        }
        @media print {
          body { font-size: 10pt; }
          header { border-bottom-width: 2px; padding: 0 0 6px; }
          main, footer { padding: 0; max-width: none; }
          h2 { break-after: avoid; margin-top: 16px; }
          h3 { break-after: avoid; }
          tr, li, .figures, svg { break-inside: avoid; }
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }

        """
}

import Foundation

/// A minimal line chart written as standalone SVG (no dependencies, opens in any browser).
public struct SVGPlot {
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(_ name: String, _ points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Plot x on a log₁₀ axis (learning rates, batch sizes).
    public var logX = false
    public var logY = false

    public init(title: String, xLabel: String, yLabel: String, series: [Series], logX: Bool = false, logY: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logX = logX
        self.logY = logY
    }

    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// The chart as a `<g>` of the given size, offset by (left, top), so several can share one file.
    func group(left: Double, top: Double, width: Double, height: Double) -> String {
        let margin = (left: 60.0, right: 210.0, top: 30.0, bottom: 45.0)
        let plotW = width - margin.left - margin.right, plotH = height - margin.top - margin.bottom
        func tx(_ x: Double) -> Double { logX ? log10(max(x, 1e-300)) : x }
        func ty(_ y: Double) -> Double { logY ? log10(max(y, 1e-300)) : y }
        let finite = series.flatMap(\.points).filter { tx($0.x).isFinite && ty($0.y).isFinite }
        var (x0, x1) = (finite.map { tx($0.x) }.min() ?? 0, finite.map { tx($0.x) }.max() ?? 1)
        var (y0, y1) = (finite.map { ty($0.y) }.min() ?? 0, finite.map { ty($0.y) }.max() ?? 1)
        if x1 - x0 < 1e-12 { x0 -= 0.5; x1 += 0.5 }
        if y1 - y0 < 1e-12 { y0 -= 0.5; y1 += 0.5 }
        if logY { let pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad }
        // Linear axes get "nice" ticks (1, 2 or 5 times a power of ten) and are widened to whole
        // ticks; log axes keep four even divisions of their decades.
        let xTicks = logX ? Self.evenTicks(x0, x1) : Self.niceTicks(&x0, &x1)
        let yTicks = logY ? Self.evenTicks(y0, y1) : Self.niceTicks(&y0, &y1)
        func px(_ x: Double) -> Double { left + margin.left + (tx(x) - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double { top + margin.top + (1 - (min(max(ty(y), y0), y1) - y0) / (y1 - y0)) * plotH }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func label(_ v: Double, log: Bool, step: Double) -> String {
            if log {
                let value = pow(10, v)
                return abs(value) >= 1000 || (abs(value) < 0.01 && value != 0) ? String(format: "%.0e", value) : String(format: "%.3g", value)
            }
            if abs(v) < step * 1e-9 { return "0" }
            let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
            return abs(v) >= 1e5 ? String(format: "%.2e", v) : String(format: "%.\(decimals)f", v)
        }
        var s = "<g font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<text x=\"\(f(left + width / 2))\" y=\"\(f(top + 18))\" text-anchor=\"middle\" font-size=\"14\">\(escape(title))</text>\n"
        s += "<rect x=\"\(f(left + margin.left))\" y=\"\(f(top + margin.top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#888\"/>\n"
        let xStep = xTicks.count > 1 ? xTicks[1] - xTicks[0] : 1
        for v in xTicks {
            let x = left + margin.left + (v - x0) / (x1 - x0) * plotW
            s += "<text x=\"\(f(x))\" y=\"\(f(top + margin.top + plotH + 15))\" text-anchor=\"middle\">\(label(v, log: logX, step: xStep))</text>\n"
        }
        let yStep = yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1
        for w in yTicks {
            let y = top + margin.top + plotH * (1 - (w - y0) / (y1 - y0))
            s += "<text x=\"\(f(left + margin.left - 5))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(label(w, log: logY, step: yStep))</text>\n"
            s += "<line x1=\"\(f(left + margin.left))\" y1=\"\(f(y))\" x2=\"\(f(left + margin.left + plotW))\" y2=\"\(f(y))\" stroke=\"#eee\"/>\n"
        }
        s += "<text x=\"\(f(left + margin.left + plotW / 2))\" y=\"\(f(top + height - 8))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        s += "<text transform=\"translate(\(f(left + 14)),\(f(top + margin.top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        for (index, line) in series.enumerated() {
            let color = Self.colors[index % Self.colors.count]
            let points = line.points.filter { tx($0.x).isFinite && ty($0.y).isFinite }
            let path = points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\" points=\"\(path)\"/>\n"
            for p in points where points.count <= 30 {
                s += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"2.5\" fill=\"\(color)\"/>\n"
            }
            let ly = top + margin.top + 12 + Double(index) * 16
            s += "<line x1=\"\(f(left + width - margin.right + 8))\" y1=\"\(f(ly - 4))\" x2=\"\(f(left + width - margin.right + 24))\" y2=\"\(f(ly - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            s += "<text x=\"\(f(left + width - margin.right + 28))\" y=\"\(f(ly))\">\(escape(line.name))</text>\n"
        }
        return s + "</g>\n"
    }

    /// Ticks at 1, 2 or 5 times a power of ten, about five of them; widens `lower...upper` to whole ticks.
    static func niceTicks(_ lower: inout Double, _ upper: inout Double) -> [Double] {
        let rough = (upper - lower) / 5
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        lower = floor(lower / step + 1e-9) * step
        upper = ceil(upper / step - 1e-9) * step
        let count = Int(((upper - lower) / step).rounded())
        return (0...max(count, 1)).map { lower + Double($0) * step }
    }

    /// Five evenly spaced ticks (for log axes, in decades).
    static func evenTicks(_ lower: Double, _ upper: Double) -> [Double] {
        (0...4).map { lower + (upper - lower) * Double($0) / 4 }
    }

    /// One chart as a complete SVG document.
    public func svg(width: Double = 720, height: Double = 400) -> String {
        SVGPlot.document([self], width: width, height: height)
    }

    /// Several charts side by side in one SVG document.
    public static func document(_ plots: [SVGPlot], width: Double = 720, height: Double = 400) -> String {
        let total = width * Double(plots.count)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(total))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(total)) \(Int(height))\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        for (i, plot) in plots.enumerated() {
            s += plot.group(left: width * Double(i), top: 0, width: width, height: height)
        }
        return s + "</svg>\n"
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

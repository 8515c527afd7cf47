import Foundation
import WorkbookCore

/// Small images (weights, filters, activation maps) laid out in a grid, as standalone SVG.
///
/// Each image is scaled on its own: a `.diverging` image maps −m…0…m to blue…white…red with m its
/// largest magnitude (weights and filters, where the sign matters); a `.sequential` image maps its
/// minimum…maximum to white…black (activation maps, which a ReLU keeps non-negative).
public struct ImageGrid {
    public enum Scale { case diverging, sequential }

    public struct Image {
        public var caption: String
        /// Rows of pixels, all of one width.
        public var pixels: [[Double]]
        public init(_ caption: String, _ pixels: [[Double]]) {
            self.caption = caption
            self.pixels = pixels
        }
    }

    public var title: String
    public var images: [Image]
    public var scale: Scale
    public var columns: Int
    /// The side of one pixel, in SVG units.
    public var pixelSize: Double

    public init(title: String, images: [Image], scale: Scale, columns: Int = 8, pixelSize: Double = 8) {
        self.title = title
        self.images = images
        self.scale = scale
        self.columns = max(columns, 1)
        self.pixelSize = pixelSize
    }

    static func color(_ value: Double, scale: Scale, low: Double, high: Double) -> String {
        func hex(_ x: Double) -> String { String(format: "%02x", Int((max(0, min(1, x)) * 255).rounded())) }
        switch scale {
        case .diverging:
            let m = max(abs(low), abs(high))
            let t = m > 0 ? value / m : 0                      // −1 … 1
            let fade = 1 - abs(t)
            return t >= 0 ? "#ff\(hex(fade))\(hex(fade))" : "#\(hex(fade))\(hex(fade))ff"
        case .sequential:
            let t = high > low ? (value - low) / (high - low) : 0
            let g = hex(1 - t)
            return "#\(g)\(g)\(g)"
        }
    }

    public func svg() -> String {
        let height = images.map(\.pixels.count).max() ?? 0
        let width = images.map { $0.pixels.first?.count ?? 0 }.max() ?? 0
        let cellW = Double(width) * pixelSize + 12, cellH = Double(height) * pixelSize + 26
        let rows = (images.count + columns - 1) / columns
        let totalW = max(Double(min(images.count, columns)) * cellW + 12, Double(title.count) * 7 + 12), totalH = Double(rows) * cellH + 36
        var out = [String(format: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">",
                          totalW, totalH, totalW, totalH),
                   "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
                   "<text x=\"6\" y=\"18\" font-size=\"13\">\(escape(title))</text>"]
        for (index, image) in images.enumerated() {
            let x0 = 6 + Double(index % columns) * cellW, y0 = 30 + Double(index / columns) * cellH
            let values = image.pixels.joined()
            let (low, high) = (values.min() ?? 0, values.max() ?? 0)
            out.append(String(format: "<g class=\"image\" transform=\"translate(%.1f %.1f)\">", x0, y0))
            for (r, row) in image.pixels.enumerated() {
                for (c, value) in row.enumerated() {
                    out.append(String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\"/>",
                                      Double(c) * pixelSize, Double(r) * pixelSize, pixelSize, pixelSize,
                                      Self.color(value, scale: scale, low: low, high: high)))
                }
            }
            out.append(String(format: "<rect width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#999\" stroke-width=\"0.5\"/>",
                              Double(row0Width(image)) * pixelSize, Double(image.pixels.count) * pixelSize))
            out.append(String(format: "<text x=\"0\" y=\"%.1f\" font-size=\"10\">%@</text>", Double(image.pixels.count) * pixelSize + 12, escape(image.caption)))
            out.append("</g>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    private func row0Width(_ image: Image) -> Int { image.pixels.first?.count ?? 0 }
    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

extension ImageGrid {
    /// The first dense layer's weights `[H·W, M]` as M images of `H x W` (for one-channel images):
    /// column m is what unit m looks for.
    static func denseWeights(_ weight: Tensor, imageShape: [Int], limit: Int = 32) throws -> ImageGrid {
        let (h, w) = (imageShape[0], imageShape[1])
        try requireShape(weight, [h * w, -1], "first-layer weights (one-channel \(h)x\(w) images)")
        let units = min(weight.shape[1], limit)
        let images = (0..<units).map { m in
            ImageGrid.Image("unit \(m)", (0..<h).map { r in (0..<w).map { c in weight[r * w + c, m] } })
        }
        return ImageGrid(title: "First dense layer: the weights into \(units) of \(weight.shape[1]) units, as \(h)x\(w) images (red +, blue −)",
                         images: images, scale: .diverging)
    }

    /// A convolution's weights `[K, K, C_in, C_out]` as C_out filters of `K x K` (summed over C_in).
    static func filters(_ weight: Tensor) throws -> ImageGrid {
        try requireShape(weight, [-1, -1, -1, -1], "convolution weights [K, K, C_in, C_out]")
        let (kh, kw, cin, cout) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        let images = (0..<cout).map { o in
            ImageGrid.Image("filter \(o)", (0..<kh).map { r in (0..<kw).map { c in (0..<cin).reduce(0.0) { $0 + weight[r, c, $1, o] } } })
        }
        return ImageGrid(title: "First convolution: \(cout) filters of \(kh)x\(kw)" + (cin > 1 ? " (summed over \(cin) input channels)" : "") + " (red +, blue −)",
                         images: images, scale: .diverging, pixelSize: 16)
    }

    /// Activation maps `[N, H, W, C]`: for each of the N examples, its input and its C maps.
    static func activationMaps(inputs: Tensor, maps: Tensor, imageShape: [Int]) throws -> ImageGrid {
        try requireShape(maps, [inputs.shape[0], -1, -1, -1], "activation maps [N, H, W, C]")
        let (n, h, w, c) = (maps.shape[0], maps.shape[1], maps.shape[2], maps.shape[3])
        let (ih, iw) = (imageShape[0], imageShape[1])
        var images: [ImageGrid.Image] = []
        for example in 0..<n {
            images.append(.init("input \(example)", (0..<ih).map { r in (0..<iw).map { col in inputs[example, r * iw + col] } }))
            for channel in 0..<c {
                images.append(.init("map \(channel)", (0..<h).map { r in (0..<w).map { col in maps[example, r, col, channel] } }))
            }
        }
        return ImageGrid(title: "Activation maps after the first convolution and ReLU, for \(n) test images (each row: the input, then its \(c) maps; dark = large)",
                         images: images, scale: .sequential, columns: c + 1, pixelSize: 10)
    }
}

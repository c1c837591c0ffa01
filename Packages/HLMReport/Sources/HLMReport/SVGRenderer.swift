import Foundation

/// Draws a ``Figure`` as one standalone SVG file (valid XML, no external resources): the panels stacked,
/// each with axes, ticks, labels, points, intervals, arrows and its reference line. Sized for a one-column
/// figure (320 px wide a panel, 12 px text).
public struct SVGRenderer: Sendable {
    public var panelWidth = 320.0
    public var panelHeight = 240.0

    public init() {}

    public func render(_ figure: Figure) -> String {
        let margin = (left: 62.0, right: 14.0, top: 26.0, bottom: 40.0)
        let heights = figure.panels.map { panel in panel.yCategories.isEmpty ? panelHeight : max(panelHeight, 11 * Double(panel.yCategories.count) + 20) }
        let width = margin.left + panelWidth + margin.right
        let total = heights.reduce(0) { $0 + $1 + margin.top + margin.bottom } + 24
        var body: [String] = []
        body.append("<text x=\"\(fmt(width / 2))\" y=\"16\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">\(Self.escape(figure.title))</text>")
        var top = 24.0
        for (panel, height) in zip(figure.panels, heights) {
            let x0 = margin.left, y0 = top + margin.top
            let xs = AxisScale(panel.points.map(\.x) + panel.intervals.flatMap { [$0.low, $0.high] } + (panel.arrows + panel.segments).flatMap { [$0.from.x, $0.to.x] })
            let categorical = !panel.yCategories.isEmpty
            let ys = categorical ? AxisScale([-0.5, Double(panel.yCategories.count) - 0.5])
                : AxisScale(panel.points.map(\.y) + (panel.arrows + panel.segments).flatMap { [$0.from.y, $0.to.y] })
            func px(_ x: Double) -> Double { x0 + xs.fraction(x) * panelWidth }
            func py(_ y: Double) -> Double { y0 + (1 - ys.fraction(y)) * height }
            body.append("<g>")
            body.append("<text x=\"\(fmt(x0 + panelWidth / 2))\" y=\"\(fmt(y0 - 8))\" text-anchor=\"middle\" font-size=\"12\">\(Self.escape(panel.title))</text>")
            body.append("<rect x=\"\(fmt(x0))\" y=\"\(fmt(y0))\" width=\"\(fmt(panelWidth))\" height=\"\(fmt(height))\" fill=\"none\" stroke=\"#444\"/>")
            for tick in xs.ticks {
                body.append("<line x1=\"\(fmt(px(tick)))\" y1=\"\(fmt(y0 + height))\" x2=\"\(fmt(px(tick)))\" y2=\"\(fmt(y0 + height + 4))\" stroke=\"#444\"/>")
                body.append("<text x=\"\(fmt(px(tick)))\" y=\"\(fmt(y0 + height + 15))\" text-anchor=\"middle\" font-size=\"10\">\(AxisScale.label(tick))</text>")
            }
            if categorical {
                let every = max(1, panel.yCategories.count / 40)
                for (k, name) in panel.yCategories.enumerated() where k % every == 0 {
                    body.append("<text x=\"\(fmt(x0 - 4))\" y=\"\(fmt(py(Double(k)) + 3))\" text-anchor=\"end\" font-size=\"8\">\(Self.escape(name))</text>")
                }
            } else {
                for tick in ys.ticks {
                    body.append("<line x1=\"\(fmt(x0 - 4))\" y1=\"\(fmt(py(tick)))\" x2=\"\(fmt(x0))\" y2=\"\(fmt(py(tick)))\" stroke=\"#444\"/>")
                    body.append("<text x=\"\(fmt(x0 - 6))\" y=\"\(fmt(py(tick) + 3))\" text-anchor=\"end\" font-size=\"10\">\(AxisScale.label(tick))</text>")
                }
            }
            body.append(Self.label(panel.xLabel, x: x0 + panelWidth / 2, y: y0 + height + 30, room: panelWidth, rotated: false))
            body.append(Self.label(panel.yLabel, x: 14, y: y0 + height / 2, room: height, rotated: true))
            if let line = panel.line {
                let a = xs.low, b = xs.high
                body.append("<line x1=\"\(fmt(px(a)))\" y1=\"\(fmt(py(line.intercept + line.slope * a)))\" x2=\"\(fmt(px(b)))\" y2=\"\(fmt(py(line.intercept + line.slope * b)))\" stroke=\"#c33\" stroke-dasharray=\"4 3\"/>")
            }
            if categorical {
                body.append("<line x1=\"\(fmt(px(0)))\" y1=\"\(fmt(y0))\" x2=\"\(fmt(px(0)))\" y2=\"\(fmt(y0 + height))\" stroke=\"#c33\" stroke-dasharray=\"4 3\"/>")
            }
            for interval in panel.intervals {
                body.append("<line x1=\"\(fmt(px(interval.low)))\" y1=\"\(fmt(py(interval.y)))\" x2=\"\(fmt(px(interval.high)))\" y2=\"\(fmt(py(interval.y)))\" stroke=\"#36c\"/>")
            }
            for arrow in panel.arrows {
                body.append("<line x1=\"\(fmt(px(arrow.from.x)))\" y1=\"\(fmt(py(arrow.from.y)))\" x2=\"\(fmt(px(arrow.to.x)))\" y2=\"\(fmt(py(arrow.to.y)))\" stroke=\"#888\" marker-end=\"url(#arrow)\"/>")
            }
            let radius = panel.points.count > 2000 ? 1.0 : 2.2
            let faint = !panel.segments.isEmpty
            for segment in panel.segments {
                body.append("<line x1=\"\(fmt(px(segment.from.x)))\" y1=\"\(fmt(py(segment.from.y)))\" x2=\"\(fmt(px(segment.to.x)))\" y2=\"\(fmt(py(segment.to.y)))\" stroke=\"#36c\" stroke-width=\"0.8\"/>")
            }
            for point in panel.points {
                body.append("<circle cx=\"\(fmt(px(point.x)))\" cy=\"\(fmt(py(point.y)))\" r=\"\(radius)\" fill=\"#123\"\(faint ? " fill-opacity=\"0.25\"" : "")/>")
            }
            body.append("</g>")
            top += height + margin.top + margin.bottom
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(fmt(width))" height="\(fmt(total))" viewBox="0 0 \(fmt(width)) \(fmt(total))" font-family="Helvetica, Arial, sans-serif">
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="#888"/></marker></defs>
            \(body.joined(separator: "\n"))
            </svg>

            """
    }

    func fmt(_ x: Double) -> String { String(format: "%.1f", x) }

    /// An axis label that fits its side: 12 px text, or two lines of 10 px when longer than the side holds
    /// (a codebook label), broken at the space nearest the middle.
    static func label(_ text: String, x: Double, y: Double, room: Double, rotated: Bool) -> String {
        let transform = rotated ? "transform=\"translate(\(String(format: "%.1f", x)),\(String(format: "%.1f", y))) rotate(-90)\"" : "x=\"\(String(format: "%.1f", x))\" y=\"\(String(format: "%.1f", y))\""
        guard Double(text.count) * 6.5 > room, let cut = breakPoint(text) else {
            return "<text \(transform) text-anchor=\"middle\" font-size=\"12\">\(escape(text))</text>"
        }
        let first = String(text[..<cut]), second = String(text[text.index(after: cut)...])
        let anchor = rotated ? "x=\"0\"" : "x=\"\(String(format: "%.1f", x))\""
        return "<text \(transform) text-anchor=\"middle\" font-size=\"10\"><tspan \(anchor) dy=\"-0.3em\">\(escape(first))</tspan><tspan \(anchor) dy=\"1.1em\">\(escape(second))</tspan></text>"
    }

    /// The space nearest the middle of a text.
    static func breakPoint(_ text: String) -> String.Index? {
        let middle = text.count / 2
        return text.indices.filter { text[$0] == " " }.min { abs(text.distance(from: text.startIndex, to: $0) - middle) < abs(text.distance(from: text.startIndex, to: $1) - middle) }
    }

    /// XML's special characters in text.
    static func escape(_ text: String) -> String {
        var result = ""
        for c in text {
            switch c {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(c)
            }
        }
        return result
    }
}

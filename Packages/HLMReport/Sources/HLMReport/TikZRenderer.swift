import Foundation

/// Draws a ``Figure`` as TikZ with pgfplots: one `axis` per panel in a `groupplot`-free sequence of
/// `tikzpicture`s, for `\input` into a paper (needs `\usepackage{pgfplots}`).
public struct TikZRenderer: Sendable {
    public init() {}

    public func render(_ figure: Figure) -> String {
        var out: [String] = ["% \(figure.title): hlm plot; needs \\usepackage{pgfplots} (\\pgfplotsset{compat=1.16})"]
        for panel in figure.panels {
            out.append("\\begin{tikzpicture}")
            var options = ["width=8cm", "height=6cm", "title={\(LaTeXRenderer.escape(panel.title))}",
                           "xlabel={\(LaTeXRenderer.escape(panel.xLabel))}", "ylabel={\(LaTeXRenderer.escape(panel.yLabel))}"]
            if !panel.yCategories.isEmpty {
                let every = max(1, panel.yCategories.count / 40)
                let shown = panel.yCategories.indices.filter { $0 % every == 0 }
                options += ["ytick={\(shown.map(String.init).joined(separator: ","))}",
                            "yticklabels={\(shown.map { "{" + LaTeXRenderer.escape(panel.yCategories[$0]) + "}" }.joined(separator: ","))}",
                            "yticklabel style={font=\\tiny}", "height=\(max(6, Double(panel.yCategories.count) * 0.3))cm"]
            }
            out.append("\\begin{axis}[\(options.joined(separator: ", "))]")
            for interval in panel.intervals {
                out.append("\\draw[blue] (axis cs:\(n(interval.low)),\(n(interval.y))) -- (axis cs:\(n(interval.high)),\(n(interval.y)));")
            }
            for segment in panel.segments {
                out.append("\\draw[blue!70] (axis cs:\(n(segment.from.x)),\(n(segment.from.y))) -- (axis cs:\(n(segment.to.x)),\(n(segment.to.y)));")
            }
            for arrow in panel.arrows {
                out.append("\\draw[->, gray] (axis cs:\(n(arrow.from.x)),\(n(arrow.from.y))) -- (axis cs:\(n(arrow.to.x)),\(n(arrow.to.y)));")
            }
            // Coordinates ten to a line (TeX reads lines into a bounded buffer).
            let coordinates = stride(from: 0, to: panel.points.count, by: 10).map { start in
                panel.points[start..<min(start + 10, panel.points.count)].map { "(\(n($0.x)),\(n($0.y)))" }.joined(separator: " ")
            }
            out.append("\\addplot[only marks, mark=*, mark size=\(panel.points.count > 2000 ? "0.4" : "1")pt] coordinates {\n" + coordinates.joined(separator: "\n") + "\n};")
            if let line = panel.line {
                let xs = panel.points.map(\.x)
                let low = xs.min() ?? 0, high = xs.max() ?? 1
                out.append("\\addplot[red, dashed, domain=\(n(low)):\(n(high)), samples=2] {\(n(line.intercept)) + \(n(line.slope))*x};")
            }
            out.append("\\end{axis}")
            out.append("\\end{tikzpicture}")
        }
        return out.joined(separator: "\n") + "\n"
    }

    func n(_ x: Double) -> String { String(format: "%.6g", x) }
}

import Foundation

/// Renders a ``Document`` as one self-contained HTML5 file: the tables, notes and equations, and figures
/// given as SVG inline, with a small style sheet and nothing fetched from the network.
public struct HTMLRenderer: Sendable {
    public var stars: Bool
    /// SVG figures to show after the report, each with a caption.
    public var figures: [(caption: String, svg: String)]

    public init(stars: Bool = false, figures: [(caption: String, svg: String)] = []) {
        self.stars = stars
        self.figures = figures
    }

    public func render(_ document: Document) -> String {
        var body: [String] = []
        var title = "hlm report"
        for block in document.blocks {
            switch block {
            case .heading(let text):
                if title == "hlm report" { title = text }
                body.append("<h1>\(Self.escape(text))</h1>")
            case .section(let text):
                body.append("<h2>\(Self.escape(text))</h2>")
            case .paragraph(let text):
                body.append("<p>" + text.split(separator: "\n", omittingEmptySubsequences: false).map { Self.escape(String($0)) }.joined(separator: "<br>") + "</p>")
            case .facts(let facts):
                body.append("<table class=\"facts\"><tbody>" + facts.map { "<tr><th scope=\"row\">\(Self.escape($0.label))</th><td>\(Self.escape($0.value))</td></tr>" }.joined() + "</tbody></table>")
            case .table(let table):
                body.append(render(table))
            case .notes(let notes):
                if !notes.isEmpty { body.append("<h2>Notes</h2><ul>" + notes.map { "<li>\(Self.escape($0))</li>" }.joined() + "</ul>") }
            case .regressionTable(let table):
                if let caption = table.caption { body.append("<h2>\(Self.escape(caption))</h2>") }
                body.append(render(table.grid(stars: stars)))
                if !table.notes.isEmpty { body.append("<ul class=\"notes\">" + table.notes.map { "<li>\(Self.escape($0))</li>" }.joined() + "</ul>") }
            case .equations(_, let plain), .preformatted(_, let plain):
                if case .preformatted(let heading, _) = block { body.append("<h2>\(Self.escape(heading))</h2>") }
                body.append("<pre>" + plain.map(Self.escape).joined(separator: "\n") + "</pre>")
            case .list(let heading, let items):
                body.append("<h2>\(Self.escape(heading))</h2><ul>" + items.map { "<li>\(Self.escape($0))</li>" }.joined() + "</ul>")
            }
        }
        for figure in figures {
            // Inline as a data URI: self-contained, and plain HTML to every parser (xmllint's knows no <svg>).
            let data = Data(figure.svg.utf8).base64EncodedString()
            body.append("<div class=\"figure\"><img src=\"data:image/svg+xml;base64,\(data)\" alt=\"\(Self.escape(figure.caption))\">"
                        + "<p class=\"caption\">\(Self.escape(figure.caption))</p></div>")
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(Self.escape(title))</title>
            <style>
            body { font-family: Helvetica, Arial, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #111; }
            table { border-collapse: collapse; margin: 1em 0; }
            th, td { padding: 0.15em 0.6em; }
            thead th { border-bottom: 1px solid #444; }
            td.number { text-align: right; font-variant-numeric: tabular-nums; }
            table.facts th { text-align: left; font-weight: normal; }
            pre { background: #f6f6f6; padding: 0.6em; }
            div.figure { margin: 1.5em 0; }
            p.caption { font-size: 90%; color: #444; }
            </style>
            </head>
            <body>
            \(body.joined(separator: "\n"))
            </body>
            </html>

            """
    }

    func render(_ table: Table) -> String {
        let head = "<thead><tr>" + table.header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead>"
        let rows = table.rows.map { row in
            "<tr>" + zip(row, table.alignments).map { cell, alignment in
                alignment == .right ? "<td class=\"number\">\(Self.escape(cell))</td>" : "<td>\(Self.escape(cell))</td>"
            }.joined() + "</tr>"
        }
        return "<table>" + head + "<tbody>" + rows.joined() + "</tbody></table>"
    }

    static func escape(_ text: String) -> String { SVGRenderer.escape(text) }
}

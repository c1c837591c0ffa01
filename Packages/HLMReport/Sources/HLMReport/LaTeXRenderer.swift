import Foundation

/// Renders a ``Document`` as LaTeX for papers: booktabs tables inside a threeparttable with notes,
/// each estimate with its standard error in parentheses below, true minus signs, escaped labels.
public struct LaTeXRenderer: Sendable {
    /// How much of a document to write.
    public enum Mode: String, Sendable {
        /// The tabular alone, for `\input`.
        case fragment
        /// A `table` float (the default).
        case table
        /// A whole document that compiles on its own.
        case standalone
    }

    public var mode: Mode
    public var stars: Bool
    public var decimals: Int
    /// Decimal-aligned number columns (siunitx's S columns).
    public var siunitx: Bool

    public init(mode: Mode = .table, stars: Bool = false, decimals: Int = 3, siunitx: Bool = false) {
        self.mode = mode
        self.stars = stars
        self.decimals = decimals
        self.siunitx = siunitx
    }

    public func render(_ document: Document) -> String {
        var body: [String] = []
        for block in document.blocks {
            switch block {
            case .regressionTable(let table): body.append(render(table))
            case .equations(let latex, _) where mode != .fragment:
                body.append("\\begin{align}\n" + latex.joined(separator: " \\\\\n") + "\n\\end{align}")
            default: break
            }
        }
        let content = body.joined(separator: "\n\n")
        guard mode == .standalone else { return content + "\n" }
        return """
            \\documentclass{article}
            \\usepackage[T1]{fontenc}
            \\usepackage[utf8]{inputenc}
            \\usepackage{booktabs}
            \\usepackage{threeparttable}
            \\usepackage{array}
            \\usepackage{amsmath}
            \\usepackage{rotating}
            \(siunitx ? "\\usepackage{siunitx}\n" : "")\\begin{document}
            \(content)
            \\end{document}

            """
    }

    /// The preamble lines a document needs to `\input` our tables.
    public static let requiredPackages = ["booktabs", "threeparttable", "array", "amsmath", "rotating"]

    func render(_ table: RegressionTable) -> String {
        let columns = table.columns.count
        var lines: [String] = []
        // The label column narrows as models are added, so that the table fits a page.
        let labelWidth = max(3.0, min(5.2, 12.0 - 2.0 * Double(columns)))
        // Short labels (names) take the width they need; long ones (codebook labels) wrap in a fixed column.
        let labelColumn = table.longLabels ? ">{\\raggedright\\arraybackslash}p{\(NumberFormatting.fixed(labelWidth, 1))cm}" : "l"
        // siunitx: S columns as wide as the largest integer part, with three decimals.
        let integerDigits = table.sections.flatMap(\.rows).flatMap(\.cells).compactMap(\.value).filter(\.isFinite)
            .map { max(1, Int(log10(max(abs($0), 1))) + 1) }.max() ?? 1
        let numberColumn = siunitx ? "S[table-format=-\(integerDigits).\(decimals)\(stars ? ", table-space-text-post={$^{***}$}" : "")]" : "c"
        lines.append("\\begin{tabular}{@{}\(labelColumn)*{\(columns)}{\(numberColumn)}@{}}")
        lines.append("\\toprule")
        lines.append(" & " + table.columns.map { siunitx ? "{\(Self.escape($0))}" : Self.escape($0) }.joined(separator: " & ") + " \\\\")
        for (index, section) in table.sections.enumerated() {
            lines.append(index == 0 ? "\\midrule" : "\\midrule")
            lines.append("\\multicolumn{\(columns + 1)}{@{}l}{\\textit{\(Self.escape(section.title))}} \\\\")
            for row in section.rows {
                let values = row.cells.map { cell -> String in
                    if let text = cell.text { return siunitx ? "{\(Self.escape(text))}" : Self.escape(text) }
                    guard let value = cell.value else { return "" }
                    let star = stars ? Self.stars(cell.pValue) : ""
                    // siunitx reads a plain number (its own minus sign); stars go outside it.
                    return siunitx ? NumberFormatting.fixed(value, decimals) + (star.isEmpty ? "" : "{\(star)}") : number(value) + star
                }
                if table.longLabels && row.cells.contains(where: { $0.standardError != nil }) {
                    // A label that wraps: the SE stacked under its estimate in the same cell, top-aligned with it.
                    let stacked = zip(values, row.cells).map { value, cell in
                        cell.standardError.map { "{\\begin{tabular}[t]{@{}c@{}}\(siunitx ? number(cell.value ?? .nan) : value)\\\\(\(number($0)))\\end{tabular}}" } ?? value
                    }
                    lines.append(Self.escape(row.label) + " & " + stacked.joined(separator: " & ") + " \\\\")
                    continue
                }
                lines.append(Self.escape(row.label) + " & " + values.joined(separator: " & ") + " \\\\")
                if row.cells.contains(where: { $0.standardError != nil }) {
                    lines.append(" & " + row.cells.map { $0.standardError.map { siunitx ? "{(" + NumberFormatting.fixed($0, decimals) + ")}" : "(" + number($0) + ")" } ?? "" }.joined(separator: " & ") + " \\\\")
                }
            }
        }
        lines.append("\\bottomrule")
        lines.append("\\end{tabular}")
        let tabular = lines.joined(separator: "\n")
        if mode == .fragment { return tabular }
        var notes = table.notes
        if stars { notes.append("$^{*}p<0.05$; $^{**}p<0.01$; $^{***}p<0.001$.") }
        // Wide tables: a smaller size from four models, turned sideways from seven (package rotating).
        let environment = columns >= 7 ? "sidewaystable" : "table"
        var float = ["\\begin{\(environment)}[htbp]", "\\centering"]
        // Tall tables too: from about 40 lines (rows, SE rows and notes) a smaller size keeps the float on the page.
        // Rows' lines: a wrapped label takes about one line per 4.3 characters a centimetre of its column.
        let perLine = max(10, Int(labelWidth * 4.3))
        let rowLines = table.sections.reduce(0) { total, section in
            total + 2 + section.rows.reduce(0) { sum, row in
                let labelLines = table.longLabels ? (row.label.count + perLine - 1) / perLine : 1
                return sum + max(labelLines, row.cells.contains { $0.standardError != nil } ? 2 : 1)
            }
        }
        let height = rowLines + 3 + notes.reduce(0) { $0 + 1 + $1.count / 110 }
        if columns > 5 || height > 74 { float.append("\\scriptsize") } else if height > 60 { float.append("\\footnotesize") }
        else if columns > 3 || height > 44 { float.append("\\small") }
        float.append("\\begin{threeparttable}")
        if let caption = table.caption { float.append("\\caption{\(Self.escape(caption))}") }
        if let label = table.label { float.append("\\label{\(label)}") }
        float.append(tabular)
        if !notes.isEmpty {
            float.append("\\begin{tablenotes}\\footnotesize")
            float += notes.map { "\\item " + ($0.contains("$") ? $0 : Self.escape($0)) }
            float.append("\\end{tablenotes}")
        }
        float += ["\\end{threeparttable}", "\\end{\(environment)}"]
        return float.joined(separator: "\n")
    }

    /// A number with a true minus sign.
    public func number(_ x: Double) -> String {
        let text = NumberFormatting.fixed(abs(x), decimals)
        return x < 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "$-$" + text : text
    }

    static func stars(_ p: Double?) -> String {
        let stars = RegressionTable.stars(p)
        return stars.isEmpty ? "" : "$^{\(stars)}$"
    }

    /// Escapes LaTeX's special characters in text: `\ { } $ & # ^ _ % ~`.
    public static func escape(_ text: String) -> String {
        var result = ""
        for c in text {
            switch c {
            case "\\": result += "\\textbackslash{}"
            case "{", "}", "$", "&", "#", "_", "%": result += "\\" + String(c)
            case "^": result += "\\textasciicircum{}"
            case "~": result += "\\textasciitilde{}"
            case "<": result += "\\textless{}"
            case ">": result += "\\textgreater{}"
            case "×": result += "$\\times$"
            case "−": result += "$-$"
            default: result.append(c)
            }
        }
        return result
    }
}

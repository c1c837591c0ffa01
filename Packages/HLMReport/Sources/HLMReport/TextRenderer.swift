/// Renders a ``Document`` as plain text for a terminal: aligned columns, dashed rules.
public struct TextRenderer: Sendable {
    /// Significance stars on estimates in regression tables.
    public var stars: Bool

    public init(stars: Bool = false) {
        self.stars = stars
    }

    public func render(_ document: Document) -> String {
        document.blocks.map(render).filter { !$0.isEmpty }.joined(separator: "\n")
    }

    private func render(_ block: Block) -> String {
        switch block {
        case .heading(let text):
            return text + "\n"
        case .paragraph(let text):
            return text + "\n"
        case .facts(let facts):
            let width = facts.map(\.label.count).max() ?? 0
            return facts.map { $0.label.padding(width) + " = " + $0.value }.joined(separator: "\n") + "\n"
        case .table(let table):
            return render(table)
        case .notes(let notes):
            return notes.isEmpty ? "" : (["Notes:"] + notes.map { "  - " + $0 }).joined(separator: "\n") + "\n"
        case .regressionTable(let table):
            let caption = table.caption.map { $0 + "\n\n" } ?? ""
            let notes = table.notes.isEmpty ? "" : "\n" + table.notes.map { "  " + $0 }.joined(separator: "\n") + "\n"
            return caption + render(table.grid(stars: stars)) + notes
        case .equations(_, let plain):
            return plain.map { "  " + $0 }.joined(separator: "\n") + "\n"
        case .section:
            return ""
        case .preformatted(let title, let lines):
            return title + ":\n" + lines.map { "  " + $0 }.joined(separator: "\n") + "\n"
        case .list(let title, let items):
            return title + ":\n" + items.map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
    }

    private func render(_ table: Table) -> String {
        let widths = table.header.indices.map { column in
            ([table.header[column]] + table.rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.indices.map { column in
                table.alignments[column] == .left
                    ? cells[column].padding(widths[column]) : cells[column].leftPadding(widths[column])
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        let rule = String(repeating: "-", count: widths.reduce(0, +) + 2 * max(0, widths.count - 1))
        var lines = [line(table.header), rule]
        for (index, row) in table.rows.enumerated() {
            lines.append(line(row))
            if table.rulesAfter.contains(index) { lines.append(rule) }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// Pads with spaces on the right to `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    /// Pads with spaces on the left to `width` characters.
    func leftPadding(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }

    func trimmingTrailingSpaces() -> String {
        var result = self
        while result.last == " " { result.removeLast() }
        return result
    }
}

/// Renders a ``Document`` as GitHub-flavoured Markdown: pipe tables with `|` and `*` escaped.
public struct MarkdownRenderer: Sendable {
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
            return "### " + Self.escape(text) + "\n"
        case .paragraph(let text):
            return Self.escape(text) + "\n"
        case .facts(let facts):
            return renderTable(Table(header: ["", ""], rows: facts.map { [$0.label, $0.value] }, alignments: [.left, .right]))
        case .table(let table):
            return renderTable(table)
        case .notes(let notes):
            return notes.isEmpty ? "" : "**Notes**\n\n" + notes.map { "- " + Self.escape($0) }.joined(separator: "\n") + "\n"
        case .regressionTable(let table):
            let caption = table.caption.map { "**" + Self.escape($0) + "**\n\n" } ?? ""
            let notes = table.notes.isEmpty ? "" : "\n" + table.notes.map { Self.escape($0) }.joined(separator: "  \n") + "\n"
            return caption + renderTable(table.grid(stars: stars)) + notes
        case .equations(_, let plain):
            return "```\n" + plain.joined(separator: "\n") + "\n```\n"
        case .section(let title):
            return "#### " + Self.escape(title) + "\n"
        case .preformatted(let title, let lines):
            return "**" + Self.escape(title) + "**\n\n```\n" + lines.joined(separator: "\n") + "\n```\n"
        case .list(let title, let items):
            return "**" + Self.escape(title) + "**\n\n" + items.map { "- " + Self.escape($0) }.joined(separator: "\n") + "\n"
        }
    }

    private func renderTable(_ table: Table) -> String {
        var lines = ["| " + table.header.map(Self.escape).joined(separator: " | ") + " |"]
        lines.append("|" + table.alignments.map { $0 == .left ? " :--- " : " ---: " }.joined(separator: "|") + "|")
        for row in table.rows {
            lines.append("| " + row.map(Self.escape).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Escapes the characters that would break a pipe table or start emphasis.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "|", "*", "_", "\\", "`": result += "\\" + String(character)
            case "\n": result += " "
            default: result.append(character)
            }
        }
        return result
    }
}

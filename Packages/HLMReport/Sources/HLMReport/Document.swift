/// What a report says, before it is rendered: a sequence of blocks. Renderers (text, Markdown,
/// LaTeX) turn the same document into their format; nothing here knows how it will look.
public struct Document: Sendable, Equatable {
    public var blocks: [Block]

    public init(_ blocks: [Block] = []) {
        self.blocks = blocks
    }

    public mutating func append(_ block: Block) {
        blocks.append(block)
    }
}

/// One part of a ``Document``.
public enum Block: Sendable, Equatable {
    /// A title line.
    case heading(String)
    /// A paragraph of prose.
    case paragraph(String)
    /// Label–value pairs shown in two aligned columns (a report header).
    case facts([Fact])
    /// A table.
    case table(Table)
    /// Diagnostics and remarks, shown as a "Notes" list.
    case notes([String])
    /// Models side by side with standard errors below estimates.
    case regressionTable(RegressionTable)
    /// Display equations, as LaTeX `align` lines; plain renderers show `plain`.
    case equations(latex: [String], plain: [String])
    /// A section's heading: Markdown shows it (`####`); text keeps Stata's layout without it.
    case section(String)
    /// Lines shown as they are (the level model): indented under the title in text, a code block in Markdown.
    case preformatted(title: String, lines: [String])
    /// A titled list (the variables' labels): indented lines in text, a bullet list in Markdown.
    case list(title: String, items: [String])
}

/// A labelled value in a header block.
public struct Fact: Sendable, Equatable {
    public var label: String
    public var value: String

    public init(_ label: String, _ value: String) {
        self.label = label
        self.value = value
    }
}

/// A table: a header row, body rows, and per-column alignment. Cells are already formatted.
public struct Table: Sendable, Equatable {
    public enum Alignment: Sendable, Equatable {
        case left, right
    }

    public var header: [String]
    public var rows: [[String]]
    public var alignments: [Alignment]
    /// Rows after which a rule is drawn (0-based indices into ``rows``).
    public var rulesAfter: Set<Int>

    public init(header: [String], rows: [[String]], alignments: [Alignment]? = nil, rulesAfter: Set<Int> = []) {
        precondition(rows.allSatisfy { $0.count == header.count }, "every row needs one cell per column")
        self.header = header
        self.rows = rows
        self.alignments = alignments ?? header.indices.map { $0 == 0 ? .left : .right }
        self.rulesAfter = rulesAfter
    }
}

/// Models side by side, as texreg, esttab and modelsummary print them: one column per model, each
/// estimate with its standard error in parentheses below, in sections (fixed effects, random effects, fit).
public struct RegressionTable: Sendable, Equatable {
    public var caption: String?
    /// LaTeX's \label for the table.
    public var label: String?
    /// Whether row labels may wrap (codebook labels): LaTeX then stacks each SE under its estimate in one cell.
    public var longLabels = false
    /// Column headings, one per model.
    public var columns: [String]
    public var sections: [Section]
    public var notes: [String]

    public struct Section: Sendable, Equatable {
        public var title: String
        public var rows: [Row]
    }

    public struct Row: Sendable, Equatable {
        public var label: String
        public var cells: [Cell]
    }

    /// One model's entry in a row: a value, an optional standard error, and significance stars.
    public struct Cell: Sendable, Equatable {
        public var value: Double?
        public var text: String?
        public var standardError: Double?
        public var pValue: Double?

        public static let empty = Cell(value: nil, text: nil, standardError: nil, pValue: nil)

        public init(value: Double? = nil, text: String? = nil, standardError: Double? = nil, pValue: Double? = nil) {
            self.value = value
            self.text = text
            self.standardError = standardError
            self.pValue = pValue
        }
    }

    public init(caption: String? = nil, columns: [String], sections: [Section], notes: [String] = []) {
        precondition(sections.allSatisfy { $0.rows.allSatisfy { $0.cells.count == columns.count } }, "one cell per model")
        self.caption = caption
        self.columns = columns
        self.sections = sections
        self.notes = notes
    }

    /// Stars for a p-value: * < .05, ** < .01, *** < .001.
    public static func stars(_ p: Double?) -> String {
        guard let p else { return "" }
        return p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : ""
    }

    /// The table as a plain grid: estimates on one line, standard errors in parentheses on the next.
    public func grid(decimals: Int = 3, stars: Bool = false) -> Table {
        var rows: [[String]] = []
        var rules: Set<Int> = []
        for section in sections {
            rows.append([section.title] + columns.map { _ in "" })
            for row in section.rows {
                rows.append([row.label] + row.cells.map { cell in
                    cell.text ?? cell.value.map { NumberFormatting.fixed($0, decimals) + (stars ? Self.stars(cell.pValue) : "") } ?? ""
                })
                if row.cells.contains(where: { $0.standardError != nil }) {
                    rows.append([""] + row.cells.map { $0.standardError.map { "(" + NumberFormatting.fixed($0, decimals) + ")" } ?? "" })
                }
            }
            rules.insert(rows.count - 1)
        }
        rules.remove(rows.count - 1)
        return Table(header: [""] + columns, rows: rows, rulesAfter: rules)
    }
}

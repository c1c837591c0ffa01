/// One named column of a ``DataFrame``: its values and what the codebook says about it.
public struct Column: Sendable, Equatable {
    /// The column's name as in the CSV header.
    public var name: String
    /// The variable label from the codebook (`labl`), when there is one.
    public var label: String?
    /// The values, typed.
    public var values: ColumnValues

    public init(name: String, label: String? = nil, values: ColumnValues) {
        self.name = name
        self.label = label
        self.values = values
    }

    /// The number of rows.
    public var count: Int { values.count }

    /// Whether row `row` holds a missing value.
    public func isMissing(_ row: Int) -> Bool { values.isMissing(row) }

    /// The kind of the column, for listings.
    public var kind: ColumnKind { values.kind }
}

/// How a column's values are stored.
public enum ColumnValues: Sendable, Equatable {
    case numeric(NumericColumn)
    case categorical(CategoricalColumn)
    case text(TextColumn)

    public var count: Int {
        switch self {
        case .numeric(let c): c.values.count
        case .categorical(let c): c.codes.count
        case .text(let c): c.count
        }
    }

    public func isMissing(_ row: Int) -> Bool {
        switch self {
        case .numeric(let c): c.isMissing[row]
        case .categorical(let c): c.codes[row] < 0
        case .text(let c): c.codes[row] < 0
        }
    }

    public var kind: ColumnKind {
        switch self {
        case .numeric: .numeric
        case .categorical: .categorical
        case .text: .text
        }
    }

    /// Per row, whether the value is missing.
    public var missingMask: [Bool] {
        switch self {
        case .numeric(let c): c.isMissing
        case .categorical(let c): c.codes.map { $0 < 0 }
        case .text(let c): c.codes.map { $0 < 0 }
        }
    }

    /// The values at `rows`, in that order.
    public func subset(_ rows: [Int]) -> ColumnValues {
        switch self {
        case .numeric(let c):
            .numeric(NumericColumn(values: rows.map { c.values[$0] }, isMissing: rows.map { c.isMissing[$0] }))
        case .categorical(let c):
            .categorical(CategoricalColumn(codes: rows.map { c.codes[$0] }, levels: c.levels, levelValues: c.levelValues))
        case .text(let c):
            .text(c.subset(rows))
        }
    }
}

/// The three kinds of column `hlm describe` lists.
public enum ColumnKind: String, Sendable, Codable, Equatable {
    case numeric, categorical, text
}

import _HLMSupport
/// A table of typed, named columns of equal length.
public struct DataFrame: Sendable, Equatable {
    /// The columns in file order.
    public private(set) var columns: [Column]
    /// Where the data came from (a file name, or `<stdin>`), for messages.
    public var source: String
    /// Things worth telling the user that did not stop the read (codebook variables absent from the data, ...).
    public var warnings: [String]
    /// For a subset: each row's 0-based row in the data as read (nil: the rows are those rows).
    public var originalRows: [Int]?

    /// The 1-based data row (header not counted) of row `i` in the file it was read from, for messages.
    public func dataRow(_ i: Int) -> Int { Self.dataRow(i, originalRows: originalRows) }

    /// Row i's 1-based row in the file, given a frame's `originalRows` (nil: not filtered).
    public static func dataRow(_ i: Int, originalRows: [Int]?) -> Int { (originalRows?[i] ?? i) + 1 }

    public init(columns: [Column], source: String = "<memory>", warnings: [String] = []) {
        let counts = Set(columns.map(\.count))
        precondition(counts.count <= 1, "columns differ in length")
        precondition(Set(columns.map(\.name)).count == columns.count, "duplicate column names")
        self.columns = columns
        self.source = source
        self.warnings = warnings
    }

    /// The number of rows.
    public var rowCount: Int { columns.first?.count ?? 0 }

    /// The column names in order.
    public var columnNames: [String] { columns.map(\.name) }

    /// The column called `name`, if any.
    public func column(named name: String) -> Column? {
        columns.first { $0.name == name }
    }

    /// The column called `name`, or an error that suggests the nearest names.
    public func requireColumn(_ name: String) throws(DataError) -> Column {
        if let column = column(named: name) { return column }
        throw .unknownColumn(name, suggestions: NearestNames.suggest(name, among: columnNames))
    }

    /// The rows at `rows` (in that order).
    public func subset(rows: [Int]) -> DataFrame {
        var result = DataFrame(
            columns: columns.map { Column(name: $0.name, label: $0.label, values: $0.values.subset(rows)) },
            source: source, warnings: warnings)
        result.originalRows = originalRows.map { original in rows.map { original[$0] } } ?? rows
        return result
    }

    /// The rows for which `keep` is true.
    public func filter(_ keep: [Bool]) -> DataFrame {
        precondition(keep.count == rowCount, "mask length must equal row count")
        return subset(rows: keep.indices.filter { keep[$0] })
    }

    /// Replaces or appends a column.
    public mutating func setColumn(_ column: Column) {
        precondition(columns.isEmpty || column.count == rowCount, "column length must equal row count")
        if let i = columns.firstIndex(where: { $0.name == column.name }) {
            columns[i] = column
        } else {
            columns.append(column)
        }
    }
}

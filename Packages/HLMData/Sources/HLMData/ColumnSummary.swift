/// What `hlm describe` shows for one column.
public struct ColumnSummary: Sendable, Equatable, Codable {
    public var name: String
    public var kind: ColumnKind
    public var label: String?
    /// Non-missing values.
    public var count: Int
    public var missing: Int
    /// Numeric columns: mean, sample standard deviation, minimum and maximum of the non-missing values.
    public var mean: Double?
    public var sd: Double?
    public var min: Double?
    public var max: Double?
    /// Categorical columns: each level with its count, in level order.
    public var levels: [LevelCount]?
    /// Text columns: the number of distinct values.
    public var distinct: Int?

    public struct LevelCount: Sendable, Equatable, Codable {
        public var level: String
        public var count: Int
    }

    public init(_ column: Column) {
        name = column.name
        kind = column.kind
        label = column.label
        switch column.values {
        case .numeric(let c):
            var n = 0, mean = 0.0, m2 = 0.0
            var low = Double.infinity, high = -Double.infinity
            for (x, isMissing) in zip(c.values, c.isMissing) where !isMissing {
                n += 1
                let delta = x - mean
                mean += delta / Double(n)
                m2 += delta * (x - mean)
                low = Swift.min(low, x)
                high = Swift.max(high, x)
            }
            count = n
            missing = c.values.count - n
            if n > 0 {
                self.mean = mean
                self.min = low
                self.max = high
            }
            if n > 1 { sd = (m2 / Double(n - 1)).squareRoot() }
        case .categorical(let c):
            let counts = c.levelCounts
            count = counts.reduce(0, +)
            missing = c.codes.count - count
            levels = zip(c.levels, counts).map { LevelCount(level: $0, count: $1) }
        case .text(let c):
            count = c.codes.filter { $0 >= 0 }.count
            missing = c.count - count
            distinct = c.distinctCount
        }
    }
}

/// `hlm describe`'s data: the file, its size, and a summary per column.
public struct DataDescription: Sendable, Equatable, Codable {
    public var source: String
    public var title: String?
    public var rows: Int
    public var columns: [ColumnSummary]
    public var warnings: [String]

    public init(_ frame: DataFrame, title: String? = nil) {
        source = frame.source
        self.title = title
        rows = frame.rowCount
        columns = frame.columns.map(ColumnSummary.init)
        warnings = frame.warnings
    }
}

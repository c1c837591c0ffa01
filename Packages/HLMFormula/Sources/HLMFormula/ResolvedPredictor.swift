import HLMData

/// A predictor after it has seen the data ("schema time"): only now does it have a width and names.
enum ResolvedPredictor {
    /// Numbers, one column.
    case continuous(name: String, values: [Double])
    /// A factor: per-row codes into `levels`, with the reference level for contrasts.
    case categorical(name: String, codes: [Int32], levels: [String], base: Int)
    /// Several numeric columns from one predictor (`poly(x, 2)`), each with its name.
    case numericColumns(name: String, columns: [(name: String, values: [Double])])

    var name: String {
        switch self {
        case .continuous(let name, _), .categorical(let name, _, _, _), .numericColumns(let name, _): name
        }
    }

    /// The columns of this predictor: its value, or one indicator per level (all of them when `full`,
    /// else every level but the base: treatment contrasts). A level's column stays its codes
    /// (``DesignColumn/indicator(codes:level:)``) until a matrix is written.
    func designColumns(full: Bool) -> [(suffix: String, column: DesignColumn)] {
        switch self {
        case .continuous(let name, let values):
            return [(name, .values(values))]
        case .numericColumns(_, let columns):
            return columns.map { ($0.name, .values($0.values)) }
        case .categorical(let name, let codes, let levels, let base):
            return levels.indices.filter { full || $0 != base }.map { level in
                ("\(name)[\(levels[level])]", .indicator(codes: codes, level: Int32(level)))
            }
        }
    }

    /// ``designColumns(full:)`` with every column's values written out (for products of predictors).
    func columns(full: Bool) -> [(suffix: String, values: [Double])] {
        designColumns(full: full).map { ($0.suffix, $0.column.materialized(rows: $0.column.rowCount ?? 0)) }
    }

    var isCategorical: Bool {
        if case .categorical = self { true } else { false }
    }
}

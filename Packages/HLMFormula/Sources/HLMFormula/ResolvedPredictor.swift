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
    /// else every level but the base: treatment contrasts).
    func columns(full: Bool) -> [(suffix: String, values: [Double])] {
        switch self {
        case .continuous(let name, let values):
            return [(name, values)]
        case .numericColumns(_, let columns):
            return columns.map { ($0.name, $0.values) }
        case .categorical(let name, let codes, let levels, let base):
            return levels.indices.filter { full || $0 != base }.map { level in
                ("\(name)[\(levels[level])]", Self.indicator(codes, Int32(level)))
            }
        }
    }

    /// 1 where the code is `level`, else 0 (written directly: no closure call per row).
    static func indicator(_ codes: [Int32], _ level: Int32) -> [Double] {
        codes.withUnsafeBufferPointer { codes in
            [Double](unsafeUninitializedCapacity: codes.count) { buffer, count in
                for i in 0..<codes.count { buffer[i] = codes[i] == level ? 1 : 0 }
                count = codes.count
            }
        }
    }

    var isCategorical: Bool {
        if case .categorical = self { true } else { false }
    }
}

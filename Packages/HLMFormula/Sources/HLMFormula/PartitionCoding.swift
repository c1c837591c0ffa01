import HLMData

/// From partition coding back to the model's coding, once the partitions are summed: each factor's
/// levels over all partitions in R's order, its reference level, and which columns the in-memory
/// design has, in its order.
public struct PartitionCoding: Sendable {
    /// Each factor's levels over all partitions, in the order the in-memory design gives them.
    public let levels: [String: [String]]
    private let variables: [String: PartitionVariable]

    public init(columns: [PartitionColumn], variables: [PartitionVariable]) {
        self.variables = Dictionary(variables.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var labels: [String: Set<String>] = [:]
        for column in columns { for part in column.parts { if let level = part.level { labels[part.variable, default: []].insert(level) } } }
        var levels: [String: [String]] = [:]
        for (variable, present) in labels {
            levels[variable] = Self.order(present, variable: self.variables[variable])
        }
        self.levels = levels
    }

    /// Levels in the in-memory order: a codebook's order for its categorical columns, else R's.
    public static func order(_ labels: Set<String>, variable: PartitionVariable?) -> [String] {
        if let order = variable?.levelOrder { return order.filter { labels.contains($0) } }
        return CategoricalColumn.sortedLevels(labels)
    }

    /// The reference level of a factor as the in-memory design chooses it; nil when it names no level.
    public func base(of part: PartitionColumn.Part) -> String? {
        guard let levels = levels[part.variable], !levels.isEmpty else { return nil }
        switch part.base {
        case "", "first": return levels[0]
        case "last": return levels[levels.count - 1]
        default:
            let wanted = String(part.base.dropFirst("value:".count))
            return PredictorResolver.levelIndex(wanted, levels: levels, values: levels).map { levels[$0] }
        }
    }

    /// The in-memory design's columns among `columns`, as indices in its order: a column is there unless
    /// it indicates a contrasted factor's reference level.
    public func modelColumns(_ columns: [PartitionColumn]) throws(FormulaError) -> [Int] {
        var kept: [Int] = []
        for (index, column) in columns.enumerated() {
            var isReference = false
            for part in column.parts where part.contrasted && part.level != nil {
                guard let base = base(of: part) else {
                    throw FormulaError(formula: "", offset: nil, message: "the reference \(part.base) is not a level of \(part.variable) in any partition")
                }
                if part.level == base { isReference = true }
            }
            if !isReference { kept.append(index) }
        }
        return sorted(kept, columns)
    }

    /// Indices of `columns` in the in-memory order: by term, then (as R varies an interaction's first
    /// factor fastest) by the last part's level, …, the first part's.
    public func sorted(_ indices: [Int], _ columns: [PartitionColumn]) -> [Int] {
        var rank: [String: [String: Int]] = [:]
        for (variable, order) in levels { rank[variable] = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a }) }
        func key(_ column: PartitionColumn) -> [Int] {
            [column.term] + column.parts.reversed().map { part in part.level.flatMap { rank[part.variable]?[$0] } ?? 0 }
        }
        return indices.sorted { a, b in
            let ka = key(columns[a]), kb = key(columns[b])
            return ka.lexicographicallyPrecedes(kb)
        }
    }

    /// The coding the in-memory design would record for its factors (for prediction from a saved model).
    public func designCoding(_ columns: [PartitionColumn], groupName: String, groupLevels: [String], numeric: [String]) -> DesignCoding {
        var coding = DesignCoding()
        for column in columns {
            for part in column.parts where part.level != nil {
                guard let order = levels[part.variable], let base = base(of: part) else { continue }
                coding.record(DesignCoding.Factor(variable: part.variable, requestedBase: part.base, levels: order, levelValues: order,
                                                  base: order.firstIndex(of: base) ?? 0))
            }
        }
        coding.groupLevels[groupName] = groupLevels
        coding.numericVariables = numeric
        return coding
    }
}

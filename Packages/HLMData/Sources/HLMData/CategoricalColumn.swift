/// A factor: integer codes into ordered levels. Code -1 is missing.
public struct CategoricalColumn: Sendable, Equatable {
    /// Per row, the index into ``levels``, or -1 for a missing value.
    public var codes: [Int32]
    /// Level names in order (codebook value labels, or the values as written).
    public var levels: [String]
    /// The value each level has in the data file (`1` for the label `mixed`), parallel to ``levels``.
    public var levelValues: [String]

    public init(codes: [Int32], levels: [String], levelValues: [String]? = nil) {
        precondition(levelValues == nil || levelValues!.count == levels.count, "levelValues must match levels")
        self.codes = codes
        self.levels = levels
        self.levelValues = levelValues ?? levels
    }

    /// Builds a factor from text values; levels are sorted as R's `factor()` sorts them
    /// (numerically when every value is a number, else by string).
    public init(values: [String?]) {
        let distinct = Set(values.compactMap { $0 })
        let levels = CategoricalColumn.sortedLevels(distinct)
        var index: [String: Int32] = [:]
        for (i, level) in levels.enumerated() { index[level] = Int32(i) }
        self.init(codes: values.map { $0.map { index[$0]! } ?? -1 }, levels: levels)
    }

    /// A factor from a text column: the values that occur, sorted as R's `factor()` sorts them.
    public init(text: TextColumn) {
        var used = [Bool](repeating: false, count: text.strings.count)
        for code in text.codes where code >= 0 { used[Int(code)] = true }
        let levels = CategoricalColumn.sortedLevels(Set(text.strings.indices.filter { used[$0] }.map { text.strings[$0] }))
        var index: [String: Int32] = [:]
        for (i, level) in levels.enumerated() { index[level] = Int32(i) }
        let map = text.strings.indices.map { used[$0] ? index[text.strings[$0]]! : -1 }
        self.init(codes: text.codes.map { $0 < 0 ? -1 : map[Int($0)] }, levels: levels)
    }

    /// Numeric-looking values sort as numbers, the rest as strings.
    public static func sortedLevels(_ values: Set<String>) -> [String] {
        let numbers = values.map { Double($0) }
        if !values.isEmpty, numbers.allSatisfy({ $0 != nil }) {
            return values.sorted { Double($0)! < Double($1)! }
        }
        return values.sorted()
    }

    /// The number of rows in each level.
    public var levelCounts: [Int] {
        var counts = [Int](repeating: 0, count: levels.count)
        for code in codes where code >= 0 { counts[Int(code)] += 1 }
        return counts
    }
}

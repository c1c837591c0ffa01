import HLMFormula

/// Adds ``SufficientStatistics`` of partitions, one at a time, without keeping them: the merge of
/// `hlm merge` and the running sum of `--streaming`. Groups and columns are matched by label, so a
/// partition may hold groups or factor levels others do not; memory grows with the groups and
/// columns, never with the rows.
public struct StatisticsAccumulator: Sendable {
    /// The first partition's description (model, schema, term): every later one must match it.
    private var template: SufficientStatistics?
    private var parsedModel: ModelFormula?
    private var columns: [PartitionColumn] = []
    private var columnIndex: [PartitionColumn: Int] = [:]
    private var groups: [String] = []
    private var groupIndex: [String: Int] = [:]
    private var groupRows: [Int] = []
    private var zz: [Double] = []
    /// Z'x per column of X (then y last is `zy`): groups × q each, so a new column costs one array.
    private var zx: [[Double]] = []
    private var zy: [Double] = []
    /// [X y]'[X y] by column pairs (a, b) with a ≥ b; y is column index −1.
    private var xy: [Pair: Double] = [:]
    private var rows = 0
    private var droppedRows = 0
    /// The shift every partition is brought to before adding: the first one's.
    private var shift = 0.0
    /// Σ rows × shift, for the final shift to the weighted mean.
    private var shiftSum = 0.0

    private struct Pair: Hashable, Sendable {
        var a: Int, b: Int
    }

    public init() {}

    public var isEmpty: Bool { template == nil }

    /// Adds one partition's statistics; `source` names it if it does not match the others.
    public mutating func add(_ part: SufficientStatistics, source: String) throws(StatisticsError) {
        if let template {
            try Self.checkCompatible(part, with: template, model: parsedModel, source: source)
        } else {
            template = part
            parsedModel = try Self.model(of: part, source: source)
            shift = part.yShift
        }
        // Row counts that would not add up in an Int are not rows anyone has.
        guard !rows.addingReportingOverflow(part.rows).overflow, !droppedRows.addingReportingOverflow(part.droppedRows).overflow else {
            throw StatisticsError(source: source, message: "its row counts are too large to add to the others")
        }
        var part = part
        part.shift(to: shift)
        let q = part.q, w = part.width, p = w - 1
        // Columns into this sum's numbering.
        var map = [Int](repeating: 0, count: p)
        for (k, column) in part.columns.enumerated() {
            if let index = columnIndex[column] {
                map[k] = index
            } else {
                columnIndex[column] = columns.count
                map[k] = columns.count
                columns.append(column)
                zx.append([Double](repeating: 0, count: groups.count * q))
            }
        }
        func index(_ k: Int) -> Int { k == p ? -1 : map[k] }
        for b in 0..<w { for a in b..<w {
            let value = part.xy[a + b * w]
            guard value != 0 else { continue }
            let (i, j) = (index(a), index(b))
            xy[Pair(a: max(i, j), b: min(i, j)), default: 0] += value
        } }
        for (g, label) in part.groups.enumerated() {
            let j: Int
            if let existing = groupIndex[label] {
                j = existing
            } else {
                j = groups.count
                groupIndex[label] = j
                groups.append(label)
                groupRows.append(0)
                zz.append(contentsOf: repeatElement(0, count: q * q))
                for c in zx.indices { zx[c].append(contentsOf: repeatElement(0, count: q)) }
                zy.append(contentsOf: repeatElement(0, count: q))
            }
            groupRows[j] += part.groupRows[g]
            for e in 0..<(q * q) { zz[j * q * q + e] += part.zz[g * q * q + e] }
            let panel = g * w * q
            for c in 0..<q {
                for k in 0..<p { zx[map[k]][j * q + c] += part.zxy[panel + k + c * w] }
                zy[j * q + c] += part.zxy[panel + p + c * w]
            }
        }
        rows += part.rows
        droppedRows += part.droppedRows
        shiftSum += Double(part.rows) * part.yShift
    }

    /// The sum, columns and groups in the in-memory design's order, y shifted to the rows' mean.
    public func result() -> SufficientStatistics? {
        guard var total = template else { return nil }
        let coding = PartitionCoding(columns: columns, variables: total.variables)
        let columnOrder = coding.sorted(Array(columns.indices), columns)
        let groupVariable = total.variables.first { $0.name == total.groupName }
        let orderedGroups = PartitionCoding.order(Set(groups), variable: groupVariable)
        let q = total.q, p = columns.count, w = p + 1
        total.columns = columnOrder.map { columns[$0] }
        total.groups = orderedGroups
        total.groupRows = orderedGroups.map { groupRows[groupIndex[$0]!] }
        total.rows = rows
        total.droppedRows = droppedRows
        total.yShift = shift
        var position = [Int](repeating: 0, count: p)
        for (k, c) in columnOrder.enumerated() { position[c] = k }
        func at(_ i: Int) -> Int { i < 0 ? p : position[i] }
        total.xy = [Double](repeating: 0, count: w * w)
        for (pair, value) in xy {
            let (a, b) = (at(pair.a), at(pair.b))
            total.xy[a + b * w] = value
            total.xy[b + a * w] = value
        }
        let g = orderedGroups.count
        total.zz = [Double](repeating: 0, count: q * q * g)
        total.zxy = [Double](repeating: 0, count: w * q * g)
        for (k, label) in orderedGroups.enumerated() {
            let j = groupIndex[label]!
            for e in 0..<(q * q) { total.zz[k * q * q + e] = zz[j * q * q + e] }
            for c in 0..<q {
                for column in 0..<p { total.zxy[k * w * q + position[column] + c * w] = zx[column][j * q + c] }
                total.zxy[k * w * q + p + c * w] = zy[j * q + c]
            }
        }
        if rows > 0 { total.shift(to: shiftSum / Double(rows)) }
        return total
    }

    /// The sum of several partitions' statistics (`hlm merge`); `sources` name them in messages.
    public static func merged(_ parts: [(source: String, statistics: SufficientStatistics)]) throws(StatisticsError) -> SufficientStatistics {
        var sum = StatisticsAccumulator()
        for part in parts { try sum.add(part.statistics, source: part.source) }
        guard let result = sum.result() else { throw StatisticsError(source: "", message: "no statistics to merge") }
        return result
    }

    private static func model(of statistics: SufficientStatistics, source: String) throws(StatisticsError) -> ModelFormula {
        do {
            var formula = try ModelFormula.parse(statistics.formula, groups: statistics.formulaGroups)
            formula.text = ""
            return formula
        } catch {
            throw StatisticsError(source: source, message: "its model does not parse: \(error)")
        }
    }

    private static func checkCompatible(_ part: SufficientStatistics, with first: SufficientStatistics, model: ModelFormula?,
                                        source: String) throws(StatisticsError) {
        func refuse(_ message: String) -> StatisticsError { StatisticsError(source: source, message: message) }
        if part.formula != first.formula || part.formulaGroups != first.formulaGroups {
            guard try Self.model(of: part, source: source) == model else {
                throw refuse("it is the statistics of another model (\(part.formula), not \(first.formula))")
            }
        }
        let mine = Dictionary(part.variables.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for variable in first.variables {
            guard let other = mine[variable.name] else { throw refuse("its schema has no column \(variable.name)") }
            if other.kind != variable.kind {
                throw refuse("its schema differs: column \(variable.name) is \(other.kind) there and \(variable.kind) in the first partition")
            }
            if other.levelOrder != variable.levelOrder {
                throw refuse("its schema differs: the codebook levels of \(variable.name) are not those of the first partition")
            }
        }
        if part.groupName != first.groupName || part.termNames != first.termNames || part.covariance != first.covariance {
            throw refuse("its random-effects term (\(part.groupName): \(part.termNames.joined(separator: ", "))) differs from the first partition's")
        }
    }
}

/// Statistics that cannot be read, added or fitted: one line naming the file.
public struct StatisticsError: Error, Sendable, CustomStringConvertible, Equatable {
    public var source: String
    public var message: String

    public init(source: String, message: String) {
        self.source = source
        self.message = message
    }

    public var description: String { source.isEmpty ? message : "\(source): \(message)" }
}

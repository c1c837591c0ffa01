import Foundation
import HLMData

/// Resolves predictors against the rows in use: a column's kind comes from the data and codebook,
/// factors drop levels with no rows (noted), and the centring helpers use the rows in use.
final class PredictorResolver {
    let frame: DataFrame
    let rows: [Int]
    let builder: DesignBuilder
    /// Remarks collected while resolving, in order, without repeats.
    var notes = OrderedNotes()
    /// Factor codings already computed, by column name (a grouping column is used by several terms).
    private var factorCache: [String: ([String], [String], [Int32])] = [:]

    /// Whether every row of the frame is in use (then a column is used as it is, without a copy).
    let usesAllRows: Bool
    /// The coding captured while resolving the fit's data.
    var coding = DesignCoding()
    /// New data: the fit's coding, applied instead of computed (factor levels, transform constants).
    let frozen: DesignCoding?
    /// Partition coding (``PartitionDesign``): every level of a factor gets a column, none is the base.
    var keepsEveryLevel = false

    init(frame: DataFrame, rows: [Int], builder: DesignBuilder, frozen: DesignCoding? = nil) {
        self.frame = frame
        self.rows = rows
        self.builder = builder
        self.frozen = frozen
        usesAllRows = rows.count == frame.rowCount
    }

    /// A column's values at the rows in use (the column itself when all rows are used).
    func gather<Element>(_ values: [Element]) -> [Element] {
        usesAllRows ? values : rows.map { values[$0] }
    }

    func resolve(_ predictor: Predictor, forceNumeric: Bool = false) throws(FormulaError) -> ResolvedPredictor {
        switch predictor {
        case .variable(let name):
            let column = frame.column(named: name)!
            if let frozen, frozen.factor(name, base: nil) != nil, !forceNumeric { return try factor(name, base: nil) }
            if case .numeric(let numbers) = column.values { return .continuous(name: name, values: gather(numbers.values)) }
            if forceNumeric { return try continuous(name) }
            return try factor(name, base: nil)
        case .continuous(let name):
            return try continuous(name)
        case .categorical(let name, let base):
            return try factor(name, base: base)
        case .function(let call) where call.kind == .poly:
            return try orthogonalPolynomial(call)
        case .function(let call):
            return .continuous(name: call.text, values: try evaluate(call))
        }
    }

    /// A column as numbers; a categorical column gives its codes' values (Stata's `c.`).
    private func continuous(_ name: String) throws(FormulaError) -> ResolvedPredictor {
        let column = frame.column(named: name)!
        switch column.values {
        case .numeric(let numbers):
            return .continuous(name: name, values: gather(numbers.values))
        case .categorical(let factor):
            let values = factor.levelValues.map { raw -> Double? in
                if case .number(let x) = NumberParser.parse(raw) { x } else { nil }
            }
            guard values.allSatisfy({ $0 != nil }) else {
                throw builder.fail("\"\(name)\" is categorical with non-numeric values; it cannot be used as a number", name: name)
            }
            return .continuous(name: name, values: rows.map { values[Int(factor.codes[$0])]! })
        case .text(let text):
            var values: [Double] = []
            for row in rows {
                guard case .number(let x) = NumberParser.parse(text[row]!) else {
                    throw builder.fail("\"\(name)\" is text (\"\(text[row]!)\" in data row \(frame.dataRow(row))); it cannot be used as a number", name: name)
                }
                values.append(x)
            }
            return .continuous(name: name, values: values)
        }
    }

    /// A column as a factor over the rows in use.
    func factor(_ name: String, base: BaseLevel?) throws(FormulaError) -> ResolvedPredictor {
        if let frozen { return try frozenFactor(name, base: base, frozen) }
        let (resolved, values) = try computeFactor(name, base: base)
        if case .categorical(_, _, let levels, let baseIndex) = resolved {
            coding.record(DesignCoding.Factor(variable: name, requestedBase: DesignCoding.key(base), levels: levels,
                                              levelValues: values, base: baseIndex))
        }
        return resolved
    }

    /// New data coded by the fit's levels: a value the fit has not seen is an error naming the row.
    private func frozenFactor(_ name: String, base: BaseLevel?, _ frozen: DesignCoding) throws(FormulaError) -> ResolvedPredictor {
        guard let coding = frozen.factor(name, base: base) else {
            throw builder.fail("\"\(name)\" was not a factor in the fitted model", name: name)
        }
        let (levels, values, codes) = try factorCodes(name, purpose: "a factor")
        var map = [Int32](repeating: -1, count: levels.count)
        for i in levels.indices {
            if let k = Self.levelIndex(values[i], levels: coding.levels, values: coding.levelValues)
                ?? Self.levelIndex(levels[i], levels: coding.levels, values: coding.levelValues) {
                map[i] = Int32(k)
            }
        }
        var mapped = [Int32](repeating: -1, count: codes.count)
        for (i, code) in codes.enumerated() {
            guard code >= 0, map[Int(code)] >= 0 else {
                let value = code >= 0 ? values[Int(code)] : "missing"
                throw builder.fail("\"\(name)\" is \(value) in data row \(frame.dataRow(rows[i])), a level the fit has not seen (levels: \(coding.levels.joined(separator: ", ")))",
                                   name: name)
            }
            mapped[i] = map[Int(code)]
        }
        return .categorical(name: name, codes: mapped, levels: coding.levels, base: coding.base)
    }

    /// The factor over the rows in use, with its levels' data values.
    private func computeFactor(_ name: String, base: BaseLevel?) throws(FormulaError) -> (ResolvedPredictor, [String]) {
        var (levels, levelValues, codes) = try factorCodes(name, purpose: "a factor")
        (levels, levelValues, codes) = dropUnusedLevels(name, levels, levelValues, codes)
        if keepsEveryLevel { return (.categorical(name: name, codes: codes, levels: levels, base: -1), levelValues) }
        var baseIndex = 0
        switch base {
        case .levels(let order)?:
            // The given levels in the given order; rows with other values were dropped before.
            var remap = [Int32](repeating: -1, count: levels.count)
            var ordered: [String] = [], orderedValues: [String] = []
            for wanted in order {
                guard let index = Self.levelIndex(wanted, levels: levels, values: levelValues) else {
                    notes.add(.listedLevelAbsent(variable: name, level: wanted))
                    continue
                }
                remap[index] = Int32(ordered.count)
                ordered.append(levels[index])
                orderedValues.append(levelValues[index])
            }
            codes = codes.map { $0 >= 0 ? remap[Int($0)] : -1 }
            levels = ordered
            levelValues = orderedValues
        case nil, .first?: baseIndex = 0
        case .last?: baseIndex = levels.count - 1
        case .value(let value)?:
            let parsed = NumberParser.parse(value)
            guard let index = levelValues.firstIndex(where: { raw in
                raw == value || (NumberParser.parse(raw) == parsed && { if case .number = parsed { true } else { false } }())
            }) ?? levels.firstIndex(of: value) else {
                throw builder.fail("\(value) is not a level of \"\(name)\" (values: \(levelValues.joined(separator: ", ")))", name: name)
            }
            baseIndex = index
        }
        return (.categorical(name: name, codes: codes, levels: levels, base: baseIndex), levelValues)
    }

    /// The index of a level named by its data value or its label (numbers compared as numbers).
    static func levelIndex(_ wanted: String, levels: [String], values: [String]) -> Int? {
        if let i = values.firstIndex(of: wanted) ?? levels.firstIndex(of: wanted) { return i }
        guard case .number(let x) = NumberParser.parse(wanted) else { return nil }
        return values.firstIndex { if case .number(let y) = NumberParser.parse($0) { y == x } else { false } }
    }

    /// Whether each frame row's value of `name` is among `order` (for `factor(x, levels = ...)`).
    static func rowsInLevels(_ name: String, _ order: [String], frame: DataFrame) -> [Bool] {
        guard let column = frame.column(named: name) else { return [] }
        switch column.values {
        case .categorical(let factor):
            let allowed = factor.levels.indices.map { levelIndex(order, factor.levels[$0], factor.levelValues[$0]) }
            return factor.codes.map { $0 < 0 || allowed[Int($0)] }
        case .text(let text):
            return (0..<text.count).map { row in text[row].map { order.contains($0) } ?? true }
        case .numeric(let numbers):
            let wanted = Set(order.compactMap { if case .number(let x) = NumberParser.parse($0) { x } else { nil } })
            return numbers.values.indices.map { numbers.isMissing[$0] || wanted.contains(numbers.values[$0]) }
        }
    }

    private static func levelIndex(_ order: [String], _ level: String, _ value: String) -> Bool {
        levelIndex(level, levels: order, values: order) != nil || levelIndex(value, levels: order, values: order) != nil
            || order.contains { levelIndex($0, levels: [level], values: [value]) != nil }
    }

    /// Levels, their data values, and per-row codes of a column used as a factor or grouping factor.
    private func factorCodes(_ name: String, purpose: String) throws(FormulaError) -> ([String], [String], [Int32]) {
        if let cached = factorCache[name] { return cached }
        let result = try computeFactorCodes(name, purpose: purpose)
        factorCache[name] = result
        return result
    }

    private func computeFactorCodes(_ name: String, purpose: String) throws(FormulaError) -> ([String], [String], [Int32]) {
        let column = frame.column(named: name)!
        switch column.values {
        case .categorical(let factor):
            return (factor.levels, factor.levelValues, gather(factor.codes))
        case .text(let text):
            let factor = CategoricalColumn(text: rows.count == text.count ? text : text.subset(rows))
            return (factor.levels, factor.levelValues, factor.codes)
        case .numeric(let numbers):
            let values = gather(numbers.values)
            // One pass: the range, and whether every value is whole.
            var low = Double.infinity, high = -Double.infinity, fractional = 0
            values.withUnsafeBufferPointer { v in
                for x in v {
                    low = min(low, x)
                    high = max(high, x)
                    fractional += Self.isWhole(x) ? 0 : 1
                }
            }
            let whole = fractional == 0
            if !whole, let fractional = values.first(where: { $0 != $0.rounded() }) {
                throw builder.fail("\"\(name)\" is a continuous numeric variable (it has the value \(fractional)); it cannot be used as \(purpose)",
                                   name: name, hint: "grouping factors and factors need discrete codes")
            }
            // Whole numbers in a range no wider than a few times the rows: a table by value, no hashing
            // (ids 0…J−1 are the usual case); otherwise the distinct values sorted.
            if !values.isEmpty, high - low < Double(max(4 * values.count, 1_000)), abs(low) < 1e15, abs(high) < 1e15 {
                let base = Int64(low), width = Int(Int64(high) - base) + 1
                var code = [Int32](repeating: -1, count: width)
                values.withUnsafeBufferPointer { v in
                    code.withUnsafeMutableBufferPointer { code in
                        for x in v { code[Int(Int64(x) - base)] = 0 }
                    }
                }
                var names: [String] = []
                var next: Int32 = 0
                for i in 0..<width where code[i] == 0 {
                    code[i] = next
                    next += 1
                    names.append(String(base + Int64(i)))
                }
                let codes = values.withUnsafeBufferPointer { v in
                    code.withUnsafeBufferPointer { code in v.map { code[Int(Int64($0) - base)] } }
                }
                return (names, names, codes)
            }
            let distinct = Array(Set(values)).sorted()
            var index: [Double: Int32] = [:]
            for (i, v) in distinct.enumerated() { index[v] = Int32(i) }
            // Whole numbers beyond Int64 (1e300 is one) keep their own spelling.
            let names = distinct.map { abs($0) < 9.2e18 ? String(Int64($0)) : String($0) }
            return (names, names, values.map { index[$0]! })
        }
    }

    /// Whether `x` is a whole number, without a call per value: below 2⁵¹ in magnitude, adding and
    /// subtracting 1.5·2⁵² rounds it to the nearest integer in the FPU's own rounding (libm's `trunc`
    /// is a call on baseline x86-64, and was 60% of a 1M-row numeric factor's coding); from 2⁵² on every
    /// double is whole. NaN is not.
    @inline(__always)
    static func isWhole(_ x: Double) -> Bool {
        abs(x) < 0x1p51 ? (x + 0x1.8p52) - 0x1.8p52 == x : x.rounded(.towardZero) == x
    }

    /// Removes levels with no rows in use, noting them (as R's model.frame does).
    private func dropUnusedLevels(
        _ name: String, _ levels: [String], _ values: [String], _ codes: [Int32]
    ) -> ([String], [String], [Int32]) {
        var used = [Bool](repeating: false, count: levels.count)
        for code in codes where code >= 0 { used[Int(code)] = true }
        guard used.contains(false) else { return (levels, values, codes) }
        let unused = levels.indices.filter { !used[$0] }.map { levels[$0] }
        notes.add(.unusedLevelsDropped(variable: name, levels: unused))
        var remap = [Int32](repeating: -1, count: levels.count)
        var next: Int32 = 0
        for i in levels.indices where used[i] {
            remap[i] = next
            next += 1
        }
        return (levels.indices.filter { used[$0] }.map { levels[$0] }, levels.indices.filter { used[$0] }.map { values[$0] },
                codes.map { remap[Int($0)] })
    }

    /// The grouping factor of a random term: one column, or the combinations of several present in the data.
    func groupingFactor(_ names: [String]) throws(FormulaError) -> ([String], [Int32]) {
        var parts: [([String], [Int32])] = []
        for name in names {
            let (levels, values, codes) = try factorCodes(name, purpose: "a grouping factor")
            let (usedLevels, _, usedCodes) = dropUnusedLevels(name, levels, values, codes)
            parts.append((usedLevels, usedCodes))
        }
        if parts.count == 1 { return parts[0] }
        // Combinations in the order of the outer factor, then the inner ones: one mixed-radix key per row.
        var keys = [Int](repeating: 0, count: rows.count)
        var radix = 1
        for (levels, codes) in parts.reversed() {
            // The radix checked first: a key stays below it, so the sums below cannot overflow.
            let (next, overflow) = radix.multipliedReportingOverflow(by: max(1, levels.count))
            guard !overflow else {
                throw builder.fail("the grouping factor \(names.joined(separator: ":")) has too many level combinations", name: names[0])
            }
            for i in codes.indices { keys[i] += Int(codes[i]) * radix }
            radix = next
        }
        let distinct = Array(Set(keys)).sorted()
        var index: [Int: Int32] = [:]
        index.reserveCapacity(distinct.count)
        for (i, key) in distinct.enumerated() { index[key] = Int32(i) }
        let levels = distinct.map { key -> String in
            var rest = key, names: [String] = []
            var place = radix
            for (partLevels, _) in parts {
                place /= max(1, partLevels.count)
                names.append(partLevels[rest / place])
                rest %= place
            }
            return names.joined(separator: ":")
        }
        return (levels, keys.map { index[$0]! })
    }

    /// A function predictor over the rows in use.
    private func evaluate(_ call: FunctionCall) throws(FormulaError) -> [Double] {
        let values = Self.evaluateElementwise(call.argument, frame: frame, rows: rows)
        switch call.kind {
        case .log, .exp, .sqrt, .abs:
            return values.map { FunctionCall.apply(call.kind, $0) }
        case .identity:
            return values
        case .scale:
            if let constants = frozen?.constants[call.text] { return values.map { ($0 - constants[0]) / constants[1] } }
            let n = Double(values.count), mean = values.reduce(0, +) / n
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
            coding.constants[call.text] = [mean, sd]
            guard sd > 0 else { throw builder.fail("\(call.text): the column is constant, so it cannot be scaled", name: call.argument.variables.first) }
            return values.map { ($0 - mean) / sd }
        case .poly:
            preconditionFailure("poly() resolves to several columns")
        case .center:
            let mean = frozen?.constants[call.text]?[0] ?? values.reduce(0, +) / Double(values.count)
            coding.constants[call.text] = [mean]
            return values.map { $0 - mean }
        case .cwc, .gmean:
            let (_, codes) = try groupingFactor([call.group!])
            var sums: [Int32: Double] = [:], counts: [Int32: Double] = [:]
            for (value, code) in zip(values, codes) {
                sums[code, default: 0] += value
                counts[code, default: 0] += 1
            }
            return zip(values, codes).map { value, code in
                let mean = sums[code]! / counts[code]!
                return call.kind == .cwc ? value - mean : mean
            }
        }
    }

    /// Arithmetic evaluated at each row; a missing or non-numeric value gives NaN.
    static func evaluateElementwise(_ arithmetic: Arithmetic, frame: DataFrame, rows: [Int]) -> [Double] {
        let names = Set(arithmetic.variables)
        var numeric: [String: NumericColumn] = [:]
        for name in names {
            if case .numeric(let column)? = frame.column(named: name)?.values { numeric[name] = column }
        }
        return rows.map { row in
            arithmetic.evaluate { name in
                guard let column = numeric[name], !column.isMissing[row] else { return .nan }
                return column.values[row]
            }
        }
    }
}

/// Remarks in the order first made, each once.
struct OrderedNotes {
    private(set) var values: [DesignNote] = []

    mutating func add(_ note: DesignNote) {
        if !values.contains(note) { values.append(note) }
    }
}

import _HLMSupport
/// The row filter of `--where`: comparisons of a column with a number or a quoted label, joined with
/// `&&`, `||`, `!` and parentheses. A row whose compared value is missing fails the comparison.
public indirect enum RowFilter: Sendable, Equatable {
    case comparison(column: String, op: ComparisonOperator, value: FilterValue, offset: Int)
    case not(RowFilter)
    case and(RowFilter, RowFilter)
    case or(RowFilter, RowFilter)

    /// `<`, `<=`, `>`, `>=`, `==` (also `=`), `!=`.
    public enum ComparisonOperator: String, Sendable, Equatable {
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "==", notEqual = "!="

        func holds(_ a: Double, _ b: Double) -> Bool {
            switch self {
            case .less: a < b
            case .lessOrEqual: a <= b
            case .greater: a > b
            case .greaterOrEqual: a >= b
            case .equal: a == b
            case .notEqual: a != b
            }
        }
    }

    /// The right-hand side of a comparison.
    public enum FilterValue: Sendable, Equatable {
        case number(Double)
        case label(String)
    }

    /// Parses an expression such as `nstu > 4 && schgend != "boys"`.
    public static func parse(_ expression: String) throws(DataError) -> RowFilter {
        var parser = RowFilterParser(expression)
        return try parser.parseWhole()
    }

    /// Which rows of `frame` satisfy the filter.
    public func evaluate(on frame: DataFrame, expression: String) throws(DataError) -> [Bool] {
        switch self {
        case .not(let inner):
            return try inner.evaluate(on: frame, expression: expression).map { !$0 }
        case .and(let a, let b):
            let left = try a.evaluate(on: frame, expression: expression)
            let right = try b.evaluate(on: frame, expression: expression)
            return zip(left, right).map { $0 && $1 }
        case .or(let a, let b):
            let left = try a.evaluate(on: frame, expression: expression)
            let right = try b.evaluate(on: frame, expression: expression)
            return zip(left, right).map { $0 || $1 }
        case .comparison(let name, let op, let value, let offset):
            func fail(_ message: String) -> DataError {
                .badExpression(expression: expression, offset: offset, message: message)
            }
            guard let column = frame.column(named: name) else {
                throw fail("unknown column \"\(name)\"" + NearestNames.hint(NearestNames.suggest(name, among: frame.columnNames)))
            }
            return try Self.compare(column, op, value, fail: fail)
        }
    }

    private static func compare(
        _ column: Column, _ op: ComparisonOperator, _ value: FilterValue, fail: (String) -> DataError
    ) throws(DataError) -> [Bool] {
        switch (column.values, value) {
        case (.numeric(let c), .number(let x)):
            return c.values.indices.map { !c.isMissing[$0] && op.holds(c.values[$0], x) }
        case (.numeric, .label(let label)):
            throw fail("column \"\(column.name)\" is numeric; compare it with a number, not \"\(label)\"")
        case (.categorical(let c), .label(let label)):
            guard op == .equal || op == .notEqual else {
                throw fail("labels compare only with == and !=")
            }
            guard let level = c.levels.firstIndex(of: label) ?? c.levelValues.firstIndex(of: label) else {
                throw fail("\"\(label)\" is not a level of \"\(column.name)\" (levels: \(c.levels.joined(separator: ", ")))")
            }
            return c.codes.map { $0 >= 0 && (($0 == Int32(level)) == (op == .equal)) }
        case (.categorical(let c), .number(let x)):
            let levelNumbers = c.levelValues.map { raw -> Double? in
                if case .number(let v) = NumberParser.parse(raw) { v } else { nil }
            }
            return c.codes.map { code in
                guard code >= 0, let v = levelNumbers[Int(code)] else { return false }
                return op.holds(v, x)
            }
        case (.text(let c), .label(let label)):
            guard op == .equal || op == .notEqual else {
                throw fail("text compares only with == and !=")
            }
            let matches = c.strings.map { ($0 == label) == (op == .equal) }
            return c.codes.map { $0 >= 0 && matches[Int($0)] }
        case (.text(let c), .number(let x)):
            let holds = c.strings.map { text -> Bool in
                guard case .number(let v) = NumberParser.parse(text) else { return false }
                return op.holds(v, x)
            }
            return c.codes.map { $0 >= 0 && holds[Int($0)] }
        }
    }
}

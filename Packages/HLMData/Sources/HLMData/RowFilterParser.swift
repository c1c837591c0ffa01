/// Recursive-descent parser for ``RowFilter`` expressions; errors give the 0-based position.
/// Takes Stata's `if` spellings too: `&`, `|`, `!` or `~`, and `~=`.
struct RowFilterParser {
    private let text: String
    private let characters: [Character]
    private var index = 0
    /// Parentheses open at this point; past ``maximumDepth`` the expression is refused, not recursed into.
    private var depth = 0

    /// How deeply parentheses may nest (each level is a stack frame here and when rows are tested).
    static let maximumDepth = 200

    init(_ text: String) {
        self.text = text
        self.characters = Array(text)
    }

    mutating func parseWhole() throws(DataError) -> RowFilter {
        skipSpaces()
        guard index < characters.count else { throw fail("empty expression") }
        let filter = try parseOr()
        skipSpaces()
        guard index == characters.count else { throw fail("unexpected \"\(characters[index])\"") }
        return filter
    }

    private func fail(_ message: String, at position: Int? = nil) -> DataError {
        .badExpression(expression: text, offset: position ?? index, message: message)
    }

    private mutating func skipSpaces() {
        while index < characters.count, characters[index].isWhitespace { index += 1 }
    }

    private mutating func take(_ token: String) -> Bool {
        skipSpaces()
        let token = Array(token)
        guard index + token.count <= characters.count, Array(characters[index..<index + token.count]) == token else {
            return false
        }
        index += token.count
        return true
    }

    private mutating func parseOr() throws(DataError) -> RowFilter {
        var left = try parseAnd()
        while take("||") || takeSingle("|") { left = .or(left, try parseAnd()) }
        return left
    }

    private mutating func parseAnd() throws(DataError) -> RowFilter {
        var left = try parseNot()
        while take("&&") || takeSingle("&") { left = .and(left, try parseNot()) }
        return left
    }

    /// Takes a one-character operator not doubled (Stata's `&` and `|`).
    private mutating func takeSingle(_ symbol: Character) -> Bool {
        skipSpaces()
        guard index < characters.count, characters[index] == symbol else { return false }
        index += 1
        return true
    }

    private mutating func parseNot() throws(DataError) -> RowFilter {
        skipSpaces()
        // A run of negations, counted without recursion: `!!x` is x.
        var negations = 0
        while index + 1 < characters.count, characters[index] == "!" || characters[index] == "~", characters[index + 1] != "=" {
            negations += 1
            index += 1
            skipSpaces()
        }
        let inner: RowFilter
        let open = index
        if take("(") {
            depth += 1
            guard depth <= Self.maximumDepth else {
                throw fail("parentheses nested more than \(Self.maximumDepth) deep", at: open)
            }
            inner = try parseOr()
            guard take(")") else { throw fail("expected \")\"") }
            depth -= 1
        } else {
            inner = try parseComparison()
        }
        return negations % 2 == 1 ? .not(inner) : inner
    }

    private mutating func parseComparison() throws(DataError) -> RowFilter {
        skipSpaces()
        let start = index
        while index < characters.count, characters[index].isLetter || characters[index].isNumber
            || characters[index] == "_" || characters[index] == "." {
            index += 1
        }
        guard index > start else {
            throw fail(index < characters.count ? "expected a column name, found \"\(characters[index])\"" : "expected a column name")
        }
        let column = String(characters[start..<index])
        skipSpaces()
        let opStart = index
        var op: RowFilter.ComparisonOperator?
        for candidate in ["<=", ">=", "==", "!=", "~=", "<", ">", "="] where op == nil && take(candidate) {
            op = candidate == "=" ? .equal : candidate == "~=" ? .notEqual : RowFilter.ComparisonOperator(rawValue: candidate)
        }
        guard let op else { throw fail("expected a comparison (< <= > >= == !=) after \"\(column)\"", at: opStart) }
        return .comparison(column: column, op: op, value: try parseValue(), offset: start)
    }

    private mutating func parseValue() throws(DataError) -> RowFilter.FilterValue {
        skipSpaces()
        guard index < characters.count else { throw fail("expected a number or a quoted label") }
        let quote = characters[index]
        if quote == "\"" || quote == "'" {
            let start = index
            index += 1
            let contentStart = index
            while index < characters.count, characters[index] != quote { index += 1 }
            guard index < characters.count else { throw fail("unterminated label", at: start) }
            let label = String(characters[contentStart..<index])
            index += 1
            return .label(label)
        }
        let start = index
        while index < characters.count, characters[index].isNumber || "+-.eE".contains(characters[index]) { index += 1 }
        guard index > start, case .number(let x) = NumberParser.parse(String(characters[start..<index])) else {
            throw fail("expected a number or a quoted label", at: start)
        }
        return .number(x)
    }
}

/// Recursive-descent parser for ``RowFilter`` expressions; errors give the 0-based position.
struct RowFilterParser {
    private let text: String
    private let characters: [Character]
    private var index = 0

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
        while take("||") { left = .or(left, try parseAnd()) }
        return left
    }

    private mutating func parseAnd() throws(DataError) -> RowFilter {
        var left = try parseNot()
        while take("&&") { left = .and(left, try parseNot()) }
        return left
    }

    private mutating func parseNot() throws(DataError) -> RowFilter {
        skipSpaces()
        if index + 1 < characters.count, characters[index] == "!", characters[index + 1] != "=" {
            index += 1
            return .not(try parseNot())
        }
        if take("(") {
            let inner = try parseOr()
            guard take(")") else { throw fail("expected \")\"") }
            return inner
        }
        return try parseComparison()
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
        for candidate in ["<=", ">=", "==", "!=", "<", ">", "="] where op == nil && take(candidate) {
            op = candidate == "=" ? .equal : RowFilter.ComparisonOperator(rawValue: candidate)
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

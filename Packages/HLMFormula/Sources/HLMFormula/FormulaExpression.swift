/// The syntax tree of an lme4-style formula or a level equation, before it means anything.
indirect enum FormulaExpression: Equatable {
    case name(String, offset: Int)
    case number(Double, literal: String, offset: Int)
    /// `f(args)`; `text` is the call as written, used to name the term.
    case call(String, [FormulaExpression], text: String, offset: Int)
    case binary(String, FormulaExpression, FormulaExpression, offset: Int)
    case negate(FormulaExpression, offset: Int)
    case parenthesized(FormulaExpression, offset: Int)

    var offset: Int {
        switch self {
        case .name(_, let o), .number(_, _, let o), .call(_, _, _, let o), .binary(_, _, _, let o),
             .negate(_, let o), .parenthesized(_, let o):
            o
        }
    }
}

/// Precedence-climbing parser: `~` < `|` `||` < `+` `-` < `*` `/` < `:` < `^` < unary minus < calls.
struct ExpressionParser {
    let text: String
    private let tokens: [Token]
    private var index = 0
    /// Sub-expressions open at this point (parentheses, unary signs, calls).
    private var depth = 0

    /// How deeply a formula may nest; deeper is refused with the position, never recursed into.
    static let maximumDepth = 200

    init(_ text: String) throws(FormulaError) {
        self.text = text
        self.tokens = try Lexer.tokens(text)
    }

    private static let precedence: [String: Int] = [
        "~": 1, "=": 1, "|": 2, "||": 2, "+": 3, "-": 3, "*": 4, "/": 4, ":": 5, "^": 6,
    ]

    private var current: Token { tokens[index] }

    func fail(_ message: String, at offset: Int? = nil, hint: String? = nil) -> FormulaError {
        FormulaError(formula: text, offset: offset ?? current.offset, message: message, hint: hint)
    }

    /// Parses the whole text as one expression.
    mutating func parseWhole() throws(FormulaError) -> FormulaExpression {
        if case .end = current.kind { throw fail("the formula is empty") }
        let expression = try parse(minimumPrecedence: 0)
        guard case .end = current.kind else { throw fail("unexpected \(describe(current))") }
        return expression
    }

    private mutating func parse(minimumPrecedence: Int) throws(FormulaError) -> FormulaExpression {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw fail("the formula nests more than \(Self.maximumDepth) levels deep here", hint: "remove redundant parentheses or signs")
        }
        var left = try parseUnary()
        while case .symbol(let op) = current.kind, let precedence = Self.precedence[op], precedence > minimumPrecedence {
            let offset = current.offset
            index += 1
            // `^` is right-associative; the rest associate to the left.
            let right = try parse(minimumPrecedence: op == "^" ? precedence - 1 : precedence)
            left = .binary(op, left, right, offset: offset)
        }
        return left
    }

    private mutating func parseUnary() throws(FormulaError) -> FormulaExpression {
        if case .symbol("-") = current.kind {
            let offset = current.offset
            index += 1
            return .negate(try parse(minimumPrecedence: 5), offset: offset)
        }
        if case .symbol("+") = current.kind {
            index += 1
            return try parse(minimumPrecedence: 5)
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(FormulaError) -> FormulaExpression {
        let token = current
        switch token.kind {
        case .name(let name):
            index += 1
            if case .symbol("(") = current.kind {
                index += 1
                var arguments: [FormulaExpression] = []
                if case .symbol(")") = current.kind {} else {
                    arguments.append(try parse(minimumPrecedence: 0))
                    while case .symbol(",") = current.kind {
                        index += 1
                        arguments.append(try parse(minimumPrecedence: 0))
                    }
                }
                guard case .symbol(")") = current.kind else { throw fail("expected \")\" to close \(name)(") }
                let end = current.offset
                index += 1
                let characters = Array(text)
                let callText = String(characters[token.offset...end])
                return .call(name, arguments, text: callText, offset: token.offset)
            }
            return .name(name, offset: token.offset)
        case .number(let value, let literal):
            index += 1
            return .number(value, literal: literal, offset: token.offset)
        case .symbol("("):
            index += 1
            let inner = try parse(minimumPrecedence: 0)
            guard case .symbol(")") = current.kind else {
                throw fail("expected \")\" to close the \"(\" at position \(token.offset + 1)")
            }
            index += 1
            return .parenthesized(inner, offset: token.offset)
        case .end:
            throw fail("the formula ends too soon", hint: "a term is missing after the last operator")
        default:
            throw fail("unexpected \(describe(token))")
        }
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .name(let n): "\"\(n)\""
        case .number(_, let literal): "\"\(literal)\""
        case .symbol(let s): "\"\(s)\""
        case .end: "end of formula"
        }
    }
}

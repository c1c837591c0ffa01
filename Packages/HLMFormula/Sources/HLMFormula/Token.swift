/// A lexical token of a formula, with its 0-based character offset.
struct Token: Equatable {
    enum Kind: Equatable {
        case name(String)
        case number(Double, String)
        case symbol(String)
        case end
    }

    var kind: Kind
    var offset: Int
}

/// Splits formula text into names, numbers and operator symbols.
///
/// Names hold letters (Greek included), digits, `_` and `.`; a back-quoted name may hold anything.
/// Symbols: `~ + - * / : ^ ( ) | || , = ; # ##`.
struct Lexer {
    static func tokens(_ text: String) throws(FormulaError) -> [Token] {
        let characters = Array(text)
        var tokens: [Token] = []
        var i = 0
        while i < characters.count {
            let c = characters[i]
            if c.isWhitespace {
                i += 1
                continue
            }
            let start = i
            if c == "\"" || c == "'" {
                // A quoted level ("boys" in relevel(x, ref = "boys")): read as a name literal.
                i += 1
                while i < characters.count, characters[i] != c { i += 1 }
                guard i < characters.count else {
                    throw FormulaError(formula: text, offset: start, message: "unterminated quoted text")
                }
                tokens.append(Token(kind: .name(String(characters[(start + 1)..<i])), offset: start))
                i += 1
            } else if c == "`" {
                i += 1
                while i < characters.count, characters[i] != "`" { i += 1 }
                guard i < characters.count else {
                    throw FormulaError(formula: text, offset: start, message: "unterminated back-quoted name")
                }
                tokens.append(Token(kind: .name(String(characters[(start + 1)..<i])), offset: start))
                i += 1
            } else if c.isNumber || (c == "." && i + 1 < characters.count && characters[i + 1].isNumber) {
                while i < characters.count, characters[i].isNumber || characters[i] == "." { i += 1 }
                if i < characters.count, characters[i] == "e" || characters[i] == "E" {
                    var j = i + 1
                    if j < characters.count, characters[j] == "+" || characters[j] == "-" { j += 1 }
                    if j < characters.count, characters[j].isNumber {
                        i = j
                        while i < characters.count, characters[i].isNumber { i += 1 }
                    }
                }
                let literal = String(characters[start..<i])
                guard let value = Double(literal) else {
                    throw FormulaError(formula: text, offset: start, message: "malformed number \"\(literal)\"")
                }
                // A number followed by letters is a name in Stata's `ib2.f`; leave that to the Stata reader.
                tokens.append(Token(kind: .number(value, literal), offset: start))
            } else if c.isLetter || c == "_" || c == "." {
                while i < characters.count, characters[i].isLetter || characters[i].isNumber
                    || characters[i] == "_" || characters[i] == "." {
                    i += 1
                }
                tokens.append(Token(kind: .name(String(characters[start..<i])), offset: start))
            } else {
                let pair = i + 1 < characters.count ? String(characters[i...(i + 1)]) : ""
                if ["||", "##", "**", "==", "<=", ">=", "!=", "&&"].contains(pair) {
                    tokens.append(Token(kind: .symbol(pair == "**" ? "^" : pair), offset: start))
                    i += 2
                } else if "~+-*/:^()|,=;#<>!&".contains(c) {
                    tokens.append(Token(kind: .symbol(String(c)), offset: start))
                    i += 1
                } else {
                    throw FormulaError(formula: text, offset: start, message: "unexpected character \"\(c)\"")
                }
            }
        }
        tokens.append(Token(kind: .end, offset: characters.count))
        return tokens
    }
}

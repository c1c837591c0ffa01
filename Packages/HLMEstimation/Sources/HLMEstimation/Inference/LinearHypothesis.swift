import _HLMSupport

/// Linear hypotheses and combinations of the fixed effects, as Stata's `test` and `lincom` take them:
/// `schgend[boys] = schgend[girls]`, `lrt + lrt:schgend[girls]`, `2*lrt - _cons = 1`. Several equations
/// separated by commas are tested jointly; bare names separated by spaces are each set to zero
/// (`test schgend[boys] schgend[girls]`). Coefficient names are matched exactly (`_cons` is the
/// intercept); the parser reads left to right, without recursion.
public struct LinearHypothesis: Sendable, Equatable {
    /// The text as given.
    public var text: String
    /// One row per equation: coefficients on β and the right-hand side, rows · β = rhs.
    public var rows: [[Double]]
    public var rhs: [Double]

    /// Parses `text` against the coefficient names. `combination`: a single expression without `=`
    /// (`lincom`); otherwise one or more equations (`test`).
    public init(_ text: String, names: [String], combination: Bool = false) throws(HypothesisError) {
        self.text = text
        let characters = Array(text)
        var equations: [(Int, Int)] = []
        var depth = 0, start = 0
        for (i, c) in characters.enumerated() {
            if c == "[" || c == "(" { depth += 1 } else if c == "]" || c == ")" { depth = max(0, depth - 1) }
            if c == ",", depth == 0 { equations.append((start, i)); start = i + 1 }
        }
        equations.append((start, characters.count))
        if combination && equations.count > 1 {
            throw HypothesisError(text: text, offset: equations[1].0 - 1, message: "a linear combination is one expression; test several with --test")
        }
        var rows: [[Double]] = [], rhs: [Double] = []
        for (from, to) in equations {
            let sides = Self.split(characters, from, to, at: "=")
            if combination && sides.count > 1 {
                throw HypothesisError(text: text, offset: sides[1].0 - 1, message: "a linear combination has no '='; give the expression alone")
            }
            guard sides.count <= 2 else { throw HypothesisError(text: text, offset: sides[2].0 - 1, message: "more than one '=' in an equation") }
            // Bare names separated by spaces, no operators: each is zero (Stata's `test a b`).
            let piece = String(characters[from..<to]).trimmingSpaces
            if sides.count == 1, !combination, piece.contains(" "),
               !piece.contains(where: { "+-*".contains($0) }) {
                var offset = from
                for word in piece.split(separator: " ", omittingEmptySubsequences: true) {
                    while offset < to, characters[offset] == " " { offset += 1 }
                    var row = [Double](repeating: 0, count: names.count)
                    row[try Self.index(String(word), names: names, text: text, offset: offset)] = 1
                    rows.append(row)
                    rhs.append(0)
                    offset += word.count
                }
                continue
            }
            var row = [Double](repeating: 0, count: names.count), constant = 0.0
            for (k, side) in sides.enumerated() {
                let sign = k == 0 ? 1.0 : -1.0
                try Self.accumulate(characters, side.0, side.1, sign: sign, names: names, text: text, row: &row, constant: &constant)
            }
            guard row.contains(where: { $0 != 0 }) else {
                throw HypothesisError(text: text, offset: from, message: "the expression names no coefficient")
            }
            rows.append(row)
            rhs.append(-constant)
        }
        self.rows = rows
        self.rhs = rhs
    }

    /// The ranges between top-level occurrences of `separator` in characters[from..<to].
    static func split(_ characters: [Character], _ from: Int, _ to: Int, at separator: Character) -> [(Int, Int)] {
        var parts: [(Int, Int)] = [], depth = 0, start = from
        for i in from..<to {
            let c = characters[i]
            if c == "[" || c == "(" { depth += 1 } else if c == "]" || c == ")" { depth = max(0, depth - 1) }
            if c == separator, depth == 0 { parts.append((start, i)); start = i + 1 }
        }
        parts.append((start, to))
        return parts
    }

    /// Adds `sign` × the expression characters[from..<to] (terms `[number *] name`, `number`, joined by + and −)
    /// to row (coefficients) and constant.
    static func accumulate(_ characters: [Character], _ from: Int, _ to: Int, sign: Double, names: [String], text: String,
                           row: inout [Double], constant: inout Double) throws(HypothesisError) {
        // Terms: split at top-level + and − that follow an operand (not a sign after '*', '(' or the start).
        var terms: [(start: Int, end: Int, sign: Double)] = []
        var depth = 0, start = from, termSign = 1.0, sawOperand = false
        for i in from..<to {
            let c = characters[i]
            if c == "[" || c == "(" { depth += 1 } else if c == "]" || c == ")" { depth = max(0, depth - 1) }
            guard depth == 0, c == "+" || c == "-" else {
                if c != " " { sawOperand = true }
                continue
            }
            let previous = (start..<i).reversed().first { characters[$0] != " " }.map { characters[$0] }
            // The sign of an exponent (1e-3) or of a factor after '*' (2*-x) stays inside the term.
            if (previous == "e" || previous == "E") && isNumberBefore(characters, start, i) { continue }
            if previous == "*" { continue }
            if sawOperand {
                terms.append((start, i, termSign))
                termSign = c == "-" ? -1 : 1
            } else if c == "-" {
                termSign = -termSign
            }
            start = i + 1
            sawOperand = false
        }
        terms.append((start, to, termSign))
        for term in terms {
            let body = String(characters[term.start..<term.end]).trimmingSpaces
            let offset = (term.start..<term.end).first { characters[$0] != " " } ?? term.start
            guard !body.isEmpty else { throw HypothesisError(text: text, offset: offset, message: "an empty term") }
            let factors = split(characters, term.start, term.end, at: "*").map { String(characters[$0.0..<$0.1]).trimmingSpaces }
            guard factors.count <= 2, !factors.contains(where: \.isEmpty) else {
                throw HypothesisError(text: text, offset: offset, message: "a term is a number, a coefficient, or number*coefficient")
            }
            var multiplier = sign * term.sign
            var name: String?
            for var factor in factors {
                while let first = factor.first, first == "-" || first == "+" {
                    if first == "-" { multiplier = -multiplier }
                    factor = String(factor.dropFirst()).trimmingSpaces
                }
                if let number = Double(factor), number.isFinite {
                    multiplier *= number
                } else if name == nil {
                    name = factor
                } else {
                    throw HypothesisError(text: text, offset: offset, message: "a product of two coefficients is not linear")
                }
            }
            if let name {
                row[try index(name, names: names, text: text, offset: offset)] += multiplier
            } else {
                constant += multiplier
            }
        }
    }

    /// Whether the characters just before `end` (after `start`) end in a number's mantissa, as in `1e-3`.
    static func isNumberBefore(_ characters: [Character], _ start: Int, _ end: Int) -> Bool {
        let text = String(characters[start..<end]).trimmingSpaces
        return text.count > 1 && Double(String(text.dropLast())) != nil
    }

    /// The coefficient called `name` (`_cons` for the intercept), or an error naming the nearest names.
    static func index(_ name: String, names: [String], text: String, offset: Int) throws(HypothesisError) -> Int {
        let wanted = name == "_cons" ? "(Intercept)" : name
        if let index = names.firstIndex(of: wanted) { return index }
        let shown = names.map { $0 == "(Intercept)" ? "_cons" : $0 }
        throw HypothesisError(text: text, offset: offset, message: "\"\(HypothesisError.excerpt(name, around: 0, width: 60))\" is not a coefficient"
                              + NearestNames.hint(NearestNames.suggest(name, among: shown)))
    }
}

/// A hypothesis that does not parse or names no coefficient: one line with its position.
public struct HypothesisError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var offset: Int
    public var message: String

    public var description: String {
        "\"\(Self.excerpt(text, around: offset))\" position \(offset + 1): \(Self.excerpt(message, around: 0, width: 240))"
    }

    /// Long text cut to `width` characters around a position (a 60,000-character input stays one short line).
    static func excerpt(_ text: String, around offset: Int, width: Int = 80) -> String {
        let escaped = VisibleText.escape(text)
        guard escaped.count > width else { return escaped }
        let characters = Array(escaped), half = width / 2
        let start = max(0, min(offset - half, characters.count - width)), end = min(characters.count, start + width)
        return (start > 0 ? "…" : "") + String(characters[start..<end]) + (end < characters.count ? "…" : "")
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

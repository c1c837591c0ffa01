/// lme4 (Wilkinson–Rogers) formulas: `y ~ x1 + x2 + (x1 | g) + (1 | a/b) + (x || h)`.
enum LME4Notation {
    static func parse(_ text: String) throws(FormulaError) -> ModelFormula {
        var parser = try ExpressionParser(text)
        let expression = try parser.parseWhole()
        guard case .binary("~", let lhs, let rhs, _) = expression else {
            throw FormulaError(formula: text, offset: expression.offset, message: "expected \"response ~ terms\"")
        }
        let expander = TermExpander(formula: text)
        var response: Predictor
        var counts: [Arithmetic]?
        if case .call("cbind", let arguments, _, let offset) = lhs {
            // cbind(successes, failures): a binomial response; y is the successes.
            guard arguments.count == 2 else {
                throw FormulaError(formula: text, offset: offset, message: "cbind() takes two expressions: successes and failures")
            }
            counts = [try expander.arithmetic(arguments[0]), try expander.arithmetic(arguments[1])]
            guard case .name = arguments[0] else {
                throw FormulaError(formula: text, offset: arguments[0].offset, message: "cbind()'s first argument is the column of successes")
            }
            response = try expander.predictor(arguments[0])
        } else {
            response = try expander.predictor(lhs)
        }

        var fixedParts: [FormulaExpression] = []
        var randomTerms: [RandomTerm] = []
        var offsets: [Arithmetic] = []
        for part in summands(rhs) {
            if case .call("offset", let arguments, _, let offset) = part {
                guard arguments.count == 1 else {
                    throw FormulaError(formula: text, offset: offset, message: "offset() takes one expression")
                }
                offsets.append(try expander.arithmetic(arguments[0]))
            } else if case .parenthesized(.binary(let bar, let inside, let group, _), _) = part, bar == "|" || bar == "||" {
                randomTerms += try randomTerm(inside, group, independent: bar == "||", text: text, expander: expander)
            } else {
                fixedParts.append(part)
            }
        }
        var fixed = TermSet()
        for part in fixedParts { fixed = fixed.union(try expander.expand(part)) }
        var formula = ModelFormula(text: text, notation: .lme4, response: response, hasIntercept: fixed.intercept ?? true,
                                   fixedTerms: fixed.terms, randomTerms: randomTerms)
        formula.offsets = offsets
        formula.responseCounts = counts
        if counts != nil { formula.family = .binomial }
        return formula
    }

    /// The operands of a top-level chain of `+` (a `-` stays inside its operand).
    static func summands(_ expression: FormulaExpression) -> [FormulaExpression] {
        if case .binary("+", let a, let b, _) = expression { return summands(a) + summands(b) }
        return [expression]
    }

    /// `(terms | g)`; `g` may be `a/b` (two terms: `a` and `a:b`) or `a:b`.
    static func randomTerm(
        _ inside: FormulaExpression, _ group: FormulaExpression, independent: Bool, text: String, expander: TermExpander
    ) throws(FormulaError) -> [RandomTerm] {
        let set = try expander.expand(inside)
        var terms = set.terms
        if set.intercept ?? true { terms.insert(.intercept, at: 0) }
        guard !terms.isEmpty else {
            throw FormulaError(formula: text, offset: inside.offset, message: "this random-effects term has nothing in it",
                               hint: "(0 | g) removes the intercept and adds nothing; write (1 | g) or (0 + x | g)")
        }
        let groupings = try groupingFactors(group, text: text)
        return groupings.map {
            RandomTerm(terms: terms, grouping: $0, covariance: independent ? .independent : .unstructured)
        }
    }

    /// The grouping factors of `g`, `a:b` and `a/b/c` (outer first).
    static func groupingFactors(_ group: FormulaExpression, text: String) throws(FormulaError) -> [[String]] {
        switch group {
        case .name(let name, _):
            return [[name]]
        case .parenthesized(let inner, _):
            return try groupingFactors(inner, text: text)
        case .binary(":", let a, let b, _):
            let left = try groupingFactors(a, text: text), right = try groupingFactors(b, text: text)
            guard left.count == 1, right.count == 1 else { break }
            return [left[0] + right[0]]
        case .binary("/", let a, let b, _):
            let outer = try groupingFactors(a, text: text), inner = try groupingFactors(b, text: text)
            guard let deepest = outer.last, inner.count == 1 else { break }
            return outer + [deepest + inner[0]]
        case .binary("+", _, _, let offset):
            throw FormulaError(formula: text, offset: offset, message: "a random-effects term has one grouping factor",
                               hint: "write (1 | a) + (1 | b) for crossed factors")
        default:
            break
        }
        throw FormulaError(formula: text, offset: group.offset, message: "a grouping factor must be a column, a:b or a/b")
    }
}

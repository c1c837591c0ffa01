/// Expands Wilkinson–Rogers operators into a set of terms, as R's `terms()` does:
/// `a + b`, `a - b`, `a:b`, `a*b` (= `a + b + a:b`), `(a + b)^2`, `a/b` (= `a + a:b`), `0`, `1`, `-1`.
struct TermSet: Equatable {
    /// Non-intercept terms in order of appearance, without repeats.
    var terms: [Term] = []
    /// nil when the expression says nothing about the intercept.
    var intercept: Bool?
    /// The predictor sets of `terms`, for constant-time repeats checks.
    private var keys: Set<Set<Predictor>> = []

    /// More terms than a model can use; a formula expanding past it (a##b##c##… of many factors) is refused.
    static let maximumTerms = 1024

    static func == (a: TermSet, b: TermSet) -> Bool { a.terms == b.terms && a.intercept == b.intercept }

    mutating func add(_ term: Term) {
        if term.isIntercept {
            intercept = true
        } else if keys.insert(Set(term.predictors)).inserted {
            terms.append(term)
        }
    }

    mutating func removeAll(where shouldRemove: (Term) -> Bool) {
        terms.removeAll(where: shouldRemove)
        keys = Set(terms.map { Set($0.predictors) })
    }

    func union(_ other: TermSet) -> TermSet {
        var result = self
        for term in other.terms { result.add(term) }
        if let intercept = other.intercept { result.intercept = intercept }
        return result
    }

    /// Every product of a term of `self` with a term of `other`.
    func product(_ other: TermSet) -> TermSet {
        var result = TermSet()
        let left = terms.isEmpty ? [Term.intercept] : terms
        let right = other.terms.isEmpty ? [Term.intercept] : other.terms
        for a in left {
            for b in right { result.add(a.interacted(with: b)) }
        }
        return result
    }
}

/// Turns a ``FormulaExpression`` (one side of a formula, no bars) into a ``TermSet``.
struct TermExpander {
    let formula: String

    func fail(_ message: String, _ offset: Int, hint: String? = nil) -> FormulaError {
        FormulaError(formula: formula, offset: offset, message: message, hint: hint)
    }

    func expand(_ expression: FormulaExpression) throws(FormulaError) -> TermSet {
        switch expression {
        case .name(let name, _):
            var set = TermSet()
            set.add(Term([.variable(name)]))
            return set
        case .number(let value, let literal, let offset):
            guard value == 0 || value == 1 else {
                throw fail("a number (\(literal)) cannot be a term", offset, hint: "use 1 or 0 for the intercept, or I(...) for arithmetic")
            }
            var set = TermSet()
            set.intercept = value == 1
            return set
        case .call:
            var set = TermSet()
            set.add(Term([try predictor(expression)]))
            return set
        case .parenthesized(let inner, _):
            return try expand(inner)
        case .negate(let inner, let offset):
            guard case .number(1, _, _) = inner else {
                if case .number(0, _, _) = inner { var set = TermSet(); set.intercept = true; return set }
                throw fail("only -1 (no intercept) may be negated alone", offset)
            }
            var set = TermSet()
            set.intercept = false
            return set
        case .binary(let op, let lhs, let rhs, let offset):
            switch op {
            case "+":
                return try expand(lhs).union(try expand(rhs))
            case "-":
                var result = try expand(lhs)
                let removed = try expand(rhs)
                if removed.intercept == true { result.intercept = false }
                if removed.intercept == false { result.intercept = true }
                result.removeAll { term in removed.terms.contains { $0.sameSet(term) } }
                return result
            case ":":
                let a = try expand(lhs), b = try expand(rhs)
                try checkSize(a.terms.count * b.terms.count, offset)
                return a.product(b)
            case "*":
                let a = try expand(lhs), b = try expand(rhs)
                try checkSize(a.terms.count + b.terms.count + a.terms.count * b.terms.count, offset)
                return a.union(b).union(a.product(b))
            case "/":
                let a = try expand(lhs), b = try expand(rhs)
                let whole = a.terms.reduce(Term.intercept) { $0.interacted(with: $1) }
                var nested = TermSet()
                nested.add(whole)
                return a.union(nested.product(b))
            case "^":
                guard case .number(let power, _, _) = rhs, power >= 1, power == power.rounded(), power <= 1_000 else {
                    throw fail("^ needs a whole number from 1 to 1000", rhs.offset)
                }
                let base = try expand(lhs)
                var result = base
                for _ in 1..<min(Int(power), max(1, base.terms.count)) {
                    try checkSize(result.terms.count * base.terms.count, offset)
                    result = result.union(result.product(base))
                }
                return result
            case "|", "||":
                throw fail("a random-effects term must be in parentheses at the top level", offset,
                           hint: "write (x | g) as one of the terms added with +")
            default:
                throw fail("\"\(op)\" is not allowed here", offset)
            }
        }
    }

    /// Refuses an expansion past ``TermSet/maximumTerms``.
    func checkSize(_ count: Int, _ offset: Int) throws(FormulaError) {
        if count > TermSet.maximumTerms {
            throw fail("the formula expands to more than \(TermSet.maximumTerms) terms", offset, hint: "interact fewer factors")
        }
    }

    /// A single predictor: a name or a function call.
    func predictor(_ expression: FormulaExpression) throws(FormulaError) -> Predictor {
        switch expression {
        case .name(let name, _):
            return .variable(name)
        case .parenthesized(let inner, _):
            return try predictor(inner)
        case .call(let name, let arguments, let text, let offset):
            if name == "factor" || name == "as.factor" {
                guard arguments.count == 1, case .name(let variable, _) = arguments[0] else {
                    throw fail("factor() takes one column name", offset)
                }
                return .categorical(variable, base: nil)
            }
            guard let kind = FunctionCall.Kind(rawValue: name) else {
                throw fail("unknown function \"\(name)\"", offset,
                           hint: "available: " + FunctionCall.Kind.allCases.map { $0.rawValue + "()" }.joined(separator: ", ") + ", factor()")
            }
            let needsGroup = kind == .cwc || kind == .gmean
            guard arguments.count == (needsGroup ? 2 : 1) else {
                throw fail("\(name)() takes \(needsGroup ? "a column and a grouping column" : "one argument")", offset)
            }
            var group: String?
            if needsGroup {
                guard case .name(let g, _) = arguments[1] else { throw fail("\(name)()'s second argument must be a column", arguments[1].offset) }
                group = g
            }
            return .function(FunctionCall(kind: kind, argument: try arithmetic(arguments[0]), group: group, text: text))
        default:
            throw fail("expected a variable or a function call", expression.offset)
        }
    }

    /// Arithmetic inside `I()` and function arguments.
    func arithmetic(_ expression: FormulaExpression) throws(FormulaError) -> Arithmetic {
        switch expression {
        case .name(let name, _): return .variable(name)
        case .number(let value, _, _): return .number(value)
        case .parenthesized(let inner, _): return try arithmetic(inner)
        case .negate(let inner, _): return .negate(try arithmetic(inner))
        case .binary(let op, let a, let b, let offset):
            guard ["+", "-", "*", "/", "^"].contains(op) else { throw fail("\"\(op)\" is not arithmetic", offset) }
            return .binary(Character(op), try arithmetic(a), try arithmetic(b))
        case .call(let name, let arguments, _, let offset):
            guard let kind = FunctionCall.Kind(rawValue: name), [.log, .exp, .sqrt, .abs].contains(kind), arguments.count == 1 else {
                throw fail("only log, exp, sqrt and abs may be used inside arithmetic", offset)
            }
            return .function(kind, try arithmetic(arguments[0]))
        }
    }
}

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
                // The removed terms' predictor sets once: a - b of a thousand terms each is then linear, not quadratic
                // (a fuzzer's input took 4 s here).
                let removedKeys = Set(removed.terms.map { Set($0.predictors) })
                result.removeAll { removedKeys.contains(Set($0.predictors)) }
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
            if name == "factor" || name == "as.factor" || name == "relevel" {
                return try factorCall(name, arguments, offset)
            }
            if name == "poly" {
                guard arguments.count == 2, case .number(let k, _, _) = Self.named(arguments[1], "degree"), k >= 1, k <= 20, k == k.rounded() else {
                    throw fail("poly() takes a column and a degree from 1 to 20: poly(x, 2)", offset)
                }
                return .function(FunctionCall(kind: .poly, argument: try arithmetic(arguments[0]), text: expressionText(expression), degree: Int(k)))
            }
            if name == "offset" {
                throw fail("offset() is a term of its own, added with +", offset, hint: "write y ~ x + offset(log(t)) + (1 | g)")
            }
            guard let kind = FunctionCall.Kind(rawValue: name) else {
                throw fail("unknown function \"\(name)\"", offset,
                           hint: "available: " + FunctionCall.Kind.allCases.map { $0.rawValue + "()" }.joined(separator: ", ") + ", factor(), relevel(), poly(), offset()")
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

    /// The call's text as written (the predictor's name).
    func expressionText(_ expression: FormulaExpression) -> String {
        if case .call(_, _, let text, _) = expression { return text }
        return ""
    }

    /// `name = value` or a bare value, for an argument that may be named.
    static func named(_ argument: FormulaExpression, _ name: String) -> FormulaExpression {
        if case .binary("=", .name(let given, _), let value, _) = argument, given == name { return value }
        return argument
    }

    /// `factor(x)`, `factor(x, levels = c(2, 3, 1))`, `relevel(x, ref = "boys")` (x itself may be `factor(x)`).
    func factorCall(_ name: String, _ arguments: [FormulaExpression], _ offset: Int) throws(FormulaError) -> Predictor {
        guard let first = arguments.first else { throw fail("\(name)() needs a column", offset) }
        var variable: String
        var base: BaseLevel?
        switch first {
        case .name(let v, _): variable = v
        case .call(let inner, let innerArguments, _, let innerOffset) where name == "relevel" && (inner == "factor" || inner == "as.factor"):
            guard case .categorical(let v, let b) = try factorCall(inner, innerArguments, innerOffset) else { throw fail("expected a column", innerOffset) }
            (variable, base) = (v, b)
        default: throw fail("\(name)() takes a column name", first.offset)
        }
        if name == "relevel" {
            guard arguments.count == 2 else { throw fail("relevel() takes a column and ref = \"level\"", offset) }
            guard let level = Self.literal(Self.named(arguments[1], "ref")) else {
                throw fail("relevel()'s ref must be a level, e.g. ref = \"boys\"", arguments[1].offset)
            }
            if case .levels(var order)? = base {
                // relevel(factor(x, levels = ...), ref = l): l first, the rest in their order.
                order.removeAll { $0 == level }
                return .categorical(variable, base: .levels([level] + order))
            }
            return .categorical(variable, base: .value(level))
        }
        guard arguments.count <= 2 else { throw fail("\(name)() takes a column and, optionally, levels = c(...)", offset) }
        if arguments.count == 2 {
            guard case .call("c", let values, _, _) = Self.named(arguments[1], "levels"), !values.isEmpty else {
                throw fail("factor()'s levels must be written levels = c(...)", arguments[1].offset)
            }
            var order: [String] = []
            for value in values {
                guard let level = Self.literal(value) else { throw fail("a level must be a number or quoted text", value.offset) }
                if !order.contains(level) { order.append(level) }
            }
            return .categorical(variable, base: .levels(order))
        }
        return .categorical(variable, base: base)
    }

    /// A level written as a number or as quoted text.
    static func literal(_ expression: FormulaExpression) -> String? {
        switch expression {
        case .name(let text, _): text
        case .number(_, let literal, _): literal
        case .negate(.number(_, let literal, _), _): "-" + literal
        default: nil
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

/// A function of data columns used as a predictor: transformations, `I()` arithmetic, and the
/// centring helpers HLM users rely on.
public struct FunctionCall: Hashable, Sendable {
    /// The functions a formula may call.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case log, exp, sqrt, abs
        /// `I(expr)`: arithmetic on columns and numbers.
        case identity = "I"
        /// `center(x)`: x minus its grand mean.
        case center
        /// `cwc(x, g)`: x centred within the groups of g.
        case cwc
        /// `gmean(x, g)`: the mean of x in each group of g (a level-2 context variable).
        case gmean
        /// `scale(x)`: (x − mean) / SD, the SD with n − 1 (R's `scale`).
        case scale
        /// `poly(x, k)`: k orthogonal polynomial columns, exactly as R's `poly` makes them.
        case poly
    }

    public var kind: Kind
    /// The arithmetic argument (`x` or, for `I()`, any expression).
    public var argument: Arithmetic
    /// The grouping column of `cwc` and `gmean`.
    public var group: String?
    /// The call as written: the predictor's name.
    public var text: String
    /// The degree of `poly(x, k)`.
    public var degree: Int?

    public init(kind: Kind, argument: Arithmetic, group: String? = nil, text: String, degree: Int? = nil) {
        self.kind = kind
        self.argument = argument
        self.group = group
        self.text = text
        self.degree = degree
    }

    public var variables: [String] { argument.variables + (group.map { [$0] } ?? []) }
}

/// Arithmetic on columns and numbers, as in `I(age^2)` or `log(income + 1)`.
public indirect enum Arithmetic: Hashable, Sendable {
    case variable(String)
    case number(Double)
    case negate(Arithmetic)
    case binary(Character, Arithmetic, Arithmetic)
    case function(FunctionCall.Kind, Arithmetic)

    public var variables: [String] {
        switch self {
        case .variable(let name): [name]
        case .number: []
        case .negate(let a), .function(_, let a): a.variables
        case .binary(_, let a, let b): a.variables + b.variables
        }
    }

    /// Evaluates at one row, given each variable's value there.
    public func evaluate(_ value: (String) -> Double) -> Double {
        switch self {
        case .variable(let name): value(name)
        case .number(let x): x
        case .negate(let a): -a.evaluate(value)
        case .function(let kind, let a): FunctionCall.apply(kind, a.evaluate(value))
        case .binary(let op, let a, let b):
            switch op {
            case "+": a.evaluate(value) + b.evaluate(value)
            case "-": a.evaluate(value) - b.evaluate(value)
            case "*": a.evaluate(value) * b.evaluate(value)
            case "/": a.evaluate(value) / b.evaluate(value)
            default: pow(a.evaluate(value), b.evaluate(value))
            }
        }
    }
}

extension FunctionCall {
    /// The elementwise transformations.
    static func apply(_ kind: Kind, _ x: Double) -> Double {
        switch kind {
        case .log: Foundation.log(x)
        case .exp: Foundation.exp(x)
        case .sqrt: x.squareRoot()
        case .abs: Swift.abs(x)
        default: x
        }
    }
}

import Foundation

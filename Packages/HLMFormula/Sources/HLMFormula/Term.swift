/// One variable-like part of a term, before it has seen the data.
public enum Predictor: Hashable, Sendable {
    /// A column; whether it is numeric or categorical is decided by the data and codebook.
    case variable(String)
    /// A column forced categorical (`factor(x)`, Stata `i.x`), optionally with a chosen base level.
    case categorical(String, base: BaseLevel?)
    /// A column forced numeric (Stata `c.x`).
    case continuous(String)
    /// A function of columns: `log(x)`, `I(x^2)`, `center(x)`, `cwc(x, g)`, `gmean(x, g)`.
    case function(FunctionCall)

    /// The columns of the data it reads.
    public var variables: [String] {
        switch self {
        case .variable(let name), .categorical(let name, _), .continuous(let name): [name]
        case .function(let call): call.variables
        }
    }

    /// How it is named in coefficient names (before level suffixes).
    public var name: String {
        switch self {
        case .variable(let name), .categorical(let name, _), .continuous(let name): name
        case .function(let call): call.text
        }
    }
}

/// Which level of a factor is the reference.
public enum BaseLevel: Hashable, Sendable {
    /// The level whose value or label is this (Stata `ib2.f`; value 2).
    case value(String)
    case first, last
    /// These levels in this order, the first the reference (R's `factor(x, levels = c(...))`); rows with
    /// another value are dropped as missing, as R makes them NA.
    case levels([String])
}

/// A product of predictors: the intercept (no predictors), a main effect (one), or an interaction.
public struct Term: Hashable, Sendable, CustomStringConvertible {
    public var predictors: [Predictor]

    public init(_ predictors: [Predictor]) {
        self.predictors = predictors
    }

    public static let intercept = Term([])

    public var isIntercept: Bool { predictors.isEmpty }

    /// The product of two terms, each predictor once, in order of appearance.
    public func interacted(with other: Term) -> Term {
        var result = predictors
        for predictor in other.predictors where !result.contains(predictor) { result.append(predictor) }
        return Term(result)
    }

    /// The same set of predictors, whatever the order.
    public func sameSet(_ other: Term) -> Bool {
        Set(predictors) == Set(other.predictors)
    }

    public var description: String {
        isIntercept ? "1" : predictors.map(\.name).joined(separator: ":")
    }
}

/// How the random effects of one term covary (lme4 `||` is `independent`; Stata's `covariance()`).
public enum CovarianceStructure: String, Sendable, Codable, CaseIterable {
    /// Every variance and covariance free (lme4's default).
    case unstructured
    /// Variances free, covariances zero (Stata's default for several random terms).
    case independent
    /// One common variance and one common covariance.
    case exchangeable
    /// One common variance, covariances zero.
    case identity
}

/// A random-effects term: predictors whose coefficients vary over the levels of a grouping factor.
public struct RandomTerm: Hashable, Sendable, CustomStringConvertible {
    /// The varying terms; ``Term/intercept`` first when present.
    public var terms: [Term]
    /// The grouping factor: one column, or several for an interaction (`a:b`, from `a/b`).
    public var grouping: [String]
    public var covariance: CovarianceStructure
    /// The covariance structure was chosen by default, not by the user.
    public var covarianceIsDefault: Bool

    public init(terms: [Term], grouping: [String], covariance: CovarianceStructure = .unstructured,
                covarianceIsDefault: Bool = false) {
        self.terms = terms
        self.grouping = grouping
        self.covariance = covariance
        self.covarianceIsDefault = covarianceIsDefault
    }

    /// The group's name: `school`, or `batch:cask` for a nested factor.
    public var groupName: String { grouping.joined(separator: ":") }

    public var description: String {
        let inside = terms.map(\.description).joined(separator: " + ")
        let hasIntercept = terms.contains(.intercept)
        let lhs = hasIntercept ? inside : (inside.isEmpty ? "0" : "0 + " + inside)
        return "(\(lhs) \(covariance == .independent ? "||" : "|") \(groupName))"
    }
}

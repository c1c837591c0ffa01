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

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

import HLMFormula

/// Likelihood-ratio tests between models fitted to the same rows, as lme4's `anova()` does them:
/// models ordered by their number of parameters, each tested against the one before it. When REML
/// fits differ in their fixed effects, every model is refitted by ML first (REML likelihoods of
/// models with different fixed effects are not comparable).
public struct ModelComparison: Sendable {
    public struct Test: Sendable, Codable, Equatable {
        /// Indices (in the order given) of the smaller and the larger model.
        public var smaller: Int
        public var larger: Int
        public var statistic: Double
        public var df: Int
        public var pValue: Double
    }

    /// The fits the tests use (ML refits where needed), in the order given.
    public var fits: [LinearMixedModel]
    public var tests: [Test]
    /// Whether REML fits were refitted by ML for the tests.
    public var refittedWithML: Bool

    public init(_ fits: [LinearMixedModel]) throws(EstimationError) {
        let sameFixed = Set(fits.map { $0.design.fixedNames }).count == 1
        var used = fits
        refittedWithML = false
        if fits.contains(where: { $0.criterion == .reml }) && !sameFixed {
            used = []
            for fit in fits { used.append(fit.criterion == .ml ? fit : try LinearMixedModel.fit(fit.design, criterion: .ml)) }
            refittedWithML = true
        }
        self.fits = used
        let order = used.indices.sorted { (used[$0].parameterCount, $0) < (used[$1].parameterCount, $1) }
        tests = zip(order, order.dropFirst()).map { a, b in
            let statistic = max(0, 2 * (used[b].logLikelihood - used[a].logLikelihood))
            let df = used[b].parameterCount - used[a].parameterCount
            return Test(smaller: a, larger: b, statistic: statistic, df: df,
                        pValue: df > 0 ? Distributions.chiSquareSurvival(statistic, df: Double(df)) : .nan)
        }
    }
}

import HLMFormula

/// Likelihood-ratio tests between models fitted to the same rows, as lme4's `anova()` does them:
/// models ordered by their number of parameters, each tested against the one before it. REML fits are
/// refitted by ML first, as `anova(refit = TRUE)`, lme4's default; `refit: false` keeps them (valid only
/// when the fixed effects are the same). A pair that is not nested gets no test, only a note.
public struct ModelComparison: Sendable {
    public struct Test: Sendable, Codable, Equatable {
        /// Indices (in the order given) of the smaller and the larger model.
        public var smaller: Int
        public var larger: Int
        public var statistic: Double
        public var df: Int
        public var pValue: Double
        /// Whether the smaller model is nested in the larger one (same fixed effects or fewer, and each
        /// random-effects term within one of the larger model's on the same grouping factor).
        public var nested: Bool
    }

    /// The fits the tests use (ML refits where needed), in the order given.
    public var fits: [LinearMixedModel]
    public var tests: [Test]
    /// Whether REML fits were refitted by ML for the tests.
    public var refittedWithML: Bool

    public init(_ fits: [LinearMixedModel], refit: Bool = true) throws(EstimationError) {
        var used = fits
        refittedWithML = false
        if refit && fits.contains(where: { $0.criterion == .reml && $0.estimator.maximisesLikelihood }) {
            used = []
            for fit in fits { used.append(fit.criterion == .ml ? fit : try LinearMixedModel.fit(fit.design, criterion: .ml)) }
            refittedWithML = true
        }
        self.fits = used
        let order = used.indices.sorted { (used[$0].parameterCount, $0) < (used[$1].parameterCount, $1) }
        tests = zip(order, order.dropFirst()).map { a, b in
            let statistic = max(0, 2 * (used[b].logLikelihood - used[a].logLikelihood))
            let df = used[b].parameterCount - used[a].parameterCount
            let nested = df > 0 && Self.isNested(used[a].design, in: used[b].design)
            return Test(smaller: a, larger: b, statistic: statistic, df: df,
                        pValue: nested ? Distributions.chiSquareSurvival(statistic, df: Double(df)) : .nan, nested: nested)
        }
    }

    /// Whether `small` is a special case of `large`: its fixed effects among large's, and each of its
    /// random-effects terms' coefficients within a term of large on the same grouping factor.
    static func isNested(_ small: ModelDesign, in large: ModelDesign) -> Bool {
        guard Set(small.fixedNames).isSubset(of: Set(large.fixedNames)) else { return false }
        return small.randomTerms.allSatisfy { term in
            let covering = large.randomTerms.filter { $0.groupName == term.groupName }
            return Set(term.termNames).isSubset(of: Set(covering.flatMap(\.termNames)))
        }
    }
}

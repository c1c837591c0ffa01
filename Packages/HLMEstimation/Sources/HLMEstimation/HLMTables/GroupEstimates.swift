import Foundation
import HLMFormula

/// `hlm groups`: for each group, its own OLS coefficients beside its empirical-Bayes coefficients
/// (fixed part plus conditional mode), their standard errors, and the shrinkage toward the fixed part.
public struct GroupEstimates: Sendable, Codable {
    public struct Group: Sendable, Codable {
        public var name: String
        public var size: Int
        /// Per random coefficient (nil where the group has no OLS fit of its own).
        public var ols: [Double]?
        public var olsStdError: [Double]?
        public var empiricalBayes: [Double]
        /// √ of the conditional variance of the random effect (given θ and β), as lme4's condVar.
        public var empiricalBayesStdError: [Double]?
        /// 1 − τ_qq / (τ_qq + v_qqj): how far the EB estimate moves from the group's OLS toward the fixed part.
        public var shrinkage: [Double]?
    }

    public var group: String
    public var terms: [String]
    public var groups: [Group]

    /// Every random-effects term's groups: EB estimates with their conditional SEs for all, and the
    /// groups' own OLS fits (with the shrinkage) where they exist: a model with one term.
    public static func all(_ fit: LinearMixedModel) throws(EstimationError) -> [GroupEstimates] {
        let conditional = try fit.conditionalCovariancesOfAllTerms()
        return fit.design.randomTerms.indices.map { GroupEstimates(fit, term: $0, conditional: conditional[$0]) }
    }

    /// The first term's groups; nil unless the model has one random-effects term.
    public init?(_ fit: LinearMixedModel) {
        guard fit.design.randomTerms.count == 1 else { return nil }
        self.init(fit, term: 0, conditional: fit.conditionalVariances?[0])
    }

    /// Term `k`'s groups; `conditional`: each group's conditional covariance (flattened q×q).
    init(_ fit: LinearMixedModel, term k: Int, conditional covariances: [[Double]]?) {
        let design = fit.design
        let term = design.randomTerms[k], q = term.termCount
        // Per-group OLS is HLM's level-1 regression: defined for a model with one grouping term.
        let ols = design.randomTerms.count == 1 ? GroupwiseLeastSquares(design) : GroupwiseLeastSquares?.none
        var byIndex: [Int: GroupwiseLeastSquares.Group] = [:]
        for g in ols?.groups ?? [] { byIndex[g.index] = g }
        var sizes = [Int](repeating: 0, count: term.groupCount)
        for code in term.codes { sizes[Int(code)] += 1 }
        let sigma2 = fit.sigma * fit.sigma
        let tau = fit.components[k].covarianceMatrix
        let coefficients = fit.groupCoefficients[k]
        group = term.groupName
        terms = term.termNames
        groups = (0..<term.groupCount).map { j in
            let own = byIndex[j]
            let conditional = covariances?[j]
            return Group(
                name: term.levels[j], size: sizes[j], ols: own?.coefficients,
                olsStdError: own.map { g in (0..<q).map { a in ((g.residualVariance ?? sigma2) * g.inverseCrossProduct[a + a * q]).squareRoot() } },
                empiricalBayes: coefficients[j],
                empiricalBayesStdError: conditional.map { c in (0..<q).map { c[$0 + $0 * q].squareRoot() } },
                shrinkage: own.map { g in (0..<q).map { a in
                    let v = sigma2 * g.inverseCrossProduct[a + a * q]
                    return v / (tau[a][a] + v)
                } })
        }
    }
}

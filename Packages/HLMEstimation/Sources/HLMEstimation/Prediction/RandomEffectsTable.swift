import HLMFormula

/// One term's random effects, group by group: the conditional modes (empirical-Bayes estimates) and
/// their conditional standard deviations and covariances (lme4's `ranef(condVar = TRUE)`, Stata's
/// `predict, reffects reses`).
public struct RandomEffectsTable: Sendable, Codable, Equatable {
    public struct Level: Sendable, Codable, Equatable {
        public var level: String
        public var mode: [Double]
        public var condSD: [Double]
        /// q×q, row by row.
        public var condCov: [[Double]]
    }

    public var group: String
    public var terms: [String]
    public var levels: [Level]

    /// From each level's mode and conditional covariance (q×q, column-major).
    public init(group: String, terms: [String], levels: [String], modes: [[Double]], covariances: [[Double]]) {
        let q = terms.count
        self.group = group
        self.terms = terms
        self.levels = levels.enumerated().map { g, level in
            let c = covariances[g]
            return Level(level: level, mode: modes[g], condSD: (0..<q).map { c[$0 + $0 * q].squareRoot() },
                         condCov: (0..<q).map { a in (0..<q).map { b in c[a + b * q] } })
        }
    }
}

extension LinearMixedModel {
    /// Every term's conditional modes with their conditional covariances, from the blocked factor at θ.
    public func randomEffects() throws(EstimationError) -> [RandomEffectsTable] {
        guard !design.randomTerms.isEmpty else { return [] }
        let covariances = try conditionalCovariancesOfAllTerms()
        return design.randomTerms.enumerated().map { k, term in
            RandomEffectsTable(group: term.groupName, terms: term.termNames, levels: term.levels, modes: conditionalModes[k],
                               covariances: covariances[k])
        }
    }

    /// Per term, per group, σ² Λ [(L_Z L_Z')⁻¹]_g Λ' flattened q×q; from the fit when it kept them (one term).
    public func conditionalCovariancesOfAllTerms() throws(EstimationError) -> [[[Double]]] {
        if let kept = conditionalVariances, kept.count == design.randomTerms.count { return kept }
        let deviance = ProfiledDeviance(design, criterion: criterion)
        guard let solution = FactorSolution(deviance: deviance, theta: theta) else { throw EstimationError.cannotFactor }
        var result = solution.allConditionalCovariances(deviance)
        // Where σ was given rather than profiled (GLS at given components), scale to the fit's σ².
        let ratio = sigma * sigma / solution.sigma2
        if abs(ratio - 1) > 1e-12 { result = result.map { $0.map { $0.map { $0 * ratio } } } }
        return result
    }
}

import Foundation
import HLMFormula

extension LinearMixedModel {
    /// The fixed-effects table with `level` confidence intervals (Stata's z tests).
    public func fixedEffectTable(level: Double = 0.95) -> [FixedEffectEstimate] {
        // Least squares: t tests on the residual degrees of freedom, as lm and regress.
        let df = estimator == .leastSquares ? Double(observationCount - beta.count) : nil
        return zip(design.fixedNames, zip(beta, standardErrors)).map { name, pair in
            FixedEffectEstimate(name: name, estimate: pair.0, stdError: pair.1, level: level, df: df)
        }
    }

    /// The Wald χ² that every fixed effect but the intercept is zero (Stata's header test); nil with none.
    public var waldTest: ChiSquareTest? {
        ChiSquareTest.waldExceptIntercept(beta: beta, covariance: betaCovariance, names: design.fixedNames)
    }

    /// The likelihood-ratio test against the linear regression with the same fixed effects (ML fits):
    /// χ̄²(01) for a single variance parameter, otherwise the conservative χ²(k), as Stata reports.
    public var likelihoodRatioTestVersusLinear: ChiSquareTest? {
        guard criterion == .ml, !theta.isEmpty else { return nil }
        let ols = OrdinaryLeastSquares(design)
        let statistic = max(0, 2 * (logLikelihood - ols.maximumLogLikelihood - design.logWeightSum / 2))
        let k = theta.count
        if k == 1 {
            return ChiSquareTest(statistic: statistic, df: 1, pValue: 0.5 * Distributions.chiSquareSurvival(statistic, df: 1),
                                 distribution: "chibar2")
        }
        return ChiSquareTest(statistic: statistic, df: k, pValue: Distributions.chiSquareSurvival(statistic, df: Double(k)),
                             distribution: "chi2")
    }

    /// The intraclass correlation of each term with a random intercept: τ₀₀ / (Σ intercept variances + σ²).
    public var intraclassCorrelations: [(group: String, value: Double)] {
        let interceptVariances = components.compactMap { c in c.terms.firstIndex(of: "(Intercept)").map { (c.group, c.covarianceMatrix[$0][$0]) } }
        let total = interceptVariances.reduce(sigma * sigma) { $0 + $1.1 }
        return interceptVariances.map { ($0.0, $0.1 / total) }
    }

    /// Each group's coefficients (fixed plus random) for every term, per random-effects term.
    public var groupCoefficients: [[[Double]]] {
        design.randomTerms.indices.map { k in
            let names = design.randomTerms[k].termNames
            return conditionalModes[k].map { modes in
                zip(names, modes).map { name, mode in
                    (design.fixedNames.firstIndex(of: name).map { beta[$0] } ?? 0) + mode
                }
            }
        }
    }
}

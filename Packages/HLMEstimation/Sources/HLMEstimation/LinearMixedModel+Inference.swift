import Foundation

/// One row of the fixed-effects table: estimate, SE, z (or t with `df`), two-sided p and a confidence interval.
public struct FixedEffectEstimate: Sendable, Codable, Equatable {
    public var name: String
    public var estimate: Double
    public var stdError: Double
    /// Denominator degrees of freedom of a t test; nil for a z (Wald) test.
    public var df: Double?
    public var statistic: Double
    public var pValue: Double
    public var ciLower: Double
    public var ciUpper: Double

    /// An estimate with its standard error: z, its two-sided p-value and the interval at `level`.
    public init(name: String, estimate: Double, stdError: Double, level: Double = 0.95, df: Double? = nil) {
        let z = df.map { Distributions.studentQuantile(0.5 + level / 2, df: $0) } ?? Distributions.normalQuantile(0.5 + level / 2)
        self.name = name
        self.estimate = estimate
        self.stdError = stdError
        self.df = df
        let statistic = estimate / stdError
        self.statistic = statistic
        if let df { pValue = Distributions.twoSidedStudentP(statistic, df: df) } else { pValue = Distributions.twoSidedNormalP(statistic) }
        ciLower = estimate - z * stdError
        ciUpper = estimate + z * stdError
    }
}

/// A χ² test: statistic, degrees of freedom, p-value, and which reference distribution was used.
public struct ChiSquareTest: Sendable, Codable, Equatable {
    public var statistic: Double
    public var df: Int
    public var pValue: Double
    /// "chi2", or "chibar2" for the 50:50 mixture used when one variance is tested on its boundary.
    public var distribution: String
}

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
        let p = beta.count
        let indices = design.fixedNames.indices.filter { design.fixedNames[$0] != "(Intercept)" }
        guard !indices.isEmpty else { return nil }
        let k = indices.count
        var v = [Double](repeating: 0, count: k * k)
        for (a, i) in indices.enumerated() { for (b, j) in indices.enumerated() { v[a + b * k] = betaCovariance[i + j * p] } }
        guard let solved = SymmetricSolve.solve(v, indices.map { beta[$0] }, n: k) else { return nil }
        let statistic = zip(indices.map { beta[$0] }, solved).reduce(0) { $0 + $1.0 * $1.1 }
        return ChiSquareTest(statistic: statistic, df: k, pValue: Distributions.chiSquareSurvival(statistic, df: Double(k)),
                             distribution: "chi2")
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

/// Solves a small symmetric positive-definite system by Cholesky.
enum SymmetricSolve {
    static func solve(_ a: [Double], _ b: [Double], n: Int) -> [Double]? {
        var l = a
        guard DenseCholesky.factor(&l, n: n) else { return nil }
        var y = b
        for i in 0..<n {
            for k in 0..<i { y[i] -= l[i + k * n] * y[k] }
            y[i] /= l[i + i * n]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<max(i + 1, n) { y[i] -= l[k + i * n] * y[k] }
            y[i] /= l[i + i * n]
        }
        return y
    }
}

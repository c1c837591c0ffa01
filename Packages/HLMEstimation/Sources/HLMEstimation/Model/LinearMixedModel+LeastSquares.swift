import Foundation
import HLMFormula

extension LinearMixedModel {
    /// A model without random effects, fitted by ordinary least squares as R's `lm` and Stata's
    /// `regress` fit it: σ² = RSS / (n − p), vcov(β) = σ² (X'X)⁻¹, t tests on n − p degrees of
    /// freedom, and the maximised normal log-likelihood (lm's `logLik`, with p + 1 parameters).
    public static func fitLeastSquares(_ design: ModelDesign) throws(EstimationError) -> LinearMixedModel {
        let n = design.observationCount, p = design.x.columns
        guard n > p else { throw EstimationError.tooFewObservations(n, p) }
        let ols = OrdinaryLeastSquares(design)
        guard ols.coefficients.allSatisfy(\.isFinite) else { throw EstimationError.cannotFactor }
        let x = design.x.values
        var xtx = [Double](repeating: 0, count: p * p)
        for a in 0..<p { for b in 0...a {
            var s = 0.0
            for i in 0..<n { s += x[i + a * n] * x[i + b * n] }
            xtx[a + b * p] = s
            xtx[b + a * p] = s
        } }
        guard let inverse = DenseCholesky.symmetricInverse(xtx, n: p) else { throw EstimationError.cannotFactor }
        let sigma2 = ols.residualSumOfSquares / Double(n - p)
        let objective = -2 * ols.maximumLogLikelihood - design.logWeightSum
        let summary = OptimizationSummary(algorithm: "least squares", initialTheta: [], finalTheta: [], initialObjective: objective,
                                          finalObjective: objective, evaluations: 1, returnCode: 1, returnMessage: "closed form")
        let diagnostics = designDiagnostics(design)
        var fit = LinearMixedModel(
            design: design, criterion: .ml, theta: [], beta: ols.coefficients, betaCovariance: inverse.map { $0 * sigma2 },
            sigma: sigma2.squareRoot(), objective: objective, components: [], conditionalModes: [], conditionalVariances: nil,
            optimization: summary, varianceInference: nil, converged: true, singular: false, diagnostics: diagnostics)
        fit.estimator = .leastSquares
        return fit
    }

    /// R² and adjusted R² of a least-squares fit (with an intercept: about the mean; without: about zero, as lm).
    public var rSquared: (r2: Double, adjusted: Double)? {
        guard estimator == .leastSquares else { return nil }
        let y = design.y, n = Double(y.count), p = Double(beta.count)
        let hasIntercept = design.fixedNames.contains("(Intercept)")
        let mean = hasIntercept ? y.reduce(0, +) / n : 0
        let total = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let rss = sigma * sigma * (n - p)
        let r2 = 1 - rss / total
        let dfTotal = hasIntercept ? n - 1 : n
        return (r2, 1 - (1 - r2) * dfTotal / (n - p))
    }

    /// The overall F test of a least-squares fit: every coefficient but the intercept zero.
    public var overallFTest: (f: Double, df1: Int, df2: Int, pValue: Double)? {
        guard estimator == .leastSquares, let wald = waldTest else { return nil }
        let df2 = observationCount - beta.count
        let f = wald.statistic / Double(wald.df)
        return (f, wald.df, df2, Distributions.fSurvival(f, d1: Double(wald.df), d2: Double(df2)))
    }
}

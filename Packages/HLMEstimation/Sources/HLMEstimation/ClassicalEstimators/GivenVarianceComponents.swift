import Foundation
import HLMFormula

extension LinearMixedModel {
    /// GLS with the variance components given: the same factorisation at the θ they imply yields β,
    /// its covariance and the EB estimates. `covariances` holds each term's G_k (q×q, row by row);
    /// σ² is `residualVariance`. Nothing is estimated but β.
    public static func fitGLS(
        _ design: ModelDesign, covariances: [[[Double]]], residualVariance: Double, criterion: ProfiledDeviance.Criterion = .reml,
        method: String = "GLS at given variance components", estimator: Estimator = .givenComponents
    ) throws(EstimationError) -> LinearMixedModel {
        guard covariances.count == design.randomTerms.count else {
            throw EstimationError.unsupported("give one covariance matrix per random-effects term (\(design.randomTerms.count))")
        }
        guard residualVariance > 0 else { throw EstimationError.unsupported("the residual variance must be positive") }
        try LinearMixedModel.validate(design)
        let deviance = ProfiledDeviance(design, criterion: criterion)
        try LinearMixedModel.checkMemory(deviance)
        let parameters = deviance.parameters
        var theta = [Double](repeating: 0, count: parameters.count)
        for (k, layout) in parameters.terms.enumerated() {
            let q = layout.q, g = covariances[k]
            guard g.count == q, g.allSatisfy({ $0.count == q }) else {
                throw EstimationError.unsupported("the covariance of \(design.randomTerms[k].groupName) must be \(q)×\(q)")
            }
            var relative = [Double](repeating: 0, count: q * q)
            for a in 0..<q { for b in 0..<q { relative[a + b * q] = g[a][b] / residualVariance } }
            switch layout.structure {
            case .identity: theta[layout.offset] = relative[0].squareRoot()
            case .independent: for a in 0..<q { theta[layout.offset + a] = relative[a + a * q].squareRoot() }
            case .exchangeable:
                theta[layout.offset] = relative[0].squareRoot()
                theta[layout.offset + 1] = q > 1 && relative[0] > 0 ? relative[1] / relative[0] : 0
            case .unstructured:
                var factor = relative
                guard SmallCholesky.factor(&factor, n: q) else {
                    throw EstimationError.unsupported("the covariance of \(design.randomTerms[k].groupName) is not positive definite")
                }
                var index = layout.offset
                for j in 0..<q { for i in j..<q { theta[index] = factor[i + j * q]; index += 1 } }
            }
        }
        let objective = deviance.evaluate(theta)
        guard objective.isFinite else { throw EstimationError.cannotFactor }
        let summary = OptimizationSummary(algorithm: method, initialTheta: theta, finalTheta: theta, initialObjective: objective,
                                          finalObjective: objective, evaluations: 1, returnCode: 1, returnMessage: "variance components given")
        var fit = try LinearMixedModel(deviance: deviance, summary: summary, estimatesVariance: false)
        // σ² is given, not profiled: rescale what depends on it.
        let ratio = residualVariance / (fit.sigma * fit.sigma)
        fit.sigma = residualVariance.squareRoot()
        fit.betaCovariance = fit.betaCovariance.map { $0 * ratio }
        fit.conditionalVariances = fit.conditionalVariances?.map { $0.map { $0.map { $0 * ratio } } }
        fit.components = fit.components.enumerated().map { k, component in
            var c = component
            c.covarianceMatrix = covariances[k]
            c.sd = (0..<covariances[k].count).map { covariances[k][$0][$0].squareRoot() }
            c.correlation = c.sd.indices.map { a in c.sd.indices.map { b in
                a == b ? 1 : (c.sd[a] > 0 && c.sd[b] > 0 ? covariances[k][a][b] / (c.sd[a] * c.sd[b]) : 0)
            } }
            return c
        }
        fit.diagnostics = fit.diagnostics.filter { $0.kind != .notConverged && $0.kind != .singularFit && $0.kind != .note }
        fit.diagnostics.append(.componentsNotEstimatedByLikelihood(method: method))
        fit.estimator = estimator
        return fit
    }
}

import Foundation
import HLMFormula

/// Fits by the seed's classical algorithms — EM, or Fisher scoring started from a few EM steps — and
/// returns the same ``LinearMixedModel`` the profiled optimiser gives, so that every report works.
public enum ClassicalEstimation {
    public enum Algorithm: String, Sendable, Codable, CaseIterable {
        case em = "EM"
        case fisherScoring = "Fisher scoring"
    }

    public static func fit(_ design: ModelDesign, criterion: ProfiledDeviance.Criterion, algorithm: Algorithm) throws(EstimationError) -> LinearMixedModel {
        try LinearMixedModel.validate(design)
        let system = try HendersonSystem(design)
        let deviance = ProfiledDeviance(design, criterion: criterion)
        try LinearMixedModel.checkMemory(deviance)
        let parameters = deviance.parameters
        let structures = parameters.terms.map(\.structure)
        func logLikelihood(_ v: VarianceParameters) -> Double {
            guard let theta = system.theta(v.g, sigma2: v.sigma2, parameters: parameters) else { return -.infinity }
            return deviance.logLikelihood(theta: theta, sigma: v.sigma2.squareRoot())
        }
        // Start: G_k = σ² I with σ² from least squares (λ = I, as the profiled optimiser starts).
        let ols = OrdinaryLeastSquares(design)
        let m = Double(design.observationCount - (criterion == .reml ? design.x.columns : 0))
        let sigma2 = max(ols.residualSumOfSquares / m, 1e-8)
        let start = VarianceParameters(g: design.randomTerms.map { term in
            let q = term.termCount
            return (0..<(q * q)).map { $0 % (q + 1) == 0 ? sigma2 : 0 }
        }, sigma2: sigma2)
        let initialTheta = system.theta(start.g, sigma2: start.sigma2, parameters: parameters) ?? parameters.initial
        let initialObjective = deviance.evaluate(initialTheta)

        let final: VarianceParameters
        let iterations: Int
        let converged: Bool
        switch algorithm {
        case .em:
            let result = ExpectationMaximization.run(system, criterion: criterion, structures: structures, start: start,
                                                     logLikelihood: logLikelihood)
            (final, iterations, converged) = (result.parameters, result.iterations, result.converged)
        case .fisherScoring:
            let warm = ExpectationMaximization.run(system, criterion: criterion, structures: structures, start: start,
                                                   maxIterations: 5, logLikelihood: logLikelihood)
            let result = FisherScoring.run(system, criterion: criterion, structures: structures, start: warm.parameters,
                                           logLikelihood: logLikelihood)
            (final, iterations, converged) = (result.parameters, warm.iterations + result.iterations, result.converged)
        }
        guard let theta = system.theta(final.g, sigma2: final.sigma2, parameters: parameters) else {
            throw EstimationError.notConverged(algorithm.rawValue)
        }
        let summary = OptimizationSummary(
            algorithm: algorithm.rawValue + (algorithm == .fisherScoring ? " (after 5 EM steps)" : ""),
            initialTheta: initialTheta, finalTheta: theta, initialObjective: initialObjective,
            finalObjective: deviance.evaluate(theta), evaluations: iterations, returnCode: converged ? 1 : 5,
            returnMessage: converged ? "stopped: the change in the log-likelihood fell below its tolerance" : "stopped at the iteration limit")
        var fit = try LinearMixedModel(deviance: deviance, summary: summary)
        fit.estimator = algorithm == .em ? .expectationMaximization : .fisherScoring
        // The algorithm's own stopping rule is not convergence: the gradient check decides, in every report.
        if converged && !fit.converged {
            fit.diagnostics.append(.stoppedBeforeOptimum(algorithm: algorithm.rawValue))
        }
        return fit
    }
}

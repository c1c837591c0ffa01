import Foundation
import HLMFormula

extension LinearMixedModel {
    /// Reads β, σ, the conditional modes and the variance components off the factor at the optimum.
    /// `convergence`: the gradient check's verdict when the caller has already made it (nil inside: converged).
    /// `curvature`: the likelihood's curvature at the optimum when the caller has it (from its check).
    /// The fitted model at the optimiser's answer: the extraction steps of ``FactorSolution`` (β, u, σ,
    /// vcov, modes, components), the checks (singularity, gradient) and the variance components' inference.
    public init(deviance: ProfiledDeviance, summary: OptimizationSummary) throws(EstimationError) {
        try self.init(deviance: deviance, summary: summary, estimatesVariance: true)
    }

    /// `convergence`: the gradient check's verdict when the caller has already made it (nil inside: converged).
    /// `curvature`: the likelihood's curvature at the optimum when the caller has it (from its check).
    init(deviance: ProfiledDeviance, summary: OptimizationSummary, estimatesVariance: Bool,
         convergence known: Diagnostic?? = .none, curvature: LikelihoodCurvature? = nil) throws(EstimationError) {
        let theta = summary.finalTheta
        guard let solution = FactorSolution(deviance: deviance, theta: theta) else { throw EstimationError.cannotFactor }
        let design = deviance.design, parameters = deviance.parameters
        let components = solution.components(deviance)
        var diagnostics = Self.designDiagnostics(design)
        let singularTerms = SingularityCheck.singularTerms(theta: theta, parameters: parameters, components: components)
        diagnostics += singularTerms.map { Diagnostic.singularFit(group: $0.group, terms: $0.terms) }
        let convergence: Diagnostic?
        if let known {
            convergence = known
        } else if estimatesVariance {
            convergence = ConvergenceCheck.check(deviance: deviance, theta: theta, lower: parameters.lowerBounds, upper: parameters.upperBounds)
        } else {
            convergence = nil
        }
        if let problem = convergence { diagnostics.append(problem) }
        if !BOBYQA.succeeded(summary.returnCode) {
            diagnostics.append(.optimizerFailed(code: summary.returnCode, meaning: summary.returnMessage))
        }

        self.init(
            design: design, criterion: deviance.criterion, theta: theta, beta: solution.beta, betaCovariance: solution.betaCovariance,
            // Prior weights: the criterion of the √w-scaled rows less Σ log w (lme4's deviance with weights).
            sigma: solution.sigma2.squareRoot(), objective: solution.objective - design.logWeightSum, components: components,
            conditionalModes: solution.conditionalModes(deviance), conditionalVariances: solution.conditionalVariances(deviance), optimization: summary, varianceInference: nil,
            converged: convergence == nil && BOBYQA.succeeded(summary.returnCode), singular: !singularTerms.isEmpty,
            diagnostics: diagnostics)
        profiledDeviance = deviance
        varianceInference = estimatesVariance ? VarianceComponentInference.compute(fit: self, deviance: deviance, curvature: curvature) : nil
        if estimatesVariance && varianceInference == nil {
            self.diagnostics.append(.varianceStandardErrorsUnavailable)
        }
    }

    /// What the design itself reports: dropped columns, its notes, Stata's default covariances.
    static func designDiagnostics(_ design: ModelDesign) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = design.droppedColumns.isEmpty ? [] : [.droppedColumns(design.droppedColumns)]
        diagnostics += design.notes.map { Diagnostic.design($0) }
        for term in design.randomTerms where term.covarianceIsDefault {
            diagnostics.append(.covarianceDefault(group: term.groupName, structure: term.covariance))
        }
        return diagnostics
    }

    static func component(_ term: RandomEffectsDesign, lambda: [Double], sigma2: Double, structure: CovarianceStructure) -> VarianceComponent {
        let q = term.termCount
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: q), count: q)
        for a in 0..<q { for b in 0..<q {
            var s = 0.0
            for k in 0..<q { s += lambda[a + k * q] * lambda[b + k * q] }
            matrix[a][b] = sigma2 * s
        } }
        let sd = (0..<q).map { matrix[$0][$0].squareRoot() }
        let correlation = (0..<q).map { a in (0..<q).map { b in
            a == b ? 1 : (sd[a] > 0 && sd[b] > 0 ? matrix[a][b] / (sd[a] * sd[b]) : 0)
        } }
        return VarianceComponent(group: term.groupName, terms: term.termNames, covariance: structure, sd: sd,
                                 correlation: correlation, covarianceMatrix: matrix)
    }
}

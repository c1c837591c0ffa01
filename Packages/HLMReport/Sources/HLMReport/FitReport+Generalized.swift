import Foundation
import HLMEstimation
import HLMFormula

extension FitReport {
    /// The report of a binomial or Poisson fit: coefficients on the link scale (exponentiated with `eform`),
    /// the random effects' SDs and correlations with SEs and Wald intervals (log and atanh scales), the LR
    /// test against the GLM, the latent-scale ICC for logit and probit, and no residual SD.
    public init(_ fit: GeneralizedLinearMixedModel, filteredRows: Int? = nil, level: Double = 0.95, eform: Bool = false) {
        let design = fit.design
        let z = Distributions.normalQuantile(0.5 + level / 2)
        var seen: Set<String> = []
        let groups = design.randomTerms.filter { seen.insert($0.groupName).inserted }.map { term in
            let sizes = term.groupSizes
            return GroupSummary(name: term.groupName, count: term.groupCount, minSize: sizes.min() ?? 0,
                                meanSize: Double(sizes.reduce(0, +)) / Double(max(1, term.groupCount)), maxSize: sizes.max() ?? 0)
        }
        let random = fit.components.enumerated().map { k, c in
            let sdErrors = fit.sdStandardErrors?[k]
            let corErrors = fit.correlationStandardErrors?[k]
            return RandomEffect(
                group: c.group, covariance: c.covariance.rawValue, terms: c.terms, sd: c.sd, correlation: c.correlation, covarianceMatrix: c.covarianceMatrix,
                sdStdError: sdErrors, sdCI: sdErrors.map { errors in c.sd.indices.map { a in
                    c.sd[a] > 0 ? [c.sd[a] * exp(-z * errors[a] / c.sd[a]), c.sd[a] * exp(z * errors[a] / c.sd[a])] : [Double.nan, .nan] } },
                correlationStdError: corErrors, correlationCI: corErrors.map { errors in c.sd.indices.map { a in c.sd.indices.map { b in
                    let r = c.correlation[a][b]
                    guard a != b, abs(r) < 1 else { return a == b ? [1, 1] : [Double.nan, .nan] }
                    let se = errors[a][b] / (1 - r * r)
                    return [tanh(atanh(r) - z * se), tanh(atanh(r) + z * se)]
                } } },
                covarianceStdError: nil, reliability: nil, varianceTest: nil)
        }
        let method = fit.quadraturePoints > 1 ? "ML (adaptive Gauss-Hermite quadrature, \(fit.quadraturePoints) points)" : "ML (Laplace approximation)"
        self.init(formula: design.formula.text, method: "ML", estimator: method, ciLevel: level, nobs: fit.observationCount,
                  droppedRows: design.droppedRows, groups: groups, logLikelihood: fit.logLikelihood, deviance: fit.objective,
                  aic: fit.aic, bic: fit.bic, converged: fit.converged, singular: fit.singular, iterations: fit.evaluations,
                  optimizer: "\(fit.optimization.algorithm): \(fit.optimization.returnMessage)",
                  fixedEffects: fit.fixedEffectTable(level: level, eform: eform), randomEffects: random, notations: design.notations,
                  optimization: fit.optimization, variables: design.formula.variables)
        lrTestVsLinear = fit.likelihoodRatioTestVersusGLM
        waldTest = fit.waldTest
        icc = fit.intraclassCorrelations.map { IntraclassCorrelation(group: $0.group, value: $0.value) }
        diagnostics = fit.diagnostics.map(DiagnosticEntry.init)
        self.filteredRows = filteredRows
        family = fit.family.family.rawValue
        link = fit.family.link.rawValue
        nAGQ = fit.quadraturePoints
        self.eform = eform
        if fit.quadraturePoints > 1 && fit.family.family == .binomial {
            diagnostics.append(DiagnosticEntry(code: "loglik-includes-saturated", message:
                "the log-likelihood includes the binomial coefficients, as for the Laplace fit; glmer's figure for nAGQ > 1 leaves out the saturated model's part (\(NumberFormatting.fixed(-fit.saturatedMinusTwoLogLikelihood / 2, 4))), so it reads \(NumberFormatting.fixed(fit.logLikelihood + fit.saturatedMinusTwoLogLikelihood / 2, 4))"))
        }
        if !icc.isEmpty {
            diagnostics.append(DiagnosticEntry(code: "icc-latent", message: "intraclass correlations on the latent scale (level-1 variance \(fit.family.link == .logit ? "pi^2/3" : "1"), as Stata's estat icc)"))
        }
    }
}

import Foundation
import HLMFormula
import _HLMSupport

/// A fitted generalized linear mixed model (binomial or Poisson), as lme4's `glmer`: the Laplace
/// approximation (or adaptive Gauss–Hermite quadrature with `quadraturePoints` > 1, one scalar term) to
/// the likelihood, maximised in two stages — θ with β solved by PIRLS (glmer's nAGQ = 0), then θ and β
/// together from there — by BOBYQA. Standard errors come from the finite-difference Hessian of −2 log L
/// in (θ, β), as glmer's `vcov` (use.hessian) and Stata's `melogit`.
public struct GeneralizedLinearMixedModel: Sendable {
    public var design: ModelDesign
    public var family: GLMFamily
    public var quadraturePoints: Int
    public var theta: [Double]
    public var beta: [Double]
    /// vcov(β) (p×p, column-major); NaN where the Hessian is not positive definite.
    public var betaCovariance: [Double]
    /// −2 log L at the optimum.
    public var objective: Double
    public var components: [VarianceComponent]
    /// Per term: the SEs of the SDs, and of the correlations (q×q); nil without a positive-definite Hessian.
    public var sdStandardErrors: [[Double]]?
    public var correlationStandardErrors: [[[Double]]]?
    public var conditionalModes: [[[Double]]]
    public var evaluations: Int
    public var converged: Bool
    public var singular: Bool
    public var diagnostics: [Diagnostic]
    /// The GLM without random effects (same fixed effects): its log-likelihood, for the LR test.
    public var glmLogLikelihood: Double
    /// The second stage's optimiser record (θ then β in its θ fields), evaluations counting both stages.
    public var optimization: OptimizationSummary

    public var logLikelihood: Double { -objective / 2 }
    public var observationCount: Int { design.observationCount }
    public var parameterCount: Int { beta.count + theta.count }
    public var aic: Double { objective + 2 * Double(parameterCount) }
    public var bic: Double { objective + log(Double(observationCount)) * Double(parameterCount) }
    public var standardErrors: [Double] { (0..<beta.count).map { betaCovariance[$0 + $0 * beta.count].squareRoot() } }

    /// Fits the design (its `binomialTrials` and `offset` as they are) by the family and link.
    public static func fit(_ design: ModelDesign, family: GLMFamily, quadraturePoints: Int = 1) throws(EstimationError) -> GeneralizedLinearMixedModel {
        guard !design.randomTerms.isEmpty else { throw EstimationError.noRandomEffects }
        guard family.isValid else { throw EstimationError.unsupported("the \(family.link.rawValue) link does not go with the \(family.family.rawValue) family") }
        if quadraturePoints > 1 {
            guard design.randomTerms.count == 1, design.randomTerms[0].termCount == 1 else {
                throw EstimationError.unsupported("adaptive Gauss-Hermite quadrature (--nagq > 1) needs a single scalar random-effects term, as in lme4")
            }
            guard quadraturePoints <= 100 else { throw EstimationError.unsupported("--nagq takes at most 100 points") }
        }
        for term in design.randomTerms where term.groupCount < 2 { throw EstimationError.tooFewGroups(term.groupName, term.groupCount) }
        // The systems are small: OpenBLAS's own threads would only yield to each other.
        BLASThreads.acquire()
        defer { BLASThreads.release() }
        let glm = GeneralizedLinearModel(design, family: family)
        let deviance = LaplaceDeviance(design, family: family, quadraturePoints: quadraturePoints)
        let parameters = deviance.parameters
        let k = parameters.count, p = design.x.columns
        // Stage 1: θ, with β solved by PIRLS beside u.
        let start = parameters.initial
        guard deviance.evaluate(theta: start, beta: glm.beta, joint: true).isFinite else { throw EstimationError.cannotFactor }
        let first = BOBYQA.minimize({ deviance.evaluate(theta: $0, beta: [], joint: true) }, start: start,
                                    lower: parameters.lowerBounds, upper: parameters.upperBounds,
                                    initialSteps: [Double](repeating: 0.2, count: k), tolerances: .firstStage)
        _ = deviance.evaluate(theta: first.finalTheta, beta: [], joint: true)
        let betaStart = deviance.jointBeta
        // Stage 2: θ and β together.
        let lower = parameters.lowerBounds + [Double](repeating: -.infinity, count: p)
        let upper = parameters.upperBounds + [Double](repeating: .infinity, count: p)
        let objective: ([Double]) -> Double = { x in deviance.evaluate(theta: Array(x[0..<k]), beta: Array(x[k...]), joint: false) }
        // First steps: 0.05 in θ, half a standard error in β (from the joint system, as lme4's RX): stage 1's β
        // is already that close. Over the six glmer goldens, stage 2 took 776 evaluations with one SE, 669
        // with half (656-760 from 0.2 to 0.7 SE), at the same log-likelihoods to 1e-12.
        let scale = deviance.jointBetaScale.count == p ? deviance.jointBetaScale : betaStart.map { max(0.1 * abs($0), 0.05) }
        let steps = [Double](repeating: 0.05, count: k) + scale.map { 0.5 * ($0.isFinite && $0 > 0 ? $0 : 0.05) }
        // The linear fits' tolerances: MixedModels.jl's looser ones (ftol_abs 1e-8, ftol_rel 1e-12) would save
        // 5-25% of the evaluations here at log-likelihoods up to 1e-6 lower.
        let second = BOBYQA.minimize(objective, start: first.finalTheta + betaStart, lower: lower, upper: upper, initialSteps: steps)
        if ProcessInfo.processInfo.environment["HLM_TRACE_OPTIMIZER"] != nil {
            FileHandle.standardError.write(Data("stage 1: \(first.evaluations) evaluations, \(first.finalObjective); stage 2: \(second.evaluations), \(second.finalObjective); PIRLS solves so far \(deviance.evaluations), iterations \(deviance.pirlsIterations)\n".utf8))
        }
        let x = second.finalTheta
        let theta = Array(x[0..<k]), beta = Array(x[k...])
        let value = objective(x)
        let pirlsFailed = deviance.pirlsFailed
        let modes = deviance.conditionalModes(theta: theta)
        let components = Self.components(design, parameters: parameters, theta: theta)
        // The Hessian of −2 log L in (θ, β): vcov = 2 H⁻¹.
        let (hessian, hessianEvaluations) = Self.hessian(deviance, at: x, center: value, thetaCount: k)
        let covariance = hessian.allSatisfy(\.isFinite) ? DenseCholesky.symmetricInverse(hessian, n: k + p)?.map { 2 * $0 } : nil
        var betaCovariance = [Double](repeating: .nan, count: p * p)
        if let covariance { for a in 0..<p { for b in 0..<p { betaCovariance[a + b * p] = covariance[(k + a) + (k + b) * (k + p)] } } }
        var diagnostics = LinearMixedModel.designDiagnostics(design)
        let singularTerms = SingularityCheck.singularTerms(theta: theta, parameters: parameters, components: components)
        diagnostics += singularTerms.map { Diagnostic.singularFit(group: $0.group, terms: $0.terms) }
        if !BOBYQA.succeeded(second.returnCode) { diagnostics.append(.optimizerFailed(code: second.returnCode, meaning: second.returnMessage)) }
        if pirlsFailed { diagnostics.append(.pirlsNotConverged) }
        let separated = Self.separatedCoefficients(design, family: family, beta: beta, covariance: betaCovariance)
        if !separated.isEmpty { diagnostics.append(.separation(coefficients: separated)) }
        if covariance == nil { diagnostics.append(.varianceStandardErrorsUnavailable) }
        var fit = GeneralizedLinearMixedModel(
            design: design, family: family, quadraturePoints: quadraturePoints, theta: theta, beta: beta, betaCovariance: betaCovariance,
            objective: value, components: components, sdStandardErrors: nil, correlationStandardErrors: nil, conditionalModes: modes,
            evaluations: deviance.evaluations + hessianEvaluations, converged: BOBYQA.succeeded(second.returnCode) && !pirlsFailed, singular: !singularTerms.isEmpty,
            diagnostics: diagnostics, glmLogLikelihood: glm.logLikelihood,
            optimization: OptimizationSummary(
                algorithm: "NLopt BOBYQA, two stages (theta with beta by PIRLS, then theta and beta)", initialTheta: start, finalTheta: x,
                initialObjective: first.initialObjective, finalObjective: value, evaluations: deviance.evaluations + hessianEvaluations,
                returnCode: second.returnCode, returnMessage: BOBYQA.message(Int32(second.returnCode))))
        if let covariance, singularTerms.isEmpty {
            let thetaCovariance = (0..<(k * k)).map { covariance[($0 % k) + ($0 / k) * (k + p)] }
            (fit.sdStandardErrors, fit.correlationStandardErrors) = Self.componentErrors(design, parameters: parameters, theta: theta,
                                                                                         covariance: thetaCovariance)
        }
        return fit
    }

    /// The Hessian of −2 log L in (θ, β) at the optimum x by central differences (step 1e-4; steps from 3e-5
    /// to 1e-3 give the same SEs to 1e-6), every point's PIRLS started from the optimum's modes, so that
    /// the points may be taken in any order: on two threads, with a second deviance, each pass on one. The evaluations made beyond `deviance`'s own count come back with it.
    static func hessian(_ deviance: LaplaceDeviance, at x: [Double], center: Double, thetaCount k: Int) -> (hessian: [Double], extraEvaluations: Int) {
        let points = FiniteDifferences.stencil(at: x, step: 1e-4)
        let modes = deviance.modes
        var both = [deviance]
        // Whole points on two threads rather than split passes (VerbAgg, 9 interleaved runs: best 0.345 → 0.339 s,
        // median 0.43 → 0.41 s); up to 200k rows, for the second deviance's copy of the rows.
        if deviance.observationCount < 200_000 && points.count >= 8 {
            let other = LaplaceDeviance(deviance.design, family: deviance.family, quadraturePoints: deviance.quadraturePoints)
            other.splitsPasses = false
            deviance.splitsPasses = false
            both.append(other)
        }
        defer { deviance.splitsPasses = true }
        let deviances = both
        let values = WorkSlots<Double>(points.count)
        ParallelWork.run(deviances.count) { part in
            let own = deviances[part]
            for index in stride(from: part, to: points.count, by: deviances.count) {
                own.restart(from: modes)
                values.set(index, own.evaluate(theta: Array(points[index][0..<k]), beta: Array(points[index][k...]), joint: false))
            }
        }
        deviance.restart(from: modes)
        let hessian = FiniteDifferences.combine((0..<points.count).map { [values.get($0) ?? .nan] }, center: [center], step: 1e-4).hessians[0]
        return (hessian, deviances.dropFirst().reduce(0) { $0 + $1.evaluations })
    }

    /// Each term's SDs, correlations and covariance matrix from θ (Σ = λλ': no residual scale).
    static func components(_ design: ModelDesign, parameters: CovarianceParameters, theta: [Double]) -> [VarianceComponent] {
        design.randomTerms.enumerated().map { k, term in
            let q = term.termCount
            let lambda = parameters.lambda(theta, term: k) ?? [Double](repeating: 0, count: q * q)
            let covariance = (0..<q).map { a in (0..<q).map { b in (0..<q).reduce(0.0) { $0 + lambda[a + $1 * q] * lambda[b + $1 * q] } } }
            let sd = (0..<q).map { covariance[$0][$0].squareRoot() }
            let correlation = (0..<q).map { a in (0..<q).map { b in a == b ? 1 : (sd[a] > 0 && sd[b] > 0 ? covariance[a][b] / (sd[a] * sd[b]) : 0) } }
            return VarianceComponent(group: term.groupName, terms: term.termNames, covariance: q == 1 ? .unstructured : term.covariance,
                                     sd: sd, correlation: correlation, covarianceMatrix: covariance)
        }
    }

    /// SEs of the SDs and correlations by the delta method from vcov(θ) (central differences of the map).
    static func componentErrors(_ design: ModelDesign, parameters: CovarianceParameters, theta: [Double],
                                covariance: [Double]) -> ([[Double]], [[[Double]]]) {
        let k = theta.count, h = 1e-6
        func flat(_ t: [Double]) -> [Double] {
            components(design, parameters: parameters, theta: t).flatMap { c in c.sd + c.correlation.flatMap { $0 } }
        }
        let center = flat(theta)
        var jacobian = [[Double]](repeating: [Double](repeating: 0, count: k), count: center.count)
        for i in 0..<k {
            var plus = theta, minus = theta
            plus[i] += h
            minus[i] -= h
            let up = flat(plus), down = flat(minus)
            for e in center.indices { jacobian[e][i] = (up[e] - down[e]) / (2 * h) }
        }
        let errors = jacobian.map { g in
            var v = 0.0
            for a in 0..<k { for b in 0..<k { v += g[a] * covariance[a + b * k] * g[b] } }
            return max(v, 0).squareRoot()
        }
        var sds: [[Double]] = [], correlations: [[[Double]]] = []
        var position = 0
        for term in design.randomTerms {
            let q = term.termCount
            sds.append(Array(errors[position..<(position + q)]))
            position += q
            correlations.append((0..<q).map { a in (0..<q).map { b in a == b ? 0 : errors[position + a * q + b] } })
            position += q * q
        }
        return (sds, correlations)
    }

    /// Coefficients running off (complete or quasi-complete separation): |β| beyond 10 on the link scale
    /// with an SE larger than the estimate, or every fitted probability of a level at 0 or 1.
    static func separatedCoefficients(_ design: ModelDesign, family: GLMFamily, beta: [Double], covariance: [Double]) -> [String] {
        guard family.family == .binomial else { return [] }
        let p = beta.count
        return beta.indices.filter { j in
            let se = covariance[j + j * p].squareRoot()
            return abs(beta[j]) > 10 && (!se.isFinite || se > abs(beta[j]) / 2)
        }.map { design.fixedNames[$0] }
    }

    /// −2 log p(y | μ = y) summed: the saturated model's part of −2 log L. lme4 leaves it out of the
    /// log-likelihood it reports for nAGQ > 1 (not for the Laplace fit); ours always includes it.
    public var saturatedMinusTwoLogLikelihood: Double {
        let trials = design.binomialTrials ?? [Double](repeating: 1, count: observationCount)
        return (0..<observationCount).reduce(0.0) { sum, i in
            let y = family.family == .binomial ? (trials[i] > 0 ? design.y[i] / trials[i] : 0) : design.y[i]
            return sum + family.minusTwoLogDensity(y, family.family == .poisson ? max(y, 0) : y, trials: trials[i])
        }
    }

    /// The likelihood-ratio test against the GLM without random effects: χ̄²(01) for one parameter, else χ²(k).
    public var likelihoodRatioTestVersusGLM: ChiSquareTest {
        let statistic = max(0, 2 * (logLikelihood - glmLogLikelihood))
        let k = theta.count
        if k == 1 {
            return ChiSquareTest(statistic: statistic, df: 1, pValue: 0.5 * Distributions.chiSquareSurvival(statistic, df: 1), distribution: "chibar2")
        }
        return ChiSquareTest(statistic: statistic, df: k, pValue: Distributions.chiSquareSurvival(statistic, df: Double(k)), distribution: "chi2")
    }

    /// The Wald χ² that every fixed effect but the intercept is zero; nil without a usable vcov(β).
    public var waldTest: ChiSquareTest? {
        ChiSquareTest.waldExceptIntercept(beta: beta, covariance: betaCovariance, names: design.fixedNames)
    }

    /// The latent-scale intraclass correlation of each random intercept (Stata's `estat icc`): τ² / (Σ τ² + π²/3)
    /// for logit, + 1 for probit; none for other links.
    public var intraclassCorrelations: [(group: String, value: Double)] {
        let residual: Double
        switch (family.family, family.link) {
        case (.binomial, .logit): residual = Double.pi * Double.pi / 3
        case (.binomial, .probit): residual = 1
        default: return []
        }
        let intercepts = components.compactMap { c in c.terms.firstIndex(of: "(Intercept)").map { (c.group, c.covarianceMatrix[$0][$0]) } }
        let total = intercepts.reduce(residual) { $0 + $1.1 }
        return intercepts.map { ($0.0, $0.1 / total) }
    }

    /// The fixed-effects table (z tests), with `eform` the exponentiated estimates and intervals (odds or
    /// rate ratios) and the SE by the delta method, as Stata's `or`/`irr`.
    public func fixedEffectTable(level: Double = 0.95, eform: Bool = false) -> [FixedEffectEstimate] {
        zip(design.fixedNames, zip(beta, standardErrors)).map { name, pair in
            var estimate = FixedEffectEstimate(name: name, estimate: pair.0, stdError: pair.1, level: level)
            if eform {
                estimate.estimate = exp(pair.0)
                estimate.stdError = exp(pair.0) * pair.1
                estimate.ciLower = exp(estimate.ciLower)
                estimate.ciUpper = exp(estimate.ciUpper)
            }
            return estimate
        }
    }
}


import Foundation
import HLMFormula

/// A fitted linear mixed model: estimates, their uncertainty, and what the optimiser did.
public struct LinearMixedModel: Sendable {
    public var design: ModelDesign
    public var criterion: ProfiledDeviance.Criterion
    /// The relative covariance parameters at the optimum.
    public var theta: [Double]
    /// Fixed effects, in the order of `design.fixedNames`.
    public var beta: [Double]
    /// Covariance matrix of β (p×p, column-major).
    public var betaCovariance: [Double]
    /// Residual standard deviation σ.
    public var sigma: Double
    /// The ML or REML criterion at the optimum (−2 log L).
    public var objective: Double
    public var components: [VarianceComponent]
    /// Per random-effects term: each group's conditional modes (EB estimates), groups × terms.
    public var conditionalModes: [[[Double]]]
    /// Per random-effects term, when available: each group's conditional covariance, flattened q×q.
    public var conditionalVariances: [[[Double]]]?
    public var optimization: OptimizationSummary
    /// Standard errors and intervals of the SDs and correlations (nil for a singular fit).
    public var varianceInference: VarianceComponentInference?
    public var converged: Bool
    public var singular: Bool
    public var diagnostics: [Diagnostic]
    /// How the estimates were made: every report says it.
    public var estimator: Estimator = .profiledLikelihood
    /// The criterion the fit minimised, kept for what needs it again after the fit (degrees of freedom,
    /// profiles, the bootstrap): nil for estimators that do not minimise it.
    public internal(set) var profiledDeviance: ProfiledDeviance? = nil

    /// Fits by minimising the profiled deviance (ML) or REML criterion over θ with BOBYQA.
    /// `progress`, when given, is called after each evaluation with the count and the criterion.
    public static func fit(
        _ design: ModelDesign, criterion: ProfiledDeviance.Criterion, progress: ((Int, Double) -> Void)? = nil
    ) throws(EstimationError) -> LinearMixedModel {
        guard !design.randomTerms.isEmpty else { throw EstimationError.noRandomEffects }
        try validate(design)
        return try fit(ProfiledDeviance(design, criterion: criterion), progress: progress)
    }

    /// Minimises `deviance` over θ: the fit once the cross products are formed, whether from rows or
    /// from summed statistics.
    static func fit(_ deviance: ProfiledDeviance, progress: ((Int, Double) -> Void)?) throws(EstimationError) -> LinearMixedModel {
        try checkMemory(deviance)
        let parameters = deviance.parameters
        let initial = deviance.startingPoint()
        var start = initial.theta, initialStep = initial.initialStep
        if !deviance.evaluate(start).isFinite { (start, initialStep) = (parameters.initial, StartingValues.defaultStep) }
        guard deviance.evaluate(start).isFinite else { throw EstimationError.cannotFactor }
        let objective: ([Double]) -> Double = { theta in
            let value = deviance.evaluate(theta)
            progress?(deviance.evaluations, value)
            return value
        }
        // BOBYQA with λ's diagonals bounded at 0 took the fewest evaluations over the reference models and
        // benchmarks (`Tools/compare-optimizers.py`); `HLM_OPTIMIZER=free` (BOBYQA on the unbounded
        // parameterisation) or `newuoa` (NLopt's NEWUOA, unbounded; not for one parameter, where it
        // stops at once) are there to compare, and `gradient` (NLopt's L-BFGS on the analytic gradient,
        // ``ProfiledDeviance/valueAndGradient(_:)``, dense rest blocks only): InstEval's 4-term model in
        // 40 evaluations (two runs of 20 with the boundary restart) instead of 122, at the same optimum,
        // but each gradient costs an inverse of the dense block (dpotri on one thread), and from lme4's start
        // on gcse's random-slope models it stops where λ's second diagonal is 0 (the criterion is even
        // there, so the gradient is 0: 28029.6 against 28009.3) until the convergence check's BOBYQA
        // restart finds the optimum, so it is not the default.
        let mode = ProcessInfo.processInfo.environment["HLM_OPTIMIZER"] ?? "bounded"
        let free = mode == "free" || mode == "newuoa", newuoa = mode == "newuoa" && start.count > 1
        let lower = free ? parameters.freeLowerBounds : parameters.lowerBounds
        let quasiNewton = mode == "gradient" && deviance.hasGradient
        let withGradient: ([Double]) -> (value: Double, gradient: [Double])? = { theta in
            let result = deviance.valueAndGradient(theta)
            progress?(deviance.evaluations, result?.value ?? .infinity)
            return result
        }
        var summary = quasiNewton
            ? QuasiNewton.minimize(withGradient, start: start, lower: lower, upper: parameters.upperBounds)
            : BOBYQA.minimize(objective, start: start, lower: lower, upper: parameters.upperBounds,
                              initialSteps: [Double](repeating: initialStep, count: start.count), newuoa: newuoa)
        if free { summary.finalTheta = parameters.canonical(summary.finalTheta) }
        // An optimum on the boundary (a diagonal of λ at 0) may be a poorer one than an interior optimum
        // nearby: BOBYQA does not leave a bound it has settled on. Try again from the same point with
        // each such diagonal moved off the bound, and keep the better (InstEval's 4-term model stopped
        // 0.77 below lme4's log-likelihood before this, on one machine's kernels).
        let boundary = parameters.terms.indices.flatMap { k in
            parameters.diagonalIndices(term: k).filter { summary.finalTheta[$0] < SingularityCheck.tolerance }
        }
        // Off the bound with the column's other entries as they were, and with their signs turned (a
        // correlation of the other sign: both are local optima for nearly collinear columns).
        var starts: [[Double]] = []
        if !boundary.isEmpty && !free {
            var nudged = summary.finalTheta, flipped = summary.finalTheta
            for i in boundary {
                nudged[i] = 0.1
                flipped[i] = 0.1
                for j in parameters.columnBelowDiagonal(index: i) { flipped[j] = -flipped[j] }
            }
            starts = flipped == nudged ? [nudged] : [nudged, flipped]
        }
        for nudged in starts {
            if deviance.evaluate(nudged).isFinite {
                let other = quasiNewton
                    ? QuasiNewton.minimize(withGradient, start: nudged, lower: parameters.lowerBounds, upper: parameters.upperBounds)
                    : BOBYQA.minimize(objective, start: nudged, lower: parameters.lowerBounds, upper: parameters.upperBounds,
                                      initialSteps: [Double](repeating: 0.05, count: start.count))
                if other.finalObjective < summary.finalObjective - 1e-10 * abs(summary.finalObjective) {
                    var better = other
                    better.algorithm = summary.algorithm + " (restarted off the boundary: a better optimum)"
                    better.initialTheta = start
                    better.initialObjective = summary.initialObjective
                    better.evaluations += summary.evaluations
                    better.passes = summary.passes + other.passes
                    summary = better
                } else {
                    summary.evaluations += other.evaluations
                    summary.passes += other.passes
                }
            }
        }
        // Never stop short: when the gradient at the optimum is not small, restart from there.
        var (convergence, curvature) = assess(summary, deviance)
        if convergence != nil {
            var again = BOBYQA.minimize(objective, start: summary.finalTheta, lower: lower,
                                        upper: parameters.upperBounds, restart: true, newuoa: newuoa)
            if free { again.finalTheta = parameters.canonical(again.finalTheta) }
            if again.finalObjective <= summary.finalObjective {
                let passes = summary.passes + again.passes
                summary = OptimizationSummary(
                    algorithm: summary.algorithm + " (restarted)", initialTheta: start, finalTheta: again.finalTheta,
                    initialObjective: summary.initialObjective, finalObjective: again.finalObjective,
                    evaluations: summary.evaluations + again.evaluations, returnCode: again.returnCode, returnMessage: again.returnMessage)
                summary.passes = passes
            }
            (convergence, curvature) = assess(summary, deviance)
        }
        return try LinearMixedModel(deviance: deviance, summary: summary, estimatesVariance: true,
                                    convergence: .some(convergence), curvature: curvature)
    }

    /// The gradient check at the optimiser's answer. Inside the domain it comes from the curvature's
    /// stencil, which the variance components' standard errors then reuse; on a boundary, from central
    /// (one-sided at the bound) differences in θ.
    private static func assess(_ summary: OptimizationSummary, _ deviance: ProfiledDeviance) -> (Diagnostic?, LikelihoodCurvature?) {
        let curvature = LikelihoodCurvature(deviance: deviance, theta: summary.finalTheta)
        if let gradient = curvature?.thetaGradient {
            return (ConvergenceCheck.verdict(gradient: gradient, objective: summary.finalObjective), curvature)
        }
        let parameters = deviance.parameters
        return (ConvergenceCheck.check(deviance: deviance, theta: summary.finalTheta, value: summary.finalObjective,
                                       lower: parameters.lowerBounds, upper: parameters.upperBounds), curvature)
    }

    /// The checks every estimator makes before fitting (lme4 makes the same): enough rows, a response
    /// that varies, and grouping factors with at least two groups and fewer groups than rows.
    public static func validate(_ design: ModelDesign) throws(EstimationError) {
        guard !design.randomTerms.isEmpty else { throw EstimationError.noRandomEffects }
        guard design.observationCount > design.x.columns else {
            throw EstimationError.tooFewObservations(design.observationCount, design.x.columns)
        }
        let y = design.y
        if let first = y.first, y.allSatisfy({ $0 == first }) { throw EstimationError.constantResponse }
        for term in design.randomTerms {
            if term.groupCount < 2 { throw EstimationError.tooFewGroups(term.groupName, term.groupCount) }
            if term.groupCount >= design.observationCount {
                throw EstimationError.groupsEqualObservations(term.groupName, term.groupCount)
            }
        }
    }

    /// Refuses a design whose factorisation would not fit in memory (it is estimated, not allocated,
    /// before the fit: the dense block's two copies, or the sparse factor CHOLMOD's analysis predicts).
    static func checkMemory(_ deviance: ProfiledDeviance) throws(EstimationError) {
        let factor = deviance.factor
        guard !factor.fitsInMemory else { return }
        let terms = deviance.products.order.dropFirst().map { deviance.design.randomTerms[$0].groupName }
        throw EstimationError.tooLargeForMemory(factor.memoryNeeded, BlockedFactor.availableMemory, terms)
    }

    /// Number of parameters: fixed effects, covariance parameters, σ.
    public var parameterCount: Int { beta.count + theta.count + 1 }
    public var observationCount: Int { design.observationCount }
    public var logLikelihood: Double { -objective / 2 }
    public var deviance: Double { objective }
    public var aic: Double { objective + 2 * Double(parameterCount) }
    public var bic: Double { objective + log(Double(observationCount)) * Double(parameterCount) }

    /// Standard errors of β.
    public var standardErrors: [Double] {
        let p = beta.count
        return (0..<p).map { betaCovariance[$0 + $0 * p].squareRoot() }
    }
}

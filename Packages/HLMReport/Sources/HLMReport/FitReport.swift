import HLMEstimation
import HLMFormula

/// The fit report of `docs/fit-json.md`: what scripts read. Built from a fit; rendered as JSON as is,
/// and turned into a ``Document`` for text, Markdown and LaTeX.
public struct FitReport: Sendable, Codable {
    public struct GroupSummary: Sendable, Codable, Equatable {
        public var name: String
        public var count: Int
        public var minSize: Int
        public var meanSize: Double
        public var maxSize: Int
    }

    public struct RandomEffect: Sendable, Codable, Equatable {
        public var group: String
        public var covariance: String
        public var terms: [String]
        public var sd: [Double]
        public var correlation: [[Double]]
        public var covarianceMatrix: [[Double]]
        /// Standard errors and confidence intervals (from the observed information), when computed.
        public var sdStdError: [Double]?
        public var sdCI: [[Double]]?
        public var correlationStdError: [[Double]]?
        public var correlationCI: [[[Double]]]?
        /// SEs of the covariances (Stata's `variance` table), when computed.
        public var covarianceStdError: [[Double]]?
        /// HLM: per term, the mean reliability of the groups' OLS estimates.
        public var reliability: [Double]?
        /// HLM: per term, the χ² test that its variance is zero.
        public var varianceTest: [HLMTables.VarianceTest]?
    }



    public struct IntraclassCorrelation: Sendable, Codable, Equatable {
        public var group: String
        public var value: Double
        /// The interval at the report's level: the delta method on the logit scale (Stata's `estat icc`).
        public var ciLower: Double?
        public var ciUpper: Double?
    }

    public var formula: String
    public var method: String
    /// How the estimates were made (`Estimator`'s raw value): "profiled likelihood", "EM", "OLS", ...
    public var estimator: String
    /// The level of every interval in the report.
    public var ciLevel: Double
    /// Whether the random effects are shown as variances and covariances (Stata's `variance`).
    public var showsVariances: Bool
    /// Least squares: R², adjusted R² and the overall F test (df1, df2).
    public var rSquared: Double?
    public var adjustedRSquared: Double?
    public var fTest: FTest?

    public struct FTest: Sendable, Codable, Equatable {
        public var statistic: Double
        public var df1: Int
        public var df2: Int
        public var pValue: Double
    }
    public var nobs: Int
    public var droppedRows: Int
    public var groups: [GroupSummary]
    public var logLikelihood: Double
    public var deviance: Double
    public var aic: Double
    public var bic: Double
    public var converged: Bool
    public var singular: Bool
    public var iterations: Int
    public var optimizer: String
    public var fixedEffects: [FixedEffectEstimate]
    public var randomEffects: [RandomEffect]
    /// σ; nil for binomial and Poisson fits (no residual scale).
    public var residualSD: Double?
    /// The response's family and link and the quadrature points: "gaussian", "identity", 1 for linear fits.
    public var family: String = "gaussian"
    public var link: String = "identity"
    public var nAGQ: Int = 1
    /// Whether fixed effects are shown exponentiated (odds or rate ratios: Stata's `or`, `irr`).
    public var eform: Bool? = nil
    public var residualSDStdError: Double?
    public var residualSDCI: [Double]?
    public var lrTestVsLinear: ChiSquareTest?
    public var waldTest: ChiSquareTest?
    public var icc: [IntraclassCorrelation]
    /// Numerical trouble and remarks (singular fit, dropped columns, defaults): code, values, wording.
    public var diagnostics: [DiagnosticEntry]
    /// The model in each notation.
    public var notations: ModelNotations
    /// HLM's level equations with the estimated γs (one grouping factor only).
    public var levelModel: [String]?
    /// Rows filtered out by `--where` or the formula's `if`, before missing values were dropped.
    public var filteredRows: Int?
    public var optimization: OptimizationSummary
    /// The data columns the model uses (response first).
    public var variables: [String]

    /// How the t and F tests' denominator degrees of freedom were found (`--df`); nil for z tests.
    public var ddf: String?
    /// The F test of every fixed term (type III), with `--df`.
    public var termTests: [TermTest]?

    /// How the intervals were made: "wald" (the default), "profile" or "bootstrap" (`--ci`).
    public var ciMethod: String = "wald"
    /// With `--ci bootstrap`: how many replicates, their seed, and how many were singular, did not converge
    /// or could not be fitted.
    public var bootstrap: BootstrapSummary?

    public struct BootstrapSummary: Sendable, Codable, Equatable {
        public var replicates: Int
        public var seed: UInt64
        public var singular: Int
        public var notConverged: Int
        public var failed: Int
    }

    /// `--test`: Wald tests of linear hypotheses (Stata's `test`).
    public var hypothesisTests: [HypothesisTest]?
    /// `--lincom`: linear combinations of the fixed effects (Stata's `lincom`).
    public var linearCombinations: [LinearCombination]?

    /// Fixed effects with cluster-robust standard errors, clustered on `robustClusters` (with `--robust`).
    public var robustFixedEffects: [FixedEffectEstimate]?
    public var robustClusters: String?

    /// Every field set from its arguments, the optional ones absent: the base of the other families' reports.
    init(formula: String, method: String, estimator: String, ciLevel: Double, nobs: Int, droppedRows: Int, groups: [GroupSummary],
         logLikelihood: Double, deviance: Double, aic: Double, bic: Double, converged: Bool, singular: Bool, iterations: Int,
         optimizer: String, fixedEffects: [FixedEffectEstimate], randomEffects: [RandomEffect], notations: ModelNotations,
         optimization: OptimizationSummary, variables: [String]) {
        self.formula = formula
        self.method = method
        self.estimator = estimator
        self.ciLevel = ciLevel
        showsVariances = false
        self.nobs = nobs
        self.droppedRows = droppedRows
        self.groups = groups
        self.logLikelihood = logLikelihood
        self.deviance = deviance
        self.aic = aic
        self.bic = bic
        self.converged = converged
        self.singular = singular
        self.iterations = iterations
        self.optimizer = optimizer
        self.fixedEffects = fixedEffects
        self.randomEffects = randomEffects
        icc = []
        diagnostics = []
        self.notations = notations
        self.optimization = optimization
        self.variables = variables
    }

    /// `smallSample`: t tests on small-sample degrees of freedom (`--df`), with `termTests` their F tests.
    public init(_ fit: LinearMixedModel, filteredRows: Int? = nil, level: Double = 0.95, robust: Bool = false, variances: Bool = false,
                smallSample: SmallSampleInference? = nil, termTests: [TermTest]? = nil) {
        let design = fit.design
        formula = design.formula.text
        method = fit.criterion.rawValue
        estimator = fit.estimator.rawValue
        ciLevel = level
        showsVariances = variances
        rSquared = fit.rSquared?.r2
        adjustedRSquared = fit.rSquared?.adjusted
        fTest = fit.overallFTest.map { FTest(statistic: $0.f, df1: $0.df1, df2: $0.df2, pValue: $0.pValue) }
        nobs = fit.observationCount
        droppedRows = design.droppedRows
        var seen: Set<String> = []
        groups = design.randomTerms.filter { seen.insert($0.groupName).inserted }.map { term in
            let sizes = term.groupSizes
            return GroupSummary(name: term.groupName, count: term.groupCount, minSize: sizes.min() ?? 0,
                                meanSize: Double(sizes.reduce(0, +)) / Double(max(1, term.groupCount)), maxSize: sizes.max() ?? 0)
        }
        logLikelihood = fit.logLikelihood
        deviance = fit.deviance
        aic = fit.aic
        bic = fit.bic
        converged = fit.converged
        singular = fit.singular
        iterations = fit.optimization.evaluations
        optimizer = fit.estimator.maximisesLikelihood
            ? "\(fit.optimization.algorithm) on the profiled \(fit.criterion == .ml ? "deviance" : "REML criterion"): \(fit.optimization.returnMessage)"
            : "\(fit.optimization.algorithm): \(fit.optimization.returnMessage)"
        fixedEffects = smallSample.map { fit.fixedEffectTable(level: level, inference: $0) } ?? fit.fixedEffectTable(level: level)
        ddf = smallSample?.method.rawValue
        self.termTests = termTests
        let inference = fit.varianceInference.map { Self.rescaled($0, components: fit.components, sigma: fit.sigma, to: level) }
        let tables = HLMTables(fit)
        // Three levels: a table for every level (HLMTables itself covers one grouping factor).
        let levels = tables == nil ? HLMTables.levels(fit) : []
        randomEffects = fit.components.enumerated().map { k, component in
            RandomEffect(group: component.group, covariance: component.covariance.rawValue, terms: component.terms, sd: component.sd,
                         correlation: component.correlation, covarianceMatrix: component.covarianceMatrix,
                         sdStdError: inference?.sdStdError[k], sdCI: inference?.sdCI[k],
                         correlationStdError: inference?.correlationStdError[k], correlationCI: inference?.correlationCI[k],
                         covarianceStdError: inference?.covarianceStdError?[k],
                         reliability: k == 0 ? tables?.reliability ?? levels.first??.reliability : levels.count > k ? levels[k]?.reliability : nil,
                         varianceTest: k == 0 ? tables?.varianceTests ?? levels.first??.varianceTests : levels.count > k ? levels[k]?.varianceTests : nil)
        }
        if robust, let errors = fit.robustStandardErrors {
            robustFixedEffects = zip(design.fixedNames, zip(fit.beta, errors)).map { name, pair in
                FixedEffectEstimate(name: name, estimate: pair.0, stdError: pair.1, level: level)
            }
            robustClusters = design.randomTerms.map(\.groupName).min { $0.count < $1.count }
        }
        residualSD = fit.sigma
        residualSDStdError = inference?.residualSDStdError
        residualSDCI = inference?.residualSDCI
        lrTestVsLinear = fit.likelihoodRatioTestVersusLinear
        waldTest = fit.waldTest
        let z = Distributions.normalQuantile(0.5 + level / 2)
        icc = fit.intraclassCorrelations.enumerated().map { k, entry in
            var result = IntraclassCorrelation(group: entry.group, value: entry.value)
            if let errors = fit.varianceInference?.iccLogitStdError, k < errors.count, errors[k].isFinite, entry.value > 0, entry.value < 1 {
                let logit = log(entry.value / (1 - entry.value))
                result.ciLower = 1 / (1 + exp(-(logit - z * errors[k])))
                result.ciUpper = 1 / (1 + exp(-(logit + z * errors[k])))
            }
            return result
        }
        diagnostics = fit.diagnostics.map(DiagnosticEntry.init)
        for remark in smallSample?.remarks ?? [] { diagnostics.append(DiagnosticEntry(code: "df-singular-information", message: remark)) }
        if robust && fit.robustStandardErrors == nil && fit.estimator != .leastSquares {
            diagnostics.append(DiagnosticEntry(code: "robust-unavailable",
                message: "robust standard errors need every random-effects term nested in one outermost grouping factor; not computed"))
        }
        if robust && fit.estimator == .leastSquares {
            diagnostics.append(DiagnosticEntry(code: "robust-unavailable",
                message: "robust standard errors need a grouping factor to cluster on; not computed for a model without random effects"))
        }
        notations = design.notations
        levelModel = Self.estimatedLevelEquations(fit)
        self.filteredRows = filteredRows
        optimization = fit.optimization
        variables = design.formula.variables
    }

    /// The intervals at another level than the 95% they were computed at: the SEs on the log and atanh
    /// scales are the same, only the normal quantile changes.
    static func rescaled(_ inference: VarianceComponentInference, components: [VarianceComponent], sigma: Double,
                         to level: Double) -> VarianceComponentInference {
        guard abs(level - 0.95) > 1e-12 else { return inference }
        let z = Distributions.normalQuantile(0.5 + level / 2)
        var result = inference
        for (k, component) in components.enumerated() {
            for i in component.sd.indices {
                let sd = component.sd[i], se = inference.sdStdError[k][i] / sd
                result.sdCI[k][i] = [sd * exp(-z * se), sd * exp(z * se)]
                for j in component.sd.indices where j != i {
                    let r = component.correlation[i][j], seAtanh = inference.correlationStdError[k][i][j] / (1 - r * r)
                    result.correlationCI[k][i][j] = [tanh(atanh(r) - z * seAtanh), tanh(atanh(r) + z * seAtanh)]
                }
            }
        }
        let se = inference.residualSDStdError / sigma
        result.residualSDCI = [sigma * exp(-z * se), sigma * exp(z * se)]
        return result
    }
}

import Foundation

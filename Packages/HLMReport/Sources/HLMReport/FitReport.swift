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
        /// HLM: per term, the mean reliability of the groups' OLS estimates.
        public var reliability: [Double]?
        /// HLM: per term, the χ² test that its variance is zero.
        public var varianceTest: [HLMTables.VarianceTest]?
    }



    public struct IntraclassCorrelation: Sendable, Codable, Equatable {
        public var group: String
        public var value: Double
    }

    public var formula: String
    public var method: String
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
    public var residualSD: Double
    public var residualSDStdError: Double?
    public var residualSDCI: [Double]?
    public var lrTestVsLinear: ChiSquareTest?
    public var waldTest: ChiSquareTest?
    public var icc: [IntraclassCorrelation]
    /// Numerical trouble and remarks (singular fit, dropped columns, defaults), as sentences.
    public var diagnostics: [String]
    /// The model in each notation.
    public var notations: ModelNotations
    /// HLM's level equations with the estimated γs (one grouping factor only).
    public var levelModel: [String]?
    /// Rows filtered out by `--where` or the formula's `if`, before missing values were dropped.
    public var filteredRows: Int?
    public var optimization: OptimizationSummary
    /// The data columns the model uses (response first).
    public var variables: [String]

    /// Fixed effects with cluster-robust standard errors, clustered on `robustClusters` (with `--robust`).
    public var robustFixedEffects: [FixedEffectEstimate]?
    public var robustClusters: String?

    public init(_ fit: LinearMixedModel, filteredRows: Int? = nil, level: Double = 0.95, robust: Bool = false) {
        let design = fit.design
        formula = design.formula.text
        method = fit.criterion.rawValue
        nobs = fit.observationCount
        droppedRows = design.droppedRows
        var seen: Set<String> = []
        groups = design.randomTerms.filter { seen.insert($0.groupName).inserted }.map { term in
            var sizes = [Int](repeating: 0, count: term.groupCount)
            for code in term.codes { sizes[Int(code)] += 1 }
            return GroupSummary(name: term.groupName, count: term.groupCount, minSize: sizes.min() ?? 0,
                                meanSize: Double(term.codes.count) / Double(max(1, term.groupCount)), maxSize: sizes.max() ?? 0)
        }
        logLikelihood = fit.logLikelihood
        deviance = fit.deviance
        aic = fit.aic
        bic = fit.bic
        converged = fit.converged
        singular = fit.singular
        iterations = fit.optimization.evaluations
        optimizer = "\(fit.optimization.algorithm) on the profiled \(fit.criterion == .ml ? "deviance" : "REML criterion"): \(fit.optimization.returnMessage)"
        fixedEffects = fit.fixedEffectTable(level: level)
        let inference = fit.varianceInference
        let tables = HLMTables(fit)
        randomEffects = fit.components.enumerated().map { k, component in
            RandomEffect(group: component.group, covariance: component.covariance.rawValue, terms: component.terms, sd: component.sd,
                         correlation: component.correlation, covarianceMatrix: component.covarianceMatrix,
                         sdStdError: inference?.sdStdError[k], sdCI: inference?.sdCI[k],
                         correlationStdError: inference?.correlationStdError[k], correlationCI: inference?.correlationCI[k],
                         reliability: k == 0 ? tables?.reliability : nil, varianceTest: k == 0 ? tables?.varianceTests : nil)
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
        icc = fit.intraclassCorrelations.map { IntraclassCorrelation(group: $0.group, value: $0.value) }
        diagnostics = fit.diagnostics.map(\.message)
        if robust && fit.robustStandardErrors == nil {
            diagnostics.append("robust standard errors need every random-effects term nested in one outermost grouping factor; not computed")
        }
        notations = design.notations
        levelModel = Self.estimatedLevelEquations(fit)
        self.filteredRows = filteredRows
        optimization = fit.optimization
        variables = design.formula.variables
    }
}

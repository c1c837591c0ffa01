import HLMFormula

/// Which estimator to use, as a front end's options name it, and the one call that fits with it. A
/// model without random effects (or Stata's `regress`) is fitted by least squares; Stata's `xtreg, re`
/// by Swamy–Arora GLS unless a method is named; otherwise the method named, else the formula's own
/// (Stata's `mle`/`reml`, `mixed`/`xtmixed`), else REML.
public struct FitOptions: Sendable {
    public enum Method: String, Sendable, CaseIterable {
        case reml, ml, gls
        case swamyArora = "swamy-arora"
        case swamy
    }

    public enum Optimizer: String, Sendable, CaseIterable {
        case bobyqa, em
        case fisherScoring = "fisher-scoring"
    }

    public var method: Method?
    public var optimizer: Optimizer
    /// The variance components for `.gls`: "school: 9.08 0.18 0.0145; residual: 55.4".
    public var variance: String?

    public init(method: Method? = nil, optimizer: Optimizer = .bobyqa, variance: String? = nil) {
        self.method = method
        self.optimizer = optimizer
        self.variance = variance
    }

    /// The likelihood criterion: the method named, else the formula's own, else REML.
    public func criterion(for formula: ModelFormula) -> ProfiledDeviance.Criterion {
        switch method {
        case .ml?: .ml
        case .reml?: .reml
        default: formula.method == .ml ? .ml : .reml
        }
    }

    /// Fits the prepared model. `progress` is called after each evaluation of the profiled criterion.
    public func fit(_ model: PreparedModel, progress: ((Int, Double) -> Void)? = nil) throws(EstimationError) -> LinearMixedModel {
        let design = model.design, formula = model.formula
        if design.randomTerms.isEmpty || formula.options.estimator == .leastSquares {
            return try LinearMixedModel.fitLeastSquares(design)
        }
        if method == nil && formula.options.estimator == .swamyArora { return try MomentEstimators.swamyArora(design) }
        switch method {
        case .gls?:
            guard let variance else { throw EstimationError.badVarianceSpecification("--method gls needs --variance") }
            let given = try VarianceSpecification(parsing: variance, for: design)
            return try LinearMixedModel.fitGLS(design, covariances: given.covariances, residualVariance: given.residualVariance)
        case .swamyArora?: return try MomentEstimators.swamyArora(design)
        case .swamy?: return try MomentEstimators.swamyRandomCoefficients(design)
        case .ml?, .reml?, nil:
            let criterion = criterion(for: formula)
            switch optimizer {
            case .bobyqa: return try LinearMixedModel.fit(design, criterion: criterion, progress: progress)
            case .em: return try ClassicalEstimation.fit(design, criterion: criterion, algorithm: .em)
            case .fisherScoring: return try ClassicalEstimation.fit(design, criterion: criterion, algorithm: .fisherScoring)
            }
        }
    }
}

import HLMEstimation
import HLMFormula

/// The sentences for the fit's typed diagnostics, one per case, used by every format.
public enum DiagnosticWording {
    public static func sentence(_ diagnostic: Diagnostic) -> String {
        switch diagnostic {
        case .singularFit(let group, let terms):
            "singular fit: a variance or correlation of \(group) (\(terms.joined(separator: ", "))) is on its boundary"
        case .droppedColumns(let columns):
            "fixed-effect column\(columns.count > 1 ? "s" : "") dropped as linear combinations of others: \(columns.joined(separator: ", "))"
        case .design(let note): sentence(note)
        case .gradientNotSmall(let magnitude, let parameter):
            "the gradient at the optimum is not small (|g| = \(magnitude) for θ[\(parameter)])"
        case .optimizerFailed(_, let meaning): "the optimiser \(meaning)"
        case .stoppedBeforeOptimum(let algorithm):
            "\(algorithm) stopped when its log-likelihood changed by less than its tolerance, but the estimates are not at the optimum; the default optimiser (bobyqa) reaches it"
        case .covarianceDefault(let group, let structure):
            "\(group): covariance(\(structure.rawValue)) by Stata's default; lme4's default is unstructured"
        case .varianceStandardErrorsUnavailable:
            "standard errors of the variance components are not computed: a variance is on its boundary or the information matrix is singular"
        case .componentsNotEstimatedByLikelihood(let method):
            "\(method): the variance components are given, not estimated; the likelihood is at those values"
        case .groupsWithOwnRegression(let used, let total):
            "Swamy's estimator uses each group's own residual variance; \(used) of \(total) groups had enough rows; the EB estimates use the pooled residual variance"
        case .separation(let coefficients):
            "separation: the coefficient\(coefficients.count > 1 ? "s" : "") of \(coefficients.joined(separator: ", ")) run\(coefficients.count > 1 ? "" : "s") off (the predictor separates the outcomes); its estimate and SE are not meaningful"
        case .pirlsNotConverged:
            "penalised IRLS did not converge for the conditional modes at the optimum; the approximation to the likelihood may be rough"
        case .fittedFromStatistics(let rows):
            "fitted from the sufficient statistics of \(rows) rows, without the rows: HLM's per-group OLS tables, residuals and robust SEs need them"
        }
    }

    public static func sentence(_ note: DesignNote) -> String {
        switch note {
        case .unusedLevelsDropped(let variable, let levels):
            "\"\(variable)\": level\(levels.count > 1 ? "s" : "") with no rows in the data used dropped: \(levels.joined(separator: ", "))"
        case .listedLevelAbsent(let variable, let level):
            "\"\(variable)\": level \(level) in factor(levels = ...) has no rows in the data used"
        case .rowsDroppedForCommonRows(let count):
            "\(count) rows dropped so that every model uses the same rows"
        }
    }
}

/// A diagnostic as the JSON report carries it: the stable code, the values and the wording.
public struct DiagnosticEntry: Sendable, Codable, Equatable {
    public var code: String
    public var message: String
    public var values: [String: DiagnosticValue]

    public init(_ diagnostic: Diagnostic) {
        code = diagnostic.code
        message = DiagnosticWording.sentence(diagnostic)
        values = diagnostic.values
    }

    /// A remark the report makes itself (robust SEs not computed, ...).
    public init(code: String, message: String) {
        self.code = code
        self.message = message
        values = [:]
    }
}

import HLMFormula

/// Numerical trouble and remarks found while fitting: typed values kept in the fit and shown in every
/// report. Estimation writes no sentence; HLMReport words each case, and JSON carries ``code`` and
/// ``values`` beside the wording.
public enum Diagnostic: Sendable, Equatable, Codable {
    /// lme4's `isSingular`: a variance at zero or a correlation at ±1 in this term.
    case singularFit(group: String, terms: [String])
    /// Fixed-effect columns dropped as linear combinations of earlier ones (as lme4 drops them).
    case droppedColumns([String])
    /// A remark from the design (dropped levels, rows dropped for common rows).
    case design(DesignNote)
    /// The gradient of the criterion at the optimum is not small: its size and the θ component.
    case gradientNotSmall(magnitude: Double, parameter: Int)
    /// The optimiser reported that it did not converge: its return code and that code's meaning.
    case optimizerFailed(code: Int, meaning: String)
    /// EM or Fisher scoring stopped by its own rule away from the optimum.
    case stoppedBeforeOptimum(algorithm: String)
    /// The covariance structure of a term was Stata's default (independent), not chosen.
    case covarianceDefault(group: String, structure: CovarianceStructure)
    /// The variance components' standard errors are not computed (a boundary, or a singular information).
    case varianceStandardErrorsUnavailable
    /// The variance components were given or estimated by moments, not by maximising this likelihood.
    case componentsNotEstimatedByLikelihood(method: String)
    /// Swamy's estimator: the groups with enough rows for their own regression.
    case groupsWithOwnRegression(used: Int, total: Int)
    /// A binomial fit whose coefficients run off: (quasi-)complete separation by these predictors.
    case separation(coefficients: [String])
    /// Penalised IRLS stopped without converging at the optimum (the Laplace approximation is then rough).
    case pirlsNotConverged
    /// Fitted from sufficient statistics of this many rows (`hlm fit ALL.stats`, `--streaming`): the
    /// estimates are those of the rows; what needs the rows themselves is not in the report.
    case fittedFromStatistics(rows: Int)

    /// The broad kind, for filtering.
    public enum Kind: String, Sendable, Codable {
        case singularFit, droppedColumns, notConverged, covarianceDefault, droppedLevels, note
    }

    public var kind: Kind {
        switch self {
        case .singularFit: .singularFit
        case .droppedColumns: .droppedColumns
        case .design(.unusedLevelsDropped), .design(.listedLevelAbsent): .droppedLevels
        case .design(.rowsDroppedForCommonRows): .note
        case .gradientNotSmall, .optimizerFailed, .stoppedBeforeOptimum, .pirlsNotConverged: .notConverged
        case .separation: .note
        case .covarianceDefault: .covarianceDefault
        case .varianceStandardErrorsUnavailable, .componentsNotEstimatedByLikelihood, .groupsWithOwnRegression, .fittedFromStatistics: .note
        }
    }

    /// A stable identifier for scripts (the JSON report's `code`).
    public var code: String {
        switch self {
        case .singularFit: "singular-fit"
        case .droppedColumns: "dropped-columns"
        case .design(.unusedLevelsDropped): "unused-levels-dropped"
        case .design(.listedLevelAbsent): "listed-level-absent"
        case .design(.rowsDroppedForCommonRows): "rows-dropped-for-common-rows"
        case .gradientNotSmall: "gradient-not-small"
        case .optimizerFailed: "optimizer-failed"
        case .stoppedBeforeOptimum: "stopped-before-optimum"
        case .covarianceDefault: "covariance-default"
        case .varianceStandardErrorsUnavailable: "variance-standard-errors-unavailable"
        case .componentsNotEstimatedByLikelihood: "components-not-estimated-by-likelihood"
        case .groupsWithOwnRegression: "groups-with-own-regression"
        case .separation: "separation"
        case .pirlsNotConverged: "pirls-not-converged"
        case .fittedFromStatistics: "fitted-from-statistics"
        }
    }

    /// The case's values by name, for the JSON report.
    public var values: [String: DiagnosticValue] {
        switch self {
        case .singularFit(let group, let terms): ["group": .text(group), "terms": .texts(terms)]
        case .droppedColumns(let columns): ["columns": .texts(columns)]
        case .design(.unusedLevelsDropped(let variable, let levels)): ["variable": .text(variable), "levels": .texts(levels)]
        case .design(.listedLevelAbsent(let variable, let level)): ["variable": .text(variable), "level": .text(level)]
        case .design(.rowsDroppedForCommonRows(let count)): ["rows": .number(Double(count))]
        case .gradientNotSmall(let magnitude, let parameter): ["magnitude": .number(magnitude), "parameter": .number(Double(parameter))]
        case .optimizerFailed(let code, let meaning): ["returnCode": .number(Double(code)), "meaning": .text(meaning)]
        case .stoppedBeforeOptimum(let algorithm): ["algorithm": .text(algorithm)]
        case .covarianceDefault(let group, let structure): ["group": .text(group), "structure": .text(structure.rawValue)]
        case .varianceStandardErrorsUnavailable: [:]
        case .componentsNotEstimatedByLikelihood(let method): ["method": .text(method)]
        case .groupsWithOwnRegression(let used, let total): ["used": .number(Double(used)), "total": .number(Double(total))]
        case .separation(let coefficients): ["coefficients": .texts(coefficients)]
        case .pirlsNotConverged: [:]
        case .fittedFromStatistics(let rows): ["rows": .number(Double(rows))]
        }
    }
}

/// One value of a diagnostic, as JSON has it.
public enum DiagnosticValue: Sendable, Equatable, Codable {
    case text(String), texts([String]), number(Double)

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let value): try container.encode(value)
        case .texts(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let texts = try? container.decode([String].self) { self = .texts(texts) }
        else { self = .text(try container.decode(String.self)) }
    }
}

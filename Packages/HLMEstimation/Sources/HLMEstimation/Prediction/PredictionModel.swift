import Foundation
import HLMData
import HLMFormula

/// What prediction needs from a fit, and what a saved model holds: the design's coding, β and its
/// covariance, σ, each term's covariance, levels, conditional modes and conditional covariances.
/// Built from a fit, or read back from a saved model file (``SavedModel``).
public struct PredictionModel: Sendable {
    public struct Term: Sendable, Codable, Equatable {
        public var group: String
        public var terms: [String]
        /// Σ_k (q×q, row by row): the random effects' covariance, for a level the fit has not seen.
        public var covariance: [[Double]]
        public var levels: [String]
        /// Per level: the conditional mode and the conditional covariance (q×q, column-major).
        public var modes: [[Double]]
        public var conditionalCovariances: [[Double]]
    }

    /// The fit's design with its data cut away: the formula, coding, column names and levels.
    public var design: ModelDesign
    public var beta: [Double]
    public var betaCovariance: [Double]
    public var sigma: Double
    public var terms: [Term]

    public init(design: ModelDesign, beta: [Double], betaCovariance: [Double], sigma: Double, terms: [Term]) {
        self.design = design
        self.beta = beta
        self.betaCovariance = betaCovariance
        self.sigma = sigma
        self.terms = terms
    }

    public init(_ fit: LinearMixedModel) throws(EstimationError) {
        let covariances = try fit.conditionalCovariancesOfAllTerms()
        design = fit.design
        beta = fit.beta
        betaCovariance = fit.betaCovariance
        sigma = fit.sigma
        terms = fit.design.randomTerms.enumerated().map { k, term in
            Term(group: term.groupName, terms: term.termNames, covariance: fit.components[k].covarianceMatrix, levels: term.levels,
                 modes: fit.conditionalModes[k], conditionalCovariances: covariances[k])
        }
    }
}

/// Which random effects a prediction includes (lme4's `re.form`).
public enum PredictionScope: String, Sendable, CaseIterable {
    /// Fixed part plus the conditional modes (0 for a level the fit has not seen: `allow.new.levels`).
    case all
    /// The fixed part alone (`re.form = NA`).
    case none
}

/// The interval a prediction carries.
public enum PredictionInterval: String, Sendable, CaseIterable {
    case none
    /// For the fixed part: ± z √(x'V x), V = vcov(β).
    case confidence
    /// For a new observation: adds the random effects' variance (a known level's conditional
    /// covariance, a new level's Σ; with `none`, Σ for every term) and σ².
    case prediction
}

/// One predicted value, with its standard error and interval when asked.
public struct PredictedValue: Sendable, Codable, Equatable {
    public var row: Int
    public var fit: Double
    public var se: Double?
    public var lower: Double?
    public var upper: Double?
}

extension PredictionModel {
    /// Predictions for the rows of `frame` (each with its 1-based data row).
    public func predict(_ frame: DataFrame, scope: PredictionScope = .all, interval: PredictionInterval = .none,
                        level: Double = 0.95) throws(FormulaError) -> [PredictedValue] {
        let data = try design.newData(frame)
        let p = beta.count, n = data.rowCount
        let z = Distributions.normalQuantile(0.5 + level / 2)
        var result: [PredictedValue] = []
        result.reserveCapacity(n)
        // Flat copies, so that the row loop neither allocates nor retains.
        let x = data.x.values
        let modes = terms.map { $0.modes.flatMap { $0 } }
        let conditional = terms.map { $0.conditionalCovariances.flatMap { $0 } }
        let covariance = terms.map { $0.covariance.flatMap { $0 } }
        let termCodes = data.terms.map(\.codes), termZ = data.terms.map(\.z.values), widths = terms.map(\.terms.count)
        for i in 0..<n {
            var fit = data.offset[i], fixedVariance = 0.0
            for a in 0..<p { fit += x[i + a * n] * beta[a] }
            if interval != .none {
                for a in 0..<p {
                    var s = 0.0
                    for b in 0..<p { s += betaCovariance[a + b * p] * x[i + b * n] }
                    fixedVariance += x[i + a * n] * s
                }
            }
            var randomVariance = 0.0
            for k in termCodes.indices {
                let q = widths[k], code = Int(termCodes[k][i])
                let zv = termZ[k]
                let known = scope == .all && code >= 0
                if known { for a in 0..<q { fit += zv[i + a * n] * modes[k][code * q + a] } }
                guard interval == .prediction else { continue }
                // A known level's conditional covariance (column-major), else Σ (row by row; symmetric).
                let c = known ? conditional[k] : covariance[k], base = known ? code * q * q : 0
                for a in 0..<q { for b in 0..<q { randomVariance += zv[i + a * n] * c[base + a + b * q] * zv[i + b * n] } }
            }
            var value = PredictedValue(row: frame.dataRow(i), fit: fit)
            if interval != .none {
                let variance = fixedVariance + (interval == .prediction ? randomVariance + sigma * sigma : 0)
                let se = variance.squareRoot()
                value.se = se
                value.lower = fit - z * se
                value.upper = fit + z * se
            }
            result.append(value)
        }
        return result
    }
}

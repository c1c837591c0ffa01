import HLMFormula

/// The estimated covariance of one random-effects term: SDs, correlations, the matrix itself.
public struct VarianceComponent: Sendable, Codable, Equatable {
    public var group: String
    public var terms: [String]
    public var covariance: CovarianceStructure
    public var sd: [Double]
    /// q×q, row by row.
    public var correlation: [[Double]]
    /// q×q, row by row: σ² λ λ'.
    public var covarianceMatrix: [[Double]]
}

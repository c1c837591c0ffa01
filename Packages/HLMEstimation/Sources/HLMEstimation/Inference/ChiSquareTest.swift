/// A χ² test: statistic, degrees of freedom, p-value, and which reference distribution was used.
public struct ChiSquareTest: Sendable, Codable, Equatable {
    public var statistic: Double
    public var df: Int
    public var pValue: Double
    /// "chi2", or "chibar2" for the 50:50 mixture used when one variance is tested on its boundary.
    public var distribution: String
}

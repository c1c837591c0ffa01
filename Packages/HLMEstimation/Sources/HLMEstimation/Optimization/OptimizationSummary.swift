/// What the optimiser did: a Codable record kept in every fit.
public struct OptimizationSummary: Sendable, Codable, Equatable {
    public var algorithm: String
    public var initialTheta: [Double]
    public var finalTheta: [Double]
    public var initialObjective: Double
    public var finalObjective: Double
    public var evaluations: Int
    /// NLopt's return code and its meaning.
    public var returnCode: Int
    public var returnMessage: String
}

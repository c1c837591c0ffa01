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
    /// Each BOBYQA pass (a restart adds passes): evaluations, the value reached and NLopt's code.
    /// `HLM_TRACE_OPTIMIZER=1 hlm fit ...` prints them; estimation itself prints nothing.
    public var passes: [Pass] = []

    public struct Pass: Sendable, Codable, Equatable {
        public var evaluations: Int
        public var value: Double
        public var returnCode: Int
    }
}

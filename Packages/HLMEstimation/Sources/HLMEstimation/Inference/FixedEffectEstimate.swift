import Foundation

/// One row of the fixed-effects table: estimate, SE, z (or t with `df`), two-sided p and a confidence interval.
public struct FixedEffectEstimate: Sendable, Codable, Equatable {
    public var name: String
    public var estimate: Double
    public var stdError: Double
    /// Denominator degrees of freedom of a t test; nil for a z (Wald) test.
    public var df: Double?
    public var statistic: Double
    public var pValue: Double
    public var ciLower: Double
    public var ciUpper: Double

    /// An estimate with its standard error: z, its two-sided p-value and the interval at `level`.
    public init(name: String, estimate: Double, stdError: Double, level: Double = 0.95, df: Double? = nil) {
        let z = df.map { Distributions.studentQuantile(0.5 + level / 2, df: $0) } ?? Distributions.normalQuantile(0.5 + level / 2)
        self.name = name
        self.estimate = estimate
        self.stdError = stdError
        self.df = df
        let statistic = estimate / stdError
        self.statistic = statistic
        if let df { pValue = Distributions.twoSidedStudentP(statistic, df: df) } else { pValue = Distributions.twoSidedNormalP(statistic) }
        ciLower = estimate - z * stdError
        ciUpper = estimate + z * stdError
    }
}

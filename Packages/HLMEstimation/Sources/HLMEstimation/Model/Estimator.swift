/// How a fit's estimates were made. Reports name it in their header; JSON carries the raw value.
public enum Estimator: String, Sendable, Codable, Equatable {
    /// ML or REML by minimising the profiled criterion over θ (lme4's method).
    case profiledLikelihood = "profiled likelihood"
    /// ML or REML by the EM algorithm.
    case expectationMaximization = "EM"
    /// ML or REML by Fisher scoring.
    case fisherScoring = "Fisher scoring"
    /// GLS at variance components the user gave.
    case givenComponents = "GLS at given variance components"
    /// GLS at Swamy–Arora moment estimates of the variance components (Stata's `xtreg, re`).
    case swamyArora = "Swamy-Arora GLS"
    /// Swamy's random-coefficients estimator (Stata's `xtrc`).
    case swamy = "Swamy random coefficients"
    /// Ordinary least squares: a model without random effects (R's `lm`, Stata's `regress`).
    case leastSquares = "OLS"

    /// Whether the variance components are estimated by maximising a (restricted) likelihood.
    public var maximisesLikelihood: Bool {
        self == .profiledLikelihood || self == .expectationMaximization || self == .fisherScoring
    }
}

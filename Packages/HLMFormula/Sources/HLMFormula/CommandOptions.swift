/// What a command asks of the estimation and the report beyond the model itself: Stata's `regress`,
/// `xtreg` and display options (`variance`, `level(#)`, `vce(robust)`). The app's flags win over these.
public struct CommandOptions: Hashable, Sendable {
    /// The estimator a command names.
    public enum Estimator: String, Hashable, Sendable {
        /// A mixed model by ML or REML (`mixed`, `xtmixed`, `xtreg, mle`).
        case mixed
        /// Ordinary least squares (`regress`; a formula without random-effects terms).
        case leastSquares = "ols"
        /// GLS at Swamy–Arora variance components (`xtreg, re`, Stata's default for xtreg).
        case swamyArora = "swamy-arora"
    }

    public var estimator: Estimator?
    /// Variances and covariances (true, Stata's `variance`) or SDs and correlations (false, `stddeviations`).
    public var variances: Bool?
    /// Confidence level of every interval, as a fraction (Stata's `level(90)` is 0.9).
    public var level: Double?
    /// Cluster-robust standard errors (`vce(robust)`).
    public var robust = false
    /// Stata's `or` / `irr`: exponentiated coefficients.
    public var eform = false
    /// Stata's `intpoints(#)` (with `laplace`: 1).
    public var quadraturePoints: Int?
    /// The link a command implies (`meprobit`: "probit"), as ``LinkFunction``'s raw value.
    public var link: String?

    public init(estimator: Estimator? = nil, variances: Bool? = nil, level: Double? = nil, robust: Bool = false) {
        self.estimator = estimator
        self.variances = variances
        self.level = level
        self.robust = robust
    }

    /// Takes what `other` sets.
    mutating func merge(_ other: CommandOptions) {
        if other.eform { eform = true }
        if let points = other.quadraturePoints { quadraturePoints = points }
        if let link = other.link { self.link = link }
        if let e = other.estimator { estimator = e }
        if let v = other.variances { variances = v }
        if let l = other.level { level = l }
        if other.robust { robust = true }
    }
}

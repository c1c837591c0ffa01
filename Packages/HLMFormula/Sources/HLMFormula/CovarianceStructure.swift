/// How the random effects of one term covary (lme4 `||` is `independent`; Stata's `covariance()`).
public enum CovarianceStructure: String, Sendable, Codable, CaseIterable {
    /// Every variance and covariance free (lme4's default).
    case unstructured
    /// Variances free, covariances zero (Stata's default for several random terms).
    case independent
    /// One common variance and one common covariance.
    case exchangeable
    /// One common variance, covariances zero.
    case identity
}

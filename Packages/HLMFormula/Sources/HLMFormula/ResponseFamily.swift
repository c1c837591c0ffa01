/// The distribution of the response given the random effects: Gaussian (a linear mixed model), binomial
/// or Poisson (a generalized linear mixed model). Chosen by `--family` or by the Stata command
/// (`melogit`, `mepoisson`, …); it decides how the response is read (``ModelDesign/binomialTrials``).
public enum ResponseFamily: String, Sendable, Codable, CaseIterable {
    case gaussian, binomial, poisson
}

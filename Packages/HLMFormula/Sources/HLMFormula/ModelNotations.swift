/// The model written back in each notation, and as LaTeX equations, for reports to print.
public struct ModelNotations: Sendable, Equatable, Codable {
    public var lme4: String
    /// nil where Stata's nested `||` levels cannot say it (crossed factors).
    public var stata: String?
    /// Level-1 and level-2 equations; nil beyond one grouping factor.
    public var levelEquations: [String]?
    /// LaTeX `align` lines of the level form and of the combined form (the seed's eqs 2–4).
    public var latexLevelForm: [String]?
    public var latexCombinedForm: String
}

/// A model in any of the three notations, lowered to one form: a response, fixed-effect terms and
/// random-effect terms. Nothing downstream knows which notation was used.
public struct ModelFormula: Hashable, Sendable {
    /// The notations a user may write.
    public enum Notation: String, Sendable, Codable {
        case lme4, stata, levelEquations = "level-equations"
    }

    /// The text as the user wrote it.
    public var text: String
    public var notation: Notation
    public var response: Predictor
    /// Whether the fixed part has an intercept.
    public var hasIntercept: Bool
    /// Fixed-effect terms other than the intercept, in formula order.
    public var fixedTerms: [Term]
    public var randomTerms: [RandomTerm]
    /// Estimation method requested in the formula itself (Stata's `mle` / `reml`).
    public var method: Method?
    /// A row filter given in the formula itself (Stata's `if`), in `--where` syntax.
    public var filter: String?
    /// Offsets: known parts of the linear predictor with coefficient 1 (lme4's `offset(expr)`).
    public var offsets: [Arithmetic] = []
    /// lme4's `cbind(successes, failures)` response: the two expressions (the response is then the first).
    public var responseCounts: [Arithmetic]?
    /// The response's family when the formula itself names it (Stata's `melogit`, `mepoisson`), or the
    /// one the caller chose (`--family`); nil is Gaussian.
    public var family: ResponseFamily?
    /// Stata's `binomial(VAR)` (trials per row), `exposure(VAR)` (log offset) as the command gave them.
    public var trialsVariable: String?
    public var exposureVariable: String?
    /// The estimator and display options the command itself names (Stata's `regress`, `level(90)`, ...).
    public var options: CommandOptions

    /// ML or REML.
    public enum Method: String, Sendable, Codable {
        case ml = "ML", reml = "REML"
    }

    public init(text: String, notation: Notation, response: Predictor, hasIntercept: Bool, fixedTerms: [Term],
                randomTerms: [RandomTerm], method: Method? = nil, filter: String? = nil, options: CommandOptions = CommandOptions()) {
        self.text = text
        self.notation = notation
        self.response = response
        self.hasIntercept = hasIntercept
        // As R's terms(): main effects first, then two-way interactions, and so on; stable within an order.
        self.fixedTerms = fixedTerms.enumerated()
            .sorted { ($0.element.predictors.count, $0.offset) < ($1.element.predictors.count, $1.offset) }
            .map(\.element)
        self.randomTerms = randomTerms
        self.method = method
        self.filter = filter
        self.options = options
    }

    /// Parses a formula in whichever notation it is written: lme4 when it has `~`; level equations
    /// when it has `=` (groups from `groups`, outermost last: level 2 first); Stata otherwise.
    public static func parse(_ text: String, groups: [String] = []) throws(FormulaError) -> ModelFormula {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.replacingOccurrences(of: "~=", with: "").contains("~") { return try LME4Notation.parse(text) }
        if trimmed.contains("=") && !trimmed.contains("||") && !Self.looksLikeStataIf(trimmed) {
            return try LevelEquationNotation.parse(text, groups: groups)
        }
        return try StataNotation.parse(text)
    }

    private static func looksLikeStataIf(_ text: String) -> Bool {
        text.split(separator: " ").contains("if")
    }

    /// Every data column the model reads.
    public var variables: [String] {
        var names: [String] = response.variables
        for term in fixedTerms { names += term.predictors.flatMap(\.variables) }
        names += offsets.flatMap(\.variables)
        names += (responseCounts ?? []).flatMap(\.variables)
        names += [trialsVariable, exposureVariable].compactMap { $0 }
        for random in randomTerms {
            names += random.terms.flatMap { $0.predictors.flatMap(\.variables) } + random.grouping
        }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}

import Foundation

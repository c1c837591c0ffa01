import HLMFormula

/// How the fixed effects of a two-level model sit in HLM's level-2 equations: each fixed column is
/// (level-1 part) × (group-level part); the level-1 part names the equation (a random coefficient, or
/// the intercept), the group-level part is that equation's predictor W (nil for its intercept γ_q0).
public struct LevelTwoStructure: Sendable {
    public struct Entry: Sendable, Equatable {
        /// The fixed column.
        public var column: Int
        /// The equation's level-1 term name: "(Intercept)" or, e.g., "lrt".
        public var equation: String
        /// The level-2 predictor's name, nil for the equation's own intercept.
        public var predictor: String?
    }

    public var entries: [Entry]

    /// nil when the model has not exactly one grouping factor, or no intercept.
    public init?(_ design: ModelDesign) {
        guard let first = design.randomTerms.first, design.randomTerms.allSatisfy({ $0.groupName == first.groupName }),
              design.fixedNames.contains("(Intercept)") else { return nil }
        func base(_ part: Substring) -> String { String(part.split(separator: "[", maxSplits: 1).first ?? part) }
        entries = design.fixedNames.enumerated().map { column, name in
            if name == "(Intercept)" { return Entry(column: column, equation: "(Intercept)", predictor: nil) }
            let parts = name.split(separator: ":")
            let within = parts.filter { !design.groupLevelPredictors.contains(base($0)) }
            let between = parts.filter { design.groupLevelPredictors.contains(base($0)) }
            return Entry(column: column, equation: within.isEmpty ? "(Intercept)" : within.joined(separator: ":"),
                         predictor: between.isEmpty ? nil : between.joined(separator: ":"))
        }
    }

    /// The entries of one equation.
    public func equation(_ name: String) -> [Entry] { entries.filter { $0.equation == name } }

    /// Each group's value of the fixed part of random coefficient `q` of `term`: Σ γ_qs W_sj, read off
    /// the design (X_k = Z_q × W_s, with W_s constant within the group).
    func fixedPart(term: RandomEffectsDesign, q: Int, design: ModelDesign, beta: [Double]) -> [Double] {
        let entries = equation(term.termNames[q])
        var result = [Double](repeating: .nan, count: term.groupCount)
        var seen = [Bool](repeating: false, count: term.groupCount)
        var unseen = term.groupCount
        let n = design.observationCount
        term.codes.withUnsafeBufferPointer { codes in
            term.z.values.withUnsafeBufferPointer { zValues in
                design.x.values.withUnsafeBufferPointer { x in
                    // Each group's first row with z ≠ 0; done once every group has one.
                    for i in 0..<n {
                        if unseen == 0 { break }
                        let j = Int(codes[i]), z = zValues[i + q * n]
                        guard !seen[j], z != 0 else { continue }
                        seen[j] = true
                        unseen -= 1
                        result[j] = entries.reduce(0.0) { $0 + beta[$1.column] * x[i + $1.column * n] / z }
                    }
                }
            }
        }
        return result
    }
}

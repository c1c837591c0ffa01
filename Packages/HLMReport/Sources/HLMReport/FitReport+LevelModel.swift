import HLMEstimation
import HLMFormula

extension FitReport {
    /// HLM's level equations with the estimated γs, for one grouping factor: each fixed effect is
    /// placed in the equation of its level-1 part, multiplying its group-level part.
    static func estimatedLevelEquations(_ fit: LinearMixedModel) -> [String]? {
        let design = fit.design
        guard design.fixedNames.first == "(Intercept)", let structure = LevelTwoStructure(design) else { return nil }
        // Equations keyed by their level-1 term ("" for the intercept's), in order of first appearance.
        var keys: [String] = [""]
        var equations: [String: [(gamma: Double, predictor: String?)]] = [:]
        for entry in structure.entries {
            let key = entry.equation == "(Intercept)" ? "" : entry.equation
            if !keys.contains(key) { keys.append(key) }
            equations[key, default: []].append((fit.beta[entry.column], entry.predictor))
        }
        let random = Set(design.randomTerms.flatMap(\.termNames).map { $0 == "(Intercept)" ? "" : $0 })
        guard random.allSatisfy({ keys.contains($0) }) else { return nil }
        let response = design.responseName
        var lines = ["Level 1: \(response) = " + keys.enumerated().map { q, key in key.isEmpty ? "b0" : "b\(q)*\(key)" }.joined(separator: " + ") + " + r"]
        for (q, key) in keys.enumerated() {
            let terms = (equations[key] ?? []).sorted { ($0.predictor == nil ? 0 : 1) < ($1.predictor == nil ? 0 : 1) }
            var rhs = ""
            for (index, term) in terms.enumerated() {
                let magnitude = NumberFormatting.significant(abs(term.gamma), 4)
                let sign = term.gamma < 0 ? (index == 0 ? "-" : " - ") : (index == 0 ? "" : " + ")
                rhs += sign + magnitude + (term.predictor.map { "*" + $0 } ?? "")
            }
            if terms.first?.predictor != nil || terms.isEmpty { rhs = "0" + (rhs.isEmpty ? "" : (rhs.hasPrefix("-") ? " " + rhs : " + " + rhs)) }
            if random.contains(key) { rhs += " + u\(q)" }
            lines.append((q == 0 ? "Level 2: " : "         ") + "b\(q) = " + rhs)
        }
        return lines
    }
}

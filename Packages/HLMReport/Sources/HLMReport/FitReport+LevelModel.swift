import HLMEstimation
import HLMFormula

extension FitReport {
    /// HLM's level equations with the estimated γs, for one grouping factor: each fixed effect is
    /// placed in the equation of its level-1 part, multiplying its group-level part.
    static func estimatedLevelEquations(_ fit: LinearMixedModel) -> [String]? {
        let design = fit.design
        guard let first = design.randomTerms.first, design.randomTerms.allSatisfy({ $0.groupName == first.groupName }),
              design.fixedNames.first == "(Intercept)" else { return nil }
        func predictorName(_ part: Substring) -> String {
            String(part.split(separator: "[", maxSplits: 1).first ?? part)
        }
        var keys: [String] = [""]
        var equations: [String: [(gamma: Double, predictor: String?)]] = [:]
        for (name, estimate) in zip(design.fixedNames, fit.beta) {
            guard name != "(Intercept)" else { equations["", default: []].insert((estimate, nil), at: 0); continue }
            let parts = name.split(separator: ":")
            let within = parts.filter { !design.groupLevelPredictors.contains(predictorName($0)) }
            let between = parts.filter { design.groupLevelPredictors.contains(predictorName($0)) }
            let key = within.joined(separator: ":")
            if !keys.contains(key) { keys.append(key) }
            equations[key, default: []].append((estimate, between.isEmpty ? nil : between.joined(separator: ":")))
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

import Foundation

extension ModelDesign {
    /// The model in the three notations.
    public var notations: ModelNotations {
        let formula = self.formula
        return ModelNotations(lme4: lme4Text(formula), stata: stataText(formula), levelEquations: levelEquations(formula).map(\.plain),
                              latexLevelForm: levelEquations(formula).map(\.latex), latexCombinedForm: latexCombined(formula))
    }

    private func lme4Name(_ predictor: Predictor) -> String {
        if case .categorical(let name, _) = predictor, categoricalPredictors.contains(name) { return "factor(\(name))" }
        return predictor.name
    }

    private func lme4Text(_ formula: ModelFormula) -> String {
        var parts = formula.fixedTerms.map { $0.predictors.map(lme4Name).joined(separator: ":") }
        if !formula.hasIntercept { parts.insert("0", at: 0) }
        if parts.isEmpty { parts = ["1"] }
        for random in formula.randomTerms {
            var inside = random.terms.filter { !$0.isIntercept }.map { $0.predictors.map(lme4Name).joined(separator: ":") }
            inside.insert(random.terms.contains(.intercept) ? "1" : "0", at: 0)
            parts.append("(\(inside.joined(separator: " + ")) \(random.covariance == .independent ? "||" : "|") \(random.groupName))")
        }
        return formula.response.name + " ~ " + parts.joined(separator: " + ")
    }

    private func stataName(_ predictor: Predictor) -> String {
        let categorical = categoricalPredictors.contains(predictor.name)
        if case .categorical(let name, .value(let v)?) = predictor { return "ib\(v).\(name)" }
        return (categorical ? "i." : "c.") + predictor.name
    }

    private func stataText(_ formula: ModelFormula) -> String? {
        var words = [formula.response.name]
        for term in formula.fixedTerms {
            if term.predictors.count == 1 {
                let name = stataName(term.predictors[0])
                words.append(name.hasPrefix("c.") ? String(name.dropFirst(2)) : name)
            } else {
                words.append(term.predictors.map(stataName).joined(separator: "#"))
            }
        }
        var equations: [(grouping: [String], terms: [Term], covariance: CovarianceStructure)] = []
        for random in formula.randomTerms {
            if let i = equations.firstIndex(where: { $0.grouping == random.grouping }) {
                equations[i].terms += random.terms
                equations[i].covariance = .independent
            } else {
                equations.append((random.grouping, random.terms, random.covariance))
            }
        }
        var text = words.joined(separator: " ")
        if !formula.hasIntercept { text += ", noconstant" }
        for (index, equation) in equations.enumerated() {
            // Stata's levels nest: each grouping must extend the one before it.
            if index > 0 && Array(equation.grouping.prefix(equations[index - 1].grouping.count)) != equations[index - 1].grouping { return nil }
            if index == 0 && equation.grouping.count > 1 { return nil }
            let variables = equation.terms.filter { !$0.isIntercept }.map { $0.predictors.map(\.name).joined(separator: "#") }
            var options: [String] = []
            if !equation.terms.contains(.intercept) { options.append("noconstant") }
            if equation.terms.count > 1 || equation.covariance != .unstructured { options.append("covariance(\(equation.covariance.rawValue))") }
            text += " || \(equation.grouping.last!):" + (variables.isEmpty ? "" : " " + variables.joined(separator: " "))
                + (options.isEmpty ? "" : ", " + options.joined(separator: " "))
        }
        return text
    }

    /// HLM's level equations for one grouping factor: level-1 predictors are those that vary within
    /// groups; each level-1 coefficient gets an equation with the level-2 predictors it interacts with.
    private func levelEquations(_ formula: ModelFormula) -> (plain: [String], latex: [String])? {
        guard let group = formula.randomTerms.first?.grouping, formula.randomTerms.allSatisfy({ $0.grouping == group }),
              formula.hasIntercept else { return nil }
        let random = Set(formula.randomTerms.flatMap(\.terms).map(\.description))
        var levelOne: [Term] = [.intercept]
        var levelTwo: [Term: [Predictor]] = [.intercept: []]
        for term in formula.fixedTerms {
            let within = term.predictors.filter { !groupLevelPredictors.contains($0.name) }
            let between = term.predictors.filter { groupLevelPredictors.contains($0.name) }
            let x = Term(within)
            if !levelOne.contains(x) { levelOne.append(x); levelTwo[x] = [] }
            if !between.isEmpty {
                guard between.count == 1 else { return nil }
                levelTwo[x, default: []].append(between[0])
            }
        }
        for term in random where !levelOne.contains(where: { $0.description == term }) { return nil }
        var plain: [String] = [], latex: [String] = []
        let responseName = formula.response.name
        let l1 = levelOne.enumerated().map { q, x in x.isIntercept ? "b0" : "b\(q)*\(x.description)" }
        plain.append("\(responseName) = " + l1.joined(separator: " + ") + " + r")
        let l1TeX = levelOne.enumerated().map { q, x in x.isIntercept ? "\\beta_{0j}" : "\\beta_{\(q)j}\\,\\mathrm{\(Self.tex(x.description))}_{ij}" }
        latex.append("\\mathrm{\(Self.tex(responseName))}_{ij} &= " + l1TeX.joined(separator: " + ") + " + r_{ij}")
        for (q, x) in levelOne.enumerated() {
            let ws = levelTwo[x] ?? []
            var rhs = ["g\(q)0"] + ws.enumerated().map { "g\(q)\($0.offset + 1)*\($0.element.name)" }
            var rhsTeX = ["\\gamma_{\(q)0}"] + ws.enumerated().map { "\\gamma_{\(q)\($0.offset + 1)}\\,\\mathrm{\(Self.tex($0.element.name))}_{j}" }
            if random.contains(x.description) {
                rhs.append("u\(q)")
                rhsTeX.append("u_{\(q)j}")
            }
            plain.append("b\(q) = " + rhs.joined(separator: " + "))
            latex.append("\\beta_{\(q)j} &= " + rhsTeX.joined(separator: " + "))
        }
        return (plain, latex)
    }

    private func latexCombined(_ formula: ModelFormula) -> String {
        var fixed = fixedNames.enumerated().map { k, name in
            name == "(Intercept)" ? "\\beta_{\(k)}" : "\\beta_{\(k)}\\,\\mathrm{\(Self.tex(name))}_{ij}"
        }
        if fixed.isEmpty { fixed = ["0"] }
        var random: [String] = []
        for (t, term) in randomTerms.enumerated() {
            for (q, name) in term.termNames.enumerated() {
                let u = "u^{(\(t + 1))}_{\(q)j}"
                random.append(name == "(Intercept)" ? u : "\(u)\\,\\mathrm{\(Self.tex(name))}_{ij}")
            }
        }
        // Three terms a line, so that long models fit the page.
        let terms = fixed + random + ["r_{ij}"]
        let lines = stride(from: 0, to: terms.count, by: 3).map { terms[$0..<min($0 + 3, terms.count)].joined(separator: " + ") }
        return "\\mathrm{\(Self.tex(formula.response.name))}_{ij} &= " + lines.joined(separator: " \\\\\n  &\\quad + ")
    }

    /// Escapes text for LaTeX math (`\mathrm{}` contents).
    static func tex(_ text: String) -> String {
        var result = ""
        for c in text {
            switch c {
            case "_", "%", "&", "#", "$", "{", "}": result += "\\" + String(c)
            case "~": result += "\\textasciitilde{}"
            case "^": result += "\\textasciicircum{}"
            case "\\": result += "\\backslash{}"
            default: result.append(c)
            }
        }
        return result
    }
}

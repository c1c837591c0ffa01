/// The HLM program's level equations, substituted into one mixed model (the encyclopedia's eqs 2–4):
///
///     gcse = b0 + b1*lrt + r
///     b0 = g00 + g01*schgend + u0
///     b1 = g10 + g11*schgend + u1
///
/// Equations are separated by `;` or new lines; `level 2: school` lines name the groups (or `groups`,
/// level 2 first). Level-1 coefficients are `b`/`β`/`beta` names, level-2 `g`/`γ`/`gamma`, level-3
/// `d`/`δ`/`delta`; random effects `u` (level 2) and `v` (level 3); the residual `r`/`e`/`ε`.
/// A level-2 equation without `u` makes that coefficient fixed; a missing equation, too.
///
/// The HLM program's own three-level names work too, chosen when a left side is a π: level-1 `π`/`pi`,
/// level-2 `β`/`b`, level-3 `γ`/`g`, with the residual `e`, level-2 effects `r` and level-3 effects `u`:
///
///     strength = pi0 + e;  pi0 = b00 + r0;  b00 = g000 + u00
enum LevelEquationNotation {
    struct Equation {
        var lhs: String
        var lhsOffset: Int
        /// Coefficient name and the predictor it multiplies (nil for the equation's intercept).
        var products: [(coefficient: String, predictor: Predictor?, offset: Int)] = []
        /// Random-effect and residual names.
        var errors: [String] = []
    }

    static func parse(_ text: String, groups: [String]) throws(FormulaError) -> ModelFormula {
        let convention = convention(of: text)
        var groupsByLevel: [Int: String] = [:]
        for (i, g) in groups.enumerated() { groupsByLevel[i + 2] = g }
        var equations: [Equation] = []
        for (line, offset) in statements(text) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.lowercased().hasPrefix("level") {
                let parts = trimmed.split(separator: ":", maxSplits: 1)
                let number = Int(parts[0].lowercased().replacingOccurrences(of: "level", with: "").trimmingCharacters(in: .whitespaces))
                guard parts.count == 2, let number, number >= 2 else {
                    throw FormulaError(formula: text, offset: offset, message: "expected a header like \"level 2: school\"")
                }
                groupsByLevel[number] = parts[1].trimmingCharacters(in: .whitespaces)
                continue
            }
            equations.append(try equation(line, offset: offset, formula: text, convention: convention))
        }
        guard let levelOne = equations.first else {
            throw FormulaError(formula: text, offset: 0, message: "no equations", hint: "write y = b0 + b1*x + r")
        }
        guard case .name(let responseName) = Self.role(levelOne.lhs, convention) else {
            throw FormulaError(formula: text, offset: levelOne.lhsOffset, message: "the first equation must be the level-1 equation for the response")
        }
        var byName: [String: Equation] = [:]
        for equation in equations.dropFirst() {
            guard byName[equation.lhs] == nil else {
                throw FormulaError(formula: text, offset: equation.lhsOffset, message: "\(equation.lhs) has two equations")
            }
            byName[equation.lhs] = equation
        }

        var mainEffects: [Term] = [], contextEffects: [Term] = [], interactions: [Term] = []
        var hasIntercept = false
        var randomByLevel: [Int: [Term]] = [:]
        func addFixed(_ term: Term, level1: Term) {
            if term.isIntercept { hasIntercept = true } else if term == level1 { if !mainEffects.contains(term) { mainEffects.append(term) } } else if level1.isIntercept { if !contextEffects.contains(term) { contextEffects.append(term) } } else if !interactions.contains(term) { interactions.append(term) }
        }
        for product in levelOne.products {
            guard case .level(1) = role(product.coefficient, convention) else {
                throw FormulaError(formula: text, offset: product.offset, message: "\"\(product.coefficient)\" is not a level-1 coefficient",
                                   hint: convention == .hlm3 ? "name level-1 coefficients π0, π1, ... (or pi0)" : "name level-1 coefficients b0, b1, ... (or β0, β1)")
            }
            let x = Term(product.predictor.map { [$0] } ?? [])
            guard let levelTwo = byName[product.coefficient] else {
                addFixed(x, level1: x)
                continue
            }
            for (coefficient, w, offset) in levelTwo.products {
                guard case .level(2) = role(coefficient, convention) else {
                    throw FormulaError(formula: text, offset: offset, message: "\"\(coefficient)\" is not a level-2 coefficient",
                                       hint: "name them g00, g01, ... (or γ00)")
                }
                let term = w.map { x.interacted(with: Term([$0])) } ?? x
                addFixed(term, level1: x)
                if let levelThree = byName[coefficient] {
                    for (d, z, dOffset) in levelThree.products {
                        guard case .level(3) = role(d, convention) else {
                            throw FormulaError(formula: text, offset: dOffset, message: "\"\(d)\" is not a level-3 coefficient")
                        }
                        addFixed(z.map { term.interacted(with: Term([$0])) } ?? term, level1: x)
                    }
                    if levelThree.errors.contains(where: { if case .random(3) = role($0, convention) { true } else { false } }) {
                        randomByLevel[3, default: []].append(term)
                    }
                }
            }
            if levelTwo.errors.contains(where: { if case .random(2) = role($0, convention) { true } else { false } }) {
                randomByLevel[2, default: []].append(x)
            }
        }
        let levels = randomByLevel.keys.sorted(by: >)
        var randomTerms: [RandomTerm] = []
        var outer: [String] = []
        for level in (levels.max().map { Array((2...$0).reversed()) } ?? []) {
            guard let group = groupsByLevel[level] else {
                throw FormulaError(formula: text, offset: nil, message: "no group named for level \(level)",
                                   hint: "give --group (one per level above the first) or a line \"level \(level): name\"")
            }
            outer.append(group)
            if let terms = randomByLevel[level] {
                randomTerms.append(RandomTerm(terms: terms, grouping: outer, covariance: .unstructured))
            }
        }
        return ModelFormula(text: text, notation: .levelEquations, response: .variable(responseName), hasIntercept: hasIntercept,
                            fixedTerms: mainEffects + contextEffects + interactions, randomTerms: randomTerms)
    }

    /// What a name in an equation stands for.
    enum Role: Equatable {
        /// A coefficient of level 1, 2 or 3.
        case level(Int)
        /// A random effect of level 2 (`u`) or 3 (`v`); level 1 is the residual.
        case random(Int)
        case name(String)
    }

    /// The two ways of naming coefficients: b/g/d with u and v (two or three levels), or the HLM
    /// program's three-level names: π (level 1), β (level 2), γ (level 3), with e, r and u.
    enum Convention {
        case bgd, hlm3
    }

    /// HLM's three-level names when an equation's left side is a π coefficient (`pi0`, `π1`, `p0`).
    static func convention(of text: String) -> Convention {
        for (line, _) in statements(text) {
            let lhs = line.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            for prefix in ["pi", "π", "p"] where lhs.hasPrefix(prefix) && lhs.count > prefix.count
                && lhs.dropFirst(prefix.count).allSatisfy({ $0.isNumber || $0 == "_" }) {
                return .hlm3
            }
        }
        return .bgd
    }

    static func role(_ name: String, _ convention: Convention = .bgd) -> Role {
        let lower = name.lowercased()
        func indexed(_ prefixes: [String]) -> Bool {
            prefixes.contains { prefix in
                lower.hasPrefix(prefix) && lower.count > prefix.count
                    && lower.dropFirst(prefix.count).allSatisfy { $0.isNumber || $0 == "_" }
            }
        }
        if convention == .hlm3 {
            if indexed(["pi", "π", "p"]) { return .level(1) }
            if indexed(["beta", "b", "β"]) { return .level(2) }
            if indexed(["gamma", "g", "γ"]) { return .level(3) }
            if indexed(["r"]) { return .random(2) }
            if indexed(["u", "υ"]) { return .random(3) }
            if ["e", "ε", "epsilon"].contains(lower) || indexed(["e", "ε"]) { return .random(1) }
            return .name(name)
        }
        if indexed(["beta", "b", "β"]) { return .level(1) }
        if indexed(["gamma", "g", "γ"]) { return .level(2) }
        if indexed(["delta", "d", "δ"]) { return .level(3) }
        if indexed(["u", "υ"]) { return .random(2) }
        if indexed(["v"]) { return .random(3) }
        if ["r", "e", "ε", "epsilon"].contains(lower) || indexed(["r", "e", "ε"]) { return .random(1) }
        return .name(name)
    }

    /// `lhs = coefficient + coefficient*predictor + ... + error`.
    static func equation(_ line: String, offset: Int, formula: String, convention: Convention) throws(FormulaError) -> Equation {
        var parser = try ExpressionParser(line)
        let expression: FormulaExpression
        do {
            expression = try parser.parseWhole()
        } catch {
            throw FormulaError(formula: formula, offset: error.offset.map { $0 + offset }, message: error.message, hint: error.hint)
        }
        guard case .binary("=", .name(let lhs, let lhsOffset), let rhs, _) = expression else {
            throw FormulaError(formula: formula, offset: offset, message: "expected an equation \"name = ...\"")
        }
        var equation = Equation(lhs: lhs, lhsOffset: lhsOffset + offset)
        let expander = TermExpander(formula: line)
        for part in LME4Notation.summands(rhs) {
            switch part {
            case .name(let name, let o):
                switch role(name, convention) {
                case .random: equation.errors.append(name)
                case .level: equation.products.append((name, nil, o + offset))
                case .name: throw FormulaError(formula: formula, offset: o + offset, message: "\"\(name)\" needs a coefficient",
                                               hint: "write g01*\(name)")
                }
            case .binary("*", let a, let b, let o):
                var coefficient: String?, other: FormulaExpression?
                if case .name(let n, _) = a, case .level = role(n, convention) { coefficient = n; other = b } else if case .name(let n, _) = b, case .level = role(n, convention) { coefficient = n; other = a }
                guard let coefficient, let other else {
                    throw FormulaError(formula: formula, offset: o + offset, message: "expected coefficient*predictor")
                }
                do {
                    equation.products.append((coefficient, try expander.predictor(other), o + offset))
                } catch {
                    throw FormulaError(formula: formula, offset: error.offset.map { $0 + offset }, message: error.message, hint: error.hint)
                }
            default:
                throw FormulaError(formula: formula, offset: part.offset + offset, message: "expected coefficient, coefficient*predictor or an error term")
            }
        }
        return equation
    }

    /// Statements split on `;` and new lines, with their offsets in the whole text.
    static func statements(_ text: String) -> [(String, Int)] {
        var result: [(String, Int)] = []
        var current = "", start = 0
        for (i, c) in text.enumerated() {
            if c == ";" || c == "\n" {
                result.append((current, start))
                current = ""
                start = i + 1
            } else {
                current.append(c)
            }
        }
        result.append((current, start))
        return result
    }
}

import Foundation

/// Stata `mixed` / `xtmixed` commands: `[mixed] depvar indepvars [if exp] || g: [revars] [, options] || ...`.
///
/// Factor-variable notation `i.f`, `c.x`, `ib2.f`, `ib(first).f`, `ib(last).f`, `a#b`, `a##b`. Options:
/// `mle`/`ml`, `reml`, `covariance(independent|exchangeable|identity|unstructured)` (abbreviations too),
/// `noconstant`, and display options that change nothing here (`nolog`, `variance`, ...).
enum StataNotation {
    static func parse(_ original: String) throws(FormulaError) -> ModelFormula {
        // A pasted session (prompts, continuations) is lowered to its model command first; offsets in
        // errors then refer to that command, which the error message shows.
        let session = StataSession.looksPasted(original) ? StataSession(original) : nil
        let text = session?.command ?? original
        var segments = split(text, on: "||")
        guard !segments.isEmpty else { throw FormulaError(formula: text, offset: 0, message: "the formula is empty") }
        var method: ModelFormula.Method?
        var filters: [String] = []

        // Fixed part: [mixed|xtmixed] depvar indepvars [if exp] [, options]
        var fixedSegment = try Segment(segments.removeFirst(), formula: text)
        var command = CommandOptions()
        var commandName: String?
        if let first = fixedSegment.words.first, StataCommand(rawValue: first.text) != nil {
            commandName = first.text
            fixedSegment.words.removeFirst()
        }
        switch StataCommand(rawValue: commandName ?? "") {
        case .mixed?: method = .ml  // Stata 13 on: mixed fits by ML unless told reml
        case .xtmixed?: method = .reml
        case .regress?, .reg?:
            command.estimator = .leastSquares
            guard segments.isEmpty else {
                throw FormulaError(formula: text, offset: segments[0].offset, message: "regress has no random-effects equations",
                                   hint: "use mixed y x || g: for a multilevel model")
            }
        case .xtreg?: command.estimator = .swamyArora
        case let generalized? where generalized.family != nil:
            method = .ml
            command.link = generalized.family!.1
        case nil, .some: break
        }
        guard let depvar = fixedSegment.words.first else {
            throw FormulaError(formula: text, offset: fixedSegment.offset, message: "expected the dependent variable",
                               hint: "Stata notation is: depvar indepvars || group: revars")
        }
        let response = try predictor(depvar, insideInteraction: false, formula: text)
        var fixed = TermSet()
        for word in fixedSegment.words.dropFirst() { fixed = fixed.union(try terms(word, formula: text)) }
        var options = try fixedSegment.parseOptions(formula: text, xtreg: commandName == "xtreg")
        let generalizedFamily = StataCommand(rawValue: commandName ?? "")?.family?.0
        var generalizedOptions = options
        if let m = options.method { method = m }
        command.merge(options.command)
        if let filter = fixedSegment.filter { filters.append(filter) }
        if options.covariance != nil {
            throw FormulaError(formula: text, offset: fixedSegment.offset, message: "covariance() belongs to a random-effects equation")
        }
        let hasIntercept = !options.noConstant

        // xtreg: one random intercept for the panel variable of i() or a pasted xtset.
        if commandName == "xtreg" {
            guard segments.isEmpty else {
                throw FormulaError(formula: text, offset: segments[0].offset, message: "xtreg has no || equations",
                                   hint: "write xtreg y x, re i(group), or use mixed for random slopes")
            }
            guard let panel = options.panel ?? session?.panel else {
                throw FormulaError(formula: text, offset: fixedSegment.offset, message: "xtreg needs the panel variable",
                                   hint: "add i(group) to the options, or paste the xtset line before it")
            }
            if options.fixedEffects {
                throw FormulaError(formula: text, offset: fixedSegment.optionsOffset, message: "xtreg, fe (the within estimator) is not supported",
                                   hint: "xtreg, re (GLS) and xtreg, mle are")
            }
            if options.method == .ml { command.estimator = .mixed; method = .ml }
            let random = RandomTerm(terms: [.intercept], grouping: [panel], covariance: .identity)
            return ModelFormula(text: original, notation: .stata, response: response.predictors[0], hasIntercept: hasIntercept,
                                fixedTerms: fixed.terms, randomTerms: [random], method: method,
                                filter: filters.first.map { "(\($0))" }, options: command)
        }

        // Random parts, outermost level first.
        var randomTerms: [RandomTerm] = []
        var outerGroups: [String] = []
        for raw in segments {
            let segment = try Segment(raw, formula: text)
            guard let colon = segment.colonGroup else {
                throw FormulaError(formula: text, offset: segment.offset, message: "expected \"group:\" after ||",
                                   hint: "write || school: for a random intercept, || school: x for a random slope")
            }
            if colon.text == "_all" {
                throw FormulaError(formula: text, offset: colon.offset, message: "_all: R.x crossed effects are not supported in Stata notation",
                                   hint: "write crossed factors in lme4 notation: (1 | a) + (1 | b)")
            }
            options = try segment.parseOptions(formula: text, xtreg: false)
            // binomial(), exposure() and offset() are the command's, wherever the comma puts them.
            generalizedOptions.trials = options.trials ?? generalizedOptions.trials
            generalizedOptions.exposure = options.exposure ?? generalizedOptions.exposure
            generalizedOptions.offset = options.offset ?? generalizedOptions.offset
            if let m = options.method { method = m }
            command.merge(options.command)
            if let filter = segment.filter { filters.append(filter) }
            var terms: [Term] = options.noConstant ? [] : [.intercept]
            for word in segment.words {
                if word.text.contains("#") || word.text.hasPrefix("i.") {
                    throw FormulaError(formula: text, offset: word.offset, message: "factor variables are not supported in random-effects equations")
                }
                let term = try predictor(word, insideInteraction: false, formula: text)
                if !terms.contains(term) { terms.append(term) }
            }
            guard !terms.isEmpty else {
                throw FormulaError(formula: text, offset: segment.offset, message: "this random-effects equation has nothing in it",
                                   hint: "noconstant with no variables leaves no random effect")
            }
            outerGroups.append(colon.text)
            let covariance = options.covariance ?? (terms.count == 1 ? .identity : .independent)
            randomTerms.append(RandomTerm(terms: terms, grouping: outerGroups, covariance: covariance,
                                          covarianceIsDefault: options.covariance == nil && terms.count > 1))
        }
        var formula = ModelFormula(text: original, notation: .stata, response: response.predictors[0], hasIntercept: hasIntercept,
                                   fixedTerms: fixed.terms, randomTerms: randomTerms, method: method,
                                   filter: filters.isEmpty ? nil : filters.map { "(\($0))" }.joined(separator: " && "), options: command)
        if generalizedFamily == nil, let misplaced = [generalizedOptions.trials, generalizedOptions.exposure, generalizedOptions.offset].compactMap({ $0 }).first {
            throw FormulaError(formula: text, offset: text.range(of: misplaced).map { text.distance(from: text.startIndex, to: $0.lowerBound) },
                               message: "binomial(), exposure() and offset() go with melogit or mepoisson (\(misplaced))")
        }
        if let generalizedFamily {
            formula.family = generalizedFamily
            formula.trialsVariable = generalizedOptions.trials
            formula.exposureVariable = generalizedOptions.exposure
            if let offset = generalizedOptions.offset { formula.offsets = [.variable(offset)] }
            // Stata's default is 7-point adaptive quadrature; lme4's quadrature covers one scalar term.
            if formula.options.quadraturePoints == nil, randomTerms.count == 1, randomTerms[0].terms == [.intercept] {
                formula.options.quadraturePoints = 7
            }
        }
        return formula
    }

    static func covarianceStructure(_ value: String) -> CovarianceStructure? {
        for (full, minimum) in [("independent", 3), ("exchangeable", 2), ("identity", 2), ("unstructured", 2)]
        where full.hasPrefix(value) && value.count >= minimum {
            return CovarianceStructure(rawValue: full)
        }
        return nil
    }

    /// The terms of one word of the fixed varlist: `x`, `i.f`, `a#b`, `a##b`.
    static func terms(_ word: Word, formula: String) throws(FormulaError) -> TermSet {
        var set = TermSet()
        if word.text.contains("##") {
            let parts = word.text.components(separatedBy: "##")
            guard parts.count <= 10 else {
                throw FormulaError(formula: formula, offset: word.offset, message: "a ## factorial of \(parts.count) variables has \((1 << min(parts.count, 62)) - 1) terms",
                                   hint: "interact at most 10 variables with ##")
            }
            var predictors: [Predictor] = []
            for part in parts { predictors.append(try predictor(Word(text: part, offset: word.offset), insideInteraction: true, formula: formula).predictors[0]) }
            // Full factorial: every non-empty subset, by order (c.x##c.x is x and x², as in Stata).
            for size in 1...predictors.count {
                for subset in combinations(predictors, size) { set.add(interaction(subset)) }
            }
            return set
        }
        if word.text.contains("#") {
            var predictors: [Predictor] = []
            for part in word.text.split(separator: "#") {
                predictors.append(try predictor(Word(text: String(part), offset: word.offset), insideInteraction: true, formula: formula).predictors[0])
            }
            set.add(interaction(predictors))
            return set
        }
        set.add(try predictor(word, insideInteraction: false, formula: formula))
        return set
    }

    /// One variable with its factor-variable prefix. Inside `#`, a bare name is categorical (as in Stata).
    static func predictor(_ word: Word, insideInteraction: Bool, formula: String) throws(FormulaError) -> Term {
        let text = word.text
        guard !text.isEmpty else { throw FormulaError(formula: formula, offset: word.offset, message: "expected a variable name") }
        guard let dot = text.lastIndex(of: "."), text.first?.isLetter == true, !text.hasSuffix(".") else {
            guard isName(text) else {
                throw FormulaError(formula: formula, offset: word.offset, message: "\"\(text)\" is not a variable name")
            }
            return Term([insideInteraction ? .categorical(text, base: nil) : .variable(text)])
        }
        let prefix = String(text[..<dot]).lowercased(), name = String(text[text.index(after: dot)...])
        guard isName(name) else { throw FormulaError(formula: formula, offset: word.offset, message: "\"\(name)\" is not a variable name") }
        switch prefix {
        case "c": return Term([.continuous(name)])
        case "i": return Term([.categorical(name, base: nil)])
        case "ib(first)": return Term([.categorical(name, base: .first)])
        case "ib(last)": return Term([.categorical(name, base: .last)])
        default:
            if prefix.hasPrefix("ib") {
                var value = String(prefix.dropFirst(2))
                if value.hasPrefix("("), value.hasSuffix(")") { value = String(value.dropFirst().dropLast()) }
                if !value.isEmpty, value.allSatisfy(\.isNumber) { return Term([.categorical(name, base: .value(value))]) }
            }
            throw FormulaError(formula: formula, offset: word.offset, message: "unknown factor-variable prefix \"\(prefix).\"",
                               hint: "use i., c., ib#., ib(first). or ib(last).")
        }
    }

    /// The product of the predictors of one `#` interaction. A continuous variable repeated k times is its
    /// k-th power (`c.x#c.x` is x², named as Stata names it); a repeated factor counts once.
    static func interaction(_ predictors: [Predictor]) -> Term {
        var result: [Predictor] = []
        var powers: [String: Int] = [:]
        for predictor in predictors {
            if case .continuous(let name) = predictor { powers[name, default: 0] += 1 }
        }
        for predictor in predictors {
            if case .continuous(let name) = predictor, let power = powers[name], power > 1 {
                powers[name] = 0
                let text = Array(repeating: "c." + name, count: power).joined(separator: "#")
                result.append(.function(FunctionCall(kind: .identity, argument: .binary("^", .variable(name), .number(Double(power))), text: text)))
            } else if case .continuous(let name) = predictor, powers[name] == 0 {
                continue
            } else if !result.contains(predictor) {
                result.append(predictor)
            }
        }
        return Term(result)
    }

    static func isName(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    static func combinations<T>(_ items: [T], _ size: Int) -> [[T]] {
        guard size > 0 else { return [[]] }
        guard items.count >= size else { return [] }
        var result: [[T]] = []
        for (i, item) in items.enumerated() {
            for rest in combinations(Array(items[(i + 1)...]), size - 1) { result.append([item] + rest) }
        }
        return result
    }
}

import Foundation

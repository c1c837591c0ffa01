import Foundation

extension StataNotation {
    /// A word of the command with its offset.
    struct Word {
        var text: String
        var offset: Int
    }

    /// One `||`-separated part: its words, its `if` expression, its options text.
    struct Segment {
        var words: [Word] = []
        var colonGroup: Word?
        var filter: String?
        var optionsText: String?
        var optionsOffset = 0
        var offset: Int

        init(_ part: (text: String, offset: Int), formula: String) throws(FormulaError) {
            offset = part.offset
            var body = part.text
            if let comma = StataNotation.topLevelIndex(of: ",", in: body) {
                optionsText = String(body[body.index(after: comma)...])
                optionsOffset = part.offset + body.distance(from: body.startIndex, to: comma) + 1
                body = String(body[..<comma])
            }
            var words = StataNotation.words(body, offset: part.offset)
            if let ifIndex = words.firstIndex(where: { $0.text == "if" }) {
                let expression = words[(ifIndex + 1)...].map(\.text).joined(separator: " ")
                guard !expression.isEmpty else {
                    throw FormulaError(formula: formula, offset: words[ifIndex].offset, message: "\"if\" needs an expression")
                }
                filter = StataNotation.whereSyntax(expression)
                words.removeSubrange(ifIndex...)
            }
            if let first = words.first, first.text.hasSuffix(":") {
                colonGroup = Word(text: String(first.text.dropLast()), offset: first.offset)
                words.removeFirst()
            } else if words.count >= 2, words[1].text == ":" {
                colonGroup = words[0]
                words.removeFirst(2)
            }
            self.words = words
        }

        /// The options this segment carries.
        func parseOptions(formula: String, xtreg: Bool) throws(FormulaError) -> Options {
            var options = Options()
            guard let optionsText else { return options }
            for word in StataNotation.words(optionsText, offset: optionsOffset) {
                let lower = word.text.lowercased()
                let name = lower.split(separator: "(").first.map(String.init) ?? lower
                let argument = StataNotation.argument(of: lower)
                switch name {
                case "mle", "ml": options.method = .ml
                case "reml": options.method = .reml
                case "re" where xtreg: break
                case "fe" where xtreg: options.fixedEffects = true
                case "i" where xtreg:
                    guard let argument, StataNotation.isName(argument) else {
                        throw FormulaError(formula: formula, offset: word.offset, message: "i() needs the panel variable")
                    }
                    options.panel = String(word.text.dropFirst(2).dropLast())
                case "variance", "var": options.command.variances = true
                case "stddeviations", "stddev", "std": options.command.variances = false
                case "level":
                    guard let argument, let level = Double(argument), level >= 10, level <= 99.99 else {
                        throw FormulaError(formula: formula, offset: word.offset, message: "level() needs a confidence level from 10 to 99.99",
                                           hint: "e.g. level(90)")
                    }
                    options.command.level = level / 100
                case "vce":
                    guard let argument, ["robust", "r"].contains(argument) || argument.hasPrefix("cl") else {
                        throw FormulaError(formula: formula, offset: word.offset, message: "vce(\(argument ?? "")) is not supported",
                                           hint: "vce(robust) gives cluster-robust standard errors")
                    }
                    options.command.robust = true
                case "robust": options.command.robust = true
                case "binomial", "exposure", "offset":
                    // The variable keeps its case: the text between the parentheses as written.
                    guard let open = word.text.firstIndex(of: "("), word.text.hasSuffix(")"),
                          case let variable = String(word.text[word.text.index(after: open)..<word.text.index(before: word.text.endIndex)]),
                          StataNotation.isName(variable) else {
                        throw FormulaError(formula: formula, offset: word.offset, message: "\(name)() needs a variable", hint: "e.g. \(name)(n)")
                    }
                    if name == "binomial" { options.trials = variable } else if name == "exposure" { options.exposure = variable } else { options.offset = variable }
                case "or", "irr", "eform": options.command.eform = true
                case "laplace": options.command.quadraturePoints = 1
                case "intpoints":
                    guard let argument, let points = Int(argument), (1...100).contains(points) else {
                        throw FormulaError(formula: formula, offset: word.offset, message: "intpoints() needs 1 to 100 points", hint: "e.g. intpoints(12)")
                    }
                    options.command.quadraturePoints = points
                case "intmethod":
                    guard let argument, ["mvaghermite", "mv", "ghermite", "gh", "laplace", "pclaplace", "pcl"].contains(argument) else {
                        throw FormulaError(formula: formula, offset: word.offset, message: "intmethod(\(argument ?? "")) is not supported",
                                           hint: "mvaghermite (adaptive quadrature) or laplace")
                    }
                    if argument.hasPrefix("lap") || argument.hasPrefix("pcl") { options.command.quadraturePoints = 1 }
                case "nolog", "log", "nofetable", "noretable", "noheader", "nogroup", "nolrtest", "nostderr", "estmetric", "theta", "sa":
                    break
                case _ where "noconstant".hasPrefix(name) && name.count >= 6:
                    options.noConstant = true
                case _ where "covariance".hasPrefix(name) && name.count >= 3:
                    guard let open = lower.firstIndex(of: "("), lower.hasSuffix(")") else {
                        throw FormulaError(formula: formula, offset: word.offset, message: "covariance() needs a structure",
                                           hint: "independent, exchangeable, identity or unstructured")
                    }
                    let value = String(lower[lower.index(after: open)..<lower.index(before: lower.endIndex)])
                    guard let structure = covarianceStructure(value) else {
                        throw FormulaError(formula: formula, offset: word.offset, message: "unknown covariance structure \"\(value)\"",
                                           hint: "independent, exchangeable, identity or unstructured")
                    }
                    options.covariance = structure
                default:
                    throw FormulaError(formula: formula, offset: word.offset, message: "unknown option \"\(word.text)\"",
                                       hint: "known: mle, reml, covariance(...), noconstant, variance, stddeviations, level(#), vce(robust), nolog")
                }
            }
            return options
        }
    }

    struct Options {
        var method: ModelFormula.Method?
        var covariance: CovarianceStructure?
        var noConstant = false
        var command = CommandOptions()
        /// Generalized commands' `binomial(VAR)`, `exposure(VAR)`, `offset(VAR)`.
        var trials: String?
        var exposure: String?
        var offset: String?
        /// xtreg's `i(g)` and `fe`.
        var panel: String?
        var fixedEffects = false
    }

    /// The commands that may start the text.
    enum StataCommand: String {
        case mixed, xtmixed, xtreg, regress, reg
        case melogit, meqrlogit, xtmelogit, meprobit, mecloglog, mepoisson, meqrpoisson, xtmepoisson

        /// The family and link a generalized command implies.
        var family: (ResponseFamily, String)? {
            switch self {
            case .melogit, .meqrlogit, .xtmelogit: (.binomial, "logit")
            case .meprobit: (.binomial, "probit")
            case .mecloglog: (.binomial, "cloglog")
            case .mepoisson, .meqrpoisson, .xtmepoisson: (.poisson, "log")
            default: nil
            }
        }
    }

    /// The text inside `name(...)`, or nil.
    static func argument(of option: String) -> String? {
        guard let open = option.firstIndex(of: "("), option.hasSuffix(")") else { return nil }
        return String(option[option.index(after: open)..<option.index(before: option.endIndex)]).trimmingCharacters(in: .whitespaces)
    }
}

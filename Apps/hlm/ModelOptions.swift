import ArgumentParser
import Foundation
import HLMData
import HLMEstimation
import HLMFormula

extension FitOptions.Method: ExpressibleByArgument {}
extension FitOptions.Optimizer: ExpressibleByArgument {}
extension DegreesOfFreedomMethod: ExpressibleByArgument {}
extension ResponseFamily: ExpressibleByArgument {}
extension LinkFunction: ExpressibleByArgument {}

/// The model's options: a formula in any notation (or `--levels FILE`), the row filter, weights, the
/// estimator, and the confidence level. The choices are the libraries' (`PreparedModel`, `FitOptions`).
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Keep the rows for which this holds, e.g. \"nstu > 4 && schgend != 'boys'\".")
    var `where`: String?

    @Option(name: .long, help: ArgumentHelp(
        "reml (default), ml, gls (with --variance), swamy-arora or swamy.",
        discussion: "A Stata formula's mle or reml option is used when this is not given."))
    var method: FitOptions.Method?

    @Option(name: .long, help: "bobyqa (default: the profiled criterion), em or fisher-scoring (ML and REML).")
    var optimizer: FitOptions.Optimizer = .bobyqa

    @Option(name: .long, help: "Variance components for --method gls: \"school: 9.08 0.18 0.0145; residual: 55.4\".")
    var variance: String?

    @Flag(name: .long, help: "Cluster-robust (sandwich) standard errors of the fixed effects, as HLM prints them.")
    var robust = false

    @Option(name: .long, help: "A file of level equations, with lines like \"level 2: school\".")
    var levels: String?

    @Option(name: .long, help: "The grouping column of each level above the first, level 2 first (level equations).")
    var group: [String] = []

    @Option(name: .long, help: "A column of prior weights, as lme4's: row i's residual variance is sigma^2 / w_i.")
    var weights: String?

    @Option(name: .long, help: "The response's family: gaussian (default), binomial or poisson (a Stata melogit/mepoisson command or lme4's cbind() implies it).")
    var family: ResponseFamily?

    @Option(name: .long, help: "The link: logit (default), probit or cloglog for binomial; log (default) for poisson.")
    var link: LinkFunction?

    @Option(name: .long, help: "Adaptive Gauss-Hermite points (one scalar random-effects term); 1, the default, is the Laplace approximation.")
    var nagq: Int?

    @Option(name: .long, help: "Confidence level of every interval, in percent (default 95; Stata's level(#)).")
    var level: Double?

    func validate() throws {
        if let nagq, !(1...100).contains(nagq) { throw ValidationError("--nagq takes 1 (Laplace) to 100 quadrature points") }
        if link != nil && (family ?? .gaussian) == .gaussian && link != .identity {
            throw ValidationError("--link \(link!.rawValue) needs --family binomial or poisson")
        }
        if let level, !(level >= 10 && level <= 99.99) { throw ValidationError("--level takes a percentage from 10 to 99.99, e.g. 90") }
        if method == .gls && variance == nil { throw ValidationError("--method gls needs --variance") }
        if variance != nil && method != .gls { throw ValidationError("--variance goes with --method gls") }
    }

    var fitOptions: FitOptions { FitOptions(method: method, optimizer: optimizer, variance: variance) }

    /// The confidence level as a fraction: --level, else the formula's level(#), else 95%.
    func confidenceLevel(for model: ModelFormula) -> Double {
        level.map { $0 / 100 } ?? model.options.level ?? 0.95
    }

    /// Robust standard errors: --robust or the formula's vce(robust).
    func robust(for model: ModelFormula) -> Bool { robust || model.options.robust }

    /// The formula text: the argument, or the contents of `--levels`.
    func formulaText(_ argument: String?) throws -> String {
        if let levels {
            guard argument == nil else {
                throw ValidationError("give either a FORMULA or --levels FILE, not both")
            }
            guard let text = try? String(contentsOfFile: levels, encoding: .utf8) else {
                throw DataError.cannotRead(file: levels, reason: "no such file or not UTF-8")
            }
            return text
        }
        guard let argument else { throw ValidationError("give a FORMULA, or --levels FILE") }
        return argument
    }

    /// The model ready to fit.
    func prepare(formula text: String, frame: DataFrame) throws -> PreparedModel {
        try PreparedModel.prepare(text, groups: group, frame: frame, where: self.where, weights: weights, family: family)
    }

    /// Several models on the same rows.
    func prepare(formulas texts: [String], frame: DataFrame) throws -> [PreparedModel] {
        try PreparedModel.prepare(texts, groups: group, frame: frame, where: self.where, weights: weights)
    }

    /// Whether the prepared model is binomial or Poisson (fitted by ``GeneralizedLinearMixedModel``).
    func isGeneralized(_ model: PreparedModel) -> Bool {
        (model.design.family ?? .gaussian) != .gaussian
    }

    /// Fits a binomial or Poisson model by the Laplace approximation or quadrature.
    func fitGeneralized(_ model: PreparedModel) throws -> GeneralizedLinearMixedModel {
        let family = model.design.family ?? .gaussian
        let chosen = GLMFamily(family, link: link ?? model.formula.options.link.flatMap(LinkFunction.init(rawValue:)))
        guard chosen.isValid else {
            throw ValidationError("--link \(chosen.link.rawValue) does not go with --family \(family.rawValue)")
        }
        if method != nil && method != .ml { throw ValidationError("binomial and Poisson models are fitted by ML (the Laplace approximation or quadrature); drop --method") }
        return try GeneralizedLinearMixedModel.fit(model.design, family: chosen, quadraturePoints: nagq ?? model.formula.options.quadraturePoints ?? 1)
    }

    /// Fits with the estimator the options name (a progress line on a terminal for long fits).
    func fit(_ model: PreparedModel) throws -> LinearMixedModel {
        // Never a linear fit of a binomial or Poisson response: the commands that take them say so first.
        if isGeneralized(model) {
            throw CommandFailure(message: "this command fits linear mixed models; for --family binomial or poisson use hlm fit or hlm ranef",
                                 status: .badInput)
        }
        return try Progress.fitting { progress in try fitOptions.fit(model, progress: progress) }
    }
}

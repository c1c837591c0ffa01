import ArgumentParser
import Foundation
import HLMData
import HLMEstimation
import HLMFormula

/// The model: a formula in any notation (or `--levels FILE`), the row filter and the method.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Keep the rows for which this holds, e.g. \"nstu > 4 && schgend != 'boys'\".")
    var `where`: String?

    @Option(name: .long, help: ArgumentHelp(
        "reml (default), ml, gls (with --variance), swamy-arora or swamy.",
        discussion: "A Stata formula's mle or reml option is used when this is not given."))
    var method: Method?

    @Option(name: .long, help: "bobyqa (default: the profiled criterion), em or fisher-scoring (ML and REML).")
    var optimizer: Optimizer = .bobyqa

    @Option(name: .long, help: "Variance components for --method gls: \"school: 9.08 0.18 0.0145; residual: 55.4\".")
    var variance: String?

    @Flag(name: .long, help: "Cluster-robust (sandwich) standard errors of the fixed effects, as HLM prints them.")
    var robust = false

    @Option(name: .long, help: "A file of level equations, with lines like \"level 2: school\".")
    var levels: String?

    @Option(name: .long, help: "The grouping column of each level above the first, level 2 first (level equations).")
    var group: [String] = []

    enum Method: String, ExpressibleByArgument {
        case reml, ml, gls
        case swamyArora = "swamy-arora"
        case swamy
    }

    enum Optimizer: String, ExpressibleByArgument {
        case bobyqa, em
        case fisherScoring = "fisher-scoring"
    }

    func validate() throws {
        if let level, !(level >= 10 && level <= 99.99) { throw ValidationError("--level takes a percentage from 10 to 99.99, e.g. 90") }
        if method == .gls && variance == nil { throw ValidationError("--method gls needs --variance") }
        if variance != nil && method != .gls { throw ValidationError("--variance goes with --method gls") }
    }

    @Option(name: .long, help: "A column of prior weights, as lme4's: row i's residual variance is sigma^2 / w_i.")
    var weights: String?

    @Option(name: .long, help: "Confidence level of every interval, in percent (default 95; Stata's level(#)).")
    var level: Double?

    /// The confidence level as a fraction: --level, else the formula's level(#), else 95%.
    func confidenceLevel(for model: ModelFormula) -> Double {
        level.map { $0 / 100 } ?? model.options.level ?? 0.95
    }

    /// Robust standard errors: --robust or the formula's vce(robust).
    func robust(for model: ModelFormula) -> Bool { robust || model.options.robust }

    /// Fits the design with the estimator the options name. A model without random effects (or Stata's
    /// `regress`) is fitted by least squares; Stata's `xtreg, re` by Swamy–Arora GLS unless --method says otherwise.
    func fit(_ design: ModelDesign, model: ModelFormula) throws -> LinearMixedModel {
        if design.randomTerms.isEmpty || model.options.estimator == .leastSquares {
            return try LinearMixedModel.fitLeastSquares(design)
        }
        if method == nil && model.options.estimator == .swamyArora {
            return try MomentEstimators.swamyArora(design)
        }
        switch method {
        case .gls?:
            let given = try VarianceSpecification(parsing: variance!, for: design)
            return try LinearMixedModel.fitGLS(design, covariances: given.covariances, residualVariance: given.residualVariance)
        case .swamyArora?:
            return try MomentEstimators.swamyArora(design)
        case .swamy?:
            return try MomentEstimators.swamyRandomCoefficients(design)
        default:
            let criterion = criterion(for: model)
            switch optimizer {
            case .bobyqa:
                return try Progress.fitting { progress in try LinearMixedModel.fit(design, criterion: criterion, progress: progress) }
            case .em:
                return try ClassicalEstimation.fit(design, criterion: criterion, algorithm: .em)
            case .fisherScoring:
                return try ClassicalEstimation.fit(design, criterion: criterion, algorithm: .fisherScoring)
            }
        }
    }

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

    /// Parses the model, applies the filters, and builds the design.
    func design(formula text: String, frame: DataFrame) throws -> (ModelFormula, ModelDesign, filtered: Int) {
        let model = try ModelFormula.parse(text, groups: group)
        var data = frame
        for expression in [self.where, model.filter].compactMap({ $0 }) {
            let filter = try RowFilter.parse(expression)
            data = data.filter(try filter.evaluate(on: data, expression: expression))
        }
        var design = try model.design(for: data)
        if let weights { design = try design.weighted(by: weights, in: data) }
        return (model, design, frame.rowCount - data.rowCount)
    }

    /// Several models on the same rows (the filters of each Stata formula must agree).
    func designs(formulas texts: [String], frame: DataFrame) throws -> ([ModelFormula], [ModelDesign], filtered: Int) {
        let models = try texts.map { try ModelFormula.parse($0, groups: group) }
        var data = frame
        let filters = Set(models.compactMap(\.filter))
        guard filters.count <= 1 else {
            throw ValidationError("the formulas' if conditions differ; give one --where for all of them")
        }
        for expression in [self.where, filters.first].compactMap({ $0 }) {
            data = data.filter(try RowFilter.parse(expression).evaluate(on: data, expression: expression))
        }
        var designs = try ModelFormula.designs(models, for: data)
        if let weights {
            // The common rows are a subset of the data: their weights are read from the frame by row.
            designs = try designs.map { design throws(DataError) in try design.weighted(by: weights, in: data) }
        }
        return (models, designs, frame.rowCount - data.rowCount)
    }

    /// The criterion: `--method`, else the formula's own, else REML.
    func criterion(for model: ModelFormula) -> ProfiledDeviance.Criterion {
        switch method {
        case .ml?: .ml
        case .reml?: .reml
        default: model.method == .ml ? .ml : .reml
        }
    }
}

import ArgumentParser
import Foundation
import HLMEstimation
import HLMData
import HLMFormula
import HLMReport

/// `--ci`: how the report's intervals are made.
enum IntervalMethod: String, ExpressibleByArgument, CaseIterable {
    case wald, profile, bootstrap
}

/// `hlm fit DATA FORMULA`: fit one model and report it.
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a hierarchical linear model by REML or ML.",
        discussion: """
            FORMULA may be written in lme4, Stata or level-equation notation.
            A formula without a random-effects term is fitted by least squares.
            Examples:
              hlm fit Examples/data/gcse.csv "gcse ~ lrt + (lrt | school)" \\
                --where "nstu > 4" --method ml
              hlm fit Examples/data/gcse.csv \\
                "mixed gcse lrt || school: lrt if nstu > 4, cov(unstr)"
              hlm fit Examples/data/gcse.csv --group school \\
                "gcse = b0 + b1*lrt + r; b0 = g00 + u0; b1 = g10 + u1"
              hlm fit Examples/data/sleepstudy.csv --format json \\
                "Reaction ~ Days + (Days | Subject)"
            """)

    @OptionGroup var data: DataOptions
    @Argument(help: "The model (or use --levels FILE).")
    var formula: String?
    @OptionGroup var model: ModelOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "Save the fitted model (docs/model-json.md) for predict --model and ranef --model.")
    var save: String?

    @Option(name: .long, help: "Write each data row's fitted value and residual (conditional and marginal) to this CSV.")
    var residuals: String?

    @Option(name: .long, help: "t tests and type III F tests with these denominator degrees of freedom: satterthwaite, kenward-roger (REML) or residual.")
    var df: DegreesOfFreedomMethod?

    @Option(name: .long, help: ArgumentHelp("A linear hypothesis to test, as Stata's test: \"schgend[boys] = schgend[girls]\" (repeatable).",
                                            discussion: "Equations separated by commas are tested jointly; bare names separated by spaces are each 0."))
    var test: [String] = []

    @Option(name: .long, help: "A linear combination of the fixed effects to estimate, as Stata's lincom: \"lrt + lrt:schgend[girls]\" (repeatable).")
    var lincom: [String] = []

    @Flag(name: .long, help: "Exponentiated coefficients: odds ratios (binomial) or rate ratios (poisson), as Stata's or/irr.")
    var eform = false

    @Option(name: .long, help: "How every interval is made: wald (default), profile (profile likelihood, as lme4's confint) or bootstrap (parametric).")
    var ci: IntervalMethod = .wald

    @Option(name: .long, help: "Bootstrap replicates for --ci bootstrap (default 1000).")
    var bootstrap: Int = 1000

    @Option(name: .long, help: "The bootstrap's random seed (default 1): the same seed gives the same intervals on any number of threads.")
    var seed: UInt64 = 1

    @Flag(name: .long, help: "Read DATA a block at a time, keeping sums instead of rows (one random-effects term; docs/statistics-format.md).")
    var streaming = false

    @Flag(name: .long, help: "Print the time of each stage (read, design, fit, report) and the peak memory to standard error.")
    var timing = false

    func validate() throws {
        if formula == nil && model.levels == nil { throw ValidationError("give a FORMULA, or --levels FILE") }
        try output.validate()
    }

    func run() throws {
        var clock = StageClock(enabled: timing)
        if streaming || data.dataPath.hasSuffix(".stats") {
            try runFromStatistics(clock: &clock)
            return
        }
        let (frame, codebook) = try data.load()
        data.printWarnings(frame)
        clock.lap("read")
        let prepared = try model.prepare(formula: model.formulaText(formula), frame: frame)
        ProcessRestart.restartWithBetterKernelsIfWorthIt(worth: BLASKernels.worthRestarting(prepared.design), dataPath: data.dataPath)
        clock.lap("design")
        if model.isGeneralized(prepared) {
            try runGeneralized(prepared, codebook: codebook, clock: &clock)
            return
        }
        if eform || model.nagq != nil || (model.link != nil && model.link != .identity) {
            throw CommandFailure(message: "--eform, --nagq and --link go with --family binomial or poisson", status: .badInput)
        }
        let fit = try model.fit(prepared)
        clock.lap("fit")
        if ProcessInfo.processInfo.environment["HLM_TRACE_OPTIMIZER"] != nil {
            for (k, pass) in fit.optimization.passes.enumerated() {
                FileHandle.standardError.write(Data("BOBYQA pass \(k): \(pass.evaluations) evaluations, \(pass.value), code \(pass.returnCode)\n".utf8))
            }
        }
        try report(fit, formula: prepared.formula, filteredRows: prepared.filteredRows, codebook: codebook, clock: &clock,
                   termStructure: { try prepared.fixedTermStructure(frame: frame, where: model.where) }, dataRows: { prepared.dataRows })
    }

    /// The report of a linear fit in the chosen format, with the tests, intervals and files asked for.
    /// `termStructure` gives the type III tests' structure (from the data); `dataRows` the file row of
    /// each row used, for --residuals (nil for a fit without its rows; asked for only then).
    func report(_ fit: LinearMixedModel, formula: ModelFormula, filteredRows: Int, codebook: Codebook?, clock: inout StageClock,
                termStructure: () throws -> FixedTermStructure, dataRows: (() -> [Int])?) throws {
        var inference: SmallSampleInference?, termTests: [TermTest]?
        if let df {
            if df == .kenwardRoger && fit.criterion == .ml {
                throw CommandFailure(message: "--df kenward-roger needs a REML fit (as pbkrtest); drop --method ml or use --df satterthwaite",
                                     status: .badInput)
            }
            let small = try fit.smallSampleInference(df)
            inference = small
            termTests = fit.termTests(try termStructure(), inference: small)
        }
        let level = model.confidenceLevel(for: formula)
        var report = FitReport(fit, filteredRows: filteredRows, level: level,
                               robust: model.robust(for: formula),
                               variances: output.variances ?? formula.options.variances ?? false,
                               smallSample: inference, termTests: termTests)
        switch ci {
        case .wald: break
        case .profile: report.apply(try ProfileIntervals.compute(fit: fit, level: level))
        case .bootstrap:
            guard bootstrap >= 2 else { throw CommandFailure(message: "--bootstrap takes a number of replicates of at least 2", status: .badInput) }
            report.apply(try Progress.counting(bootstrap, label: "bootstrap") { progress in
                try ParametricBootstrap.intervals(fit: fit, replicates: bootstrap, seed: seed, level: level, progress: progress)
            })
        }
        let names = fit.design.fixedNames
        if !test.isEmpty {
            report.hypothesisTests = try test.map { text throws(HypothesisError) in fit.test(try LinearHypothesis(text, names: names), inference: inference) }
        }
        if !lincom.isEmpty {
            report.linearCombinations = try lincom.map { text throws(HypothesisError) in
                fit.combination(try LinearHypothesis(text, names: names, combination: true), level: level, inference: inference)
            }
        }
        defer {
            clock.lap("report")
            clock.finish()
        }
        if output.format == .html {
            // The report with its figures inline: the random effects (caterpillar) and the residuals.
            let options = output.renderOptions(codebook: codebook)
            var figures: [(caption: String, svg: String)] = []
            for (kind, caption) in [(Figure.Kind.caterpillar, "Conditional modes with their \(Int((report.ciLevel * 100).rounded()))% intervals"),
                                    (.residuals, "Residuals against fitted values")] {
                if let figure = try? Figure.make(kind, fit: fit, labels: options.labels, level: report.ciLevel) {
                    figures.append((caption, SVGRenderer().render(figure)))
                }
            }
            try output.write(HTMLRenderer(stars: options.stars, figures: figures).render(report.document(for: .html, options: options)))
        } else {
            try output.write(try ReportRendering.render(report, as: output.format, options: output.renderOptions(codebook: codebook)))
        }
        if let save { try OutputFile.write(try JSONRendering.render(try SavedModel(fit, groups: model.group)), to: save) }
        if let residuals, let dataRows { try OutputFile.write(PredictionReport.residualsCSV(dataRows: dataRows(), fit.fittedColumns()), to: residuals) }
    }

    /// A binomial or Poisson fit: the options that apply to them, the others refused in one line.
    private func runGeneralized(_ prepared: PreparedModel, codebook: Codebook?, clock: inout StageClock) throws {
        if df != nil || ci != .wald || !test.isEmpty || !lincom.isEmpty || save != nil || model.robust {
            throw CommandFailure(message: "--df, --ci, --test, --lincom, --save and --robust are for linear models; not yet for binomial or Poisson fits",
                                 status: .badInput)
        }
        let fit = try model.fitGeneralized(prepared)
        clock.lap("fit")
        let report = FitReport(fit, filteredRows: prepared.filteredRows, level: model.confidenceLevel(for: prepared.formula),
                               eform: eform || prepared.formula.options.eform)
        defer {
            clock.lap("report")
            clock.finish()
        }
        try output.write(try ReportRendering.render(report, as: output.format, options: output.renderOptions(codebook: codebook)))
        if let residuals { try OutputFile.write(PredictionReport.residualsCSV(dataRows: prepared.dataRows, fit.fittedRows()), to: residuals) }
    }
}

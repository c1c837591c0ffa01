import ArgumentParser
import HLMEstimation
import HLMFormula
import HLMReport

/// `hlm compare DATA FORMULA FORMULA...`: several models on the same rows, side by side, with LR tests.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Fit several models to the same rows and show them side by side, with likelihood-ratio tests.",
        discussion: """
            Models are tested in order of their number of parameters, each against
            the one before it. REML fits are refitted by ML for the tests, as lme4's
            anova does (--no-refit keeps REML). Models that are not nested get a
            note instead of a test.
            Example (the lecture's three models, as a table for a paper):
              hlm compare Examples/data/gcse.csv --where "nstu > 4" --method ml \\
                "gcse ~ lrt + (1 | school)" "gcse ~ lrt + (lrt | school)" \\
                "gcse ~ lrt * schgend + (lrt | school)" --format latex
            """)

    @OptionGroup var data: DataOptions
    @Argument(help: "Two or more models, in any notation.")
    var formulas: [String] = []
    @OptionGroup var model: ModelOptions
    @OptionGroup var output: OutputOptions

    @Flag(name: .customLong("no-refit"), help: "Test REML fits as they are, without ML refits (lme4's refit = FALSE).")
    var noRefit = false

    func validate() throws {
        guard formulas.count >= 2 else { throw ValidationError("compare needs at least two formulas") }
        try output.validate()
    }

    func run() throws {
        let (frame, codebook) = try data.load()
        data.printWarnings(frame)
        let prepared = try model.prepare(formulas: formulas, frame: frame)
        ProcessRestart.restartWithBetterKernelsIfWorthIt(worth: prepared.contains { BLASKernels.worthRestarting($0.design) },
                                                        dataPath: data.dataPath)
        let fits = try prepared.map(model.fit)
        let comparison = try ModelComparison(fits, refit: !noRefit)
        let first = prepared[0].formula
        let report = ComparisonReport(comparison, originals: fits, filteredRows: prepared[0].filteredRows,
                                      level: model.confidenceLevel(for: first), variances: output.variances ?? first.options.variances ?? false)
        try output.write(try ReportRendering.render(report, as: output.format, options: output.renderOptions(codebook: codebook)))
    }
}

import ArgumentParser
import HLMEstimation
import HLMReport

/// `hlm fit DATA FORMULA`: fit one model and report it.
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a hierarchical linear model by REML or ML.",
        discussion: """
            FORMULA may be written in lme4, Stata or level-equation notation. Examples:
              hlm fit Examples/data/gcse.csv "gcse ~ lrt + (lrt | school)" --where "nstu > 4" --method ml
              hlm fit Examples/data/gcse.csv "gcse lrt || school: lrt if nstu > 4, mle covariance(unstructured)"
              hlm fit Examples/data/gcse.csv "gcse = b0 + b1*lrt + r; b0 = g00 + u0; b1 = g10 + u1" --group school
              hlm fit Examples/data/sleepstudy.csv "Reaction ~ Days + (Days | Subject)" --format json
            """)

    @OptionGroup var data: DataOptions
    @Argument(help: "The model (or use --levels FILE).")
    var formula: String?
    @OptionGroup var model: ModelOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let (frame, _) = try data.load()
        data.printWarnings(frame)
        let (parsed, design, filtered) = try model.design(formula: model.formulaText(formula), frame: frame)
        let fit = try LinearMixedModel.fit(design, criterion: model.criterion(for: parsed))
        let report = FitReport(fit, filteredRows: filtered)
        let text = output.format == .json ? try JSONRendering.render(report) : output.format.render(report.document)
        try output.write(text)
    }
}

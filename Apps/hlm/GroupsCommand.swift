import ArgumentParser
import HLMEstimation
import HLMReport

/// `hlm groups DATA FORMULA`: each group's OLS coefficients beside its empirical-Bayes coefficients.
struct GroupsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups",
        abstract: "Per-group OLS and empirical-Bayes coefficients, their standard errors and the shrinkage.",
        discussion: """
            The model must have one random-effects term. Example (the slides' statsby regressions beside the EB estimates):
              hlm groups Examples/data/gcse.csv "gcse ~ lrt + (lrt | school)" \\
                --where "nstu > 4" --method ml
            """)

    @OptionGroup var data: DataOptions
    @Argument(help: "The model (or use --levels FILE).")
    var formula: String?
    @OptionGroup var model: ModelOptions
    @OptionGroup var output: OutputDestination

    func run() throws {
        let (frame, _) = try data.load()
        data.printWarnings(frame)
        let fit = try model.fit(try model.prepare(formula: model.formulaText(formula), frame: frame))
        guard let estimates = GroupEstimates(fit) else {
            throw CommandFailure(message: "hlm groups needs a model with one random-effects term", status: .badInput)
        }
        try output.write(try ReportRendering.render(estimates, as: output.format))
    }
}

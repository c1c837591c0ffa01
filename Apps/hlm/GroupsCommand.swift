import ArgumentParser
import HLMEstimation
import HLMReport

/// `hlm groups DATA FORMULA`: each group's OLS coefficients beside its empirical-Bayes coefficients.
struct GroupsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups",
        abstract: "Per-group OLS and empirical-Bayes coefficients, their standard errors and the shrinkage.",
        discussion: """
            Every term of every model: EB estimates for all; each group's own OLS
            fit beside them where it exists (a model with one term). Example (the slides' statsby regressions beside the EB estimates):
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
        let all = try GroupEstimates.all(fit)
        guard !all.isEmpty else { throw CommandFailure(message: "hlm groups needs a model with a random-effects term", status: .badInput) }
        // One term: its table (JSON: one object, as before); several: one table per term (JSON: an array).
        if all.count == 1 {
            try output.write(try ReportRendering.render(all[0], as: output.format))
        } else if output.format == .json {
            try output.write(try JSONRendering.render(all))
        } else {
            try output.write(try all.map { try ReportRendering.render($0, as: output.format) }.joined(separator: "\n"))
        }
    }
}

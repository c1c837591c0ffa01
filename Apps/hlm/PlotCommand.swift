import ArgumentParser
import Foundation
import HLMEstimation
import HLMReport

extension Figure.Kind: ExpressibleByArgument {}

/// `hlm plot DATA FORMULA --kind K --output FILE.svg|FILE.tex`: the figures people look at after a fit.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a figure of a fit: caterpillar, shrinkage, residuals or qq (SVG, or TikZ/pgfplots for .tex).",
        discussion: """
            caterpillar: each group's conditional mode with its 95% interval, sorted, one panel per term (lme4's dotplot);
            shrinkage: each group's OLS estimate joined to its EB estimate (one-term models; two coefficients: their plane);
            residuals: residuals against fitted values; qq: normal QQ plots of the residuals and the conditional modes.
            Example:
              hlm plot Examples/data/gcse.csv "gcse ~ lrt + (lrt | school)" --where "nstu > 4" \\
                --kind caterpillar --output caterpillar.svg
            """)

    @OptionGroup var data: DataOptions
    @Argument(help: "The model (or use --levels FILE).")
    var formula: String?
    @OptionGroup var model: ModelOptions

    @Option(name: .long, help: "caterpillar, shrinkage, residuals or qq.")
    var kind: Figure.Kind

    @Option(name: .long, help: "FILE.svg (SVG) or FILE.tex (TikZ/pgfplots).")
    var output: String

    func validate() throws {
        guard output.hasSuffix(".svg") || output.hasSuffix(".tex") else {
            throw ValidationError("--output must end in .svg (SVG) or .tex (TikZ/pgfplots): \(output)")
        }
    }

    func run() throws {
        let (frame, codebook) = try data.load()
        data.printWarnings(frame)
        let prepared = try model.prepare(formula: model.formulaText(formula), frame: frame)
        if model.isGeneralized(prepared) {
            throw CommandFailure(message: "hlm plot draws linear mixed models; binomial and Poisson fits are not supported yet", status: .badInput)
        }
        let fit = try model.fit(prepared)
        let labels = VariableLabels(codebook: codebook)
        let figure: Figure
        do {
            figure = try Figure.make(kind, fit: fit, labels: labels, level: model.confidenceLevel(for: prepared.formula))
        } catch let error as EstimationError {
            throw CommandFailure(message: "\(error)", status: .badInput)
        }
        let text = output.hasSuffix(".svg") ? SVGRenderer().render(figure) : TikZRenderer().render(figure)
        try OutputFile.write(text, to: output)
    }
}

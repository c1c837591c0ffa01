import HLMEstimation
import HLMData

/// How a report looks in the formats that have a layout: stars, LaTeX's mode, equations, labels.
public struct RenderOptions: Sendable {
    public var stars: Bool
    public var latexMode: LaTeXRenderer.Mode
    /// Add the model's equations (level form and combined form).
    public var equations: Bool
    /// Variable labels, from the codebook.
    public var labels: VariableLabels

    /// Which rows, in what order, and LaTeX's caption and label.
    public var layout: TableLayout
    /// LaTeX: decimal-aligned columns (siunitx).
    public var siunitx = false

    public init(stars: Bool = false, latexMode: LaTeXRenderer.Mode = .table, equations: Bool = false,
                labels: VariableLabels = VariableLabels(), layout: TableLayout = TableLayout()) {
        self.layout = layout
        self.stars = stars
        self.latexMode = latexMode
        self.equations = equations
        self.labels = labels
    }
}

/// A report that renders in every format: JSON from its data, the others from a document.
public protocol Reportable: Encodable {
    /// The document for `format` (never `.json`).
    func document(for format: OutputFormat, options: RenderOptions) -> Document
}

/// The one call that turns a report into text in a format.
public enum ReportRendering {
    public static func render(_ report: some Reportable, as format: OutputFormat, options: RenderOptions = RenderOptions()) throws -> String {
        if format == .json { return try JSONRendering.render(report) }
        if format == .latex {
            return LaTeXRenderer(mode: options.latexMode, stars: options.stars, siunitx: options.siunitx).render(report.document(for: format, options: options))
        }
        return format.render(report.document(for: format, options: options), stars: options.stars, latexMode: options.latexMode)
    }
}

extension FitReport: Reportable {
    /// LaTeX: the estimates as a regression table; text and Markdown: Stata's layout, with the legend.
    public func document(for format: OutputFormat, options: RenderOptions) -> Document {
        if format == .latex { return tableDocument(labels: options.labels, layout: options.layout, equations: options.equations) }
        var document = document(labels: options.labels, layout: options.layout)
        if options.equations { document.append(equationsBlock(title: nil)) }
        return document
    }
}

extension ComparisonReport: Reportable {
    /// Codebook labels label LaTeX's rows; text and Markdown use the names.
    public func document(for format: OutputFormat, options: RenderOptions) -> Document {
        document(labels: format == .latex ? options.labels : VariableLabels(renames: options.labels.renames), layout: options.layout,
                 equations: options.equations)
    }
}

extension GroupEstimates: Reportable {
    public func document(for format: OutputFormat, options: RenderOptions) -> Document { document }
}

extension DataDescription: Reportable {
    public func document(for format: OutputFormat, options: RenderOptions) -> Document { document }
}

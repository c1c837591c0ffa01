/// The formats a report renders to.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, markdown, latex, json, html

    /// Renders a document in this format. JSON is not a document's format: reports render it from their
    /// data (``ReportRendering``); asked here, it is refused.
    func render(_ document: Document, stars: Bool = false, latexMode: LaTeXRenderer.Mode = .table) -> String {
        switch self {
        case .text: TextRenderer(stars: stars).render(document)
        case .markdown: MarkdownRenderer(stars: stars).render(document)
        case .latex: LaTeXRenderer(mode: latexMode, stars: stars).render(document)
        case .html: HTMLRenderer(stars: stars).render(document)
        case .json: preconditionFailure("JSON is rendered from the report, not from a document")
        }
    }
}

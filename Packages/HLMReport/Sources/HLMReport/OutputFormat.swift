/// The formats a report renders to.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, markdown, latex, json

    /// Renders a document in this format (JSON is rendered from the data itself, not from a document).
    public func render(_ document: Document, stars: Bool = false, latexMode: LaTeXRenderer.Mode = .table) -> String {
        switch self {
        case .text, .json: TextRenderer(stars: stars).render(document)
        case .markdown: MarkdownRenderer(stars: stars).render(document)
        case .latex: LaTeXRenderer(mode: latexMode, stars: stars).render(document)
        }
    }
}

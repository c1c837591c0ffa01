/// The formats a report renders to.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, markdown, latex, json

    /// Renders a document in this format (JSON is rendered from the data itself, not from a document).
    public func render(_ document: Document) -> String {
        switch self {
        case .text, .json: TextRenderer().render(document)
        case .markdown: MarkdownRenderer().render(document)
        case .latex: TextRenderer().render(document)
        }
    }
}

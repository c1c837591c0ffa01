import HLMData

/// Readable names for coefficients from the codebook's variable labels: `lrt:schgend[boys]` becomes
/// "London Reading Test score … × School gender composition: boys". Names without a label stay as they are.
public struct VariableLabels: Sendable, Equatable {
    public var labels: [String: String]

    public init(_ labels: [String: String] = [:]) {
        self.labels = labels
    }

    public init(codebook: Codebook?) {
        var labels: [String: String] = [:]
        for variable in codebook?.variables ?? [] { if let label = variable.label { labels[variable.name] = label } }
        self.init(labels)
    }

    /// The label of a coefficient or random-effect term name.
    public func coefficient(_ name: String) -> String {
        if name == "(Intercept)" { return "Intercept" }
        return name.split(separator: ":").map { part -> String in
            let text = String(part)
            if let open = text.firstIndex(of: "["), text.hasSuffix("]") {
                let variable = String(text[..<open])
                let level = text[text.index(after: open)..<text.index(before: text.endIndex)]
                return (labels[variable] ?? variable) + ": " + level
            }
            return labels[text] ?? text
        }.joined(separator: " × ")
    }

    /// The label of a grouping factor (`batch:cask` → each part's label).
    public func group(_ name: String) -> String {
        name.split(separator: ":").map { labels[String($0)] ?? String($0) }.joined(separator: " × ")
    }
}

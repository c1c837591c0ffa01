import HLMData

/// Readable names for coefficients from the codebook's variable labels: `lrt:schgend[boys]` becomes
/// "London Reading Test score … × School gender composition: boys". Names without a label stay as they are.
///
/// `style` chooses the rows' labels: `.names` (the default in tables: `lrt`, `schgend: boys`, `lrt × schgend:
/// boys`, the codebook's labels in a legend below) or `.codebook` (the labels themselves). `renames`
/// (`--rename "lrt=Reading score"`) replace a whole coefficient name, or a variable wherever it appears.
public struct VariableLabels: Sendable, Equatable {
    public enum Style: String, Sendable, CaseIterable {
        case names, codebook
    }

    public var labels: [String: String]
    public var style: Style
    public var renames: [String: String]

    public init(_ labels: [String: String] = [:], style: Style = .codebook, renames: [String: String] = [:]) {
        self.labels = labels
        self.style = style
        self.renames = renames
    }

    public init(codebook: Codebook?, style: Style = .codebook, renames: [String: String] = [:]) {
        var labels: [String: String] = [:]
        for variable in codebook?.variables ?? [] { if let label = variable.label { labels[variable.name] = label } }
        self.init(labels, style: style, renames: renames)
    }

    /// A variable's name as shown: renamed, else its label (codebook style), else itself.
    func variable(_ name: String) -> String {
        renames[name] ?? (style == .codebook ? labels[name] ?? name : name)
    }

    /// The label of a coefficient or random-effect term name.
    public func coefficient(_ name: String) -> String {
        if let renamed = renames[name] { return renamed }
        if name == "(Intercept)" { return renames["_cons"] ?? "Intercept" }
        return name.split(separator: ":").map { part -> String in
            let text = String(part)
            if let open = text.firstIndex(of: "["), text.hasSuffix("]") {
                let variable = String(text[..<open])
                let level = text[text.index(after: open)..<text.index(before: text.endIndex)]
                return self.variable(variable) + ": " + level
            }
            return self.variable(text)
        }.joined(separator: " × ")
    }

    /// The label of a grouping factor (`batch:cask` → each part's label).
    public func group(_ name: String) -> String {
        name.split(separator: ":").map { variable(String($0)) }.joined(separator: " × ")
    }

    /// With names for rows: the codebook's label of each of these variables that has one and is not
    /// renamed, for a legend (`lrt: London Reading Test score …`).
    public func legend(_ variables: [String]) -> [String] {
        guard style == .names else { return [] }
        return variables.compactMap { name in renames[name] == nil ? labels[name].map { "\(name): \($0)" } : nil }
    }
}

/// Which fixed-effect rows a table shows and in what order (texreg's `omit.coef`, modelsummary's
/// `coef_omit`, esttab's `keep`/`drop`/`order`), and the LaTeX caption and label. A pattern matches a
/// coefficient by its whole name or by any variable in it (`schgend` matches `lrt:schgend[boys]`).
public struct TableLayout: Sendable, Equatable {
    public var keep: [String]
    public var drop: [String]
    public var order: [String]
    public var caption: String?
    public var label: String?

    public init(keep: [String] = [], drop: [String] = [], order: [String] = [], caption: String? = nil, label: String? = nil) {
        self.keep = keep
        self.drop = drop
        self.order = order
        self.caption = caption
        self.label = label
    }

    static func matches(_ pattern: String, _ name: String) -> Bool {
        if pattern == name || (pattern == "_cons" && name == "(Intercept)") { return true }
        return name.split(separator: ":").contains { part in
            let text = String(part)
            let variable = text.firstIndex(of: "[").map { String(text[..<$0]) } ?? text
            return variable == pattern || text == pattern
        }
    }

    /// The names kept, in order: --keep (when given) less --drop, the --order patterns' matches first.
    public func arrange(_ names: [String]) -> [String] {
        var kept = names.filter { name in
            (keep.isEmpty || keep.contains { Self.matches($0, name) }) && !drop.contains { Self.matches($0, name) }
        }
        guard !order.isEmpty else { return kept }
        var ordered: [String] = []
        for pattern in order {
            for name in kept where Self.matches(pattern, name) && !ordered.contains(name) { ordered.append(name) }
        }
        kept.removeAll { ordered.contains($0) }
        return ordered + kept
    }
}

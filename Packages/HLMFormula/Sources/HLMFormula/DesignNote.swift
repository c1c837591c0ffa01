/// A remark from building a design: a value, worded by HLMReport (`DiagnosticWording`).
public enum DesignNote: Sendable, Hashable, Codable {
    /// Levels of a factor with no rows in the data used, dropped (as R's model.frame does).
    case unusedLevelsDropped(variable: String, levels: [String])
    /// A level listed in `factor(x, levels = ...)` that no row has.
    case listedLevelAbsent(variable: String, level: String)
    /// Rows dropped so that several models use the same rows (`compare`).
    case rowsDroppedForCommonRows(Int)
}

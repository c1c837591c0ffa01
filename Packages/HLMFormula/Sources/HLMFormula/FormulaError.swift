import _HLMSupport
import HLMData

/// A formula that does not parse, or does not fit the data. Prints as one line naming the position;
/// ``caretDiagram`` adds the formula with a caret under that position.
public struct FormulaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The formula as written.
    public var formula: String
    /// 0-based character offset of the problem, when it has one.
    public var offset: Int?
    public var message: String
    public var hint: String?

    public init(formula: String, offset: Int?, message: String, hint: String? = nil) {
        self.formula = formula
        self.offset = offset
        self.message = message
        self.hint = hint
    }

    public var description: String {
        let place = offset.map { "formula position \($0 + 1)" } ?? "formula"
        return "\(place): \(VisibleText.escape(message))" + (hint.map { " (\($0))" } ?? "")
    }

    /// Two lines: the formula, and a caret under the offending position.
    public var caretDiagram: String? {
        guard let offset, !formula.contains("\n") else { return nil }
        return "  " + formula + "\n  " + String(repeating: " ", count: min(offset, formula.count)) + "^"
    }

    /// An unknown variable, with the nearest known names.
    static func unknownVariable(_ name: String, formula: String, offset: Int?, known: [String]) -> FormulaError {
        FormulaError(formula: formula, offset: offset, message: "unknown variable \"\(name)\"" +
                     NearestNames.hint(NearestNames.suggest(name, among: known)))
    }
}

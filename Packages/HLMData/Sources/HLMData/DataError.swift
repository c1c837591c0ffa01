import _HLMSupport
/// A place in an input file: 1-based line and column (the column counts bytes from the line's start).
public struct InputLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int?

    public init(file: String, line: Int, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String {
        column.map { "\(file):\(line):\($0)" } ?? "\(file):\(line)"
    }
}

/// Bad input to HLMData: each prints as one line that names the place and, where we can, the fix.
public enum DataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case cannotRead(file: String, reason: String)
    /// A CSV or XML file is malformed at `location`.
    case malformed(InputLocation, message: String, hint: String? = nil)
    /// A column name that the data does not have.
    case unknownColumn(String, suggestions: [String])
    /// A `--where` expression that does not parse or does not fit the data; `offset` is 0-based.
    case badExpression(expression: String, offset: Int, message: String)

    public var description: String {
        switch self {
        case .cannotRead(let file, let reason):
            return "\(VisibleText.escape(file)): cannot read (\(reason))"
        case .malformed(let location, let message, let hint):
            return "\(location): \(VisibleText.escape(message))" + (hint.map { " (\($0))" } ?? "")
        case .unknownColumn(let name, let suggestions):
            return "unknown column \"\(VisibleText.escape(name))\"" + NearestNames.hint(suggestions)
        case .badExpression(let expression, let offset, let message):
            return "--where \"\(VisibleText.escape(expression))\": position \(offset + 1): \(VisibleText.escape(message))"
        }
    }
}

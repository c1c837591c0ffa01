/// Writes a ``DataFrame`` as RFC 4180 CSV: a header row, fields quoted when they need it, `NA` for
/// missing values, numbers in the shortest form that reads back exactly, categorical columns as labels.
public struct CSVWriter: Sendable {
    public init() {}

    public func write(_ frame: DataFrame) -> String {
        var output = frame.columnNames.map(Self.quoted).joined(separator: ",") + "\n"
        output.reserveCapacity(frame.rowCount * frame.columns.count * 8)
        for row in 0..<frame.rowCount {
            var first = true
            for column in frame.columns {
                if !first { output += "," }
                first = false
                output += field(column.values, row)
            }
            output += "\n"
        }
        return output
    }

    private func field(_ values: ColumnValues, _ row: Int) -> String {
        switch values {
        case .numeric(let c):
            if c.isMissing[row] { return "NA" }
            let x = c.values[row]
            if x.isInfinite { return x < 0 ? "-Inf" : "Inf" }
            if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
            return "\(x)"
        case .categorical(let c):
            let code = c.codes[row]
            return code < 0 ? "NA" : Self.quoted(c.levels[Int(code)])
        case .text(let c):
            return c[row].map(Self.quoted) ?? "NA"
        }
    }

    /// Quotes a field when it holds a comma, quote, line break, surrounding space, or would read as missing.
    static func quoted(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text == "NA" || text == "." || text.contains(where: { "\",\n\r".contains($0) })
            || text.first?.isWhitespace == true || text.last?.isWhitespace == true
        guard needsQuotes else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}

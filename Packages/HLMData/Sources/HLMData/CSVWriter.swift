/// Writes a ``DataFrame`` as RFC 4180 CSV: a header row, fields quoted when they need it, `NA` for
/// missing values, numbers in the shortest form that reads back exactly, categorical columns as labels.
public struct CSVWriter: Sendable {
    public init() {}

    public func write(_ frame: DataFrame) -> String {
        String(decoding: bytes(frame), as: UTF8.self)
    }

    /// The CSV as bytes, built without a String per field (labels quoted once per level).
    /// `fifteenDigits`: columns written with 15 significant digits (as R's write.csv), much faster.
    public func bytes(_ frame: DataFrame, fifteenDigits: Set<String> = []) -> [UInt8] {
        var output = Array((frame.columnNames.map(Self.quoted).joined(separator: ",") + "\n").utf8)
        output.reserveCapacity(frame.rowCount * frame.columns.count * 10)
        // Labels and text quoted once per distinct value.
        let labels: [[[UInt8]]] = frame.columns.map { column in
            switch column.values {
            case .categorical(let c): return c.levels.map { Array(Self.quoted($0).utf8) }
            case .text(let c): return c.strings.map { Array(Self.quoted($0).utf8) }
            case .numeric: return []
            }
        }
        let short = frame.columns.map { fifteenDigits.contains($0.name) }
        let na = Array("NA".utf8)
        for row in 0..<frame.rowCount {
            for (k, column) in frame.columns.enumerated() {
                if k > 0 { output.append(UInt8(ascii: ",")) }
                switch column.values {
                case .numeric(let c):
                    if c.isMissing[row] { output += na } else if short[k] { NumericCSV.append15(c.values[row], to: &output) } else { NumericCSV.append(c.values[row], to: &output) }
                case .categorical(let c):
                    let code = c.codes[row]
                    if code < 0 { output += na } else { output += labels[k][Int(code)] }
                case .text(let c):
                    let code = c.codes[row]
                    if code < 0 { output += na } else { output += labels[k][Int(code)] }
                }
            }
            output.append(UInt8(ascii: "\n"))
        }
        return output
    }

    /// Quotes a field when it holds a comma, quote, line break, surrounding space, or would read as missing.
    public static func quoted(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text == "NA" || text == "." || text.contains(where: { "\",\n\r".contains($0) })
            || text.first?.isWhitespace == true || text.last?.isWhitespace == true
        guard needsQuotes else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}

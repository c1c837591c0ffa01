import _HLMSupport

/// Writes a ``DataFrame`` as RFC 4180 CSV: a header row, fields quoted when they need it, `NA` for
/// missing values, numbers in the shortest form that reads back exactly, categorical columns as labels.
public struct CSVWriter: Sendable {
    public init() {}

    public func write(_ frame: DataFrame) -> String {
        String(decoding: bytes(frame), as: UTF8.self)
    }

    /// The CSV as bytes, built without a String per field (labels quoted once per level).
    /// `fifteenDigits`: columns written with 15 significant digits (as R's write.csv).
    public func bytes(_ frame: DataFrame, fifteenDigits: Set<String> = []) -> [UInt8] {
        var output: [UInt8] = []
        _ = write(frame, fifteenDigits: fifteenDigits) { output += $0; return true }
        return output
    }

    /// The CSV handed to `sink` a chunk of rows at a time, in order, formatted on two threads while
    /// the last chunks are written (``BlockWriter``). Stops, returning false, when `sink` does.
    public func write(_ frame: DataFrame, fifteenDigits: Set<String> = [], to sink: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        let header = Array((frame.columnNames.map(Self.quoted).joined(separator: ",") + "\n").utf8)
        guard header.withUnsafeBytes(sink) else { return false }
        let fields = frame.columns.map { FieldSource($0, fifteenDigits: fifteenDigits.contains($0.name)) }
        let rowWidth = fields.reduce(1) { $0 + $1.width + 1 }
        return FieldSource.withPointers(fields) { pointers -> Bool in
            nonisolated(unsafe) let pointers = pointers
            return BlockWriter.write(rows: frame.rowCount, rowBytes: rowWidth,
                                     format: { FieldSource.format(pointers, rows: $0, into: $1) }, to: sink)
        }
    }

    /// Quotes a field when it holds a comma, quote, line break, surrounding space, or would read as missing.
    public static func quoted(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text == "NA" || text == "." || text.contains(where: { "\",\n\r".contains($0) })
            || text.first?.isWhitespace == true || text.last?.isWhitespace == true
        guard needsQuotes else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}

/// One column's fields as ``CSVWriter`` writes them: numbers (shortest exact form, or 15 digits) with
/// their missing flags, or codes into labels quoted once.
private struct FieldSource {
    enum Kind { case shortest, fifteen, labels }
    let kind: Kind
    let values: [Double], missing: [Bool], codes: [Int32]
    /// The labels' quoted bytes one after another, and where each starts (one more than labels).
    let labelBytes: [UInt8], labelStarts: [Int]
    /// The most bytes one field takes.
    let width: Int

    init(_ column: Column, fifteenDigits: Bool) {
        func labels(_ strings: [String]) -> ([UInt8], [Int]) {
            var bytes: [UInt8] = [], starts = [0]
            for label in strings { bytes += Array(CSVWriter.quoted(label).utf8); starts.append(bytes.count) }
            return (bytes, starts)
        }
        switch column.values {
        case .numeric(let c):
            (kind, values, missing, codes, labelBytes, labelStarts) = (fifteenDigits ? .fifteen : .shortest, c.values, c.isMissing, [], [], [0])
            width = NumericCSV.maximumWidth
        case .categorical(let c):
            (kind, values, missing, codes) = (.labels, [], [], c.codes)
            (labelBytes, labelStarts) = labels(c.levels)
            width = max(2, zip(labelStarts, labelStarts.dropFirst()).map { $1 - $0 }.max() ?? 0)
        case .text(let c):
            (kind, values, missing, codes) = (.labels, [], [], c.codes)
            (labelBytes, labelStarts) = labels(c.strings)
            width = max(2, zip(labelStarts, labelStarts.dropFirst()).map { $1 - $0 }.max() ?? 0)
        }
    }

    /// A column's storage while writing (no array is touched per field: no retain per field).
    struct Pointers {
        let kind: Kind
        let values: UnsafePointer<Double>?, missing: UnsafePointer<Bool>?, codes: UnsafePointer<Int32>?
        let labelBytes: UnsafePointer<UInt8>?, labelStarts: UnsafePointer<Int>
    }

    static func withPointers<R>(_ fields: [FieldSource], _ body: (UnsafeBufferPointer<Pointers>) -> R) -> R {
        func nest(_ k: Int, _ done: inout [Pointers]) -> R {
            guard k < fields.count else { return done.withUnsafeBufferPointer(body) }
            let f = fields[k]
            return f.values.withUnsafeBufferPointer { values in
                f.missing.withUnsafeBufferPointer { missing in
                    f.codes.withUnsafeBufferPointer { codes in
                        f.labelBytes.withUnsafeBufferPointer { labelBytes in
                            f.labelStarts.withUnsafeBufferPointer { starts in
                                done.append(Pointers(kind: f.kind, values: values.baseAddress, missing: missing.baseAddress,
                                                     codes: codes.baseAddress, labelBytes: labelBytes.baseAddress, labelStarts: starts.baseAddress!))
                                return nest(k + 1, &done)
                            }
                        }
                    }
                }
            }
        }
        var done: [Pointers] = []
        return nest(0, &done)
    }

    /// Rows `rows` into `out` (room for each field's width, a comma and the newline); the bytes written.
    static func format(_ columns: UnsafeBufferPointer<Pointers>, rows: Range<Int>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        NumericCSV.Tables.with { tables in
            var pos = 0
            for row in rows {
                for k in columns.indices {
                    if k > 0 { out[pos] = UInt8(ascii: ","); pos += 1 }
                    let c = columns[k]
                    switch c.kind {
                    case .shortest, .fifteen:
                        if c.missing![row] {
                            out[pos] = UInt8(ascii: "N"); out[pos + 1] = UInt8(ascii: "A"); pos += 2
                        } else if c.kind == .fifteen {
                            NumericCSV.write15(c.values![row], to: out, &pos, tables)
                        } else {
                            NumericCSV.writeShortest(c.values![row], to: out, &pos, tables)
                        }
                    case .labels:
                        let code = Int(c.codes![row])
                        if code < 0 {
                            out[pos] = UInt8(ascii: "N"); out[pos + 1] = UInt8(ascii: "A"); pos += 2
                        } else {
                            let from = c.labelStarts[code], to = c.labelStarts[code + 1]
                            (out + pos).update(from: c.labelBytes! + from, count: to - from)
                            pos += to - from
                        }
                    }
                }
                out[pos] = UInt8(ascii: "\n")
                pos += 1
            }
            return pos
        }
    }
}

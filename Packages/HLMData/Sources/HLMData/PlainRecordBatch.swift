/// The CSV reader's fast path: plain records, staged in batches.
///
/// A plain record has no quotes, no spaces around numbers, a number (or nothing) in each numeric
/// column and exactly one field per column. Each field is scanned and converted in the same pass
/// and staged column by column; every `capacity` records the batch is handed to the column builders
/// in one call per column. Any other record makes ``parse(_:at:limit:)`` return nil with nothing
/// staged, and the reader takes it through the general scanner, which also writes every error.
final class PlainRecordBatch {
    let columns: Int
    let capacity: Int
    let maxFieldBytes: Int
    /// Records staged so far.
    private(set) var count = 0
    /// Per column, whether it is being read as text (refreshed after the general path runs).
    let isText: UnsafeMutablePointer<Bool>
    /// Numeric columns, column-major `c * capacity + row`: the value, or NaN for an empty field.
    let numbers: UnsafeMutablePointer<Double>
    /// Text columns, column-major: each field's byte range.
    let starts: UnsafeMutablePointer<Int>
    let ends: UnsafeMutablePointer<Int>

    init(columns: Int, capacity: Int = 4096, maxFieldBytes: Int) {
        self.columns = columns
        self.capacity = capacity
        self.maxFieldBytes = maxFieldBytes
        isText = .allocate(capacity: columns)
        isText.initialize(repeating: false, count: columns)
        numbers = .allocate(capacity: columns * capacity)
        starts = .allocate(capacity: columns * capacity)
        ends = .allocate(capacity: columns * capacity)
    }

    deinit {
        isText.deallocate()
        numbers.deallocate()
        starts.deallocate()
        ends.deallocate()
    }

    var isFull: Bool { count == capacity }

    /// Stages the record at `start`; returns where the next one starts, or nil when it is not plain.
    @inline(__always)
    func parse(_ bytes: UnsafePointer<UInt8>, at start: Int, limit: Int) -> Int? {
        let comma = CSVScanner.comma, lf = CSVScanner.lf, cr = CSVScanner.cr, quote = CSVScanner.quote
        // A blank line (skipped by the general scanner) or the end.
        guard start < limit, bytes[start] != lf, bytes[start] != cr else { return nil }
        let row = count
        var p = start
        for c in 0..<columns {
            let fieldStart = p
            if isText[c] {
                while p < limit {
                    let byte = bytes[p]
                    if byte == comma || byte == lf || byte == cr || byte == quote { break }
                    p += 1
                }
                guard p >= limit || bytes[p] != quote, p - fieldStart <= maxFieldBytes else { return nil }
                starts[c * capacity + row] = fieldStart
                ends[c * capacity + row] = p
            } else if p >= limit || bytes[p] == comma || bytes[p] == lf || bytes[p] == cr {
                numbers[c * capacity + row] = .nan
            } else {
                if p + 32 <= limit, let (value, stop) = NumberParser.scanShortNumber(bytes, p) {
                    numbers[c * capacity + row] = value
                    p = stop
                } else {
                    let (value, stop) = NumberParser.scanNumber(bytes, p, limit)
                    guard let value, stop - fieldStart <= maxFieldBytes else { return nil }
                    numbers[c * capacity + row] = value
                    p = stop
                }
            }
            if c + 1 < columns {
                guard p < limit, bytes[p] == comma else { return nil }
                p += 1
            }
        }
        if p < limit {
            let byte = bytes[p]
            if byte == lf {
                p += 1
            } else if byte == cr {
                p += 1
                if p < limit, bytes[p] == lf { p += 1 }
            } else {
                return nil
            }
        }
        count += 1
        return p
    }

    /// Hands the staged records to the builders and empties the batch.
    func flush(into builders: inout [ColumnBuilder], records: inout RecordRuns, scanner: CSVScanner) {
        guard count > 0 else { return }
        for c in 0..<columns {
            if isText[c] {
                builders[c].appendPlainText(starts: starts + c * capacity, ends: ends + c * capacity, count: count, scanner: scanner)
            } else {
                builders[c].appendPlainNumbers(UnsafeBufferPointer(start: numbers + c * capacity, count: count))
            }
        }
        records.add(count)
        count = 0
    }

    /// Takes the columns' modes from the builders (after the general path may have turned one to text).
    func refreshModes(_ builders: [ColumnBuilder]) {
        for c in 0..<columns { isText[c] = builders[c].mode == .text }
    }
}

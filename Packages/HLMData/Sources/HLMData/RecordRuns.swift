/// Where the records read so far are: runs of consecutive records, each a start offset and a count
/// (one run per chunk). Kept instead of one offset per record; the rare reader that needs a column's
/// earlier fields again (a column turning to text) scans the runs once more.
struct RecordRuns: Sendable {
    private(set) var runs: [(start: Int, count: Int)] = []
    private(set) var total = 0

    init() {}

    /// A run starting at `start`, with no records yet.
    init(start: Int) {
        runs = [(start, 0)]
    }

    /// Counts `count` more records in the last run.
    mutating func add(_ count: Int) {
        runs[runs.count - 1].count += count
        total += count
    }

    mutating func append(_ other: RecordRuns) {
        runs += other.runs
        total += other.total
    }

    /// Column `column`'s field in every record, in order (the records all scanned before without error).
    func fields(ofColumn column: Int, bytes: UnsafeBufferPointer<UInt8>, maxFieldBytes: Int) throws(CSVScanner.Failure) -> [FieldSpan] {
        var scanner = CSVScanner(bytes: bytes, start: 0, maxFieldBytes: maxFieldBytes)
        var fields = FieldList()
        var result: [FieldSpan] = []
        result.reserveCapacity(total)
        for run in runs {
            scanner.seek(to: run.start)
            for _ in 0..<run.count {
                guard try scanner.nextRecord(into: &fields) != nil else { break }
                result.append(fields[column])
            }
        }
        return result
    }
}

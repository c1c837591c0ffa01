import _HLMSupport
import Foundation

/// Reads RFC 4180 CSV (header row; quotes, doubled quotes, embedded newlines, CRLF, a UTF-8 BOM)
/// into a ``DataFrame``, straight from bytes.
///
/// Column types are inferred (numeric unless a value does not parse; empty, `NA` and `.` are
/// missing) or taken from a ``Codebook``. Every problem is a ``DataError`` naming file, line and column.
public struct CSVReader: Sendable {
    /// Describes the columns; without one, types are inferred.
    public var codebook: Codebook?
    /// Fields longer than this are refused as a sign of a file that is not CSV.
    public var maxFieldBytes: Int
    /// Inputs larger than this many bytes are parsed in parallel chunks.
    public var parallelThreshold: Int
    /// How many chunks at most (default: the number of cores, up to 8).
    public var parallelism: Int
    /// Whether plain records take the fast path (``PlainRecordBatch``). Off, every record goes through
    /// the general scanner; tests and the fuzzer compare the two.
    var usesPlainRecordPath = true

    public init(codebook: Codebook? = nil, maxFieldBytes: Int = 1 << 20, parallelThreshold: Int = 4 << 20,
                parallelism: Int = min(8, ProcessInfo.processInfo.activeProcessorCount)) {
        self.codebook = codebook
        self.maxFieldBytes = maxFieldBytes
        self.parallelThreshold = parallelThreshold
        self.parallelism = max(1, parallelism)
    }

    /// Reads the file at `path`; `-` reads standard input.
    public func read(path: String) throws(DataError) -> DataFrame {
        let name = path == "-" ? "<stdin>" : path
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .cannotRead(file: path, reason: "no such file")
            }
            guard !isDirectory.boolValue else { throw .cannotRead(file: path, reason: "it is a directory") }
            // Mapped, not copied: the page cache is read in place.
            if let mapped = MappedFile(path: path), mapped.bytes.count > 0 {
                return try withExtendedLifetime(mapped) { () throws(DataError) -> DataFrame in
                    try read(bytes: mapped.bytes, source: name)
                }
            }
            guard let contents = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
                throw .cannotRead(file: path, reason: "permission denied?")
            }
            data = contents
        }
        return try read(data: data, source: name)
    }

    /// Reads CSV held in memory; `source` names it in messages.
    public func read(data: Data, source: String) throws(DataError) -> DataFrame {
        let result: Result<DataFrame, DataError> = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            do throws(DataError) {
                return .success(try read(bytes: bytes, source: source))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Reads a string of CSV (for tests and small inputs).
    public func read(string: String, source: String = "<string>") throws(DataError) -> DataFrame {
        try read(data: Data(string.utf8), source: source)
    }

    func read(bytes: UnsafeBufferPointer<UInt8>, source: String) throws(DataError) -> DataFrame {
        let fail = MalformedInput(bytes: bytes, source: source, maxFieldBytes: maxFieldBytes)
        // The encoding is checked here for the first MiB (the header is in it) and by each chunk for the rest.
        let checkedPrefix = min(bytes.count, 1 << 20)
        try checkEncoding(bytes, 0..<checkedPrefix, fail: fail)
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }

        var scanner = CSVScanner(bytes: bytes, start: start, maxFieldBytes: maxFieldBytes)
        let headerNames: [String]
        var fields = FieldList()
        do {
            guard try scanner.nextRecord(into: &fields) != nil else {
                throw fail(0, "the file is empty", "expected a header row of column names")
            }
            headerNames = try header(Array(fields.all), scanner: scanner, fail: fail)
        } catch let failure as CSVScanner.Failure {
            throw fail(failure.offset, failure.message, failure.hint)
        } catch let error as DataError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }

        // Chunks parsed in parallel (one per core for large inputs), then joined in order.
        let dataStart = scanner.position
        let chunkCount = bytes.count - dataStart > parallelThreshold ? parallelism : 1
        let boundaries = CSVScanner.chunkBoundaries(bytes, start: dataStart, end: bytes.count, count: chunkCount)
        let results = ChunkResults(count: boundaries.count - 1)
        nonisolated(unsafe) let shared = bytes
        let reader = self
        let encoding = EncodingProblems(count: boundaries.count - 1)
        let parse: @Sendable (Int) -> Void = { k in
            let range = boundaries[k]..<boundaries[k + 1]
            let unchecked = max(range.lowerBound, checkedPrefix)..<max(range.upperBound, checkedPrefix)
            guard encoding.check(k, shared, unchecked) else { return }
            results.store(k, Result { () throws(DataError) -> ChunkParse in
                // The first chunk's columns are reserved for the whole input, so the others append in place.
                try reader.parseChunk(shared, boundaries[k]..<boundaries[k + 1], headerNames, fail: fail,
                                      reserving: k == 0 ? dataStart..<shared.count : nil)
            })
        }
        // Threads pay off only for large inputs; small ones (chunked when forced, as in tests) run in turn.
        if bytes.count - dataStart >= 1 << 20 {
            ParallelWork.run(boundaries.count - 1, parse)
        } else {
            for k in 0..<(boundaries.count - 1) { parse(k) }
        }
        if let (offset, message, hint) = encoding.first(in: shared) { throw fail(offset, message, hint) }
        // A boundary is found by the parity of the quotes before it, which a stray quote in an unquoted
        // field (a literal to the scanner) can mislead. Each chunk starts where the one before ended
        // cleanly, by induction from the first, unless a chunk fails: then the chunks may be misplaced,
        // and the whole input is read again in one pass, so that the first error is the sequential one.
        var chunks: [ChunkParse] = []
        for k in 0..<(boundaries.count - 1) {
            let result = results.take(k)
            if case .success(let chunk) = result {
                chunks.append(chunk)
                continue
            }
            if case .failure(let error) = result, boundaries.count == 2 { throw error }
            chunks = [try parseChunk(bytes, dataStart..<bytes.count, headerNames, fail: fail)]
            break
        }
        // Taken out of the chunk, so that appending to its columns does not copy them first.
        var builders = chunks[0].builders
        chunks[0].builders = []
        var records = chunks[0].records
        for chunk in chunks.dropFirst() {
            // Columns are joined independently: on the cores for large inputs.
            let ownRecords = records, maxFieldBytes = self.maxFieldBytes
            builders.withUnsafeMutableBufferPointer { columns in
                nonisolated(unsafe) let columns = columns
                let join: @Sendable (Int) -> Void = { column in
                    columns[column].appendChunk(chunk.builders[column], chunkRecords: chunk.records,
                                                ownRecords: ownRecords, bytes: shared, maxFieldBytes: maxFieldBytes)
                }
                if shared.count >= 1 << 20 {
                    ParallelWork.run(columns.count, join)
                } else {
                    for column in columns.indices { join(column) }
                }
            }
            records.append(chunk.records)
        }
        if records.total == 0 {
            throw fail(bytes.count, "no data rows after the header", "the file has column names but no values")
        }
        var warnings: [String] = []
        if let codebook {
            let present = Set(headerNames)
            let absent = codebook.variables.map(\.name).filter { !present.contains($0) }
            if !absent.isEmpty {
                warnings.append("\(codebook.source): variables in the codebook but not in the data: \(absent.joined(separator: ", "))")
            }
        }
        return DataFrame(columns: builders.map { $0.build() }, source: source, warnings: warnings)
    }

    /// The columns and record offsets of one chunk.
    struct ChunkParse: @unchecked Sendable {
        var builders: [ColumnBuilder]
        var records: RecordRuns
    }

    /// Parses the records in `range` into typed columns.
    func parseChunk(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ headerNames: [String], fail: MalformedInput,
        reserving reserved: Range<Int>? = nil
    ) throws(DataError) -> ChunkParse {
        var scanner = CSVScanner(bytes: bytes, start: range.lowerBound, limit: range.upperBound, maxFieldBytes: maxFieldBytes)
        var fields = FieldList()
        let expectedRows = Self.estimatedRecords(bytes, reserved ?? range)
        var builders = headerNames.enumerated().map {
            ColumnBuilder(name: $0.element, index: $0.offset, variable: codebook?.variable(named: $0.element), expectedRows: expectedRows)
        }
        var records = RecordRuns(start: range.lowerBound)
        // Plain records take the fast path in batches; any other record (and every error) goes through
        // the general scanner, after the batch so far is handed over so that rows stay in order.
        let batch = PlainRecordBatch(columns: headerNames.count, maxFieldBytes: maxFieldBytes)
        batch.refreshModes(builders)
        let base = bytes.baseAddress!
        var position = range.lowerBound
        do {
            while position < range.upperBound {
                if usesPlainRecordPath, let next = batch.parse(base, at: position, limit: range.upperBound) {
                    position = next
                    if batch.isFull { batch.flush(into: &builders, records: &records, scanner: scanner) }
                    continue
                }
                batch.flush(into: &builders, records: &records, scanner: scanner)
                scanner.seek(to: position)
                guard try scanner.nextRecord(into: &fields) != nil else { break }
                try parseGeneralRecord(fields, &builders, records, headerNames, scanner: scanner, bytes: bytes, fail: fail)
                records.add(1)
                position = scanner.position
                batch.refreshModes(builders)
            }
            batch.flush(into: &builders, records: &records, scanner: scanner)
        } catch let failure as CSVScanner.Failure {
            throw fail(failure.offset, failure.message, failure.hint)
        } catch let error as DataError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
        return ChunkParse(builders: builders, records: records)
    }

    /// One record from the general scanner into the builders: checks its width, and turns an inferred
    /// column to text at its first non-number (a declared-numeric one is an error instead).
    private func parseGeneralRecord(
        _ fields: FieldList, _ builders: inout [ColumnBuilder], _ records: RecordRuns, _ headerNames: [String],
        scanner: CSVScanner, bytes: UnsafeBufferPointer<UInt8>, fail: MalformedInput
    ) throws -> Void {
        guard fields.count == headerNames.count else {
            let last = fields[fields.count - 1]
            let offset = fields.count > headerNames.count
                ? fields[headerNames.count].start : last.end + (last.quoted ? 1 : 0)
            throw fail(offset, "this row has \(fields.count) fields but the header has \(headerNames.count)",
                       "check for an unquoted comma or a missing field")
        }
        for column in 0..<fields.count {
            if case .notANumber = builders[column].append(fields[column], scanner: scanner) {
                if builders[column].mode == .declaredNumeric {
                    let text = scanner.text(of: fields[column])
                    throw fail(fields[column].start,
                               "expected a number in column \"\(VisibleText.escape(headerNames[column]))\", found \"\(VisibleText.escape(text.prefix(40)))\"",
                               "the codebook declares it numeric; declare the code missing in the codebook?")
                }
                let earlier = try records.fields(ofColumn: column, bytes: bytes, maxFieldBytes: maxFieldBytes)
                builders[column].switchToText(earlierFields: earlier, scanner: scanner)
                _ = builders[column].append(fields[column], scanner: scanner)
            }
        }
    }

    /// Records in `range`, estimated generously from the shortest average line length of four samples
    /// (start, thirds, end) for reserving columns. Reserving touches no memory, so too many costs only
    /// address space; too few costs a reallocation that copies the column (measured: a file whose first
    /// lines were 7% longer than its later ones spent a fifth of its reading time in such copies).
    static func estimatedRecords(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        let sample = min(range.count, 1 << 14)
        guard sample > 0 else { return 16 }
        var shortest = Double.infinity
        let starts = [0, range.count / 3, 2 * range.count / 3, range.count - sample].map { range.lowerBound + min($0, range.count - sample) }
        for start in Set(starts) {
            var lines = 0
            for i in start..<(start + sample) where bytes[i] == 0x0A { lines += 1 }
            shortest = min(shortest, Double(sample) / Double(max(lines, 1)))
        }
        return max(16, Int(Double(range.count) / shortest * 1.15))
    }

    /// Refuses NUL bytes, UTF-16 and invalid UTF-8 before scanning.
    private func checkEncoding(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, fail: MalformedInput
    ) throws(DataError) {
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            throw fail(0, "the file is UTF-16", "save it as UTF-8 CSV")
        }
        let problems = EncodingProblems(count: 1)
        if !problems.check(0, bytes, range), let (offset, message, hint) = problems.first(in: bytes) {
            throw fail(offset, message, hint)
        }
    }

    /// Column names from the header record: none empty, none repeated.
    private func header(
        _ fields: [FieldSpan], scanner: CSVScanner, fail: MalformedInput
    ) throws(DataError) -> [String] {
        var names: [String] = []
        var seen: Set<String> = []
        for field in fields {
            let name = scanner.text(of: field).trimmingCharacters(in: .whitespaces)
            if name.isEmpty {
                throw fail(field.start, "empty column name in the header (column \(names.count + 1))",
                           "give every column a name")
            }
            if !seen.insert(name).inserted {
                throw fail(field.start, "duplicate column name \"\(VisibleText.escape(name))\" in the header", "column names must be unique")
            }
            names.append(name)
        }
        return names
    }
}

/// Makes the error for a byte offset: file, line and column, message and hint.
struct MalformedInput: @unchecked Sendable {
    let bytes: UnsafeBufferPointer<UInt8>
    let source: String
    let maxFieldBytes: Int

    func callAsFunction(_ offset: Int, _ message: String, _ hint: String? = nil) -> DataError {
        let scanner = CSVScanner(bytes: bytes, start: 0, maxFieldBytes: maxFieldBytes)
        let (line, column) = scanner.lineAndColumn(of: offset)
        return .malformed(InputLocation(file: source, line: line, column: column), message: message, hint: hint)
    }
}

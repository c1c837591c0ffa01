/// Accumulates one CSV column's values while the file is scanned, inferring its type.
///
/// A column is numeric until a value fails to parse, then text (earlier rows are read again as text).
/// A column the codebook declares numeric never turns to text: a non-number is an error. A column
/// with value labels, or declared character, is read as text and becomes categorical or stays text.
struct ColumnBuilder {
    enum Mode {
        case inferred, declaredNumeric, text
    }

    let name: String
    /// The column's position in the header.
    let columnIndex: Int
    let variable: CodebookVariable?
    private(set) var mode: Mode
    private(set) var numbers: [Double] = []
    private(set) var missing: [Bool] = []
    /// Text mode: per row a code into `interner` (-1 missing).
    private(set) var textCodes: [Int32] = []
    private(set) var interner = TextInterner()
    /// The rows this builder expects (its chunk's estimate), for reserving storage.
    private let expectedRows: Int
    /// Numeric missing-value codes from the codebook, parsed once.
    private let numericMissingCodes: [Double]
    private let checksMissingCodes: Bool

    init(name: String, index: Int, variable: CodebookVariable?, expectedRows: Int) {
        self.name = name
        self.columnIndex = index
        self.variable = variable
        if let variable, !variable.valueLabels.isEmpty || variable.formatType == .character {
            mode = .text
        } else if variable?.formatType == .numeric {
            mode = .declaredNumeric
        } else {
            mode = .inferred
        }
        checksMissingCodes = variable?.hasMissingCodes ?? false
        var codes: [Double] = []
        if let variable {
            for raw in variable.categories.filter(\.isMissing).map(\.value) + variable.missingValues {
                if case .number(let x) = NumberParser.parse(raw) { codes.append(x) }
            }
        }
        numericMissingCodes = codes
        self.expectedRows = expectedRows
        if mode == .text {
            textCodes.reserveCapacity(expectedRows)
        } else {
            numbers.reserveCapacity(expectedRows)
            missing.reserveCapacity(expectedRows)
        }
    }

    /// What happened to a value.
    enum Outcome {
        case stored
        /// The value is not a number in a column being read as numbers.
        case notANumber
    }

    /// Adds the next value of the column.
    @inline(__always)
    mutating func append(_ field: FieldSpan, scanner: CSVScanner) -> Outcome {
        if mode == .text {
            appendText(field, scanner: scanner)
            return .stored
        }
        switch NumberParser.parse(scanner.bytes, field.start, field.end) {
        case .number(let x):
            if checksMissingCodes && isMissingCode(x) {
                numbers.append(.nan)
                missing.append(true)
            } else {
                numbers.append(x)
                missing.append(false)
            }
        case .missing:
            numbers.append(.nan)
            missing.append(true)
        case .notANumber:
            return .notANumber
        }
        return .stored
    }

    /// Appends numbers staged by the fast path; NaN marks an empty field (missing).
    mutating func appendPlainNumbers(_ values: UnsafeBufferPointer<Double>) {
        let first = numbers.count
        numbers.append(contentsOf: values)
        if values.contains(where: \.isNaN) {
            missing.append(contentsOf: values.lazy.map(\.isNaN))
        } else {
            missing.append(contentsOf: repeatElement(false, count: values.count))
        }
        guard checksMissingCodes else { return }
        for i in first..<numbers.count where !missing[i] && isMissingCode(numbers[i]) {
            numbers[i] = .nan
            missing[i] = true
        }
    }

    /// Appends unquoted text fields staged by the fast path. (No `reserveCapacity` here: reserving an
    /// exact size per batch turns off the array's geometric growth, and the copies grow quadratically.)
    mutating func appendPlainText(starts: UnsafePointer<Int>, ends: UnsafePointer<Int>, count: Int, scanner: CSVScanner) {
        for k in 0..<count {
            appendText(FieldSpan(start: starts[k], end: ends[k], quoted: false, escaped: false), scanner: scanner)
        }
    }

    private func isMissingCode(_ x: Double) -> Bool {
        numericMissingCodes.contains(x) || (variable?.missingRanges.contains { $0.contains(x) } ?? false)
    }

    private mutating func appendText(_ field: FieldSpan, scanner: CSVScanner) {
        let length = field.end - field.start
        // A quoted "NA" is the text NA; an unquoted one is missing.
        if length == 0 || (!field.quoted && length == 2 && scanner.bytes[field.start] == UInt8(ascii: "N")
            && scanner.bytes[field.start + 1] == UInt8(ascii: "A")) {
            textCodes.append(-1)
            return
        }
        if checksMissingCodes || field.escaped {
            let value = scanner.text(of: field)
            if checksMissingCodes, let variable, variable.isMissingCode(value) {
                textCodes.append(-1)
            } else {
                textCodes.append(interner.intern(value))
            }
            return
        }
        textCodes.append(interner.intern(scanner.bytes, field.start, field.end))
    }

    /// Turns an inferred-numeric column into text; `earlierFields` are its fields in the rows read so far.
    mutating func switchToText(earlierFields: [FieldSpan], scanner: CSVScanner) {
        precondition(mode != .text, "the column is already text")
        mode = .text
        numbers = []
        missing = []
        textCodes.reserveCapacity(max(expectedRows, earlierFields.count * 2))
        for field in earlierFields { appendText(field, scanner: scanner) }
    }

    /// Appends the next chunk's values of this column. When one side was read as text and the other
    /// as numbers, the numeric side's fields are read again as text.
    mutating func appendChunk(
        _ next: ColumnBuilder, chunkRecords: RecordRuns, ownRecords: RecordRuns, bytes: UnsafeBufferPointer<UInt8>, maxFieldBytes: Int
    ) {
        let column = columnIndex
        var other = next
        let scanner = CSVScanner(bytes: bytes, start: 0, maxFieldBytes: maxFieldBytes)
        if mode == .text && other.mode != .text {
            other.switchToText(earlierFields: (try? chunkRecords.fields(ofColumn: column, bytes: bytes, maxFieldBytes: maxFieldBytes)) ?? [],
                               scanner: scanner)
        } else if mode != .text && other.mode == .text {
            switchToText(earlierFields: (try? ownRecords.fields(ofColumn: column, bytes: bytes, maxFieldBytes: maxFieldBytes)) ?? [],
                         scanner: scanner)
        }
        if mode == .text {
            // Re-code the other chunk's values into this chunk's dictionary.
            let strings = other.interner.strings()
            let map = strings.map { interner.intern($0) }
            textCodes += other.textCodes.map { $0 < 0 ? -1 : map[Int($0)] }
        } else {
            numbers += other.numbers
            missing += other.missing
        }
    }

    /// The finished column.
    func build() -> Column {
        let label = variable?.label
        switch mode {
        case .inferred, .declaredNumeric:
            return Column(name: name, label: label, values: .numeric(NumericColumn(values: numbers, isMissing: missing)))
        case .text:
            let text = TextColumn(codes: textCodes, strings: interner.strings())
            if let variable, !variable.valueLabels.isEmpty {
                return Column(name: name, label: label, values: .categorical(Self.categorical(text, variable)))
            }
            return Column(name: name, label: label, values: .text(text))
        }
    }

    /// Codes values against the codebook's value labels (in code order). Values without a label
    /// become extra levels after the labelled ones, named as written.
    static func categorical(_ text: TextColumn, _ variable: CodebookVariable) -> CategoricalColumn {
        var labelled = variable.valueLabels
        let numericCodes = labelled.map { NumberParser.parse($0.value) }
        if numericCodes.allSatisfy({ if case .number = $0 { true } else { false } }) {
            let order = labelled.indices.sorted {
                guard case .number(let a) = numericCodes[$0], case .number(let b) = numericCodes[$1] else { return false }
                return a < b
            }
            labelled = order.map { labelled[$0] }
        }
        var levels = labelled.map { $0.label ?? $0.value }
        var levelValues = labelled.map(\.value)
        // Each distinct string once: its level (an extra level when the codebook has no label for it).
        var levelOfString = [Int32](repeating: -1, count: text.strings.count)
        var used = [Bool](repeating: false, count: text.strings.count)
        for code in text.codes where code >= 0 { used[Int(code)] = true }
        for (k, value) in text.strings.enumerated() where used[k] {
            let parsed = NumberParser.parse(value)
            var code = levelValues.firstIndex { CodebookVariable.sameValue(value, parsed, $0) }
            if code == nil {
                levels.append(value)
                levelValues.append(value)
                code = levels.count - 1
            }
            levelOfString[k] = Int32(code!)
        }
        return CategoricalColumn(codes: text.codes.map { $0 < 0 ? -1 : levelOfString[Int($0)] }, levels: levels, levelValues: levelValues)
    }
}

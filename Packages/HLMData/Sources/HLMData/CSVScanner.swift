#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One field of a CSV record: the bytes between `start` and `end` (quotes excluded).
struct FieldSpan {
    var start: Int
    var end: Int
    /// The field was quoted; `escaped` says it holds doubled quotes to undo.
    var quoted: Bool
    var escaped: Bool
}

/// The fields of the current record; its storage is reused from record to record.
struct FieldList {
    private var spans: [FieldSpan] = []
    private(set) var count = 0

    mutating func reset() { count = 0 }

    mutating func append(_ field: FieldSpan) {
        if count < spans.count { spans[count] = field } else { spans.append(field) }
        count += 1
    }

    subscript(index: Int) -> FieldSpan { spans[index] }

    var all: ArraySlice<FieldSpan> { spans[0..<count] }
}

/// Splits RFC 4180 CSV bytes into records and fields without copying them.
///
/// Accepts LF, CRLF and lone CR line ends, quoted fields with doubled quotes and embedded newlines,
/// and skips blank lines. Errors carry byte offsets; ``CSVReader`` turns them into line and column.
struct CSVScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxFieldBytes: Int
    /// Scanning stops here (a chunk's end, or the end of the input).
    let limit: Int
    private(set) var position: Int

    static let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

    /// A problem at a byte offset.
    struct Failure: Error {
        var offset: Int
        var message: String
        var hint: String?
    }

    init(bytes: UnsafeBufferPointer<UInt8>, start: Int, limit: Int? = nil, maxFieldBytes: Int) {
        self.bytes = bytes
        self.position = start
        self.limit = limit ?? bytes.count
        self.maxFieldBytes = maxFieldBytes
    }

    var atEnd: Bool { position >= limit }

    /// Moves to `offset` (the start of a record already seen).
    mutating func seek(to offset: Int) { position = offset }

    /// Reads the next non-blank record into `fields` (cleared first). Returns the record's start offset,
    /// or nil at the end of the input.
    mutating func nextRecord(into fields: inout FieldList) throws(Failure) -> Int? {
        let end = limit
        // Skip blank lines.
        while position < end, bytes[position] == Self.lf || bytes[position] == Self.cr { position += 1 }
        guard position < end else { return nil }
        let recordStart = position
        fields.reset()
        while true {
            var field = FieldSpan(start: position, end: position, quoted: false, escaped: false)
            if position < end, bytes[position] == Self.quote {
                let opening = position
                field.quoted = true
                position += 1
                field.start = position
                while true {
                    guard position < end else {
                        throw Failure(offset: opening, message: "quoted field is never closed",
                                      hint: "a field that starts with \" must end with \"; write a quote inside it as \"\"")
                    }
                    if bytes[position] == Self.quote {
                        if position + 1 < end, bytes[position + 1] == Self.quote {
                            field.escaped = true
                            position += 2
                            continue
                        }
                        break
                    }
                    position += 1
                }
                field.end = position
                position += 1
                if position < end, bytes[position] != Self.comma, bytes[position] != Self.lf, bytes[position] != Self.cr {
                    throw Failure(offset: position, message: "unexpected character after a closing quote",
                                  hint: "write a quote inside a quoted field as \"\"")
                }
            } else {
                while position < end {
                    let byte = bytes[position]
                    if byte == Self.comma || byte == Self.lf || byte == Self.cr { break }
                    position += 1
                }
                field.end = position
            }
            if field.end - field.start > maxFieldBytes {
                throw Failure(offset: field.start, message: "field longer than \(maxFieldBytes) bytes",
                              hint: "is this really a CSV file?")
            }
            fields.append(field)
            if position >= end { break }
            let separator = bytes[position]
            position += 1
            if separator == Self.comma {
                if position >= end {
                    fields.append(FieldSpan(start: end, end: end, quoted: false, escaped: false))
                    break
                }
                continue
            }
            if separator == Self.cr, position < end, bytes[position] == Self.lf { position += 1 }
            break
        }
        return recordStart
    }

    /// Record boundaries that split `start..<end` into about `count` chunks: each boundary is the start
    /// of a line that is not inside a quoted field (found by the parity of the quotes before it).
    static func chunkBoundaries(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int, count: Int) -> [Int] {
        guard count > 1, end - start > count else { return [start, end] }
        var boundaries = [start]
        var quotes = 0
        var scanned = start
        let base = bytes.baseAddress!
        for k in 1..<count {
            let target = start + (end - start) * k / count
            guard target > scanned else { continue }
            // Quotes between the last position and the target, with memchr.
            var p = scanned
            while p < target, let found = memchr(base + p, Int32(quote), target - p) {
                quotes += 1
                p = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
            }
            // Walk to the end of the line, outside quotes.
            var i = target
            var inside = quotes % 2 == 1
            while i < end {
                let byte = bytes[i]
                if byte == quote { inside.toggle(); quotes += 1 } else if !inside && (byte == lf || byte == cr) { break }
                i += 1
            }
            while i < end, bytes[i] == lf || bytes[i] == cr { i += 1 }
            scanned = i
            if i < end, i > boundaries.last! { boundaries.append(i) }
        }
        boundaries.append(end)
        return boundaries
    }

    /// The text of a field, with doubled quotes undone.
    func text(of field: FieldSpan) -> String {
        let slice = UnsafeBufferPointer(rebasing: bytes[field.start..<field.end])
        let raw = String(decoding: slice, as: UTF8.self)
        return field.escaped ? raw.replacing("\"\"", with: "\"") : raw
    }

    /// 1-based line and byte column of an offset.
    func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        var i = 0
        let limit = min(offset, bytes.count)
        while i < limit {
            if bytes[i] == Self.lf || (bytes[i] == Self.cr && (i + 1 >= bytes.count || bytes[i + 1] != Self.lf)) {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        return (line, offset - lineStart + 1)
    }
}

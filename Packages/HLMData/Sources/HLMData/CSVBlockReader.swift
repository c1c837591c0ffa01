import Foundation

/// Reads a CSV file (or standard input) a block of records at a time, for fits that do not keep the
/// rows (`--streaming`): each block is a ``DataFrame`` with the file's header, its rows numbered as
/// in the whole file, and any error naming the file's own line. Memory is one block, whatever the
/// file's length. A block ends at a record boundary (outside quotes).
public struct CSVBlockReader {
    public let source: String
    private let handle: FileHandle
    private let reader: CSVReader
    /// Bytes read per block (the last record is completed beyond it).
    private let blockBytes: Int
    private var header: Data?
    /// The header's physical lines (more than one when a quoted name holds a newline).
    private var headerLines = 0
    private var pending = Data()
    private var finished = false
    /// Records and physical lines handed out so far (lines include the header's).
    public private(set) var rowsRead = 0
    private var linesRead = 0
    public private(set) var bytesRead = 0

    public init(path: String, codebook: Codebook? = nil, blockBytes: Int = 16 << 20) throws(DataError) {
        source = path == "-" ? "<stdin>" : path
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .cannotRead(file: path, reason: "no such file") }
            guard !isDirectory.boolValue else { throw .cannotRead(file: path, reason: "it is a directory") }
            guard let opened = FileHandle(forReadingAtPath: path) else { throw .cannotRead(file: path, reason: "permission denied?") }
            handle = opened
        }
        // Each block parsed on every core, as a whole file is.
        reader = CSVReader(codebook: codebook)
        self.blockBytes = max(1 << 10, blockBytes)
    }

    /// The next block of rows, or nil at the end of the input.
    public mutating func next() throws(DataError) -> DataFrame? {
        while !finished, pending.count < blockBytes {
            let chunk = (try? handle.read(upToCount: blockBytes)) ?? nil
            guard let chunk, !chunk.isEmpty else { finished = true; break }
            pending.append(chunk)
            bytesRead += chunk.count
        }
        if header == nil {
            guard let end = Self.recordEnd(pending, from: 0, last: false) else {
                if pending.isEmpty { throw .malformed(InputLocation(file: source, line: 1), message: "the file is empty", hint: "expected a header row of column names") }
                header = pending
                pending = Data()
                return try frame(Data(), lines: 0)
            }
            header = pending.prefix(end)
            headerLines = Self.newlines(in: header!)
            linesRead = headerLines
            pending = Data(pending.suffix(from: pending.startIndex + end))
        }
        guard !pending.isEmpty else { return nil }
        // The block: every whole record read (all of it at the end of the input).
        let end = finished ? pending.count : (Self.recordEnd(pending, from: 0, last: true) ?? 0)
        guard end > 0 else {
            // One record longer than a block: read on until it ends.
            guard !finished else { return nil }
            let chunk = (try? handle.read(upToCount: blockBytes)) ?? nil
            if let chunk, !chunk.isEmpty { pending.append(chunk); bytesRead += chunk.count } else { finished = true }
            return try next()
        }
        let body = pending.prefix(end)
        pending = Data(pending.suffix(from: pending.startIndex + end))
        let lines = Self.newlines(in: body)
        return try frame(Data(body), lines: lines)
    }

    private mutating func frame(_ body: Data, lines: Int) throws(DataError) -> DataFrame {
        var bytes = header!
        bytes.append(body)
        let firstLine = linesRead
        var frame: DataFrame
        do {
            frame = try reader.read(data: bytes, source: source)
        } catch {
            // The block's line numbers are the file's less the lines before the block (past the header).
            if case .malformed(var location, let message, let hint) = error {
                if location.line > headerLines { location.line += firstLine - headerLines }
                throw .malformed(location, message: message, hint: hint)
            }
            throw error
        }
        frame.originalRows = Array(rowsRead..<(rowsRead + frame.rowCount))
        rowsRead += frame.rowCount
        linesRead += lines
        return frame
    }

    private static func newlines(in data: Data) -> Int {
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var count = 0
            for byte in bytes where byte == 0x0A { count += 1 }
            return count
        }
    }

    /// The end (just past the newline) of the first record from `from`, or with `last` of the last whole
    /// record; nil when no record ends in `data`. Newlines inside quotes do not end a record: a newline
    /// ends one when the quotes before it are even in number (memchr and memrchr: few quotes, fast).
    static func recordEnd(_ data: Data, from start: Int, last: Bool) -> Int? {
        data.withUnsafeBytes { raw -> Int? in
            guard let base = raw.baseAddress, raw.count > start else { return nil }
            let count = raw.count
            func quotes(before end: Int) -> Int {
                var n = 0, p = start
                while p < end, let found = memchr(base + p, 0x22, end - p) {
                    n += 1
                    p = base.distance(to: UnsafeRawPointer(found)) + 1
                }
                return n
            }
            if !last {
                var p = start
                while p < count, let found = memchr(base + p, 0x0A, count - p) {
                    let end = base.distance(to: UnsafeRawPointer(found))
                    if quotes(before: end) % 2 == 0 { return end + 1 }
                    p = end + 1
                }
                return nil
            }
            let bytes = base.assumingMemoryBound(to: UInt8.self)
            var end = count - 1
            while end >= start {
                if bytes[end] == 0x0A, quotes(before: end) % 2 == 0 { return end + 1 }
                end -= 1
            }
            return nil
        }
    }
}

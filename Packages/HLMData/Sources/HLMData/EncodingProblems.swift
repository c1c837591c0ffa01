#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// NUL bytes and invalid UTF-8 found in parts of the input, checked on several threads (one slot per
/// part, each written by one thread). The first NUL anywhere is reported before the first invalid
/// UTF-8, as one pass over the whole input would.
final class EncodingProblems: @unchecked Sendable {
    private var nul: [Int?]
    private var invalid: [Int?]
    private let lock = NSLock()

    init(count: Int) {
        nul = Array(repeating: nil, count: count)
        invalid = Array(repeating: nil, count: count)
    }

    /// Checks `range`; true when it is clean.
    func check(_ part: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard !range.isEmpty, let base = bytes.baseAddress else { return true }
        var nulOffset: Int? = nil
        if let found = memchr(base + range.lowerBound, 0, range.count) {
            nulOffset = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
        let invalidOffset = nulOffset == nil ? UTF8Validation.firstInvalidByte(bytes, from: range.lowerBound, to: range.upperBound) : nil
        lock.lock()
        nul[part] = nulOffset
        invalid[part] = invalidOffset
        lock.unlock()
        return nulOffset == nil && invalidOffset == nil
    }

    /// The problem to report, if any: offset, message, hint.
    func first(in bytes: UnsafeBufferPointer<UInt8>) -> (Int, String, String)? {
        lock.lock()
        defer { lock.unlock() }
        if let offset = nul.compactMap({ $0 }).min() {
            return (offset, "NUL byte in the file", "is this a binary file, or UTF-16? save it as UTF-8 CSV")
        }
        if let offset = invalid.compactMap({ $0 }).min() {
            return (offset, "invalid UTF-8 (byte 0x\(String(bytes[offset], radix: 16, uppercase: true)))", "save the file as UTF-8")
        }
        return nil
    }
}

import Foundation
import _HLMSupport

/// Columns of numbers as CSV bytes, fast: rows written in two halves on two threads straight into
/// byte buffers (the general ``CSVWriter`` builds a String field by field: 2 s for 1M × 5 numbers).
/// Numbers as ``CSVWriter`` writes them (the shortest form that reads back exactly; NaN as NA).
public enum NumericCSV {
    /// `significantDigits`: nil writes each number in the shortest form that reads back exactly; 15
    /// writes 15 significant digits, as R's `write.csv` does, several times faster (large outputs).
    public static func bytes(header: [String], columns: [[Double]], significantDigits: Int? = nil) -> [UInt8] {
        parts(header: header, columns: columns, significantDigits: significantDigits).reduce(into: []) { $0 += $1 }
    }

    /// The CSV in parts (the header, then each thread's rows), to be written one after another.
    public static func parts(header: [String], columns: [[Double]], significantDigits: Int? = nil) -> [[UInt8]] {
        let rows = columns.first?.count ?? 0
        let head = Array((header.map(CSVWriter.quoted).joined(separator: ",") + "\n").utf8)
        let parts = rows >= 100_000 ? 2 : 1
        let results = ResultSlots(parts)
        // One flat array (column after column): no per-row retain of the column arrays.
        let flat = columns.flatMap { $0 }, width = columns.count
        ParallelWork.run(parts) { part in
            let start = rows * part / parts, end = rows * (part + 1) / parts
            var out: [UInt8] = []
            out.reserveCapacity((end - start) * width * 20)
            flat.withUnsafeBufferPointer { values in
                for row in start..<end {
                    for k in 0..<width {
                        if k > 0 { out.append(UInt8(ascii: ",")) }
                        if significantDigits == 15 { append15(values[k * rows + row], to: &out) } else { append(values[k * rows + row], to: &out) }
                    }
                    out.append(UInt8(ascii: "\n"))
                }
            }
            results.set(part, out)
        }
        return [head] + (0..<parts).map { results.get($0) }
    }

    @inline(__always)
    static func append(_ x: Double, to out: inout [UInt8]) {
        if x.isNaN { out.append(UInt8(ascii: "N")); out.append(UInt8(ascii: "A")); return }
        if x.isInfinite { out += Array((x < 0 ? "-Inf" : "Inf").utf8); return }
        if x == x.rounded(), abs(x) < 1e15 {
            var v = Int64(x)
            if v < 0 { out.append(UInt8(ascii: "-")); v = -v }
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            withUnsafeMutableBytes(of: &digits) { buffer in
                repeat {
                    buffer[count] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                    count += 1
                } while v > 0
                for i in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[i]) }
            }
            return
        }
        var text = x.description
        text.withUTF8 { out.append(contentsOf: $0) }
    }
}

extension NumericCSV {
    /// Exact powers of ten (up to 1e22 every one is a double exactly).
    static let powers: [Double] = (0...22).map { Foundation.pow(10, Double($0)) }

    /// `x` with 15 significant digits, trailing zeros dropped: digits from one scaled rounding, no
    /// String (numbers outside 1e-5…1e15 in magnitude fall back to the shortest exact form).
    @inline(__always)
    static func append15(_ x: Double, to out: inout [UInt8]) {
        guard x.isFinite, x != 0, x != x.rounded() || abs(x) >= 1e15 else { return append(x, to: &out) }
        let v = abs(x)
        var e = Int(Foundation.floor(Foundation.log10(v)))
        guard e >= -5, e <= 14 else { return append(x, to: &out) }
        var m = (v * powers[14 - e]).rounded()
        if m >= 1e15 { e += 1; guard e <= 14 else { return append(x, to: &out) }; m = (v * powers[14 - e]).rounded() }
        if m < 1e14 { e -= 1; guard e >= -5 else { return append(x, to: &out) }; m = (v * powers[14 - e]).rounded() }
        var digits: (UInt64, UInt64) = (0, 0)   // 16 bytes of stack for the 15 digits
        withUnsafeMutableBytes(of: &digits) { digits in
            var n = UInt64(m)
            for i in stride(from: 14, through: 0, by: -1) {
                digits[i] = UInt8(n % 10)
                n /= 10
            }
            var last = 14
            while last > 0 && digits[last] == 0 { last -= 1 }
            if x < 0 { out.append(UInt8(ascii: "-")) }
            let zero = UInt8(ascii: "0")
            if e >= 0 {
                for i in 0...e { out.append(zero + digits[i]) }
                if last > e {
                    out.append(UInt8(ascii: "."))
                    for i in (e + 1)...last { out.append(zero + digits[i]) }
                }
            } else {
                out.append(zero)
                out.append(UInt8(ascii: "."))
                for _ in 0..<(-e - 1) { out.append(zero) }
                for i in 0...last { out.append(zero + digits[i]) }
            }
        }
    }
}

/// One slot per part for the threads' results.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [[UInt8]]
    init(_ count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ index: Int, _ value: [UInt8]) { slots[index] = value }
    func get(_ index: Int) -> [UInt8] { slots[index] }
}

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
            if significantDigits == 15 {
                // Straight into a buffer of the largest size the rows can take (32 bytes a number).
                let capacity = (end - start) * width * 32 + 1
                let out = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                    var pos = 0
                    let base = buffer.baseAddress!
                    flat.withUnsafeBufferPointer { values in
                        for row in start..<end {
                            for k in 0..<width {
                                if k > 0 { base[pos] = UInt8(ascii: ","); pos += 1 }
                                write15(values[k * rows + row], to: base, &pos)
                            }
                            base[pos] = UInt8(ascii: "\n")
                            pos += 1
                        }
                    }
                    count = pos
                }
                results.set(part, out)
                return
            }
            var out: [UInt8] = []
            out.reserveCapacity((end - start) * width * 20)
            flat.withUnsafeBufferPointer { values in
                for row in start..<end {
                    for k in 0..<width {
                        if k > 0 { out.append(UInt8(ascii: ",")) }
                        append(values[k * rows + row], to: &out)
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
    /// Exact powers of ten (up to 1e22 every one is a double exactly), and their inverses.
    static let powers: [Double] = (0...22).map { Foundation.pow(10, Double($0)) }
    static let inversePowers: [Double] = (0...22).map { Foundation.pow(10, -Double($0)) }

    /// ⌊log₁₀ v⌋ from the binary exponent, corrected by one comparison (for 1e-20 < v < 1e20).
    @inline(__always)
    static func decimalExponent(_ v: Double) -> Int {
        var e = Int((Double(v.exponent) * 0.30102999566398120).rounded(.down))
        let p = e >= 0 ? powers[e] : inversePowers[-e]
        if v >= p * 10 { e += 1 } else if v < p { e -= 1 }
        return e
    }

    /// v · 10^k rounded to the nearest integer as the exact product rounds: near 10¹⁵ a double's
    /// spacing is 1/8, so the rounded product alone misrounds one number in five; the product's exact
    /// error (a fused multiply-add, 10^k being exact) settles it, as printf's exact decimal does.
    @inline(__always)
    static func scaledRounded(_ v: Double, _ k: Int) -> Double {
        let scale = powers[k]
        let p = v * scale
        let error = Foundation.fma(v, scale, -p)
        var r = p.rounded()
        let d = (p - r) + error
        if d > 0.5 { r += 1 } else if d < -0.5 { r -= 1 } else if d == 0.5 || d == -0.5 {
            // An exact tie: to even, as printf.
            let even = r + (d > 0 ? 1 : -1)
            if even.truncatingRemainder(dividingBy: 2) == 0 { r = even }
        }
        return r
    }

    /// ``append15`` into a buffer with room (at most 32 bytes).
    @inline(__always)
    static func write15(_ x: Double, to out: UnsafeMutablePointer<UInt8>, _ pos: inout Int) {
        let v = abs(x)
        // Whole numbers (row numbers, counts) straight into the buffer: no allocation per number.
        if x.isFinite, x == x.rounded(), v < 1e15 {
            var n = Int64(v)
            if x < 0 && n != 0 { out[pos] = UInt8(ascii: "-"); pos += 1 }
            var digits: (UInt64, UInt64) = (0, 0)
            var count = 0
            withUnsafeMutableBytes(of: &digits) { d in
                repeat { d[count] = UInt8(truncatingIfNeeded: n % 10) &+ UInt8(ascii: "0"); n /= 10; count += 1 } while n > 0
                for i in stride(from: count - 1, through: 0, by: -1) { out[pos] = d[i]; pos += 1 }
            }
            return
        }
        guard x.isFinite, x != 0, v >= 1e-5, v < 1e15, x != x.rounded() else {
            var bytes: [UInt8] = []
            if x == x.rounded() && v < 1e15 && x.isFinite { append(x, to: &bytes) } else { append15(x, to: &bytes) }
            for b in bytes { out[pos] = b; pos += 1 }
            return
        }
        var e = decimalExponent(v)
        var m = scaledRounded(v, 14 - e)
        if m >= 1e15 { e += 1; m = scaledRounded(v, 14 - e) }
        if m < 1e14 { e -= 1; m = scaledRounded(v, 14 - e) }
        guard e >= -5, e <= 14 else {
            var bytes: [UInt8] = []
            append(x, to: &bytes)
            for b in bytes { out[pos] = b; pos += 1 }
            return
        }
        var n = UInt64(m)
        var digits: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &digits) { d in
            for i in stride(from: 14, through: 0, by: -1) {
                d[i] = UInt8(truncatingIfNeeded: n % 10) &+ UInt8(ascii: "0")
                n /= 10
            }
            var last = 14
            while last > 0 && d[last] == UInt8(ascii: "0") { last -= 1 }
            if x < 0 { out[pos] = UInt8(ascii: "-"); pos += 1 }
            if e >= 0 {
                for i in 0...e { out[pos] = d[i]; pos += 1 }
                if last > e {
                    out[pos] = UInt8(ascii: "."); pos += 1
                    for i in (e + 1)...last { out[pos] = d[i]; pos += 1 }
                }
            } else {
                out[pos] = UInt8(ascii: "0"); out[pos + 1] = UInt8(ascii: "."); pos += 2
                for _ in 0..<(-e - 1) { out[pos] = UInt8(ascii: "0"); pos += 1 }
                for i in 0...last { out[pos] = d[i]; pos += 1 }
            }
        }
    }

    /// `x` with 15 significant digits, trailing zeros dropped: digits from one scaled rounding, no
    /// String (numbers outside 1e-5…1e15 in magnitude fall back to the shortest exact form).
    @inline(__always)
    static func append15(_ x: Double, to out: inout [UInt8]) {
        guard x.isFinite, x != 0, x != x.rounded() || abs(x) >= 1e15 else { return append(x, to: &out) }
        let v = abs(x)
        var e = Int(Foundation.floor(Foundation.log10(v)))
        guard e >= -5, e <= 14 else { return append(x, to: &out) }
        var m = scaledRounded(v, 14 - e)
        if m >= 1e15 { e += 1; guard e <= 14 else { return append(x, to: &out) }; m = scaledRounded(v, 14 - e) }
        if m < 1e14 { e -= 1; guard e >= -5 else { return append(x, to: &out) }; m = scaledRounded(v, 14 - e) }
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

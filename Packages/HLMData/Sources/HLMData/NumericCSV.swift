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
        // One flat array (column after column): no per-row retain of the column arrays.
        parts(header: header, columnMajor: columns.flatMap { $0 }, rowCount: columns.first?.count ?? 0,
              significantDigits: significantDigits)
    }

    /// The same from the columns one after another in one array (`header.count` columns of `rowCount`),
    /// for callers that can fill it without forming each column first.
    public static func parts(header: [String], columnMajor flat: [Double], rowCount rows: Int, significantDigits: Int? = nil) -> [[UInt8]] {
        precondition(flat.count == header.count * rows, "NumericCSV: \(flat.count) values for \(header.count) columns of \(rows)")
        let head = Array((header.map(CSVWriter.quoted).joined(separator: ",") + "\n").utf8)
        let parts = rows >= 100_000 ? 2 : 1
        let results = ResultSlots(parts)
        let width = header.count
        ParallelWork.run(parts) { part in
            let start = rows * part / parts, end = rows * (part + 1) / parts
            if significantDigits == 15 {
                // Straight into a buffer of the largest size the rows can take.
                let out = [UInt8](unsafeUninitializedCapacity: (end - start) * width * maximumWidth + 1) { buffer, count in
                    count = flat.withUnsafeBufferPointer { values in
                        let columns = (0..<width).map { UnsafePointer(values.baseAddress! + $0 * rows) }
                        return columns.withUnsafeBufferPointer { format15($0, rows: start..<end, into: buffer.baseAddress!) }
                    }
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

    /// The most bytes ``write15`` writes for one number.
    static let maximumWidth = 32

    /// Rows `rows` of `columns` with 15 significant digits into `out` (room for ``maximumWidth``
    /// bytes a number); returns the bytes written.
    static func format15(_ columns: UnsafeBufferPointer<UnsafePointer<Double>>, rows: Range<Int>,
                         into out: UnsafeMutablePointer<UInt8>) -> Int {
        Tables.with { tables in
            var pos = 0
            for row in rows {
                for k in columns.indices {
                    if k > 0 { out[pos] = UInt8(ascii: ","); pos += 1 }
                    write15(columns[k][row], to: out, &pos, tables)
                }
                out[pos] = UInt8(ascii: "\n")
                pos += 1
            }
            return pos
        }
    }

    /// The CSV with 15 significant digits handed to `sink` a chunk at a time, in order, formatted on
    /// two threads while the last chunks are written (``BlockWriter``). Stops, returning false, when
    /// `sink` does.
    public static func write(header: [String], columns: [[Double]], to sink: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        precondition(columns.count == header.count && columns.allSatisfy { $0.count == columns.first?.count },
                     "NumericCSV: \(columns.count) columns of unequal length for \(header.count) names")
        let head = Array((header.map(CSVWriter.quoted).joined(separator: ",") + "\n").utf8)
        guard head.withUnsafeBytes(sink) else { return false }
        return withColumnPointers(columns) { pointers -> Bool in
            nonisolated(unsafe) let pointers = pointers
            return BlockWriter.write(rows: columns.first?.count ?? 0, rowBytes: max(columns.count, 1) * maximumWidth + 1,
                                     format: { format15(pointers, rows: $0, into: $1) }, to: sink)
        }
    }

    /// Each column's storage, for `body`'s duration.
    static func withColumnPointers<R>(_ columns: [[Double]], _ body: (UnsafeBufferPointer<UnsafePointer<Double>>) -> R) -> R {
        func nest(_ k: Int, _ pointers: inout [UnsafePointer<Double>]) -> R {
            guard k < columns.count else { return pointers.withUnsafeBufferPointer(body) }
            return columns[k].withUnsafeBufferPointer { column in
                // An empty column's base address may be nil: no row reads it.
                pointers.append(column.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                return nest(k + 1, &pointers)
            }
        }
        var pointers: [UnsafePointer<Double>] = []
        return nest(0, &pointers)
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
    static func decimalExponent(_ v: Double, _ tables: Tables) -> Int {
        // ⌊e₂ · log₁₀ 2⌋ in integers (78913 / 2¹⁸ ≈ log₁₀ 2; off by at most one, which the comparison fixes).
        var e = (Int(v.exponent) &* 78913) >> 18
        let p = e >= 0 ? tables.powers[e] : tables.inversePowers[-e]
        if v >= p * 10 { e += 1 } else if v < p { e -= 1 }
        return e
    }

    /// v · 10^k rounded to the nearest integer as the exact product rounds: near 10¹⁵ a double's
    /// spacing is 1/8, so the rounded product alone misrounds one number in five; the product's exact
    /// error (a fused multiply-add, 10^k being exact) settles it, as printf's exact decimal does.
    @inline(__always)
    static func scaledRounded(_ v: Double, _ k: Int, _ tables: Tables) -> Double {
        let scale = tables.powers[k]
        let p = v * scale
        // 0 ≤ p < 2⁵²: adding and removing 2⁵² rounds to an integer in one instruction each.
        var r = (p + 0x1p52) - 0x1p52
        // Below 2⁵⁰ the product's error is at most 1/16: only within 1/16 of a half can it change the
        // rounding, so only there is it computed (a call: the build has no FMA instruction to assume).
        let near = p - r
        guard abs(near) > 0.4375 || p >= 0x1p50 else { return r }
        let error = Foundation.fma(v, scale, -p)
        let d = near + error
        if d > 0.5 { r += 1 } else if d < -0.5 { r -= 1 } else if d == 0.5 || d == -0.5 {
            // An exact tie: to even, as printf.
            let even = r + (d > 0 ? 1 : -1)
            if even.truncatingRemainder(dividingBy: 2) == 0 { r = even }
        }
        return r
    }

    /// The lookup tables' storage, taken once per block of rows (a global's every use checks that it
    /// is initialised).
    struct Tables {
        let powers: UnsafePointer<Double>, inversePowers: UnsafePointer<Double>

        static func with<R>(_ body: (Tables) -> R) -> R {
            NumericCSV.powers.withUnsafeBufferPointer { powers in
                NumericCSV.inversePowers.withUnsafeBufferPointer { inverse in
                    body(Tables(powers: powers.baseAddress!, inversePowers: inverse.baseAddress!))
                }
            }
        }
    }

    /// The eight ASCII digits of `n` < 10⁸, leading zeros included, first digit in the lowest byte:
    /// computed in one register (each lane split by multiplying by a reciprocal), no table, no memory.
    @inline(__always)
    static func eightDigits(_ n: UInt64) -> UInt64 {
        // Two 4-digit halves in 32-bit lanes, the first in the low lane.
        let v = (n / 10_000) | ((n % 10_000) << 32)
        // x / 100 = (x · 10486) >> 20 for x < 43,699; the pairs into 16-bit lanes.
        let hundreds = ((v &* 10486) >> 20) & 0x0000_007F_0000_007F
        let w = hundreds | ((v &- hundreds &* 100) << 16)
        // x / 10 = (x · 103) >> 10 for x < 179; the digits into bytes.
        let tens = ((w &* 103) >> 10) & 0x000F_000F_000F_000F
        return (tens | ((w &- tens &* 10) << 8)) | 0x3030_3030_3030_3030
    }

    /// The sixteen ASCII digits of `n` < 10¹⁶, leading zeros included, digit i in byte i.
    @inline(__always)
    static func sixteenDigits(_ n: UInt64) -> UInt128 {
        UInt128(eightDigits(n / 100_000_000)) | (UInt128(eightDigits(n % 100_000_000)) << 64)
    }

    /// Writes the 16 bytes of `digits` at `out + pos` (the buffer has room: 32 bytes a number) and
    /// moves `pos` on by `count` of them.
    @inline(__always)
    static func put(_ digits: UInt128, _ out: UnsafeMutablePointer<UInt8>, _ pos: inout Int, count: Int) {
        UnsafeMutableRawPointer(out + pos).storeBytes(of: digits, as: UInt128.self)
        pos += count
    }

    /// ``append15`` into a buffer with room (at most 32 bytes).
    @inline(__always)
    static func write15(_ x: Double, to out: UnsafeMutablePointer<UInt8>, _ pos: inout Int, _ tables: Tables) {
        let v = abs(x), zeros = UInt128(0x3030_3030_3030_3030) | (UInt128(0x3030_3030_3030_3030) << 64)
        // Whole numbers (row numbers, counts) straight into the buffer (`v < 1e15` is false for NaN).
        if v < 1e15, Double(Int64(v)) == v {
            if x < 0 && v != 0 { out[pos] = UInt8(ascii: "-"); pos += 1 }
            let d = sixteenDigits(UInt64(v))
            // Leading zeros: the lowest bytes equal to "0" (at most 15: zero itself is one digit).
            let first = min(15, (d ^ zeros).trailingZeroBitCount / 8)
            put(d >> (8 * first), out, &pos, count: 16 - first)
            return
        }
        guard x.isFinite, v >= 1e-5, v < 1e15 else {
            var bytes: [UInt8] = []
            append15(x, to: &bytes)
            for b in bytes { out[pos] = b; pos += 1 }
            return
        }
        var e = decimalExponent(v, tables)
        var m = scaledRounded(v, 14 - e, tables)
        // (Rounding up to 10¹⁵ below 10¹⁵, e would be 15: the shortest form then.)
        if m >= 1e15 {
            guard e < 14 else {
                // Just below 10¹⁵, rounding up to it: printf's 1e+15, written whole.
                if x < 0 { out[pos] = UInt8(ascii: "-"); pos += 1 }
                out[pos] = UInt8(ascii: "1"); pos += 1
                for _ in 0..<15 { out[pos] = UInt8(ascii: "0"); pos += 1 }
                return
            }
            e += 1; m = scaledRounded(v, 14 - e, tables)
        }
        if m < 1e14 { e -= 1; m = scaledRounded(v, 14 - e, tables) }
        guard e >= -5, e <= 14 else {
            var bytes: [UInt8] = []
            append(x, to: &bytes)
            for b in bytes { out[pos] = b; pos += 1 }
            return
        }
        // Sixteen digits of m < 10¹⁵: a leading zero, then the fifteen significant ones in bytes 1...15;
        // `last`, the last that is not a trailing zero (byte 1 never is: m ≥ 10¹⁴).
        let d = sixteenDigits(UInt64(m))
        let last = (127 - (d ^ zeros).leadingZeroBitCount) / 8
        if x < 0 { out[pos] = UInt8(ascii: "-"); pos += 1 }
        if e >= 0 {
            put(d >> 8, out, &pos, count: e + 1)
            if last > e + 1 {
                out[pos] = UInt8(ascii: "."); pos += 1
                put(d >> (8 * (e + 2)), out, &pos, count: last - e - 1)
            }
        } else {
            // "0." and up to four zeros, then the digits.
            UnsafeMutableRawPointer(out + pos).storeBytes(of: UInt64(0x3030_3030_3030_2E30), as: UInt64.self)
            pos += 1 - e
            put(d >> 8, out, &pos, count: last)
        }
    }

    /// `x` in the shortest form that reads back exactly, as ``append(_:to:)`` writes it, into a buffer
    /// with room: when 15 significant digits read back exactly (data read from a file mostly has
    /// fewer), those digits with trailing zeros dropped are the shortest form, written without a
    /// String; otherwise Swift's own shortest form.
    @inline(__always)
    static func writeShortest(_ x: Double, to out: UnsafeMutablePointer<UInt8>, _ pos: inout Int, _ tables: Tables) {
        let v = abs(x)
        // (Swift writes numbers below 1e-4 with an exponent: those take the String path.)
        if v >= 1e-4, v < 1e14, Double(Int64(v)) != v {
            var e = decimalExponent(v, tables)
            var m = scaledRounded(v, 14 - e, tables)
            if m >= 1e15 { e += 1; m = scaledRounded(v, 14 - e, tables) }
            if m < 1e14 { e -= 1; m = scaledRounded(v, 14 - e, tables) }
            // m and 10^k are exact, so the quotient is the decimal's correctly rounded double. Two
            // decimals of 15 digits are further apart than a double's spacing, so when this one reads
            // back as v it is the shortest (a shorter one would be this one with zeros).
            if e >= -4, e <= 13, m < 1e15, m / tables.powers[14 - e] == v {
                return write15(x, to: out, &pos, tables)
            }
        } else if v < 1e15, Double(Int64(v)) == v {
            return write15(x, to: out, &pos, tables)
        }
        var bytes: [UInt8] = []
        append(x, to: &bytes)
        for b in bytes { out[pos] = b; pos += 1 }
    }

    /// `x` with 15 significant digits, trailing zeros dropped: digits from one scaled rounding, no
    /// String (numbers outside 1e-5…1e15 in magnitude fall back to the shortest exact form).
    @inline(__always)
    static func append15(_ x: Double, to out: inout [UInt8]) {
        guard x.isFinite, x != 0, x != x.rounded() || abs(x) >= 1e15 else { return append(x, to: &out) }
        let v = abs(x)
        // (The band by value, not by the estimate: log10 of a number just below 1e-5 rounds to -5.)
        guard v >= 1e-5, v < 1e15 else { return append(x, to: &out) }
        let estimate = max(-5, min(14, Int(Foundation.floor(Foundation.log10(v)))))
        let scaled = Tables.with { tables -> (Int, Double)? in
            var e = estimate, m = scaledRounded(v, 14 - e, tables)
            if m >= 1e15 { e += 1; guard e <= 14 else { return (15, 1e14) /* 10¹⁵ whole: sixteen digits */ }; m = scaledRounded(v, 14 - e, tables) }
            if m < 1e14 { e -= 1; guard e >= -5 else { return nil }; m = scaledRounded(v, 14 - e, tables) }
            return (e, m)
        }
        guard let scaled else { return append(x, to: &out) }
        let (e, m) = scaled
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

extension NumericCSV {
    /// Columns of numbers to be written with 15 significant digits (the residuals file).
    public struct Table: Sendable {
        public let header: [String]
        public let columns: [[Double]]

        public init(header: [String], columns: [[Double]]) {
            precondition(columns.count == header.count && columns.allSatisfy { $0.count == columns.first?.count },
                         "NumericCSV.Table: \(columns.count) columns of unequal length for \(header.count) names")
            (self.header, self.columns) = (header, columns)
        }

        /// The CSV in parts (``NumericCSV/parts(header:columns:significantDigits:)``).
        public func parts() -> [[UInt8]] { NumericCSV.parts(header: header, columns: columns, significantDigits: 15) }

        /// The CSV a block at a time (``NumericCSV/write(header:columns:to:)``).
        public func write(to sink: (UnsafeRawBufferPointer) -> Bool) -> Bool { NumericCSV.write(header: header, columns: columns, to: sink) }
    }
}

/// One slot per part for the threads' results.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [[UInt8]]
    init(_ count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ index: Int, _ value: [UInt8]) { slots[index] = value }
    func get(_ index: Int) -> [UInt8] { slots[index] }
}

import Foundation

/// Columns of numbers as CSV bytes, fast: rows formatted on two threads straight into byte buffers
/// (``BlockWriter``; the general ``CSVWriter`` once built a String field by field: 2 s for 1M × 5
/// numbers). Numbers as ``CSVWriter`` writes them (the shortest form that reads back exactly; NaN as NA).
public enum NumericCSV {
    /// `significantDigits`: nil writes each number in the shortest form that reads back exactly; 15
    /// writes 15 significant digits, as R's `write.csv` does (large outputs).
    public static func bytes(header: [String], columns: [[Double]], significantDigits: Int? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        _ = write(header: header, columns: columns, significantDigits: significantDigits) { bytes += $0; return true }
        return bytes
    }

    /// The CSV in parts (the header, then chunks of rows), to be written one after another.
    public static func parts(header: [String], columns: [[Double]], significantDigits: Int? = nil) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        _ = write(header: header, columns: columns, significantDigits: significantDigits) { parts.append(Array($0)); return true }
        return parts
    }

    /// The most bytes ``write15`` writes for one number.
    static let maximumWidth = 32

    /// Rows `rows` of `columns` into `out` (room for ``maximumWidth`` bytes a number), with 15
    /// significant digits or in the shortest exact form; returns the bytes written.
    static func format(_ columns: UnsafeBufferPointer<UnsafePointer<Double>>, rows: Range<Int>, fifteenDigits: Bool,
                       into out: UnsafeMutablePointer<UInt8>) -> Int {
        Tables.with { tables in
            var pos = 0
            for row in rows {
                for k in columns.indices {
                    if k > 0 { out[pos] = UInt8(ascii: ","); pos += 1 }
                    if fifteenDigits { write15(columns[k][row], to: out, &pos, tables) } else { writeShortest(columns[k][row], to: out, &pos, tables) }
                }
                out[pos] = UInt8(ascii: "\n")
                pos += 1
            }
            return pos
        }
    }

    /// The CSV handed to `sink` a chunk at a time, in order, formatted on two threads while the last
    /// chunks are written (``BlockWriter``); `significantDigits` as for ``bytes(header:columns:significantDigits:)``.
    /// Stops, returning false, when `sink` does.
    public static func write(header: [String], columns: [[Double]], significantDigits: Int? = 15,
                             to sink: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        precondition(columns.count == header.count && columns.allSatisfy { $0.count == columns.first?.count },
                     "NumericCSV: \(columns.count) columns of unequal length for \(header.count) names")
        let head = Array((header.map(CSVWriter.quoted).joined(separator: ",") + "\n").utf8)
        guard head.withUnsafeBytes(sink) else { return false }
        let fifteen = significantDigits == 15
        return withColumnPointers(columns) { pointers -> Bool in
            nonisolated(unsafe) let pointers = pointers
            return BlockWriter.write(rows: columns.first?.count ?? 0, rowBytes: max(columns.count, 1) * maximumWidth + 1,
                                     format: { format(pointers, rows: $0, fifteenDigits: fifteen, into: $1) }, to: sink)
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

    /// v (1e-5 ≤ v < 1e15, not whole) as m · 10^(e−14) with 10¹⁴ ≤ m < 10¹⁵ rounded as printf's `%.15g`
    /// rounds; m is 10¹⁵ only where v rounds up to it (e stays 14).
    @inline(__always)
    static func fifteenDigits(_ v: Double, _ tables: Tables) -> (e: Int, m: Double) {
        var e = decimalExponent(v, tables)
        var m = scaledRounded(v, 14 - e, tables)
        if m >= 1e15, e < 14 { e += 1; m = scaledRounded(v, 14 - e, tables) }
        if m < 1e14 { e -= 1; m = scaledRounded(v, 14 - e, tables) }
        return (e, m)
    }

    /// 15 significant digits, trailing zeros dropped, into a buffer with room (at most 32 bytes);
    /// numbers outside 1e-5…1e15 in magnitude in the shortest exact form (``append(_:to:)``).
    @inline(__always)
    static func write15(_ x: Double, to out: UnsafeMutablePointer<UInt8>, _ pos: inout Int, _ tables: Tables) {
        let v = abs(x)
        // Whole numbers (row numbers, counts) straight into the buffer (`v < 1e15` is false for NaN).
        if v < 1e15, Double(Int64(v)) == v { return writeWhole(x, to: out, &pos) }
        guard x.isFinite, v >= 1e-5, v < 1e15 else { return writeShortestString(x, to: out, &pos) }
        let (e, m) = fifteenDigits(v, tables)
        guard m < 1e15 else {
            // Just below 10¹⁵, rounding up to it: printf's 1e+15, written whole.
            return writeWhole(x < 0 ? -1e15 : 1e15, to: out, &pos)
        }
        guard e >= -5 else { return writeShortestString(x, to: out, &pos) }
        writeDigits(negative: x < 0, e: e, m: m, to: out, &pos)
    }

    /// `x` in the shortest form that reads back exactly, as ``append(_:to:)`` writes it, into a buffer
    /// with room: when 15 significant digits read back exactly (data read from a file mostly has
    /// fewer), those digits with trailing zeros dropped are the shortest form, written without a
    /// String; otherwise Swift's own shortest form.
    @inline(__always)
    static func writeShortest(_ x: Double, to out: UnsafeMutablePointer<UInt8>, _ pos: inout Int, _ tables: Tables) {
        let v = abs(x)
        if v < 1e15, Double(Int64(v)) == v { return writeWhole(x, to: out, &pos) }
        // (Swift writes numbers below 1e-4 with an exponent and from 2⁵³ without a point: the String path.)
        if v >= 1e-4, v < 1e14 {
            let (e, m) = fifteenDigits(v, tables)
            // m and 10^k are exact, so the quotient is the decimal's correctly rounded double. Two
            // decimals of 15 digits are further apart than a double's spacing, so when this one reads
            // back as v it is the shortest (a shorter one would be this one with zeros).
            if e >= -4, e <= 13, m < 1e15, m / tables.powers[14 - e] == v {
                return writeDigits(negative: x < 0, e: e, m: m, to: out, &pos)
            }
        }
        writeShortestString(x, to: out, &pos)
    }

    /// A whole number below 10¹⁶ in magnitude (the sign only when not zero).
    @inline(__always)
    static func writeWhole(_ x: Double, to out: UnsafeMutablePointer<UInt8>, _ pos: inout Int) {
        let zeros = UInt128(0x3030_3030_3030_3030) | (UInt128(0x3030_3030_3030_3030) << 64)
        if x < 0 { out[pos] = UInt8(ascii: "-"); pos += 1 }
        let d = sixteenDigits(UInt64(abs(x)))
        // Leading zeros: the lowest bytes equal to "0" (at most 15: zero itself is one digit).
        let first = min(15, (d ^ zeros).trailingZeroBitCount / 8)
        put(d >> (8 * first), out, &pos, count: 16 - first)
    }

    /// The digits of m · 10^(e−14) (10¹⁴ ≤ m < 10¹⁵, −5 ≤ e ≤ 14), trailing zeros dropped.
    @inline(__always)
    static func writeDigits(negative: Bool, e: Int, m: Double, to out: UnsafeMutablePointer<UInt8>, _ pos: inout Int) {
        let zeros = UInt128(0x3030_3030_3030_3030) | (UInt128(0x3030_3030_3030_3030) << 64)
        // Sixteen digits of m < 10¹⁵: a leading zero, then the fifteen significant ones in bytes 1...15;
        // `last`, the last that is not a trailing zero (byte 1 never is: m ≥ 10¹⁴).
        let d = sixteenDigits(UInt64(m))
        let last = (127 - (d ^ zeros).leadingZeroBitCount) / 8
        if negative { out[pos] = UInt8(ascii: "-"); pos += 1 }
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

    /// ``append(_:to:)``'s form (Swift's shortest, NA, Inf) into the buffer.
    static func writeShortestString(_ x: Double, to out: UnsafeMutablePointer<UInt8>, _ pos: inout Int) {
        var bytes: [UInt8] = []
        append(x, to: &bytes)
        for b in bytes { out[pos] = b; pos += 1 }
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

        /// The CSV a block at a time (``NumericCSV/write(header:columns:significantDigits:to:)``).
        public func write(to sink: (UnsafeRawBufferPointer) -> Bool) -> Bool { NumericCSV.write(header: header, columns: columns, to: sink) }
    }
}

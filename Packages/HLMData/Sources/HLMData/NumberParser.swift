#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one CSV field holds when read as a number.
public enum ParsedNumber: Equatable, Sendable {
    case number(Double)
    case missing
    case notANumber
}

/// Parses decimal numbers straight from bytes, without building a String.
///
/// Plain decimals with at most 15 significant digits and a small exponent take Clinger's exact fast
/// path (one multiplication or division by an exact power of ten); anything else that is still a
/// decimal number goes to `strtod`, so every result is correctly rounded. Hexadecimal and other C
/// spellings are refused. Empty fields, `NA`, `.`, and the spellings of NaN are missing; `inf`,
/// `Inf`, `infinity` (with a sign) are infinite.
public enum NumberParser {
    /// Parses the bytes `bytes[start..<end]`, ignoring surrounding spaces and tabs.
    @inlinable
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> ParsedNumber {
        var start = start, end = end
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        if start == end { return .missing }
        return parseTrimmed(bytes, start, end)
    }

    @usableFromInline
    static func parseTrimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> ParsedNumber {
        let (value, stop) = scanNumber(bytes.baseAddress!, start, end)
        guard let value else {
            // No digits: perhaps a word (NA, NaN, inf); digits then junk: not a number.
            return stop == start ? parseWord(bytes, start, end) : .notANumber
        }
        return stop == end ? .number(value) : .notANumber
    }

    /// Reads a decimal number starting at `start`, stopping at the first byte that cannot continue it
    /// (or at `limit`). Returns the value and where it stopped; nil with `stop == start` when there
    /// are no digits, nil with `stop > start` when the number is malformed (an exponent without digits).
    /// The CSV reader calls this on the raw record, so a field is scanned and converted in one pass.
    @inline(__always)
    static func scanNumber(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ limit: Int) -> (Double?, stop: Int) {
        var i = start
        var negative = false
        if i < limit, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        // Digits accumulate with wrapping arithmetic; more than 19 of them go to the slow path.
        var mantissa: UInt64 = 0
        var digitCount = readDigits(bytes, &i, limit, &mantissa)
        var fractionDigits = 0
        if i < limit, bytes[i] == UInt8(ascii: ".") {
            i += 1
            fractionDigits = readDigits(bytes, &i, limit, &mantissa)
            digitCount += fractionDigits
        }
        if digitCount == 0 { return (nil, start) }
        var exponent = 0
        if i < limit, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var exponentNegative = false
            if i < limit, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            while i < limit, bytes[i] &- 0x30 < 10 {
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[i] &- 0x30) }
                i += 1
            }
            if i == exponentStart { return (nil, i) }
            if exponentNegative { exponent = -exponent }
        }
        let decimalExponent = exponent - fractionDigits
        if digitCount <= 19, mantissa <= 1 << 53, decimalExponent >= -22, decimalExponent <= 22 {
            let value = Double(mantissa)
            let scaled = decimalExponent < 0
                ? value / powerOfTen(-decimalExponent) : value * powerOfTen(decimalExponent)
            return (negative ? -scaled : scaled, i)
        }
        #if arch(x86_64)
        if digitCount <= 19, decimalExponent >= -27, decimalExponent <= 27,
           let value = extendedPrecision(mantissa, decimalExponent) {
            return (negative ? -value : value, i)
        }
        #endif
        return (slowParse(bytes, start, i), i)
    }

    /// The common number, `[-+]d…d[.d…d]` with at most seven digits before the point, at most fifteen
    /// after it, at most nineteen in all and no exponent, read from at most three eight-byte loads
    /// without loops; nil for anything else (the caller then uses `scanNumber`, which reads every form).
    /// Reads at most 25 bytes from `start`; the caller guarantees 32.
    @inline(__always)
    static func scanShortNumber(_ bytes: UnsafePointer<UInt8>, _ start: Int) -> (Double, stop: Int)? {
        // Signs are as likely as not in real data: no branches on them (a mispredicted branch costs more
        // than the rest of a short number).
        let first = bytes[start]
        let negative = first == UInt8(ascii: "-")
        let signBit: UInt64 = negative ? 1 << 63 : 0
        var i = start + (negative || first == UInt8(ascii: "+") ? 1 : 0)
        let integerWord = UnsafeRawPointer(bytes + i).loadUnaligned(as: UInt64.self)
        let integerDigits = digitCount(integerWord)
        guard integerDigits > 0, integerDigits < 8 else { return nil }
        var mantissa = UInt64(eightDigitsValue(padded(integerWord, integerDigits)))
        i += integerDigits
        var fractionDigits = 0
        if bytes[i] == UInt8(ascii: ".") {
            let fractionWord = UnsafeRawPointer(bytes + i + 1).loadUnaligned(as: UInt64.self)
            fractionDigits = digitCount(fractionWord)
            if fractionDigits < 8 {
                if fractionDigits > 0 {
                    mantissa = mantissa &* smallPowersOfTen[fractionDigits] &+ UInt64(eightDigitsValue(padded(fractionWord, fractionDigits)))
                }
            } else {
                // Eight fraction digits and up to seven more (15 significant digits, as R and Stata write).
                let secondWord = UnsafeRawPointer(bytes + i + 9).loadUnaligned(as: UInt64.self)
                let more = digitCount(secondWord)
                // At most 19 digits, so the mantissa cannot wrap.
                guard more < 8, integerDigits + 8 + more <= 19 else { return nil }
                mantissa = mantissa &* 100_000_000 &+ UInt64(eightDigitsValue(fractionWord))
                if more > 0 { mantissa = mantissa &* smallPowersOfTen[more] &+ UInt64(eightDigitsValue(padded(secondWord, more))) }
                fractionDigits = 8 + more
            }
            i += 1 + fractionDigits
        }
        let next = bytes[i]
        guard next != UInt8(ascii: "e"), next != UInt8(ascii: "E"), mantissa <= 1 << 53 else { return nil }
        // Clinger's fast path: the mantissa and 10^k (k ≤ 15) are exact doubles, so one division rounds
        // once. The sign goes on the divisor, known before the division ends (−0 stays −0).
        let divisor = Double(bitPattern: powerOfTen(fractionDigits).bitPattern | signBit)
        return (Double(Int64(bitPattern: mantissa)) / divisor, i)
    }

    /// How many of a little-endian word's bytes, from the lowest, are ASCII digits before the first that is not.
    @inline(__always)
    static func digitCount(_ word: UInt64) -> Int {
        (digitPattern(word) ^ 0x3333_3333_3333_3333).trailingZeroBitCount / 8
    }

    /// The first n (1…7) digits of a word moved to its top, '0's below: eight digits with the same value.
    @inline(__always)
    static func padded(_ word: UInt64, _ n: Int) -> UInt64 {
        n == 8 ? word : (word << UInt64((8 - n) * 8)) | (0x3030_3030_3030_3030 >> UInt64(n * 8))
    }

    /// Reads a run of digits at `i` into `mantissa` (wrapping: the caller checks the count), eight
    /// bytes at a time where eight can be loaded: one load finds how many of them are digits, and their
    /// value comes from one word (SWAR). Returns how many digits there were.
    @inline(__always)
    static func readDigits(_ bytes: UnsafePointer<UInt8>, _ i: inout Int, _ limit: Int, _ mantissa: inout UInt64) -> Int {
        let start = i
        while i + 8 <= limit {
            let word = UnsafeRawPointer(bytes + i).loadUnaligned(as: UInt64.self)
            let nonDigits = digitPattern(word) ^ 0x3333_3333_3333_3333
            if nonDigits == 0 {
                mantissa = mantissa &* 100_000_000 &+ UInt64(eightDigitsValue(word))
                i += 8
                continue
            }
            let n = nonDigits.trailingZeroBitCount / 8
            if n > 0 {
                mantissa = mantissa &* smallPowersOfTen[n] &+ UInt64(eightDigitsValue(padded(word, n)))
                i += n
            }
            return i - start
        }
        while i < limit {
            let digit = bytes[i] &- 0x30
            if digit >= 10 { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            i += 1
        }
        return i - start
    }

    /// Per byte of a little-endian word: 0x33 exactly when the byte is an ASCII digit (a byte's high
    /// nibble must be 3, and stay 3 when 6 is added). Carries between bytes need a byte ≥ 0xFA, which is
    /// not a digit and not in valid UTF-8, so they never hide a non-digit before them.
    @inline(__always)
    static func digitPattern(_ word: UInt64) -> UInt64 {
        (word & 0xF0F0_F0F0_F0F0_F0F0) | (((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4)
    }

    static let smallPowersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// The value of eight ASCII digits (first digit in the lowest byte), by pairwise combination:
    /// digits → 2-digit → 4-digit → 8-digit numbers within the word.
    @inline(__always)
    static func eightDigitsValue(_ word: UInt64) -> UInt32 {
        var value = word &- 0x3030_3030_3030_3030
        value = value &* 10 &+ (value >> 8)
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        let high: UInt64 = 100 &+ (1_000_000 << 32), low: UInt64 = 1 &+ (10_000 << 32)
        value = ((value & mask) &* high &+ ((value >> 16) & mask) &* low) >> 32
        return UInt32(truncatingIfNeeded: value)
    }

    #if arch(x86_64)
    /// Up to 19 digits times 10^k, |k| ≤ 27, in x87 extended precision: the mantissa and 10^|k| are
    /// exact there, so the product or quotient is rounded once, to 64 bits. Rounding that to a double is
    /// then exact unless it sits within one extended ulp of a halfway point between two doubles — those
    /// rare cases (and results outside the normal range) go to strtod.
    @usableFromInline
    static func extendedPrecision(_ mantissa: UInt64, _ exponent: Int) -> Double? {
        let power = extendedPowersOfTen[abs(exponent)]
        let value = exponent < 0 ? Float80(mantissa) / power : Float80(mantissa) * power
        guard value == 0 || (value > 1e-300 && value < 1e300) else { return nil }
        let low = value.significandBitPattern & 0x7FF
        guard low < 0x3FF || low > 0x401 else { return nil }
        return Double(value)
    }

    /// 10^k for 0 ≤ k ≤ 27, each exact in extended precision (5^27 < 2^64).
    static let extendedPowersOfTen: [Float80] = {
        var powers: [Float80] = [1]
        for _ in 1...27 { powers.append(powers.last! * 10) }
        return powers
    }()
    #endif

    /// 10^k for 0 ≤ k ≤ 22, all exact in binary64 (a jump table, no loop).
    @inline(__always)
    static func powerOfTen(_ k: Int) -> Double {
        switch k {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// `NA`, `.`, NaN spellings (missing) and infinity spellings.
    static func parseWord(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> ParsedNumber {
        let length = end - start
        guard length <= 9 else { return .notANumber }
        var word = ""
        for i in start..<end { word.unicodeScalars.append(Unicode.Scalar(bytes[i])) }
        switch word {
        case "NA", ".": return .missing
        default: break
        }
        var body = Substring(word)
        var negative = false
        if let first = body.first, first == "-" || first == "+" {
            negative = first == "-"
            body = body.dropFirst()
        }
        switch body.lowercased() {
        case "nan": return .missing
        case "inf", "infinity": return .number(negative ? -.infinity : .infinity)
        default: return .notANumber
        }
    }

    /// Correctly rounded conversion through the C library, for the rare long or extreme numbers.
    static func slowParse(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double {
        let length = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
            for k in 0..<length { buffer[k] = CChar(bitPattern: bytes[start + k]) }
            buffer[length] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    /// Parses a Swift string (for expressions and codebook values).
    public static func parse(_ text: String) -> ParsedNumber {
        var copy = text
        return copy.withUTF8 { parse($0, 0, $0.count) }
    }
}

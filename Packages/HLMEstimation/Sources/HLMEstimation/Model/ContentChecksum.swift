/// FNV-1a, 64 bits: the checksum of saved models and statistics files, so that a file cut short, a
/// changed digit or an edited field is refused instead of used. Not a defence against someone who
/// recomputes it; a check that the content is what hlm wrote.
struct ContentChecksum {
    private(set) var value: UInt64 = 0xcbf29ce484222325

    mutating func add(_ byte: UInt8) { value = (value ^ UInt64(byte)) &* 0x100000001b3 }
    mutating func add(_ word: UInt64) { for k in 0..<8 { add(UInt8(truncatingIfNeeded: word >> (8 * k))) } }
    /// UTF-8, then 0xFF (which UTF-8 never holds), so that "ab","c" and "a","bc" differ.
    mutating func add(_ text: String) {
        for byte in text.utf8 { add(byte) }
        add(UInt8(0xFF))
    }
    mutating func add(_ number: Double) { add(number.bitPattern) }
    mutating func add(_ number: Int) { add(UInt64(bitPattern: Int64(number))) }
    mutating func add<S: Sequence>(_ bytes: S) where S.Element == UInt8 { for byte in bytes { add(byte) } }

    var hex: String { String(value, radix: 16) }
}

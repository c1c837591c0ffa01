/// Finds the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlongs, no surrogates).
enum UTF8Validation {
    /// The offset of the first invalid byte in `bytes[start..<end]`, or nil when all of it is valid.
    static func firstInvalidByte(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0, to end: Int? = nil) -> Int? {
        let end = end ?? bytes.count
        var i = start
        while i < end {
            // ASCII runs, 32 bytes at a time (four words tested at once), then eight.
            let base = UnsafeRawPointer(bytes.baseAddress!)
            while i + 32 <= end {
                let words = base.loadUnaligned(fromByteOffset: i, as: UInt64.self) | base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                    | base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self) | base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
                if words & 0x8080_8080_8080_8080 != 0 { break }
                i += 32
            }
            while i + 8 <= end,
                  UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
            }
            guard i < end else { break }
            let lead = bytes[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return i
            }
            guard i + length <= end else { return i }
            let second = bytes[i + 1]
            guard second >= lower && second <= upper else { return i }
            for k in 2..<max(2, length) where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Interns byte strings straight from the CSV buffer: an open-addressing hash table over an arena,
/// so that a text column costs one hash and (usually) one comparison per field, and no String until
/// the distinct values are known.
struct TextInterner {
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Slots hold an entry index, or -1.
    private var table = [Int32](repeating: -1, count: 64)

    var count: Int { hashes.count }

    /// The code of the bytes `bytes[start..<end]`, adding them when new.
    mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int32 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for i in start..<end { hash = (hash ^ UInt64(bytes[i])) &* 0x100_0000_01B3 }
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        let length = end - start
        // Probe with plain pointers: nothing is mutated until the value is known to be new.
        let found: Int32 = table.withUnsafeBufferPointer { table in
            hashes.withUnsafeBufferPointer { hashes in
                starts.withUnsafeBufferPointer { starts in
                    arena.withUnsafeBufferPointer { arena in
                        while true {
                            let entry = table[slot]
                            if entry < 0 { return -1 }
                            let e = Int(entry)
                            if hashes[e] == hash && starts[e + 1] - starts[e] == length
                                && memcmp(arena.baseAddress! + starts[e], bytes.baseAddress! + start, length) == 0 {
                                return entry
                            }
                            slot = (slot + 1) & mask
                        }
                    }
                }
            }
        }
        if found >= 0 { return found }
        let code = Int32(hashes.count)
        arena.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
        starts.append(arena.count)
        hashes.append(hash)
        table[slot] = code
        if hashes.count * 2 > table.count { grow() }
        return code
    }

    /// The code of a Swift string's UTF-8.
    mutating func intern(_ string: String) -> Int32 {
        var copy = string
        return copy.withUTF8 { intern($0, 0, $0.count) }
    }

    private mutating func grow() {
        table = [Int32](repeating: -1, count: table.count * 2)
        let mask = table.count - 1
        for (e, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
            while table[slot] >= 0 { slot = (slot + 1) & mask }
            table[slot] = Int32(e)
        }
    }

    /// The distinct strings, by code.
    func strings() -> [String] {
        arena.withUnsafeBufferPointer { a in
            (0..<hashes.count).map { e in String(decoding: UnsafeBufferPointer(rebasing: a[starts[e]..<starts[e + 1]]), as: UTF8.self) }
        }
    }
}

/// Sums of values keyed by (row, column) pairs: an open-addressing hash table, for cross products too
/// large to hold densely (the rest block of a design with tens of thousands of crossed levels).
struct PairAccumulator {
    private var keys: [UInt64]
    private var sums: [Double]
    private var mask: Int
    private(set) var count = 0
    private static let empty = UInt64.max

    init(expected: Int) {
        var capacity = 1024
        while capacity < 2 * expected { capacity <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: capacity)
        sums = [Double](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    @inline(__always)
    mutating func add(row: Int, column: Int, _ value: Double) {
        let key = UInt64(row) << 32 | UInt64(column)
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
        while true {
            let found = keys[slot]
            if found == key { sums[slot] += value; return }
            if found == Self.empty {
                keys[slot] = key
                sums[slot] = value
                count += 1
                if 2 * count > keys.count { grow() }
                return
            }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let (oldKeys, oldSums) = (keys, sums)
        keys = [UInt64](repeating: Self.empty, count: 2 * oldKeys.count)
        sums = [Double](repeating: 0, count: 2 * oldKeys.count)
        mask = keys.count - 1
        count = 0
        for (key, sum) in zip(oldKeys, oldSums) where key != Self.empty {
            add(row: Int(key >> 32), column: Int(key & 0xFFFF_FFFF), sum)
        }
    }

    /// The entries, sorted by column then row.
    func sortedEntries() -> [(row: Int32, column: Int32, value: Double)] {
        var entries: [(row: Int32, column: Int32, value: Double)] = []
        entries.reserveCapacity(count)
        for (key, sum) in zip(keys, sums) where key != Self.empty {
            entries.append((Int32(key >> 32), Int32(key & 0xFFFF_FFFF), sum))
        }
        entries.sort { ($0.column, $0.row) < ($1.column, $1.row) }
        return entries
    }
}

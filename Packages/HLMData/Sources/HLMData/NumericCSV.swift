import _HLMSupport

/// Columns of numbers as CSV bytes, fast: rows written in two halves on two threads straight into
/// byte buffers (the general ``CSVWriter`` builds a String field by field: 2 s for 1M × 5 numbers).
/// Numbers as ``CSVWriter`` writes them (the shortest form that reads back exactly; NaN as NA).
public enum NumericCSV {
    public static func bytes(header: [String], columns: [[Double]]) -> [UInt8] {
        let rows = columns.first?.count ?? 0
        var head = Array((header.map(CSVWriter.quoted).joined(separator: ",") + "\n").utf8)
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
                        append(values[k * rows + row], to: &out)
                    }
                    out.append(UInt8(ascii: "\n"))
                }
            }
            results.set(part, out)
        }
        for part in 0..<parts { head += results.get(part) }
        return head
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

/// One slot per part for the threads' results.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [[UInt8]]
    init(_ count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ index: Int, _ value: [UInt8]) { slots[index] = value }
    func get(_ index: Int) -> [UInt8] { slots[index] }
}

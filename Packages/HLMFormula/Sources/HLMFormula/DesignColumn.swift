import _HLMSupport
import Foundation

/// One column of a model matrix before the matrix is assembled. The intercept's ones stay a constant,
/// and a factor level's 0/1 column its codes, until the matrix itself is written: with ten million rows
/// each materialised copy is 80 MB of new memory.
enum DesignColumn {
    case constant(Double)
    case values([Double])
    /// 1 where the code is `level`, else 0.
    case indicator(codes: [Int32], level: Int32)

    /// Writes rows `rows` of the column to `target` (row `rows.lowerBound` first).
    func write(_ rows: Range<Int>, to target: UnsafeMutablePointer<Double>) {
        switch self {
        case .constant(let value):
            target.initialize(repeating: value, count: rows.count)
        case .values(let values):
            values.withUnsafeBufferPointer { target.initialize(from: $0.baseAddress! + rows.lowerBound, count: rows.count) }
        case .indicator(let codes, let level):
            codes.withUnsafeBufferPointer { codes in
                let source = codes.baseAddress! + rows.lowerBound
                // 0 or 1 looked up by the comparison, not chosen by a branch (which mispredicts on random levels).
                withUnsafeTemporaryAllocation(of: Double.self, capacity: 2) { table in
                    table[0] = 0
                    table[1] = 1
                    let values = table.baseAddress!
                    for i in 0..<rows.count { target[i] = values[Int(unsafeBitCast(source[i] == level, to: UInt8.self))] }
                }
            }
        }
    }

    /// The column's `rows` values as an array.
    func materialized(rows: Int) -> [Double] {
        if case .values(let values) = self { return values }
        return [Double](unsafeUninitializedCapacity: rows) { buffer, count in
            write(0..<rows, to: buffer.baseAddress!)
            count = rows
        }
    }

    /// How many rows the column has, when it holds them (a constant does not).
    var rowCount: Int? {
        switch self {
        case .constant: nil
        case .values(let values): values.count
        case .indicator(let codes, _): codes.count
        }
    }
}

extension Matrix {
    /// A matrix from design columns, written once into its own storage.
    /// Large matrices are written on two threads, each half of every column's rows: writing is mostly
    /// first touches of new memory (a 10M-row X of five columns is 400 MB), paid by the thread that touches.
    init(designColumns columns: [DesignColumn], rows: Int) {
        for column in columns { precondition(column.rowCount.map { $0 == rows } ?? true, "columns differ in length") }
        let halves = rows * columns.count >= Self.parallelEntries && ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1
        let values = [Double](unsafeUninitializedCapacity: rows * columns.count) { buffer, count in
            nonisolated(unsafe) let base = buffer.baseAddress!
            let write: @Sendable (Int) -> Void = { half in
                let range = halves == 1 ? 0..<rows : (half == 0 ? 0..<(rows / 2) : (rows / 2)..<rows)
                for (j, column) in columns.enumerated() { column.write(range, to: base + j * rows + range.lowerBound) }
            }
            if halves == 1 { write(0) } else { ParallelWork.run(2, write) }
            count = rows * columns.count
        }
        self.init(rows: rows, columns: columns.count, values: values)
    }

    /// Entries from which ``init(designColumns:rows:)`` writes on two threads.
    static let parallelEntries = 1 << 20
}

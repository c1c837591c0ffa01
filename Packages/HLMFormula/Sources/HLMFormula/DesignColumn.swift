import _HLMSupport
import Foundation

/// One column of a model matrix before the matrix is assembled. The intercept's ones stay a constant
/// until the matrix itself is written: with ten million rows each materialised copy is 80 MB.
enum DesignColumn {
    case constant(Double)
    case values([Double])
}

extension Matrix {
    /// A matrix from design columns, written once into its own storage.
    /// Large matrices are written on two threads, each half of every column's rows: writing is mostly
    /// first touches of new memory (a 10M-row X of five columns is 400 MB), paid by the thread that touches.
    init(designColumns columns: [DesignColumn], rows: Int) {
        for case .values(let values) in columns { precondition(values.count == rows, "columns differ in length") }
        let halves = rows * columns.count >= Self.parallelEntries && ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1
        let values = [Double](unsafeUninitializedCapacity: rows * columns.count) { buffer, count in
            nonisolated(unsafe) let base = buffer.baseAddress!
            let write: @Sendable (Int) -> Void = { half in
                let range = halves == 1 ? 0..<rows : (half == 0 ? 0..<(rows / 2) : (rows / 2)..<rows)
                for (j, column) in columns.enumerated() {
                    let target = base + j * rows + range.lowerBound
                    switch column {
                    case .constant(let value):
                        target.initialize(repeating: value, count: range.count)
                    case .values(let values):
                        values.withUnsafeBufferPointer { target.initialize(from: $0.baseAddress! + range.lowerBound, count: range.count) }
                    }
                }
            }
            if halves == 1 { write(0) } else { ParallelWork.run(2, write) }
            count = rows * columns.count
        }
        self.init(rows: rows, columns: columns.count, values: values)
    }

    /// Entries from which ``init(designColumns:rows:)`` writes on two threads.
    static let parallelEntries = 1 << 20
}

/// One column of a model matrix before the matrix is assembled. The intercept's ones stay a constant
/// until the matrix itself is written: with ten million rows each materialised copy is 80 MB.
enum DesignColumn {
    case constant(Double)
    case values([Double])
}

extension Matrix {
    /// A matrix from design columns, written once into its own storage.
    init(designColumns columns: [DesignColumn], rows: Int) {
        let values = [Double](unsafeUninitializedCapacity: rows * columns.count) { buffer, count in
            for (j, column) in columns.enumerated() {
                let target = buffer.baseAddress! + j * rows
                switch column {
                case .constant(let value):
                    target.initialize(repeating: value, count: rows)
                case .values(let values):
                    precondition(values.count == rows, "columns differ in length")
                    values.withUnsafeBufferPointer { target.initialize(from: $0.baseAddress!, count: rows) }
                }
            }
            count = rows * columns.count
        }
        self.init(rows: rows, columns: columns.count, values: values)
    }
}

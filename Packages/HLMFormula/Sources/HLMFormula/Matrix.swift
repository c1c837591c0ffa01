/// A dense column-major matrix of doubles (the layout BLAS and LAPACK use).
public struct Matrix: Sendable, Equatable {
    public var rows: Int
    public var columns: Int
    /// Entries column by column: element (i, j) is at `i + j * rows`.
    public var values: [Double]

    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns, "matrix size mismatch")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.init(rows: rows, columns: columns, values: [Double](repeating: value, count: rows * columns))
    }

    /// A matrix from its columns.
    public init(columns: [[Double]], rows: Int) {
        self.init(designColumns: columns.map { .values($0) }, rows: rows)
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[row + column * rows] }
        set { values[row + column * rows] = newValue }
    }

    /// Column `j` as an array.
    public func column(_ j: Int) -> ArraySlice<Double> {
        values[(j * rows)..<((j + 1) * rows)]
    }

    /// The matrix keeping only the columns at `indices`.
    public func selectingColumns(_ indices: [Int]) -> Matrix {
        Matrix(rows: rows, columns: indices.count, values: indices.flatMap { column($0) })
    }
}

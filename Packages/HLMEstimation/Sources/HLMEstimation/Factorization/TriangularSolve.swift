/// Solves with a lower-triangular matrix held inside a larger column-major array: element (i, j) of L
/// at `l[offset + i + j * stride]`, offset = row0 + col0 · stride. The one helper every small solve of
/// the factor uses (the systems here are a few to a few hundred rows: plain loops beat a BLAS call).
enum TriangularSolve {
    /// x ← L⁻¹ x.
    static func forward(_ l: [Double], offset: Int, stride: Int, n: Int, _ x: inout [Double]) {
        for i in 0..<n {
            var s = x[i]
            for k in 0..<i { s -= l[offset + i + k * stride] * x[k] }
            x[i] = s / l[offset + i + i * stride]
        }
    }

    /// x ← L'⁻¹ x.
    static func backward(_ l: [Double], offset: Int, stride: Int, n: Int, _ x: inout [Double]) {
        for i in Swift.stride(from: n - 1, through: 0, by: -1) {
            var s = x[i]
            for k in (i + 1)..<max(i + 1, n) { s -= l[offset + k + i * stride] * x[k] }
            x[i] = s / l[offset + i + i * stride]
        }
    }

    /// (L L')⁻¹ scaled by `scale`, n×n column-major: W = L⁻¹ column by column, then scale · W'W.
    static func inverseOfProduct(_ l: [Double], offset: Int, stride: Int, n: Int, scale: Double) -> [Double] {
        var inverse = [Double](repeating: 0, count: n * n)
        for column in 0..<n {
            var e = [Double](repeating: 0, count: n)
            e[column] = 1
            forward(l, offset: offset, stride: stride, n: n, &e)
            for i in 0..<n { inverse[i + column * n] = e[i] }
        }
        return gram(inverse, rows: n, columns: n, scale: scale)
    }

    /// scale · W'W for W (rows × columns, column-major): the columns × columns result, column-major.
    static func gram(_ w: [Double], rows: Int, columns: Int, scale: Double) -> [Double] {
        var result = [Double](repeating: 0, count: columns * columns)
        for a in 0..<columns { for b in 0..<columns {
            var s = 0.0
            for k in 0..<rows { s += w[k + a * rows] * w[k + b * rows] }
            result[a + b * columns] = scale * s
        } }
        return result
    }
}

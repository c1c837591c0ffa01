/// Finds the columns of a model matrix that are linear combinations of earlier ones, so they can be
/// dropped before fitting (lme4 and R's `lm` drop the same: later columns give way to earlier ones).
enum RankCheck {
    /// Relative tolerance on a column's residual norm (R's `lm` uses 1e-7 in its QR).
    static let tolerance = 1e-7

    /// Indices of the columns kept, in order: each kept column's component orthogonal to the kept
    /// columns before it has a norm above `tolerance` times its own norm (modified Gram–Schmidt, twice).
    static func independentColumns(_ columns: [[Double]]) -> [Int] {
        var basis: [[Double]] = []
        var kept: [Int] = []
        for (index, column) in columns.enumerated() {
            let norm = dot(column, column).squareRoot()
            guard norm > 0 else { continue }
            var residual = column
            for _ in 0..<2 {
                for q in basis { subtractProjection(from: &residual, onto: q) }
            }
            let residualNorm = dot(residual, residual).squareRoot()
            guard residualNorm > tolerance * norm else { continue }
            kept.append(index)
            // The last column's direction is never needed again.
            if index < columns.count - 1 {
                let scale = 1 / residualNorm
                residual.withUnsafeMutableBufferPointer { r in for i in r.indices { r[i] *= scale } }
                basis.append(residual)
            }
        }
        return kept
    }

    private static func dot(_ a: [Double], _ b: [Double]) -> Double {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var sum = 0.0
                for i in a.indices { sum += a[i] * b[i] }
                return sum
            }
        }
    }

    /// residual −= (q·residual) q, for a unit vector q.
    private static func subtractProjection(from residual: inout [Double], onto q: [Double]) {
        let projection = dot(q, residual)
        q.withUnsafeBufferPointer { q in
            residual.withUnsafeMutableBufferPointer { r in for i in r.indices { r[i] -= projection * q[i] } }
        }
    }
}

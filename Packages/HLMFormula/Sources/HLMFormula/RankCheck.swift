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
            let norm = column.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { continue }
            var residual = column
            for _ in 0..<2 {
                for q in basis {
                    var dot = 0.0
                    for i in residual.indices { dot += q[i] * residual[i] }
                    for i in residual.indices { residual[i] -= dot * q[i] }
                }
            }
            let residualNorm = residual.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if residualNorm > tolerance * norm {
                basis.append(residual.map { $0 / residualNorm })
                kept.append(index)
            }
        }
        return kept
    }
}

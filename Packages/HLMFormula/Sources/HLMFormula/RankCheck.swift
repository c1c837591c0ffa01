/// Finds the columns of a model matrix that are linear combinations of earlier ones, so they can be
/// dropped before fitting (lme4 and R's `lm` drop the same: later columns give way to earlier ones).
enum RankCheck {
    /// Relative tolerance on a column's residual norm (R's `lm` uses 1e-7 in its QR).
    static let tolerance = 1e-7

    /// A unit direction of the kept columns' span: constant (every entry the same) or stored.
    private enum Direction {
        case constant(Double)
        case vector([Double])
    }

    /// Rows handled at a time while streaming.
    private static let blockSize = 4096

    /// Indices of the columns kept, in order: each kept column's component orthogonal to the kept
    /// columns before it has a norm above `tolerance` times its own norm. Gram–Schmidt twice (CGS2,
    /// as accurate as modified Gram–Schmidt twice), streamed in blocks of rows: only a kept column
    /// that later ones need is stored, as a unit vector; constant columns (the intercept) and the last
    /// column are never copied.
    static func independentColumns(_ columns: [DesignColumn], rows n: Int) -> [Int] {
        var basis: [Direction] = []
        var kept: [Int] = []
        for (index, column) in columns.enumerated() {
            let norm = residualSquaredNorm(column, minus: [], basis: [], n).squareRoot()
            guard norm > 0 else { continue }
            // First pass: c = Bᵀv; second: c' = Bᵀ(v − Bc); the residual is v − B(c + c').
            var coefficients = projections(column, minus: [], basis: basis, n)
            let corrections = projections(column, minus: coefficients, basis: basis, n)
            for k in coefficients.indices { coefficients[k] += corrections[k] }
            let residualNorm = residualSquaredNorm(column, minus: coefficients, basis: basis, n).squareRoot()
            guard residualNorm > tolerance * norm else { continue }
            kept.append(index)
            guard index < columns.count - 1 else { break }
            if case .constant(let value) = column, basis.isEmpty {
                basis.append(.constant(value / norm))
            } else {
                var unit = [Double](repeating: 0, count: n)
                unit.withUnsafeMutableBufferPointer { unit in
                    forEachBlock(column, minus: coefficients, basis: basis, n) { start, block in
                        for i in block.indices { unit[start + i] = block[i] / residualNorm }
                    }
                }
                basis.append(.vector(unit))
            }
        }
        return kept
    }

    /// Calls `body` with each block of rows of r = v − Σ_k c_k b_k (its first row's index, its values);
    /// `c` may be empty (r = v).
    private static func forEachBlock(
        _ v: DesignColumn, minus c: [Double], basis: [Direction], _ n: Int,
        _ body: (Int, UnsafeMutableBufferPointer<Double>) -> Void
    ) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: blockSize) { scratch in
            var start = 0
            while start < n {
                let count = min(blockSize, n - start)
                let block = UnsafeMutableBufferPointer(rebasing: scratch[0..<count])
                switch v {
                case .constant(let value): block.update(repeating: value)
                case .values(let values):
                    values.withUnsafeBufferPointer { block.baseAddress!.update(from: $0.baseAddress! + start, count: count) }
                }
                for k in c.indices {
                    let weight = c[k]
                    switch basis[k] {
                    case .constant(let value):
                        let shift = weight * value
                        for i in 0..<count { block[i] -= shift }
                    case .vector(let values):
                        values.withUnsafeBufferPointer { q in
                            for i in 0..<count { block[i] -= weight * q[start + i] }
                        }
                    }
                }
                body(start, block)
                start += count
            }
        }
    }

    /// b_k · (v − Σ c b) for every direction b_k.
    private static func projections(_ v: DesignColumn, minus c: [Double], basis: [Direction], _ n: Int) -> [Double] {
        var sums = [Double](repeating: 0, count: basis.count)
        guard !basis.isEmpty else { return sums }
        forEachBlock(v, minus: c, basis: basis, n) { start, block in
            for (k, direction) in basis.enumerated() {
                var sum = 0.0
                switch direction {
                case .constant(let value):
                    for i in block.indices { sum += block[i] }
                    sum *= value
                case .vector(let values):
                    values.withUnsafeBufferPointer { q in
                        for i in block.indices { sum += q[start + i] * block[i] }
                    }
                }
                sums[k] += sum
            }
        }
        return sums
    }

    /// ‖v − Σ c b‖².
    private static func residualSquaredNorm(_ v: DesignColumn, minus c: [Double], basis: [Direction], _ n: Int) -> Double {
        var total = 0.0
        forEachBlock(v, minus: c, basis: basis, n) { _, block in
            var sum = 0.0
            for i in block.indices { sum += block[i] * block[i] }
            total += sum
        }
        return total
    }
}

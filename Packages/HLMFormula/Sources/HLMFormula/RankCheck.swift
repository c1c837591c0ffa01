import _HLMSupport

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
    /// columns before it has a norm above `tolerance` times its own norm. When one pass's cross-products
    /// show every column clearly independent (``clearlyIndependent(_:rows:)``) that is the answer;
    /// otherwise Gram–Schmidt decides (``gramSchmidtColumns(_:rows:)``).
    static func independentColumns(_ columns: [DesignColumn], rows n: Int) -> [Int] {
        if clearlyIndependent(columns, rows: n) { return Array(columns.indices) }
        return gramSchmidtColumns(columns, rows: n)
    }

    /// Whether XᵀX, accumulated in one pass over blocks of rows, proves every column independent of
    /// the ones before it with room to spare: in the scaled cross-products (unit diagonal) each
    /// column's Schur complement ŝ (its squared relative residual) exceeds 1e-12, far above the
    /// tolerance's 1e-14, and exceeds a thousand times its rounding bound, (γ + p ε)(1 + ‖ĉ‖₁)² with
    /// γ the summation's bound and ĉ the column's coefficients on the earlier ones. False, never a
    /// guess, whenever a column could be dependent or the bound is not met: then Gram–Schmidt decides.
    static func clearlyIndependent(_ columns: [DesignColumn], rows n: Int) -> Bool {
        let p = columns.count
        guard p > 0, n > 0 else { return p == 0 }
        var gram = [Double](repeating: 0, count: p * p)
        var block = [Double](repeating: 0, count: p * blockSize)
        var start = 0
        while start < n {
            let count = min(blockSize, n - start)
            block.withUnsafeMutableBufferPointer { block in
                for (j, column) in columns.enumerated() {
                    column.write(start..<(start + count), to: block.baseAddress! + j * blockSize)
                }
                for a in 0..<p {
                    let va = block.baseAddress! + a * blockSize
                    for b in a..<p {
                        let vb = block.baseAddress! + b * blockSize
                        gram[a + b * p] += dotProduct(va, vb, count: count)
                    }
                }
            }
            start += count
        }
        // The accumulated sums' relative error bound: blockSize products per block, then one per block.
        let gamma = Double(blockSize + (n + blockSize - 1) / blockSize) * Double.ulpOfOne
        let bound = 1e3 * (gamma + Double(p) * Double.ulpOfOne)
        var scale = [Double](repeating: 0, count: p)
        for j in 0..<p {
            let diagonal = gram[j + j * p]
            guard diagonal > 0, diagonal.isFinite else { return false }
            scale[j] = 1 / diagonal.squareRoot()
        }
        // Cholesky of the scaled matrix column by column: l = L⁻¹ĝ, ŝ = 1 − ‖l‖², ĉ = L⁻ᵀl.
        var lower = [Double](repeating: 0, count: p * p)
        for j in 0..<p {
            var l = [Double](repeating: 0, count: j)
            for k in 0..<j {
                var value = gram[k + j * p] * scale[k] * scale[j]
                for m in 0..<k { value -= lower[k + m * p] * l[m] }
                l[k] = value / lower[k + k * p]
            }
            let schur = 1 - l.reduce(0) { $0 + $1 * $1 }
            var c = l
            for k in stride(from: j - 1, through: 0, by: -1) {
                for m in (k + 1)..<j { c[k] -= lower[m + k * p] * c[m] }
                c[k] /= lower[k + k * p]
            }
            let spread = 1 + c.reduce(0) { $0 + abs($1) }
            guard schur.isFinite, schur > 1e-12, schur > bound * spread * spread else { return false }
            for k in 0..<j { lower[j + k * p] = l[k] }
            lower[j + j * p] = schur.squareRoot()
        }
        return true
    }

    /// ``independentColumns(_:rows:)`` by Gram–Schmidt twice (CGS2, as accurate as modified
    /// Gram–Schmidt twice), streamed in blocks of rows: only a kept column that later ones need is
    /// stored, as a unit vector; constant columns (the intercept) and the last column are never copied.
    static func gramSchmidtColumns(_ columns: [DesignColumn], rows n: Int) -> [Int] {
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
                v.write(start..<(start + count), to: block.baseAddress!)
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

import HLMFormula

/// The type III hypothesis of each fixed term, as lmerTest's `anova(m, type = 3)` makes it for
/// treatment-coded factors: the full-dummy design R expressed in X's coefficients, L₀ = ((X'X)⁻¹X'R)'; each
/// term's columns of L₀ made orthogonal (least squares over L₀'s rows) to those of the terms that contain
/// it, higher-order terms first; then the term's contrasts are its columns of L₀, read at the rows of R
/// that are X's own columns. A model with one term (or one coefficient) tests each term's coefficients.
public enum TypeThreeContrasts {
    public static func contrasts(_ structure: FixedTermStructure, design: ModelDesign) -> [(term: String, contrasts: [[Double]])] {
        let p = design.x.columns, n = design.observationCount
        let terms = structure.terms.filter { !$0.columns.isEmpty }
        if p <= 1 || structure.terms.count <= 1 {
            return terms.map { term in (term.label, term.columns.map { c in (0..<p).map { $0 == c ? 1.0 : 0 } }) }
        }
        // X'X, then G = (X'X)⁻¹ X'R (p × r).
        var xtx = [Double](repeating: 0, count: p * p)
        design.x.values.withUnsafeBufferPointer { x in
            for a in 0..<p {
                for b in a..<p {
                    var sum = 0.0
                    for i in 0..<n { sum += x[i + a * n] * x[i + b * n] }
                    xtx[a + b * p] = sum
                    xtx[b + a * p] = sum
                }
            }
        }
        let r = structure.fullNames.count
        guard let inverse = DenseCholesky.symmetricInverse(xtx, n: p) else {
            return terms.map { term in (term.label, term.columns.map { c in (0..<p).map { $0 == c ? 1.0 : 0 } }) }
        }
        // L₀ (r × p, column-major): L₀[c, a] = G[a, c].
        var l0 = [Double](repeating: 0, count: r * p)
        for c in 0..<r {
            for a in 0..<p {
                var sum = 0.0
                for b in 0..<p { sum += inverse[a + b * p] * structure.crossProducts[b + c * p] }
                l0[c + a * r] = sum
            }
        }
        zap(&l0)
        // Orthogonalise, higher-order terms first (stable among equal orders, as R's order()).
        let order = terms.indices.sorted { terms[$0].order > terms[$1].order || (terms[$0].order == terms[$1].order && $0 < $1) }
        for t in order {
            let containing = terms.filter { structure.contains($0, terms[t]) }.flatMap(\.columns)
            guard !containing.isEmpty else { continue }
            let basis = orthonormalBasis(containing.map { column(l0, $0, r) })
            for c in terms[t].columns {
                var y = column(l0, c, r)
                for b in basis {
                    let dot = zip(b, y).reduce(0) { $0 + $1.0 * $1.1 }
                    for i in 0..<r { y[i] -= dot * b[i] }
                }
                for i in 0..<r { l0[i + c * r] = y[i] }
            }
            zap(&l0)
        }
        // Rows of L₀ at X's own columns, in X's order.
        let rowOf = design.fixedNames.map { name in structure.fullNames.firstIndex(of: name) }
        return terms.map { term in
            let rows = term.columns.map { c in (0..<p).map { i in rowOf[i].map { l0[$0 + c * r] } ?? 0 } }
            return (term.label, rows.filter { $0.reduce(0) { $0 + abs($1) } > 1e-8 })
        }
    }

    static func column(_ matrix: [Double], _ c: Int, _ rows: Int) -> [Double] {
        Array(matrix[(c * rows)..<((c + 1) * rows)])
    }

    /// An orthonormal basis of the columns' span (modified Gram–Schmidt, dependent columns dropped).
    static func orthonormalBasis(_ columns: [[Double]]) -> [[Double]] {
        var basis: [[Double]] = []
        let scale = columns.map { $0.reduce(0) { max($0, abs($1)) } }.max() ?? 0
        for var v in columns {
            for b in basis {
                let dot = zip(b, v).reduce(0) { $0 + $1.0 * $1.1 }
                for i in v.indices { v[i] -= dot * b[i] }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 1e-9 * max(scale, 1) { basis.append(v.map { $0 / norm }) }
        }
        return basis
    }

    /// Entries that are rounding noise (below 1e-10 of the largest) set to zero, as R's zapsmall.
    static func zap(_ values: inout [Double]) {
        let largest = values.reduce(0) { max($0, abs($1)) }
        for i in values.indices where abs(values[i]) < 1e-10 * largest { values[i] = 0 }
    }
}

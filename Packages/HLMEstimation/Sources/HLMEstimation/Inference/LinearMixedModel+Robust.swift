import Foundation
import HLMFormula

extension LinearMixedModel {
    /// Cluster-robust (sandwich) standard errors of the fixed effects, clustered on the outermost
    /// grouping factor, as HLM's "robust standard errors": B M B with B = (X'V⁻¹X)⁻¹ and
    /// M = Σ_c X_c'V_c⁻¹ e_c e_c'V_c⁻¹ X_c, e = y − Xβ̂, no small-sample factor.
    /// nil unless every random-effects term is nested in (or is) one outermost factor, so that V is
    /// block diagonal by its groups.
    public var robustCovariance: [Double]? {
        let design = self.design
        guard let outer = design.randomTerms.map(\.groupName).min(by: { $0.split(separator: ":").count < $1.split(separator: ":").count }),
              let clusterTerm = design.randomTerms.firstIndex(where: { $0.groupName == outer }),
              design.randomTerms.allSatisfy({ $0.groupName == outer || $0.groupName.hasPrefix(outer + ":") }) else { return nil }
        let clusters = design.randomTerms[clusterTerm].codes
        let clusterCount = design.randomTerms[clusterTerm].groupCount
        var rowsByCluster = [[Int]](repeating: [], count: clusterCount)
        for i in 0..<design.observationCount { rowsByCluster[Int(clusters[i])].append(i) }
        let p = beta.count
        let sigma2 = sigma * sigma
        var meat = [Double](repeating: 0, count: p * p)
        for rows in rowsByCluster where !rows.isEmpty {
            // V_c over its rows: Σ_k Z_k G_k Z_k' (same group) + σ² I, dense (clusters are small).
            let m = rows.count
            var v = [Double](repeating: 0, count: m * m)
            for a in 0..<m { v[a + a * m] = sigma2 }
            for (k, term) in design.randomTerms.enumerated() {
                let g = components[k].covarianceMatrix, q = term.termCount
                for a in 0..<m { for b in 0...a where term.codes[rows[a]] == term.codes[rows[b]] {
                    var s = 0.0
                    for x in 0..<q { for y in 0..<q { s += term.z[rows[a], x] * g[x][y] * term.z[rows[b], y] } }
                    v[a + b * m] += s
                    if a != b { v[b + a * m] += s }
                } }
            }
            guard DenseCholesky.factor(&v, n: m) else { return nil }
            // u = X_c' V_c⁻¹ e_c via L⁻¹: w = L⁻¹ e, W = L⁻¹ X, u = W'w.
            var e = rows.map { i in design.y[i] - (0..<p).reduce(0.0) { $0 + design.x[i, $1] * beta[$1] } }
            var x = [Double](repeating: 0, count: m * p)
            for c in 0..<p { for a in 0..<m { x[a + c * m] = design.x[rows[a], c] } }
            Self.forwardSolve(v, m, &e, columns: 1)
            Self.forwardSolve(v, m, &x, columns: p)
            let u = (0..<p).map { c in (0..<m).reduce(0.0) { $0 + x[$1 + c * m] * e[$1] } }
            for a in 0..<p { for b in 0..<p { meat[a + b * p] += u[a] * u[b] } }
        }
        // B = betaCovariance (X'V⁻¹X)⁻¹.
        let bread = betaCovariance
        var result = [Double](repeating: 0, count: p * p)
        var bm = [Double](repeating: 0, count: p * p)
        for a in 0..<p { for b in 0..<p { bm[a + b * p] = (0..<p).reduce(0.0) { $0 + bread[a + $1 * p] * meat[$1 + b * p] } } }
        for a in 0..<p { for b in 0..<p { result[a + b * p] = (0..<p).reduce(0.0) { $0 + bm[a + $1 * p] * bread[$1 + b * p] } } }
        return result
    }

    /// Robust standard errors (nil where not available).
    public var robustStandardErrors: [Double]? {
        robustCovariance.map { v in (0..<beta.count).map { v[$0 + $0 * beta.count].squareRoot() } }
    }

    /// Solves L X = B in place for a lower-triangular L (m×m) and B (m × columns).
    static func forwardSolve(_ l: [Double], _ m: Int, _ b: inout [Double], columns: Int) {
        for c in 0..<columns {
            for i in 0..<m {
                var s = b[i + c * m]
                for k in 0..<i { s -= l[i + k * m] * b[k + c * m] }
                b[i + c * m] = s / l[i + i * m]
            }
        }
    }
}

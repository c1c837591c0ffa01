import Foundation
import HLMFormula

/// Variance components by the method of moments, then GLS: Swamy–Arora for a random intercept (as
/// Stata's `xtreg, re`) and Swamy's random-coefficients estimator (as `xtrc`).
public enum MomentEstimators {
    /// Swamy–Arora with Baltagi & Chang's (1994) formulas for unbalanced groups (as R's plm uses them):
    /// σ²_e from the within (fixed-effects) regression; σ²_u from the between regression on the group
    /// means repeated over each group's rows (B = X̄), σ²_u = max(0, (SSR_b − (J − K_b) σ²_e) /
    /// (n − tr[(X̄'X̄)⁻¹ Σ_j T_j² x̄_j x̄_j'])). With equal group sizes this is the textbook estimator.
    public static func swamyArora(_ design: ModelDesign) throws(EstimationError) -> LinearMixedModel {
        guard design.randomTerms.count == 1, design.randomTerms[0].termNames == ["(Intercept)"] else {
            throw EstimationError.unsupported("Swamy–Arora needs a random intercept alone: (1 | group)")
        }
        let term = design.randomTerms[0], n = design.observationCount, p = design.x.columns, groups = term.groupCount
        var sizes = [Double](repeating: 0, count: groups)
        for code in term.codes { sizes[Int(code)] += 1 }
        // Group means of y and of every column of X.
        var meanY = [Double](repeating: 0, count: groups)
        var meanX = [Double](repeating: 0, count: groups * p)
        for i in 0..<n {
            let j = Int(term.codes[i])
            meanY[j] += design.y[i] / sizes[j]
            for c in 0..<p { meanX[j + c * groups] += design.x[i, c] / sizes[j] }
        }
        // Within: demeaned y on the demeaned columns that vary within groups.
        var within: [[Double]] = []
        for c in 0..<p {
            let column = (0..<n).map { design.x[$0, c] - meanX[Int(term.codes[$0]) + c * groups] }
            if column.contains(where: { abs($0) > 1e-12 }) { within.append(column) }
        }
        let yWithin = (0..<n).map { design.y[$0] - meanY[Int(term.codes[$0])] }
        let (ssrWithin, rankWithin) = leastSquaresResiduals(within, yWithin)
        let sigmaE2 = ssrWithin / Double(n - groups - rankWithin)
        // Between: the group means, weighted by group size (each mean stands for its T_j rows).
        let weights = sizes.map { $0.squareRoot() }
        let between = (0..<p).map { c in (0..<groups).map { meanX[$0 + c * groups] * weights[$0] } }
        let (ssrBetween, rankBetween) = leastSquaresResiduals(between, (0..<groups).map { meanY[$0] * weights[$0] })
        guard groups > rankBetween, n > groups + rankWithin else {
            throw EstimationError.unsupported("Swamy–Arora needs more groups than between-group coefficients")
        }
        // tr[(Σ T_j x̄_j x̄_j')⁻¹ Σ T_j² x̄_j x̄_j'] over the between columns.
        var weighted = [Double](repeating: 0, count: p * p), squared = [Double](repeating: 0, count: p * p)
        for j in 0..<groups { for a in 0..<p { for b in 0..<p {
            let product = meanX[j + a * groups] * meanX[j + b * groups]
            weighted[a + b * p] += sizes[j] * product
            squared[a + b * p] += sizes[j] * sizes[j] * product
        } } }
        guard let inverse = HendersonSystem.inverse(weighted, p) else {
            throw EstimationError.unsupported("Swamy–Arora: the between regression is rank deficient")
        }
        var trace = 0.0
        for a in 0..<p { for b in 0..<p { trace += inverse[a + b * p] * squared[b + a * p] } }
        let sigmaU2 = max(0, (ssrBetween - Double(groups - rankBetween) * sigmaE2) / (Double(n) - trace))
        return try LinearMixedModel.fitGLS(design, covariances: [[[sigmaU2]]], residualVariance: sigmaE2,
                                           method: "Swamy–Arora moments, then GLS", estimator: .swamyArora)
    }

    /// Swamy's random-coefficients estimator: each group's OLS b_j with V_j = s²_j (Z_j'Z_j)⁻¹;
    /// Σ = S_b − mean V_j (S_b alone when that is not positive definite); β = (Σ W_j)⁻¹ Σ W_j b_j with
    /// W_j = (Σ + V_j)⁻¹, Var β = (Σ W_j)⁻¹. Every fixed effect must have a random coefficient.
    public static func swamyRandomCoefficients(_ design: ModelDesign) throws(EstimationError) -> LinearMixedModel {
        guard design.randomTerms.count == 1, design.randomTerms[0].termNames == design.fixedNames else {
            throw EstimationError.unsupported("Swamy's estimator needs the same terms fixed and random: y ~ x + (x | g)")
        }
        let ols = GroupwiseLeastSquares(design)
        let usable = ols.groups.filter { $0.residualVariance != nil }
        let q = design.fixedNames.count, groups = Double(usable.count)
        guard usable.count > q else { throw EstimationError.unsupported("Swamy's estimator needs more groups with n_j > \(q) than coefficients") }
        let mean = (0..<q).map { a in usable.reduce(0.0) { $0 + $1.coefficients[a] } / groups }
        var spread = [Double](repeating: 0, count: q * q), averageV = [Double](repeating: 0, count: q * q)
        for group in usable {
            for a in 0..<q { for b in 0..<q {
                spread[a + b * q] += (group.coefficients[a] - mean[a]) * (group.coefficients[b] - mean[b]) / (groups - 1)
                averageV[a + b * q] += group.residualVariance! * group.inverseCrossProduct[a + b * q] / groups
            } }
        }
        var sigma = zip(spread, averageV).map { $0 - $1 }
        var check = sigma
        if !DenseCholesky.factor(&check, n: q) { sigma = spread }
        var sumW = [Double](repeating: 0, count: q * q), sumWb = [Double](repeating: 0, count: q)
        for group in usable {
            let v = (0..<(q * q)).map { sigma[$0] + group.residualVariance! * group.inverseCrossProduct[$0] }
            guard let w = HendersonSystem.inverse(v, q) else { continue }
            for a in 0..<q {
                for b in 0..<q { sumW[a + b * q] += w[a + b * q] }
                sumWb[a] += (0..<q).reduce(0.0) { $0 + w[a + $1 * q] * group.coefficients[$1] }
            }
        }
        guard let covariance = HendersonSystem.inverse(sumW, q) else { throw EstimationError.cannotFactor }
        let beta = (0..<q).map { a in (0..<q).reduce(0.0) { $0 + covariance[a + $1 * q] * sumWb[$1] } }
        let pooled = usable.reduce(0.0) { $0 + $1.residualVariance! } / groups
        var fit = try LinearMixedModel.fitGLS(design, covariances: [(0..<q).map { a in (0..<q).map { sigma[a + $0 * q] } }],
                                              residualVariance: pooled, method: "Swamy random coefficients", estimator: .swamy)
        fit.beta = beta
        fit.betaCovariance = covariance
        fit.diagnostics.append(.groupsWithOwnRegression(used: usable.count, total: design.randomTerms[0].groupCount))
        return fit
    }

    /// The residual sum of squares of y on the columns (pivoting out dependent ones) and the rank used.
    static func leastSquaresResiduals(_ columns: [[Double]], _ y: [Double]) -> (Double, Int) {
        var basis: [[Double]] = []
        for column in columns {
            var residual = column
            for q in basis {
                let dot = zip(q, residual).reduce(0) { $0 + $1.0 * $1.1 }
                for i in residual.indices { residual[i] -= dot * q[i] }
            }
            let norm = residual.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let original = column.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 1e-9 * max(original, 1e-300) { basis.append(residual.map { $0 / norm }) }
        }
        var residual = y
        for q in basis {
            let dot = zip(q, residual).reduce(0) { $0 + $1.0 * $1.1 }
            for i in residual.indices { residual[i] -= dot * q[i] }
        }
        return (residual.reduce(0) { $0 + $1 * $1 }, basis.count)
    }
}

import Foundation
import HLMFormula

/// The EM algorithm for ML and REML (Dempster, Laird & Rubin 1977; Laird, Lange & Stram 1987;
/// Raudenbush & Bryk ch. 14): the random effects are the missing data. The E-step takes the
/// conditional means and covariances of b from Henderson's equations; the M-step sets each G_k to the
/// average of b b' + Var(b | y) over its groups (projected on the covariance structure) and σ² to the
/// expected residual sum of squares over n. REML treats β as random with a flat prior.
enum ExpectationMaximization {
    struct Result {
        var parameters: VarianceParameters
        var iterations: Int
        var converged: Bool
        var trace: [Double]
    }

    static func run(
        _ system: HendersonSystem, criterion: ProfiledDeviance.Criterion, structures: [CovarianceStructure],
        start: VarianceParameters, maxIterations: Int = 200_000, tolerance: Double = 1e-11,
        logLikelihood: (VarianceParameters) -> Double
    ) -> Result {
        var current = start
        var previous = logLikelihood(current)
        var trace = [previous]
        let p = system.p, q = system.dimension, n = Double(system.n)
        for iteration in 1...maxIterations {
            guard let solution = system.solve(current.g, sigma2: current.sigma2) else {
                return Result(parameters: current, iterations: iteration, converged: false, trace: trace)
            }
            // Conditional covariance of b, over σ²: [C⁻¹]_bb (REML) or (C_bb)⁻¹ (ML, given β).
            var covariance = solution.inverse
            if criterion == .ml {
                covariance = Self.conditionalOnBeta(solution.inverse, p: p, q: q)
            }
            var next = current
            for (k, term) in system.design.randomTerms.enumerated() {
                let qk = term.termCount
                var s = [Double](repeating: 0, count: qk * qk)
                for j in 0..<term.groupCount {
                    let base = system.offsets[k] + j * qk
                    for a in 0..<qk { for b in 0..<qk {
                        s[a + b * qk] += solution.coefficients[base + a] * solution.coefficients[base + b]
                            + current.sigma2 * covariance[(base + a) + (base + b) * q]
                    } }
                }
                for index in s.indices { s[index] /= Double(term.groupCount) }
                next.g[k] = VarianceParameters.project(s, q: qk, structures[k])
            }
            // Expected residual sum of squares: e'e + σ² tr(W'W K) over the space of the covariance used.
            var trace2 = 0.0
            let start = criterion == .ml ? p : 0
            for a in start..<q { for b in start..<q { trace2 += system.wtw[a + b * q] * covariance[b + a * q] } }
            next.sigma2 = (solution.residualSumOfSquares + current.sigma2 * trace2) / n
            let value = logLikelihood(next)
            trace.append(value)
            current = next
            if abs(value - previous) < tolerance * max(1, abs(value)) {
                return Result(parameters: current, iterations: iteration, converged: true, trace: trace)
            }
            previous = value
        }
        return Result(parameters: current, iterations: maxIterations, converged: false, trace: trace)
    }

    /// (C_bb)⁻¹ from C⁻¹: K_bb − K_bβ K_ββ⁻¹ K_βb, embedded in a q×q matrix (zero outside the b block).
    static func conditionalOnBeta(_ k: [Double], p: Int, q: Int) -> [Double] {
        var result = [Double](repeating: 0, count: q * q)
        guard p > 0 else { return k }
        var kbb = [Double](repeating: 0, count: p * p)
        for a in 0..<p { for b in 0..<p { kbb[a + b * p] = k[a + b * q] } }
        guard let inverse = HendersonSystem.inverse(kbb, p) else { return k }
        // M = K_bβ K_ββ⁻¹ (Qb × p).
        let qb = q - p
        var m = [Double](repeating: 0, count: qb * p)
        for i in 0..<qb { for c in 0..<p {
            var s = 0.0
            for a in 0..<p { s += k[(p + i) + a * q] * inverse[a + c * p] }
            m[i + c * qb] = s
        } }
        for i in 0..<qb { for j in 0..<qb {
            var s = 0.0
            for c in 0..<p { s += m[i + c * qb] * k[c + (p + j) * q] }
            result[(p + i) + (p + j) * q] = k[(p + i) + (p + j) * q] - s
        } }
        return result
    }
}

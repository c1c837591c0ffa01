import Foundation
import HLMFormula

/// One row's fitted mean and residuals of a binomial or Poisson fit (lme4's `fitted()`, `residuals(type =)`):
/// on the response scale (a proportion for binomial), conditional on the random effects and marginal.
public struct GeneralizedFittedRow: Sendable, Codable, Equatable {
    public var fitted: Double
    public var residual: Double
    public var fittedMarginal: Double
    public var residualMarginal: Double
    /// (y − μ) / √(V(μ)/m).
    public var pearson: Double
    /// sign(y − μ) √dᵢ, dᵢ the row's deviance contribution.
    public var deviance: Double
}

extension GeneralizedLinearMixedModel {
    /// Per row used, in the design's order.
    public func fittedRows() -> [GeneralizedFittedRow] {
        let n = observationCount, p = beta.count
        let trials = design.binomialTrials ?? [Double](repeating: 1, count: n)
        var marginal = design.offset ?? [Double](repeating: 0, count: n)
        for a in 0..<p { for i in 0..<n { marginal[i] += design.x.values[i + a * n] * beta[a] } }
        var conditional = marginal
        for (k, term) in design.randomTerms.enumerated() {
            let q = term.termCount
            for i in 0..<n {
                let g = Int(term.codes[i])
                for a in 0..<q { conditional[i] += term.z.values[i + a * n] * conditionalModes[k][g][a] }
            }
        }
        return (0..<n).map { i in
            let m = trials[i]
            let y = family.family == .binomial ? (m > 0 ? design.y[i] / m : 0) : design.y[i]
            let mu = family.mean(conditional[i]), muMarginal = family.mean(marginal[i])
            let variance = family.variance(mu) / (family.family == .binomial ? m : 1)
            let unit = max(0, family.minusTwoLogDensity(y, mu, trials: m) - family.minusTwoLogDensity(y, family.family == .binomial ? y : max(y, 0), trials: m))
            return GeneralizedFittedRow(fitted: mu, residual: y - mu, fittedMarginal: muMarginal, residualMarginal: y - muMarginal,
                                        pearson: (y - mu) / variance.squareRoot(), deviance: (y >= mu ? 1 : -1) * unit.squareRoot())
        }
    }

    /// Every term's conditional modes with their conditional covariances (lme4's `ranef(condVar = TRUE)`):
    /// Λ (Λ'Z'WZΛ + I)⁻¹ Λ' at the mode, from the blocks of the inverse of the factored system.
    public func randomEffects() throws(EstimationError) -> [RandomEffectsTable] {
        let deviance = LaplaceDeviance(design, family: family, quadraturePoints: 1)
        guard deviance.evaluate(theta: theta, beta: beta, joint: false).isFinite,
              let covariances = deviance.conditionalCovariances(theta: theta, beta: beta) else { throw EstimationError.cannotFactor }
        let modes = deviance.conditionalModes(theta: theta)
        return design.randomTerms.enumerated().map { k, term in
            RandomEffectsTable(group: term.groupName, terms: term.termNames, levels: term.levels, modes: modes[k], covariances: covariances[k])
        }
    }
}

extension LaplaceDeviance {
    /// Per term (formula order), per group: the conditional covariance of b = Λu, flattened q×q, from the
    /// system at the current modes (θ, β as last evaluated).
    func conditionalCovariances(theta: [Double], beta: [Double]) -> [[[Double]]]? {
        guard let rows = rowValues(theta) else { return nil }
        let fixed = fixedPart(beta)
        var eta = [Double](repeating: 0, count: n)
        var system = linearise(modes, beta: beta, fixed: fixed, rows, joint: false, eta: &eta).system
        guard system.factor() else { return nil }
        let inverse = system.inverseBlocks()
        var result = [[[Double]]](repeating: [], count: design.randomTerms.count)
        var start = 0
        for (position, k) in order.enumerated() {
            let term = design.randomTerms[k], q = term.termCount
            let lambda = parameters.lambda(theta, term: k) ?? [Double](repeating: 0, count: q * q)
            result[k] = (0..<term.groupCount).map { g in
                let block: [Double] = position == 0 ? inverse.first[g] : (0..<(q * q)).map { e in
                    let a = e % q, b = e / q, c0 = start - inverse.firstCount + g * q
                    return inverse.rest[(c0 + a) + (c0 + b) * inverse.restCount]
                }
                // Λ C Λ'.
                var out = [Double](repeating: 0, count: q * q)
                for a in 0..<q { for b in 0..<q {
                    var sum = 0.0
                    for c in 0..<q { for d in 0..<q { sum += lambda[a + c * q] * block[c + d * q] * lambda[b + d * q] } }
                    out[a + b * q] = sum
                } }
                return out
            }
            start += term.groupCount * q
        }
        return result
    }
}

extension WeightedSystem {
    /// The factored system's inverse where ranef needs it: each first-term group's q₁×q₁ diagonal block,
    /// and the whole inverse of the rest (other terms), S⁻¹ = L₂₂⁻ᵀL₂₂⁻¹. First-term block g is
    /// L₁₁⁻ᵀ(I + L₂₁' S⁻¹ L₂₁)L₁₁⁻¹ on the columns the group touches.
    func inverseBlocks() -> (first: [[Double]], rest: [Double], firstCount: Int, restCount: Int) {
        let r = rest
        // S⁻¹ from L₂₂: invert the triangle, then T' T.
        var t = [Double](repeating: 0, count: r * r)  // T = L₂₂⁻¹, lower
        for j in 0..<r {
            t[j + j * r] = 1 / restBlock[j + j * r]
            for i in (j + 1)..<max(j + 1, r) {
                var sum = 0.0
                for k in j..<i { sum += restBlock[i + k * r] * t[k + j * r] }
                t[i + j * r] = -sum / restBlock[i + i * r]
            }
        }
        var sInverse = [Double](repeating: 0, count: r * r)
        for a in 0..<r { for b in 0...a {
            var sum = 0.0
            for k in a..<r { sum += t[k + a * r] * t[k + b * r] }
            sInverse[a + b * r] = sum
            sInverse[b + a * r] = sum
        } }
        var first: [[Double]] = []
        for g in 0..<groups1 {
            let start = g * q1 * q1, listStart = pattern.start[g], width = pattern.start[g + 1] - listStart
            let tg = width - (joint ? 0 : pattern.p), c0 = listStart * q1
            // M = I + L₂₁' S⁻¹ L₂₁ (q₁×q₁).
            var m = [Double](repeating: 0, count: q1 * q1)
            for a in 0..<q1 { m[a + a * q1] = 1 }
            for a in 0..<q1 { for b in 0..<q1 {
                var sum = 0.0
                for e in 0..<tg { for f in 0..<tg {
                    sum += couplings[c0 + e + a * width] * sInverse[pattern.columns[listStart + e] + pattern.columns[listStart + f] * r] * couplings[c0 + f + b * width]
                } }
                m[a + b * q1] += sum
            } }
            // L₁₁⁻ᵀ M L₁₁⁻¹: with U = L₁₁⁻¹ (lower), Uᵀ M U.
            var u = [Double](repeating: 0, count: q1 * q1)
            for j in 0..<q1 {
                u[j + j * q1] = 1 / blocks[start + j + j * q1]
                for i in (j + 1)..<max(j + 1, q1) {
                    var sum = 0.0
                    for k in j..<i { sum += blocks[start + i + k * q1] * u[k + j * q1] }
                    u[i + j * q1] = -sum / blocks[start + i + i * q1]
                }
            }
            var out = [Double](repeating: 0, count: q1 * q1)
            for a in 0..<q1 { for b in 0..<q1 {
                var sum = 0.0
                for c in 0..<q1 { for d in 0..<q1 { sum += u[c + a * q1] * m[c + d * q1] * u[d + b * q1] } }
                out[a + b * q1] = sum
            } }
            first.append(out)
        }
        return (first, sInverse, groups1 * q1, r)
    }
}

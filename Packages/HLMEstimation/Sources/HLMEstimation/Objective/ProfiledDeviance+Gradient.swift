import Foundation
import HLMFormula

/// The gradient of the profiled criterion in θ, from one factorisation and the inverse of its dense block.
///
/// d(θ) = log|M| + m (1 + log(2π r²/m)), with M = Λ'Z'ZΛ + I for ML (m = n) and M the whole system of
/// [ZΛ, X] with I added on the random effects for REML (m = n − p). Where Λ is invertible,
/// Λ'Z'Z ∂Λ = (M − I)_Z Λ⁻¹∂Λ, so with N = Λ⁻¹∂Λ and C the random-effects block of M⁻¹,
/// ∂ log|M| = 2 [tr N − tr(C N)]; and since u = Λ'Z'e at the solution, ∂r² = −2 e'Z ∂Λ u = −2 u'N u.
/// For term k with J groups N is I_J ⊗ λ⁻¹∂λ, so only Σ_g C_gg and Σ_g u_g u_g' (q × q each) are needed:
///
///     ∂d/∂θ_j = 2 [J tr n − tr(C̄ n)] − (2m / r²) tr(n Ū),   n = λ⁻¹ ∂λ/∂θ_j.
///
/// A scalar term at θ = 0 has derivative 0 (the criterion is even in it); a vector term whose λ is
/// singular is differenced centrally instead.
extension ProfiledDeviance {
    /// Whether ``valueAndGradient(_:)`` is available: the dense rest block (the sparse one has no inverse here).
    var hasGradient: Bool { factor.sparse == nil && factor.fitsInMemory }

    /// The criterion at θ and its gradient; nil where the factorisation fails or the path has no gradient.
    func valueAndGradient(_ theta: [Double]) -> (value: Double, gradient: [Double])? {
        guard hasGradient else { return nil }
        let value = evaluate(theta, keepingBlocks: true)
        guard value.isFinite, let solution = FactorSolution(deviance: self, theta: theta) else { return nil }
        let covariances = randomEffectsInverseSums()
        let modes = modeSums(solution)
        let m = likelihoodDegrees, r2 = factor.penalizedResidualSumOfSquares
        var gradient = [Double](repeating: 0, count: theta.count)
        var differenced: [Int] = []
        for (k, term) in parameters.terms.enumerated() {
            let q = term.q, groups = Double(design.randomTerms[k].groupCount)
            let lambda = parameters.lambda(theta, term: k)!
            guard let inverse = Self.lowerInverse(lambda, q) else {
                if q == 1 { continue }  // a scalar term at 0: derivative 0
                differenced += term.offset..<(term.offset + term.count)
                continue
            }
            for j in term.offset..<(term.offset + term.count) {
                guard let derivative = lambdaDerivative(theta, term: k, parameter: j) else {
                    differenced.append(j)
                    continue
                }
                // n = λ⁻¹ ∂λ; tr n, tr(C̄ n), tr(n Ū).
                var traceN = 0.0, traceCN = 0.0, traceNU = 0.0
                for b in 0..<q {
                    for a in 0..<q {
                        var n = 0.0
                        for c in 0..<q { n += inverse[a + c * q] * derivative[c + b * q] }
                        if a == b { traceN += n }
                        traceCN += covariances[k][b + a * q] * n
                        traceNU += n * modes[k][b + a * q]
                    }
                }
                gradient[j] = 2 * (groups * traceN - traceCN) - 2 * m / r2 * traceNU
            }
        }
        for j in differenced {
            let h = 1e-6 * max(1, abs(theta[j]))
            var plus = theta, minus = theta
            plus[j] += h
            minus[j] -= h
            gradient[j] = (evaluate(plus) - evaluate(minus)) / (2 * h)
        }
        return (value, gradient)
    }

    /// Per term (design order): Σ_g u_g u_g' of the spherical modes, q × q column-major.
    private func modeSums(_ solution: FactorSolution) -> [[Double]] {
        var sums = [[Double]](repeating: [], count: design.randomTerms.count)
        for (position, k) in products.order.enumerated() {
            let q = design.randomTerms[k].termCount, groups = design.randomTerms[k].groupCount
            let offset = position == 0 ? 0 : products.restOffsets[position - 1]
            let u = position == 0 ? solution.firstTermModes : solution.restModes
            var sum = [Double](repeating: 0, count: q * q)
            for g in 0..<groups {
                let base = offset + g * q
                for b in 0..<q { for a in 0..<q { sum[a + b * q] += u[base + a] * u[base + b] } }
            }
            sums[k] = sum
        }
        return sums
    }

    /// Per term (design order): Σ_g of the group's q × q diagonal block of M⁻¹'s random-effects part
    /// (σ⁻² Var(u_g | y), with β's uncertainty for REML). S⁻¹ is the inverse of L₂₂'s leading block (the
    /// further terms, and X for REML); a first-term block is (L_j L_j')⁻¹ + M_j'S⁻¹M_j with
    /// M_j = L₂₁,j L_j⁻¹ on its panel's rows in that block (as ``FactorSolution/allConditionalCovariances(_:)``).
    private func randomEffectsInverseSums() -> [[Double]] {
        let factor = self.factor, r = factor.r, q1 = factor.q1
        let t = factor.zRest + (criterion == .reml ? factor.p : 0)
        let inverse = factor.inverseOfLeadingBlock(t)
        var sums = [[Double]](repeating: [], count: design.randomTerms.count)
        for (position, k) in products.order.enumerated() where position > 0 {
            let q = design.randomTerms[k].termCount
            var sum = [Double](repeating: 0, count: q * q)
            for g in 0..<design.randomTerms[k].groupCount {
                let offset = products.restOffsets[position - 1] + g * q
                for b in 0..<q { for a in 0..<q { sum[a + b * q] += inverse[offset + a + (offset + b) * t] } }
            }
            sums[k] = sum
        }
        var first = [Double](repeating: 0, count: q1 * q1)
        // (A one-term model's products have no row index for the kernel; its block is X's alone.)
        if q1 == 1 && products.rowEntryStart.count > t {
            // Σ_j m_j'S⁻¹m_j = tr(S⁻¹P), P = Σ_j m_j m_j' (m_j = L₂₁,j / l_j), P column by column through
            // the downdate's kernel: the column stays in cache, where reading S⁻¹ panel by panel would not.
            var panels = factor.l21
            for g in 0..<factor.groups1 {
                let l = factor.l11[g]
                first[0] += 1 / (l * l)
                for a in products.panelValueStart[g]..<products.panelValueStart[g + 1] { panels[a] /= l }
            }
            var column = [Double](repeating: 0, count: r)
            var trace = 0.0
            BlockedFactor.withDowndate(products, panels: panels, r: r, q1: 1, zRest: factor.zRest, scale: []) { kernel in
                column.withUnsafeMutableBufferPointer { buffer in
                    let pointer = buffer.baseAddress!
                    for b in 0..<t {
                        (pointer + b).update(repeating: 0, count: r - b)
                        kernel.accumulate(column: pointer, b: b, fills: false)
                        // The column holds −P[b..., b].
                        var s = 0.0
                        for a in (b + 1)..<max(b + 1, t) { s += inverse[a + b * t] * pointer[a] }
                        trace -= 2 * s + inverse[b + b * t] * pointer[b]
                    }
                }
            }
            first[0] += trace
            sums[products.order[0]] = first
            return sums
        }
        var m = [Double](), rows = [Int]()
        for g in 0..<factor.groups1 {
            let l11Inverse = FactorSolution.inverseOfBlock(factor.l11, offset: g * q1 * q1, q1)
            let own = TriangularSolve.gram(l11Inverse, rows: q1, columns: q1, scale: 1)
            for i in 0..<(q1 * q1) { first[i] += own[i] }
            let start = products.panelStart[g], height = products.panelStart[g + 1] - start
            let panel = products.panelValueStart[g]
            rows.removeAll(keepingCapacity: true)
            for a in 0..<height where Int(products.panelRows[start + a]) < t { rows.append(a) }
            guard !rows.isEmpty else { continue }
            // M (rows × q₁, column-major), then M'S⁻¹M.
            let count = rows.count
            m = [Double](repeating: 0, count: count * q1)
            for c in 0..<q1 {
                for (x, a) in rows.enumerated() {
                    var s = 0.0
                    for b in c..<q1 { s += factor.l21[panel + b * height + a] * l11Inverse[b + c * q1] }
                    m[x + c * count] = s
                }
            }
            let index = rows.map { Int(products.panelRows[start + $0]) }
            for c in 0..<q1 {
                for d in c..<q1 {
                    var s = 0.0
                    for y in 0..<count {
                        let column = index[y] * t
                        var inner = 0.0
                        for x in 0..<count { inner += m[x + c * count] * inverse[index[x] + column] }
                        s += inner * m[y + d * count]
                    }
                    first[c + d * q1] += s
                    if d != c { first[d + c * q1] += s }
                }
            }
        }
        sums[products.order[0]] = first
        return sums
    }

    /// ∂λ/∂θ_j for term k: exact for the structures linear in θ, central differences for exchangeable.
    private func lambdaDerivative(_ theta: [Double], term k: Int, parameter j: Int) -> [Double]? {
        let term = parameters.terms[k]
        if term.structure == .exchangeable {
            let h = 1e-6 * max(1, abs(theta[j]))
            var plus = theta, minus = theta
            plus[j] += h
            minus[j] -= h
            guard let up = parameters.lambda(plus, term: k), let down = parameters.lambda(minus, term: k) else { return nil }
            return zip(up, down).map { ($0 - $1) / (2 * h) }
        }
        var zero = theta
        for i in term.offset..<(term.offset + term.count) { zero[i] = 0 }
        zero[j] = 1
        return parameters.lambda(zero, term: k)
    }

    /// The inverse of a lower-triangular q × q λ (column-major); nil when a diagonal is 0.
    static func lowerInverse(_ lambda: [Double], _ q: Int) -> [Double]? {
        var inverse = [Double](repeating: 0, count: q * q)
        for c in 0..<q {
            guard lambda[c + c * q] != 0 else { return nil }
            inverse[c + c * q] = 1 / lambda[c + c * q]
            for i in (c + 1)..<max(c + 1, q) {
                var s = 0.0
                for l in c..<i { s += lambda[i + l * q] * inverse[l + c * q] }
                inverse[i + c * q] = -s / lambda[i + i * q]
            }
        }
        return inverse
    }
}

import HLMFormula

extension FactorSolution {
    /// Every group's conditional covariance Var(b | y) = σ² Λ_k [(L_Z L_Z')⁻¹]_g Λ_k' for every term
    /// (lme4's `ranef(condVar = TRUE)`): the needed q×q blocks of the inverse, without forming it. With
    /// L_Z = [L₁₁ 0; L₂₁ L_rr] (the factor's random-effects part) and S⁻¹ = (L_rr L_rr')⁻¹, a further
    /// term's block is read off S⁻¹, and a first-term block is L₁₁,j⁻ᵀL₁₁,j⁻¹ + M_j'S⁻¹M_j with
    /// M_j = L₂₁,j L₁₁,j⁻¹ over the few further-term rows of its panel. S⁻¹ comes from LAPACK's dpotri
    /// on the dense factor, or on the sparse factor's own pattern (which holds every entry needed).
    /// Per term in design order, per group, flattened q×q (column-major).
    public func allConditionalCovariances(_ deviance: ProfiledDeviance) -> [[[Double]]] {
        if let single = conditionalVariances(deviance) { return single }
        _ = deviance.evaluate(theta, keepingBlocks: true)
        let factor = deviance.factor
        if let sparse = factor.sparse {
            let inverse = sparse.inverseOnPattern()
            return conditionalCovariances(deviance) { a, b in
                sparse.position(row: max(a, b), column: min(a, b)).map { inverse[$0] } ?? 0
            }
        }
        // L_rr: the leading zRest × zRest of the further-term factor.
        let zRest = factor.zRest
        let inverse = factor.inverseOfLeadingBlock(zRest)
        return conditionalCovariances(deviance) { a, b in inverse[a + b * zRest] }
    }

    /// The blocks of ``allConditionalCovariances(_:)`` from the entries of S⁻¹ (`entry(a, b)`, further-term rows).
    func conditionalCovariances(_ deviance: ProfiledDeviance, entry: (Int, Int) -> Double) -> [[[Double]]] {
        let factor = deviance.factor, products = deviance.products, design = deviance.design, q1 = factor.q1
        var result = [[[Double]]](repeating: [], count: design.randomTerms.count)
        for (position, k) in products.order.enumerated() {
            let term = design.randomTerms[k], q = term.termCount
            let lambda = deviance.parameters.lambda(theta, term: k)!
            result[k] = (0..<term.groupCount).map { g in
                var block = [Double](repeating: 0, count: q * q)
                if position == 0 {
                    let base = g * q1 * q1
                    let l11Inverse = Self.inverseOfBlock(factor.l11, offset: base, q1)
                    block = TriangularSolve.gram(l11Inverse, rows: q1, columns: q1, scale: 1)
                    let first = products.panelStart[g], height = products.panelStart[g + 1] - first
                    let panel = products.panelValueStart[g]
                    let rows = (0..<height).filter { Int(products.panelRows[first + $0]) < factor.zRest }
                    // M (rows × q₁), then M' S⁻¹ M.
                    let m = rows.map { a in (0..<q1).map { c in
                        (0..<q1).reduce(0.0) { $0 + factor.l21[panel + $1 * height + a] * l11Inverse[$1 + c * q1] }
                    } }
                    let rowIndex = rows.map { Int(products.panelRows[first + $0]) }
                    for c in 0..<q1 { for d in 0..<q1 {
                        var s = 0.0
                        for x in rows.indices { for y in rows.indices {
                            s += m[x][c] * entry(rowIndex[x], rowIndex[y]) * m[y][d]
                        } }
                        block[c + d * q1] += s
                    } }
                } else {
                    let offset = products.restOffsets[position - 1] + g * q
                    for a in 0..<q { for b in 0..<q { block[a + b * q] = entry(offset + a, offset + b) } }
                }
                return scaledByLambda(block, lambda, q)
            }
        }
        return result
    }

    /// L₁₁,j⁻¹ (q₁ × q₁, lower triangular) of the first-term block at `offset`.
    static func inverseOfBlock(_ l11: [Double], offset: Int, _ q1: Int) -> [Double] {
        var inverse = [Double](repeating: 0, count: q1 * q1)
        for c in 0..<q1 {
            var e = [Double](repeating: 0, count: q1)
            e[c] = 1
            TriangularSolve.forward(l11, offset: offset, stride: q1, n: q1, &e)
            for i in 0..<q1 { inverse[i + c * q1] = e[i] }
        }
        return inverse
    }

    /// σ² λ B λ' for a q×q block B of the spherical effects' covariance.
    func scaledByLambda(_ block: [Double], _ lambda: [Double], _ q: Int) -> [Double] {
        var scaled = [Double](repeating: 0, count: q * q)
        for a in 0..<q { for b in 0..<q {
            var s = 0.0
            for c in 0..<q { for d in 0..<q { s += lambda[a + c * q] * block[c + d * q] * lambda[b + d * q] } }
            scaled[a + b * q] = sigma2 * s
        } }
        return scaled
    }
}

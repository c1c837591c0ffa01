import HLMFormula

extension FactorSolution {
    /// Every group's conditional covariance Var(b | y) = σ² Λ_k [(L_Z L_Z')⁻¹]_g Λ_k' for every term
    /// (lme4's `ranef(condVar = TRUE)`): the needed q×q blocks of the inverse, without forming it. With
    /// L_Z = [L₁₁ 0; L₂₁ L_rr] (the factor's random-effects part), a first-term block is
    /// L₁₁,j⁻ᵀL₁₁,j⁻¹ + W_j'W_j with W_j = L_rr⁻¹ (L₂₁,j L₁₁,j⁻¹), and a further term's block is
    /// read off L_rr⁻ᵀ L_rr⁻¹. Per term in design order, per group, flattened q×q (column-major).
    public func allConditionalCovariances(_ deviance: ProfiledDeviance) -> [[[Double]]] {
        if let single = conditionalVariances(deviance) { return single }
        _ = deviance.evaluate(theta, keepingBlocks: true)
        if let sparse = deviance.factor.sparse { return sparseConditionalCovariances(deviance, sparse) }
        let factor = deviance.factor, products = deviance.products, design = deviance.design
        let r = factor.r, zRest = factor.zRest, q1 = factor.q1
        // L_rr⁻¹ (lower triangular, zRest × zRest), column by column.
        var inverse = [Double](repeating: 0, count: zRest * zRest)
        for column in 0..<zRest {
            var e = [Double](repeating: 0, count: zRest - column)
            e[0] = 1
            // Forward solve on the trailing block from `column` on (the rows above are zero).
            for i in 0..<e.count {
                var s = e[i]
                for k in 0..<i { s -= factor.l22[(column + i) + (column + k) * r] * e[k] }
                e[i] = s / factor.l22[(column + i) + (column + i) * r]
            }
            for i in 0..<e.count { inverse[(column + i) + column * zRest] = e[i] }
        }
        var result = [[[Double]]](repeating: [], count: design.randomTerms.count)
        for (position, k) in products.order.enumerated() {
            let term = design.randomTerms[k], q = term.termCount
            let lambda = deviance.parameters.lambda(theta, term: k)!
            var blocks: [[Double]] = []
            blocks.reserveCapacity(term.groupCount)
            for g in 0..<term.groupCount {
                var block = [Double](repeating: 0, count: q * q)
                if position == 0 {
                    // L₁₁,j⁻¹ (q₁ × q₁), then M = L₂₁,j L₁₁,j⁻¹ over the panel's random-effects rows.
                    let base = g * q1 * q1
                    let l11Inverse = Self.inverseOfBlock(factor.l11, offset: base, q1)
                    block = TriangularSolve.gram(l11Inverse, rows: q1, columns: q1, scale: 1)
                    let first = products.panelStart[g], height = products.panelStart[g + 1] - first
                    let panel = products.panelValueStart[g]
                    let rows = (0..<(height - 1)).filter { Int(products.panelRows[first + $0]) < zRest }
                    if !rows.isEmpty {
                        // W = L_rr⁻¹ M, zRest × q₁; only rows from the smallest panel row on are nonzero.
                        var w = [Double](repeating: 0, count: zRest * q1)
                        for c in 0..<q1 {
                            for a in rows {
                                let row = Int(products.panelRows[first + a])
                                var m = 0.0
                                for t in 0..<q1 { m += factor.l21[panel + t * height + a] * l11Inverse[t + c * q1] }
                                guard m != 0 else { continue }
                                for i in row..<zRest { w[i + c * zRest] += inverse[i + row * zRest] * m }
                            }
                        }
                        let extra = TriangularSolve.gram(w, rows: zRest, columns: q1, scale: 1)
                        for i in 0..<(q1 * q1) { block[i] += extra[i] }
                    }
                } else {
                    let offset = products.restOffsets[position - 1] + g * q
                    for a in 0..<q { for b in 0..<q {
                        var s = 0.0
                        for i in max(offset + a, offset + b)..<zRest { s += inverse[i + (offset + a) * zRest] * inverse[i + (offset + b) * zRest] }
                        block[a + b * q] = s
                    } }
                }
                blocks.append(scaledByLambda(block, lambda, q))
            }
            result[k] = blocks
        }
        return result
    }

    /// `allConditionalCovariances` on the sparse factor (scalar further terms): the entries of S_zz⁻¹
    /// on its own pattern hold every block needed, a further term's diagonal and, for a first-term
    /// group, M'S_zz⁻¹M over the further-term rows of its panel (M = L₂₁,j L₁₁,j⁻¹).
    func sparseConditionalCovariances(_ deviance: ProfiledDeviance, _ sparse: SparseRestFactor) -> [[[Double]]] {
        let factor = deviance.factor, products = deviance.products, design = deviance.design, q1 = factor.q1
        let inverse = sparse.inverseOnPattern()
        func entry(_ a: Int, _ b: Int) -> Double {
            sparse.position(row: max(a, b), column: min(a, b)).map { inverse[$0] } ?? 0
        }
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
                    for c in 0..<q1 { for d in 0..<q1 {
                        var s = 0.0
                        for (x, a) in rows.enumerated() { for (y, b) in rows.enumerated() {
                            s += m[x][c] * entry(Int(products.panelRows[first + a]), Int(products.panelRows[first + b])) * m[y][d]
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

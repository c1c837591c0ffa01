import Foundation
import HLMFormula

/// The lower Cholesky factor L of the penalised system, in two blocks:
/// L₁₁ block diagonal (one q₁×q₁ block per group of the first term), L₂₁ as one compact panel per group
/// (the rest rows that group meets, see ``CrossProducts``), L₂₂ dense R × R (the further terms, X and y).
/// The last row of L holds the y part: its last entry is √(penalised RSS).
struct BlockedFactor {
    var l11: [Double]
    /// Panel values, laid out as `CrossProducts.panelValues`.
    var l21: [Double]
    var l22: [Double]
    let r: Int
    let q1: Int
    let groups1: Int
    let zRest: Int
    let p: Int
    /// For a large dense block on a machine with several cores: the thread the work of each
    /// evaluation is split with (the dense factorisation and the downdate before it).
    let threads: SecondThread?

    /// Dense blocks at least this large are split between two threads (below it, handing work over
    /// costs more than it saves).
    static let parallelRestCount = 400

    init(products: CrossProducts, parallelRestCount: Int = Self.parallelRestCount) {
        r = products.restCount
        q1 = products.q1
        groups1 = products.groups1
        zRest = products.xOffset
        p = products.p
        l11 = products.a11
        l21 = products.panelValues
        l22 = products.a22
        threads = r >= parallelRestCount && ProcessInfo.processInfo.activeProcessorCount > 1 ? SecondThread() : nil
    }

    /// The dense factorisation of L₂₂: on two threads when the factor has them.
    private mutating func factorRest() -> Bool {
        guard let threads else { return DenseCholesky.factor(&l22, n: r) }
        let n = r
        return l22.withUnsafeMutableBufferPointer { ParallelCholesky.factor($0.baseAddress!, n: n, threads: threads) }
    }

    /// Refactors at the given λ's (in the products' term order). False if a block is not positive definite.
    mutating func update(products: CrossProducts, lambdas: [[Double]], design: ModelDesign) -> Bool {
        if products.order.count == 1 { return updateSingleTerm(products: products, lambda: lambdas[0]) }
        let lambda1 = lambdas[0]
        let q1 = self.q1, r = self.r
        // Copy the cross products into the factor's own buffers (no reallocation per evaluation).
        Self.copy(products.a11, into: &l11)
        Self.copy(products.panelValues, into: &l21)
        var ok = true
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 2 * q1 * q1 + q1)
        defer { scratch.deallocate() }
        lambda1.withUnsafeBufferPointer { lambdaPointer in
            let lambda = lambdaPointer.baseAddress!
            l11.withUnsafeMutableBufferPointer { l11p in
                l21.withUnsafeMutableBufferPointer { l21p in
                    for j in 0..<groups1 {
                        let block = l11p.baseAddress! + j * q1 * q1
                        // λ' A λ + I, with A symmetric (lower triangle stored).
                        Self.congruence(block, lambda, q1, scratch)
                        for i in 0..<q1 { block[i + i * q1] += 1 }
                        guard SmallCholesky.factor(block, n: q1) else { ok = false; return }
                        // L₂₁ panel: (A₂₁ λ₁) L₁₁⁻ᵀ.
                        let panel = l21p.baseAddress! + products.panelValueStart[j]
                        let height = products.panelStart[j + 1] - products.panelStart[j]
                        Self.multiplyRight(panel, rows: height, by: lambda, q1, scratch)
                        Self.solveRightLowerTranspose(panel, rows: height, block, q1)
                    }
                }
            }
        }
        guard ok else { return false }
        // Λ' on the rows of further terms (left) in L₂₁ and both sides in A₂₂, + I, − Σ_j P_j P_j'.
        let (scale, vectorTerms) = restScale(products: products, lambdas: lambdas, design: design)
        scalePanelRows(products: products, scale: scale, lambdas: lambdas, design: design)
        if vectorTerms.isEmpty {
            // Scalar terms only: each column of L₂₂ is filled and downdated while it is in cache.
            subtractPanelProducts(products, fillingWith: scale)
        } else {
            fillRestBlock(products: products, scale: scale, vectorTerms: vectorTerms, lambdas: lambdas, design: design)
            for i in 0..<zRest { l22[i + i * r] += 1 }
            subtractPanelProducts(products, fillingWith: nil)
        }
        return factorRest()
    }

    /// `update` for a model with one random-effects term: every panel is all of X and y (height R,
    /// stored one after another), so each group's block, panel and downdate run in one fused loop.
    private mutating func updateSingleTerm(products: CrossProducts, lambda: [Double]) -> Bool {
        let q1 = self.q1, r = self.r, groups = groups1
        Self.copy(products.a22, into: &l22)
        var ok = true
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 2 * q1 * q1 + q1)
        defer { scratch.deallocate() }
        lambda.withUnsafeBufferPointer { lambdaPointer in
            let lambda = lambdaPointer.baseAddress!
            products.a11.withUnsafeBufferPointer { a11 in
                products.panelValues.withUnsafeBufferPointer { a21 in
                    l11.withUnsafeMutableBufferPointer { l11 in
                        l21.withUnsafeMutableBufferPointer { l21 in
                            l22.withUnsafeMutableBufferPointer { l22 in
                                let target = l22.baseAddress!
                                for j in 0..<groups {
                                    let block = l11.baseAddress! + j * q1 * q1
                                    block.update(from: a11.baseAddress! + j * q1 * q1, count: q1 * q1)
                                    let panel = l21.baseAddress! + j * r * q1
                                    panel.update(from: a21.baseAddress! + j * r * q1, count: r * q1)
                                    // λ'Aλ + I, its Cholesky factor, the panel A₂₁λL⁻ᵀ and its downdate of A₂₂.
                                    Self.congruence(block, lambda, q1, scratch)
                                    switch q1 {
                                    case 1:
                                        let l = (block[0] + 1).squareRoot()
                                        block[0] = l
                                        let scale = lambda[0] / l
                                        for a in 0..<r { panel[a] *= scale }
                                        for b in 0..<r {
                                            let pb = panel[b]
                                            let column = target + b * r
                                            for a in b..<r { column[a] -= panel[a] * pb }
                                        }
                                    case 2:
                                        let l00 = (block[0] + 1).squareRoot(), l10 = block[1] / l00
                                        let d11 = block[3] + 1 - l10 * l10
                                        guard d11 > 0 else { ok = false; return }
                                        let l11 = d11.squareRoot()
                                        block[0] = l00
                                        block[1] = l10
                                        block[3] = l11
                                        let (m00, m10, m11) = (lambda[0], lambda[1], lambda[3])
                                        let second = panel + r
                                        for a in 0..<r {
                                            let x0 = panel[a] * m00 + second[a] * m10, x1 = second[a] * m11
                                            let p0 = x0 / l00
                                            panel[a] = p0
                                            second[a] = (x1 - p0 * l10) / l11
                                        }
                                        for b in 0..<r {
                                            let p0b = panel[b], p1b = second[b]
                                            let column = target + b * r
                                            for a in b..<r { column[a] -= panel[a] * p0b + second[a] * p1b }
                                        }
                                    default:
                                        for i in 0..<q1 { block[i + i * q1] += 1 }
                                        guard SmallCholesky.factor(block, n: q1) else { ok = false; return }
                                        Self.multiplyRight(panel, rows: r, by: lambda, q1, scratch)
                                        Self.solveRightLowerTranspose(panel, rows: r, block, q1)
                                        for b in 0..<r {
                                            let column = target + b * r
                                            for a in b..<r {
                                                var s = 0.0
                                                for c in 0..<q1 { s += panel[a + c * r] * panel[b + c * r] }
                                                column[a] -= s
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard ok else { return false }
        return DenseCholesky.factor(&l22, n: r)
    }

    /// `target` ← `source` (same length), reusing `target`'s storage.
    static func copy(_ source: [Double], into target: inout [Double]) {
        precondition(source.count == target.count, "buffer sizes differ")
        source.withUnsafeBufferPointer { s in
            target.withUnsafeMutableBufferPointer { t in t.baseAddress!.update(from: s.baseAddress!, count: s.count) }
        }
    }

    /// L₂₂ −= Σ_j P_j P_j' over each group's compact panel (lower triangle), one column of L₂₂ at a
    /// time: column b gathers the products of every panel that has row b. The column being written stays
    /// in cache and the panels are read in order; going panel by panel instead scatters the updates over
    /// all of L₂₂ (measured: 3× slower for 1,145 rows). With `scale`, each column is first filled with
    /// Λ'A₂₂Λ + I (scalar terms: a diagonal Λ), so L₂₂ is written once per evaluation.
    private mutating func subtractPanelProducts(_ products: CrossProducts, fillingWith scale: [Double]?) {
        let r = self.r, q1 = self.q1, zRest = self.zRest, threads = self.threads
        let unit = [Double](repeating: 1, count: scale == nil ? 0 : 0)
        (scale ?? unit).withUnsafeBufferPointer { s in
        products.a22Start.withUnsafeBufferPointer { fillStart in
        products.a22Rows.withUnsafeBufferPointer { fillRows in
        products.a22Values.withUnsafeBufferPointer { fillValues in
        l22.withUnsafeMutableBufferPointer { target in
            l21.withUnsafeBufferPointer { panels in
                products.panelRows.withUnsafeBufferPointer { rows in
                    products.panelStart.withUnsafeBufferPointer { panelStart in
                        products.panelValueStart.withUnsafeBufferPointer { valueStart in
                            products.rowEntryStart.withUnsafeBufferPointer { entryStart in
                                products.rowEntryGroup.withUnsafeBufferPointer { entryGroup in
                                    products.rowEntryPosition.withUnsafeBufferPointer { entryPosition in
                                        nonisolated(unsafe) let (s, target, panels, rows) = (s, target, panels, rows)
                                        nonisolated(unsafe) let (fillStart, fillRows, fillValues) = (fillStart, fillRows, fillValues)
                                        nonisolated(unsafe) let (panelStart, valueStart) = (panelStart, valueStart)
                                        nonisolated(unsafe) let (entryStart, entryGroup, entryPosition) = (entryStart, entryGroup, entryPosition)
                                        let fills = scale != nil
                                        let columns: @Sendable (Range<Int>) -> Void = { range in
                                            for b in range {
                                                let column = target.baseAddress! + b * r
                                                if fills {
                                                    // Zeros, then A₂₂'s nonzeros scaled, then the identity.
                                                    (column + b).update(repeating: 0, count: r - b)
                                                    let sb = s[b]
                                                    for e in fillStart[b]..<fillStart[b + 1] {
                                                        let i = Int(fillRows[e])
                                                        column[i] = fillValues[e] * s[i] * sb
                                                    }
                                                    if b < zRest { column[b] += 1 }
                                                }
                                                for e in entryStart[b]..<entryStart[b + 1] {
                                                    let j = Int(entryGroup[e]), k = Int(entryPosition[e])
                                                    let first = panelStart[j], height = panelStart[j + 1] - first
                                                    let panel = panels.baseAddress! + valueStart[j]
                                                    let panelRows = rows.baseAddress! + first
                                                    for c in 0..<q1 {
                                                        let values = panel + c * height
                                                        let vb = values[k]
                                                        if vb == 0 { continue }
                                                        for a in k..<height { column[Int(panelRows[a])] -= values[a] * vb }
                                                    }
                                                }
                                            }
                                        }
                                        if let threads {
                                            // Columns [0, middle) and [middle, r) hold equal work (filling and downdating).
                                            let middle = products.downdateMiddle
                                            threads.run { half in columns(half == 0 ? 0..<middle : middle..<r) }
                                        } else {
                                            columns(0..<r)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        }
        }
        }
        }
    }

    /// Per rest index, the diagonal part of Λ: a scalar term's λ on its rows, 1 for X, y and the rows of
    /// vector terms (listed apart, by position in the products' order − 1).
    private func restScale(products: CrossProducts, lambdas: [[Double]], design: ModelDesign) -> ([Double], [Int]) {
        var scale = [Double](repeating: 1, count: r)
        var vectorTerms: [Int] = []
        for (t, k) in products.order.dropFirst().enumerated() {
            let term = design.randomTerms[k]
            if term.termCount == 1 {
                let l = lambdas[t + 1][0]
                for g in 0..<term.groupCount { scale[products.restOffsets[t] + g] = l }
            } else {
                vectorTerms.append(t)
            }
        }
        return (scale, vectorTerms)
    }

    /// L₂₂ ← Λ' A₂₂ Λ when some further term is a vector term: the diagonal part while the lower triangle
    /// is copied, then each vector term's rows and columns of the full matrix.
    private mutating func fillRestBlock(
        products: CrossProducts, scale: [Double], vectorTerms: [Int], lambdas: [[Double]], design: ModelDesign
    ) {
        let r = self.r
        l22.withUnsafeMutableBufferPointer { target in
            products.a22.withUnsafeBufferPointer { source in
                scale.withUnsafeBufferPointer { s in
                    for j in 0..<r {
                        let sj = s[j]
                        let from = source.baseAddress! + j * r, to = target.baseAddress! + j * r
                        for i in j..<r { to[i] = from[i] * s[i] * sj }
                    }
                }
            }
        }
        for j in 0..<r { for i in 0..<j { l22[i + j * r] = l22[j + i * r] } }
        for t in vectorTerms {
            let term = design.randomTerms[products.order[t + 1]]
            let q = term.termCount, lambda = lambdas[t + 1]
            for g in 0..<term.groupCount {
                let base = products.restOffsets[t] + g * q
                Self.leftMultiplyTranspose(&l22, ld: r, columns: r, rowStart: base, lambda, q)
                Self.rightMultiply(&l22, ld: r, rows: r, columnStart: base, lambda, q)
            }
        }
    }

    /// The rows of the panels that belong to further terms: scalar ones times their λ, vector ones by λ'
    /// on each group's q rows (contiguous in a panel).
    private mutating func scalePanelRows(products: CrossProducts, scale: [Double], lambdas: [[Double]], design: ModelDesign) {
        let q1 = self.q1, zRest = self.zRest
        let widths = products.order.dropFirst().map { design.randomTerms[$0].termCount }
        var transformed = [Double](repeating: 0, count: 8)
        scale.withUnsafeBufferPointer { s in
            products.panelRows.withUnsafeBufferPointer { rows in
                l21.withUnsafeMutableBufferPointer { l21 in
                    for j in 0..<groups1 {
                        let first = products.panelStart[j], height = products.panelStart[j + 1] - first
                        let panel = l21.baseAddress! + products.panelValueStart[j]
                        var a = 0
                        while a < height {
                            let index = Int(rows[first + a])
                            guard index < zRest else { break }
                            let t = Int(products.restTerm[index])
                            let q = widths[t]
                            if q == 1 {
                                let l = s[index]
                                for c in 0..<q1 { panel[c * height + a] *= l }
                            } else {
                                let lambda = lambdas[t + 1]
                                if transformed.count < q { transformed = [Double](repeating: 0, count: q) }
                                for c in 0..<q1 {
                                    let column = c * height
                                    for x in 0..<q {
                                        var sum = 0.0
                                        for k in x..<q { sum += lambda[k + x * q] * panel[column + a + k] }
                                        transformed[x] = sum
                                    }
                                    for x in 0..<q { panel[column + a + x] = transformed[x] }
                                }
                            }
                            a += q
                        }
                    }
                }
            }
        }
    }

    /// Rows rowStart..<rowStart+q of a column-major matrix ← λ' · those rows.
    static func leftMultiplyTranspose(
        _ matrix: inout [Double], ld: Int, columns: Int, rowStart: Int, _ lambda: [Double], _ q: Int
    ) {
        if q == 1 {
            let l = lambda[0]
            for column in 0..<columns { matrix[rowStart + column * ld] *= l }
            return
        }
        var values = [Double](repeating: 0, count: q)
        for column in 0..<columns {
            for a in 0..<q { values[a] = matrix[rowStart + a + column * ld] }
            for a in 0..<q {
                var s = 0.0
                for k in a..<q { s += lambda[k + a * q] * values[k] }
                matrix[rowStart + a + column * ld] = s
            }
        }
    }

    /// Columns columnStart..<columnStart+q ← those columns · λ.
    static func rightMultiply(_ matrix: inout [Double], ld: Int, rows: Int, columnStart: Int, _ lambda: [Double], _ q: Int) {
        if q == 1 {
            let l = lambda[0]
            for row in 0..<rows { matrix[row + columnStart * ld] *= l }
            return
        }
        var values = [Double](repeating: 0, count: q)
        for row in 0..<rows {
            for a in 0..<q { values[a] = matrix[row + (columnStart + a) * ld] }
            for j in 0..<q {
                var s = 0.0
                for k in j..<q { s += values[k] * lambda[k + j * q] }
                matrix[row + (columnStart + j) * ld] = s
            }
        }
    }

    /// block ← λ' block λ for a symmetric block given by its lower triangle (upper part left as is).
    /// `scratch` holds at least 2q² doubles.
    @inline(__always)
    static func congruence(_ block: UnsafeMutablePointer<Double>, _ lambda: UnsafePointer<Double>, _ q: Int,
                           _ scratch: UnsafeMutablePointer<Double>) {
        if q == 1 {
            block[0] *= lambda[0] * lambda[0]
            return
        }
        if q == 2 {
            let (a00, a10, a11) = (block[0], block[1], block[3])
            let (l00, l10, l11) = (lambda[0], lambda[1], lambda[3])
            // M = A λ (λ lower): columns m0 = A (l00, l10)', m1 = A (0, l11)'.
            let m00 = a00 * l00 + a10 * l10, m10 = a10 * l00 + a11 * l10
            let m01 = a10 * l11, m11 = a11 * l11
            block[0] = l00 * m00 + l10 * m10
            block[1] = l11 * m10
            block[3] = l11 * m11
            _ = m01
            return
        }
        let full = scratch, m = scratch + q * q
        for j in 0..<q { for i in 0..<q { full[i + j * q] = i >= j ? block[i + j * q] : block[j + i * q] } }
        for j in 0..<q { for i in 0..<q { var s = 0.0; for k in j..<q { s += full[i + k * q] * lambda[k + j * q] }; m[i + j * q] = s } }
        for j in 0..<q { for i in j..<q { var s = 0.0; for k in i..<q { s += lambda[k + i * q] * m[k + j * q] }; block[i + j * q] = s } }
    }

    /// panel (rows × q) ← panel · λ for a lower-triangular λ. `scratch` holds at least q doubles.
    @inline(__always)
    static func multiplyRight(_ panel: UnsafeMutablePointer<Double>, rows: Int, by lambda: UnsafePointer<Double>, _ q: Int,
                              _ scratch: UnsafeMutablePointer<Double>) {
        if q == 1 {
            let l = lambda[0]
            for i in 0..<rows { panel[i] *= l }
            return
        }
        if q == 2 {
            let (l00, l10, l11) = (lambda[0], lambda[1], lambda[3])
            for row in 0..<rows {
                let a = panel[row], b = panel[row + rows]
                panel[row] = a * l00 + b * l10
                panel[row + rows] = b * l11
            }
            return
        }
        for row in 0..<rows {
            for j in 0..<q { var s = 0.0; for k in j..<q { s += panel[row + k * rows] * lambda[k + j * q] }; scratch[j] = s }
            for j in 0..<q { panel[row + j * rows] = scratch[j] }
        }
    }

    /// panel (rows × q) ← panel · L⁻ᵀ for a lower-triangular q×q L.
    @inline(__always)
    static func solveRightLowerTranspose(_ panel: UnsafeMutablePointer<Double>, rows: Int, _ l: UnsafeMutablePointer<Double>, _ q: Int) {
        // X L' = B: column j of X: (B_j − Σ_{k<j} X_k L_jk) / L_jj.
        for j in 0..<q {
            let diagonal = l[j + j * q]
            for k in 0..<j {
                let ljk = l[j + k * q]
                if ljk == 0 { continue }
                for row in 0..<rows { panel[row + j * rows] -= panel[row + k * rows] * ljk }
            }
            for row in 0..<rows { panel[row + j * rows] /= diagonal }
        }
    }

    /// log |L_Z|² over the random-effects part.
    var logDeterminantZ: Double {
        // The diagonal of L₁₁ multiplied in runs, one log per run instead of one per group: its entries
        // are ≥ 1 (pivots of λ'Aλ + I), so a run is flushed before the product could overflow.
        var sum = 0.0, product = 1.0
        l11.withUnsafeBufferPointer { l11 in
            for j in 0..<groups1 {
                for i in 0..<q1 {
                    let value = l11[j * q1 * q1 + i + i * q1]
                    if value > 1e100 || value < 1e-100 {
                        sum += log(value)
                        continue
                    }
                    product *= value
                    if product > 1e200 || product < 1e-200 {
                        sum += log(product)
                        product = 1
                    }
                }
            }
        }
        sum += log(product)
        for i in 0..<zRest { sum += log(l22[i + i * r]) }
        return 2 * sum
    }

    /// log |L_X|² over the fixed-effects part.
    var logDeterminantX: Double {
        var sum = 0.0
        for i in zRest..<(zRest + p) { sum += log(l22[i + i * r]) }
        return 2 * sum
    }

    /// The penalised residual sum of squares: the square of L's last diagonal entry.
    var penalizedResidualSumOfSquares: Double {
        let last = l22[(r - 1) + (r - 1) * r]
        return last * last
    }
}

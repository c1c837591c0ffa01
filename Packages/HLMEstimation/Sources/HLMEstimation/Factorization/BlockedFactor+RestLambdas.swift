import Foundation
import HLMFormula

extension BlockedFactor {
    /// Per rest index, the diagonal part of Λ: a scalar term's λ on its rows, 1 for X, y and the rows of
    /// vector terms (listed apart, by position in the products' order − 1).
    func restScale(products: CrossProducts, lambdas: [[Double]], design: ModelDesign) -> ([Double], [Int]) {
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
    mutating func fillRestBlock(
        products: CrossProducts, scale: [Double], vectorTerms: [Int], lambdas: [[Double]], design: ModelDesign
    ) {
        let r = self.r
        if products.a22.isEmpty {
            // Accumulated sparsely: the lower triangle from its nonzeros.
            l22.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            for b in 0..<r {
                for e in products.a22Start[b]..<products.a22Start[b + 1] {
                    let i = Int(products.a22Rows[e])
                    l22[i + b * r] = products.a22Values[e] * scale[i] * scale[b]
                }
            }
        } else {
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
    mutating func scalePanelRows(products: CrossProducts, scale: [Double], lambdas: [[Double]], design: ModelDesign) {
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
}

import Foundation
import HLMFormula

extension BlockedFactor {
    /// Per rest index, the diagonal part of Λ: a scalar term's λ on its rows, 1 for X, y and the rows of
    /// vector terms (their Λ is applied by ``VectorTermRows``).
    func restScale(products: CrossProducts, lambdas: [[Double]], design: ModelDesign) -> [Double] {
        var scale = [Double](repeating: 1, count: r)
        for (t, k) in products.order.dropFirst().enumerated() {
            let term = design.randomTerms[k]
            guard term.termCount == 1 else { continue }
            let l = lambdas[t + 1][0]
            for g in 0..<term.groupCount { scale[products.restOffsets[t] + g] = l }
        }
        return scale
    }

    /// The rows of the panels that belong to further terms: scalar ones times their λ, vector ones by λ'
    /// on each group's q rows (contiguous in a panel). Groups are shared between the two threads when the
    /// factor has them (each panel is written by one).
    mutating func scalePanelRows(products: CrossProducts, scale: [Double], lambdas: [[Double]], design: ModelDesign) {
        let (q1, zRest, groups1, threads) = (self.q1, self.zRest, self.groups1, self.threads)
        let widths = products.order.dropFirst().map { design.randomTerms[$0].termCount }
        let widest = widths.max() ?? 1
        scale.withUnsafeBufferPointer { s in
        products.panelRows.withUnsafeBufferPointer { rows in
        products.panelStart.withUnsafeBufferPointer { panelStart in
        products.panelValueStart.withUnsafeBufferPointer { valueStart in
        products.restTerm.withUnsafeBufferPointer { restTerm in
        l21.withUnsafeMutableBufferPointer { l21 in
            nonisolated(unsafe) let (s, rows, panelStart, valueStart, restTerm, l21) = (s, rows, panelStart, valueStart, restTerm, l21)
            let groups: @Sendable (Range<Int>) -> Void = { range in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: widest) { transformed in
                    for j in range {
                        let first = panelStart[j], height = panelStart[j + 1] - first
                        let panel = l21.baseAddress! + valueStart[j]
                        var a = 0
                        while a < height {
                            let index = Int(rows[first + a])
                            guard index < zRest else { break }
                            let t = Int(restTerm[index])
                            let q = widths[t]
                            if q == 1 {
                                let l = s[index]
                                for c in 0..<q1 { panel[c * height + a] *= l }
                            } else {
                                let lambda = lambdas[t + 1]
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
            if let threads { threads.share(0..<groups1, chunk: 64, groups) } else { groups(0..<groups1) }
        } } } } } }
    }
}

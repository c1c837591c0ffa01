import Foundation
import HLMFormula

extension BlockedFactor {
    /// `update` for a model with one random-effects term: every panel is all of X and y (height R,
    /// stored one after another), so each group's block, panel and downdate run in one fused loop.
    /// Without `keepsBlocks` each group's block and panel are worked on in scratch space and dropped.
    mutating func updateSingleTerm(products: CrossProducts, lambda: [Double], keepsBlocks: Bool) -> Bool {
        let q1 = self.q1, r = self.r, groups = groups1
        Self.copy(products.a22, into: &l22)
        var ok = true
        var logDiagonal = LogProduct()
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 2 * q1 * q1 + q1)
        defer { scratch.deallocate() }
        let groupScratch = UnsafeMutablePointer<Double>.allocate(capacity: q1 * q1 + r * q1)
        defer { groupScratch.deallocate() }
        lambda.withUnsafeBufferPointer { lambdaPointer in
            let lambda = lambdaPointer.baseAddress!
            products.a11.withUnsafeBufferPointer { a11 in
                products.panelValues.withUnsafeBufferPointer { a21 in
                    l11.withUnsafeMutableBufferPointer { l11 in
                        l21.withUnsafeMutableBufferPointer { l21 in
                            l22.withUnsafeMutableBufferPointer { l22 in
                                let target = l22.baseAddress!
                                for j in 0..<groups {
                                    let block = keepsBlocks ? l11.baseAddress! + j * q1 * q1 : groupScratch
                                    block.update(from: a11.baseAddress! + j * q1 * q1, count: q1 * q1)
                                    let panel = keepsBlocks ? l21.baseAddress! + j * r * q1 : groupScratch + q1 * q1
                                    panel.update(from: a21.baseAddress! + j * r * q1, count: r * q1)
                                    // λ'Aλ + I, its Cholesky factor, the panel A₂₁λL⁻ᵀ and its downdate of A₂₂.
                                    Self.congruence(block, lambda, q1, scratch)
                                    switch q1 {
                                    case 1:
                                        let l = (block[0] + 1).squareRoot()
                                        block[0] = l
                                        logDiagonal.add(l)
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
                                        logDiagonal.add(l00)
                                        logDiagonal.add(l11)
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
                                        guard Self.factorFirstTermBlock(block, panel: panel, height: r, lambda: lambda, q1, scratch,
                                                                        logDiagonal: &logDiagonal) else { ok = false; return }
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
        logDiagonal11 = logDiagonal.value
        return DenseCholesky.factor(&l22, n: r)
    }
}

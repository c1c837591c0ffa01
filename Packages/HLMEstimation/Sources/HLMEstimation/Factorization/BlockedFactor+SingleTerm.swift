import Foundation
import HLMFormula

extension BlockedFactor {
    /// `update` for a model with one random-effects term: every panel is all of X and y (height R,
    /// stored one after another), so each group's block, panel and downdate run in one fused loop.
    /// Without `keepsBlocks` each group's block and panel are worked on in scratch space and dropped.
    mutating func updateSingleTerm(products: CrossProducts, lambda: [Double], keepsBlocks: Bool) -> Bool {
        let q1 = self.q1, r = self.r, groups = groups1
        Self.copy(products.a22, into: &l22)
        // Many groups (the factor has two threads): each thread takes half of them, the second
        // downdating its own copy of zeros.
        let threads = self.threads
        let halves = threads != nil ? 2 : 1
        var second = [Double](repeating: 0, count: halves == 2 ? r * r : 0)
        let results = HalfResults()
        lambda.withUnsafeBufferPointer { lambda in
            products.a11.withUnsafeBufferPointer { a11 in
                products.panelValues.withUnsafeBufferPointer { a21 in
                    l11.withUnsafeMutableBufferPointer { l11 in
                        l21.withUnsafeMutableBufferPointer { l21 in
                            l22.withUnsafeMutableBufferPointer { l22 in
                                second.withUnsafeMutableBufferPointer { second in
                                    nonisolated(unsafe) let pointers = (lambda: lambda.baseAddress!, a11: a11.baseAddress!, a21: a21.baseAddress!,
                                                                        l11: l11.baseAddress, l21: l21.baseAddress, l22: l22.baseAddress!, second: second.baseAddress)
                                    let work: @Sendable (Int) -> Void = { half in
                                        let range = halves == 1 ? 0..<groups : (half == 0 ? 0..<(groups / 2) : (groups / 2)..<groups)
                                        results.store(half, Self.downdate(groups: range, q1: q1, r: r, lambda: pointers.lambda,
                                                                          a11: pointers.a11, a21: pointers.a21,
                                                                          l11: keepsBlocks ? pointers.l11 : nil, l21: keepsBlocks ? pointers.l21 : nil,
                                                                          into: half == 0 ? pointers.l22 : pointers.second!))
                                    }
                                    if halves == 1 { work(0) } else { threads!.run(work) }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard let first = results.value(0), halves == 1 || results.value(1) != nil else { return false }
        logDiagonal11 = first + (halves == 2 ? results.value(1)! : 0)
        if halves == 2 { for i in 0..<(r * r) { l22[i] += second[i] } }
        return DenseCholesky.factor(&l22, n: r)
    }

    /// Groups from which a one-term update is split between the factor's two threads.
    static let parallelGroups = 4_096

    /// The groups' blocks λ'Aλ + I factored, their panels A₂₁λL⁻ᵀ, and the panels' products subtracted
    /// from `target` (R×R, lower triangle); `l11`/`l21` keep the blocks and panels when given.
    /// Returns Σ log of the blocks' diagonals, or nil when a block is not positive definite.
    static func downdate(groups: Range<Int>, q1: Int, r: Int, lambda: UnsafePointer<Double>, a11: UnsafePointer<Double>,
                         a21: UnsafePointer<Double>, l11: UnsafeMutablePointer<Double>?, l21: UnsafeMutablePointer<Double>?,
                         into target: UnsafeMutablePointer<Double>) -> Double? {
        var logDiagonal = LogProduct()
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 2 * q1 * q1 + q1)
        defer { scratch.deallocate() }
        let groupScratch = UnsafeMutablePointer<Double>.allocate(capacity: q1 * q1 + r * q1)
        defer { groupScratch.deallocate() }
        for j in groups {
            let block = l11.map { $0 + j * q1 * q1 } ?? groupScratch
            block.update(from: a11 + j * q1 * q1, count: q1 * q1)
            let panel = l21.map { $0 + j * r * q1 } ?? groupScratch + q1 * q1
            panel.update(from: a21 + j * r * q1, count: r * q1)
            // λ'Aλ + I, its Cholesky factor, the panel A₂₁λL⁻ᵀ and its downdate of A₂₂.
            congruence(block, lambda, q1, scratch)
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
                guard d11 > 0 else { return nil }
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
                guard factorFirstTermBlock(block, panel: panel, height: r, lambda: lambda, q1, scratch,
                                                logDiagonal: &logDiagonal) else { return nil }
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
        return logDiagonal.value
    }
}

/// Each half's Σ log diagonal (nil where a block was not positive definite), written by its own thread.
private final class HalfResults: @unchecked Sendable {
    private var first: Double?
    private var second: Double?
    func store(_ half: Int, _ value: Double?) { if half == 0 { first = value } else { second = value } }
    func value(_ half: Int) -> Double? { half == 0 ? first : second }
}

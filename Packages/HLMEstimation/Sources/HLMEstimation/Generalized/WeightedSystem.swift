import Foundation
import HLMFormula
import _COpenBLAS

/// The penalised weighted least-squares system of one PIRLS step, [Λ'Z'WZΛ + I, Λ'Z'WX; X'WZΛ, X'WX]
/// (the X part only when β is solved with u), factored as the linear model's is: the first random-effects
/// term block by block (one q₁×q₁ block per group), everything after it (the other terms, then X) dense,
/// after the first term is eliminated. Rebuilt from the rows at every step: the weights change.
struct WeightedSystem {
    let q1: Int, groups1: Int
    /// Columns after the first term: the other terms' (r) and, when β is solved too, X's (p).
    let rest: Int
    let otherTerms: Int
    /// Per group of the first term: its q₁×q₁ block (then its Cholesky factor), column-major.
    var blocks: [Double]
    /// Per group: the rest × q₁ coupling (then L₂₁ for the group), column-major rest × q₁.
    var couplings: [Double]
    /// The rest × rest block (then its Cholesky factor after the elimination).
    var restBlock: [Double]
    /// The right-hand side: q₁ per group, then the rest.
    var rhs: [Double]
    /// log|L|² of the random-effects part: Σ log of the first-term pivots² and the other terms' ones.
    var logDeterminant = 0.0

    init(q1: Int, groups1: Int, otherTerms: Int, p: Int) {
        self.q1 = q1
        self.groups1 = groups1
        self.otherTerms = otherTerms
        rest = otherTerms + p
        blocks = [Double](repeating: 0, count: groups1 * q1 * q1)
        couplings = [Double](repeating: 0, count: groups1 * rest * q1)
        restBlock = [Double](repeating: 0, count: rest * rest)
        rhs = [Double](repeating: 0, count: groups1 * q1 + rest)
    }

    /// Adds one row: weight w, the first term's group and its q₁ values of ZΛ, the rest's entries
    /// (sparse: indices into the rest and values), and the row's working response r.
    @inline(__always)
    mutating func add(weight w: Double, group g: Int, first v: UnsafeBufferPointer<Double>,
                      restIndices: UnsafeBufferPointer<Int>, restValues: UnsafeBufferPointer<Double>, response r: Double) {
        let blockStart = g * q1 * q1, couplingStart = g * rest * q1, rhsStart = g * q1
        for b in 0..<q1 {
            let wb = w * v[b]
            rhs[rhsStart + b] += wb * r
            for a in b..<q1 { blocks[blockStart + a + b * q1] += wb * v[a] }
            for (k, c) in restIndices.enumerated() { couplings[couplingStart + c + b * rest] += wb * restValues[k] }
        }
        let base = groups1 * q1
        for (k, c) in restIndices.enumerated() {
            let wc = w * restValues[k]
            rhs[base + c] += wc * r
            for (l, d) in restIndices.enumerated() where d >= c { restBlock[d + c * rest] += wc * restValues[l] }
        }
    }

    /// Factors the system (adding I to the random effects' diagonal). False when not positive definite.
    mutating func factor() -> Bool {
        var logDet = 0.0
        let q1 = q1, rest = rest
        for g in 0..<groups1 {
            let start = g * q1 * q1
            for a in 0..<q1 { blocks[start + a + a * q1] += 1 }
            guard blocks.withUnsafeMutableBufferPointer({ SmallCholesky.factor($0.baseAddress! + start, n: q1) }) else { return false }
            for a in 0..<q1 { logDet += 2 * log(blocks[start + a + a * q1]) }
            // L₂₁ = A₂₁ L₁₁⁻ᵀ: each row of the coupling solved against L₁₁.
            let cStart = g * rest * q1
            for a in 0..<q1 {
                let pivot = blocks[start + a + a * q1]
                for c in 0..<rest {
                    var value = couplings[cStart + c + a * rest]
                    for b in 0..<a { value -= couplings[cStart + c + b * rest] * blocks[start + a + b * q1] }
                    couplings[cStart + c + a * rest] = value / pivot
                }
            }
        }
        for c in 0..<otherTerms { restBlock[c + c * rest] += 1 }
        guard rest > 0 else { logDeterminant = logDet; return true }
        // S = A₂₂ − Σ L₂₁ L₂₁' (lower triangle), one dsyrk over all groups' panels side by side.
        couplings.withUnsafeBufferPointer { panel in
            restBlock.withUnsafeMutableBufferPointer { s in
                var uplo = CChar(UInt8(ascii: "L")), trans = CChar(UInt8(ascii: "N"))
                var n = Int32(rest), k = Int32(groups1 * q1), lda = Int32(rest), ldc = Int32(rest)
                var alpha = -1.0, beta = 1.0
                if k > 0 { dsyrk_(&uplo, &trans, &n, &k, &alpha, panel.baseAddress!, &lda, &beta, s.baseAddress!, &ldc) }
            }
        }
        guard restBlock.withUnsafeMutableBufferPointer({ SmallCholesky.factor($0.baseAddress!, n: rest) }) else { return false }
        for c in 0..<otherTerms { logDet += 2 * log(restBlock[c + c * rest]) }
        logDeterminant = logDet
        return true
    }

    /// The solution of the factored system for its right-hand side: u (first term's, then the other
    /// terms'), then β when the system has X.
    func solve() -> [Double] {
        var x = rhs
        let base = groups1 * q1
        // Forward: L₁₁ y₁ = b₁ per group; then b₂ − Σ L₂₁ y₁; L₂₂ y₂ = that.
        for g in 0..<groups1 {
            let start = g * q1 * q1, at = g * q1
            for a in 0..<q1 {
                var value = x[at + a]
                for b in 0..<a { value -= blocks[start + a + b * q1] * x[at + b] }
                x[at + a] = value / blocks[start + a + a * q1]
            }
            let cStart = g * rest * q1
            for a in 0..<q1 { let y = x[at + a]; if y != 0 { for c in 0..<rest { x[base + c] -= couplings[cStart + c + a * rest] * y } } }
        }
        for c in 0..<rest {
            var value = x[base + c]
            for d in 0..<c { value -= restBlock[c + d * rest] * x[base + d] }
            x[base + c] = value / restBlock[c + c * rest]
        }
        // Back: L₂₂' x₂ = y₂; then L₁₁' x₁ = y₁ − L₂₁' x₂ per group.
        for c in stride(from: rest - 1, through: 0, by: -1) {
            var value = x[base + c]
            for d in (c + 1)..<max(c + 1, rest) { value -= restBlock[d + c * rest] * x[base + d] }
            x[base + c] = value / restBlock[c + c * rest]
        }
        for g in 0..<groups1 {
            let start = g * q1 * q1, at = g * q1, cStart = g * rest * q1
            for a in 0..<q1 {
                var value = x[at + a]
                for c in 0..<rest { value -= couplings[cStart + c + a * rest] * x[base + c] }
                x[at + a] = value
            }
            for a in stride(from: q1 - 1, through: 0, by: -1) {
                var value = x[at + a]
                for b in (a + 1)..<max(a + 1, q1) { value -= blocks[start + b + a * q1] * x[at + b] }
                x[at + a] = value / blocks[start + a + a * q1]
            }
        }
        return x
    }

    /// The first term's diagonal pivot of group g (its L₁₁ entry), for quadrature with one scalar term.
    func pivot(group g: Int) -> Double { blocks[g * q1 * q1] }
}

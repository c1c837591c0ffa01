import HLMFormula

/// The blocks of A = [Z X y]'[Z X y], formed once in one pass over the rows.
///
/// The random-effects term with the most groups comes first; its Z'Z is block diagonal (one q×q
/// block per group). Everything else — the other terms' Z, then X, then y — is the "rest", of
/// dimension R, whose cross products with the first term (R × q₁J₁) and with itself (R × R) are dense.
struct CrossProducts: Sendable {
    /// Term order used: `order[0]` is the design's index of the first (block-diagonal) term.
    let order: [Int]
    let q1: Int
    let groups1: Int
    /// J₁ blocks of q₁×q₁, column-major each.
    var a11: [Double]
    /// R × (q₁J₁), column-major: the columns of group j are contiguous.
    var a21: [Double]
    /// R × R, column-major, lower triangle filled.
    var a22: [Double]
    /// Offsets of each further term's block within the rest, then of X and y.
    let restOffsets: [Int]
    let xOffset: Int
    let p: Int
    let restCount: Int
    let n: Int

    init(_ design: ModelDesign) {
        let terms = design.randomTerms
        order = terms.indices.sorted { (terms[$0].groupCount * terms[$0].termCount, -$0) > (terms[$1].groupCount * terms[$1].termCount, -$1) }
        let first = terms[order[0]]
        q1 = first.termCount
        groups1 = first.groupCount
        n = design.observationCount
        p = design.x.columns
        var offsets: [Int] = []
        var offset = 0
        for k in order.dropFirst() {
            offsets.append(offset)
            offset += terms[k].termCount * terms[k].groupCount
        }
        restOffsets = offsets
        xOffset = offset
        restCount = offset + p + 1
        let r = restCount
        var a11 = [Double](repeating: 0, count: q1 * q1 * groups1)
        var a21 = [Double](repeating: 0, count: r * q1 * groups1)
        var a22 = [Double](repeating: 0, count: r * r)

        let z1 = first.z.values, codes1 = first.codes
        let restTerms = order.dropFirst().map { terms[$0] }
        let x = design.x.values, y = design.y
        var indices = [Int](repeating: 0, count: r)
        var values = [Double](repeating: 0, count: r)
        var z1Row = [Double](repeating: 0, count: q1)
        for i in 0..<n {
            // The nonzeros of this row of the rest: further terms' Z, X, y.
            var nonzeros = 0
            for (t, term) in restTerms.enumerated() {
                let base = restOffsets[t] + Int(term.codes[i]) * term.termCount
                for c in 0..<term.termCount {
                    indices[nonzeros] = base + c
                    values[nonzeros] = term.z.values[i + c * n]
                    nonzeros += 1
                }
            }
            for c in 0..<p {
                indices[nonzeros] = xOffset + c
                values[nonzeros] = x[i + c * n]
                nonzeros += 1
            }
            indices[nonzeros] = xOffset + p
            values[nonzeros] = y[i]
            nonzeros += 1

            let j = Int(codes1[i])
            for c in 0..<q1 { z1Row[c] = z1[i + c * n] }
            let block = j * q1 * q1
            for b in 0..<q1 { for a in b..<q1 { a11[block + a + b * q1] += z1Row[a] * z1Row[b] } }
            let panel = j * q1 * r
            for c in 0..<q1 {
                let zc = z1Row[c]
                if zc == 0 { continue }
                for k in 0..<nonzeros { a21[panel + c * r + indices[k]] += values[k] * zc }
            }
            for a in 0..<nonzeros {
                let va = values[a], ia = indices[a]
                if va == 0 { continue }
                for b in 0..<nonzeros where indices[b] <= ia {
                    a22[ia + indices[b] * r] += va * values[b]
                }
            }
        }
        self.a11 = a11
        self.a21 = a21
        self.a22 = a22
    }
}

import HLMFormula

/// The rows of A₂₂ that belong to further vector terms (q > 1), kept apart so that Λ'A₂₂Λ needs no
/// dense pass: L₂₂ is filled and downdated as if every further term were scalar (a vector term's rows
/// scaled by 1), then ``correct(_:r:scale:lambdas:)`` adds Λ'A₂₂Λ − DA₂₂D on those rows and columns.
///
/// For each group of such a term (a block of q consecutive rest rows): the columns its rows meet,
/// ascending, closed under blocks (a column of another vector block brings all of that block's
/// columns), and the q rows of the full symmetric A₂₂ over them, dense.
struct VectorTermRows: Sendable {
    struct Block: Sendable {
        /// First rest row of the block, its width, and the further term's position (in `order` − 1).
        let base: Int, q: Int, term: Int
        /// Columns met, ascending.
        let columns: [Int32]
        /// A₂₂[base + x, columns[m]] at `m * q + x`.
        let values: [Double]
    }
    let blocks: [Block]
    /// For each rest row: the first row of its vector block, or −1 (a scalar term's row, X or y).
    let blockBase: [Int32]

    /// nil when no further term is a vector term.
    init?(products: CrossProducts, design: ModelDesign) {
        let r = products.restCount
        var blockBase = [Int32](repeating: -1, count: r)
        var bases: [(base: Int, q: Int, term: Int)] = []
        for (t, k) in products.order.dropFirst().enumerated() {
            let term = design.randomTerms[k], q = term.termCount
            guard q > 1 else { continue }
            for g in 0..<term.groupCount {
                let base = products.restOffsets[t] + g * q
                bases.append((base, q, t))
                for x in 0..<q { blockBase[base + x] = Int32(base) }
            }
        }
        guard !bases.isEmpty else { return nil }
        // The full symmetric rows of A₂₂ for the vector blocks' rows, from its lower-triangle nonzeros.
        var entries = [Int: [(column: Int, value: Double)]]()
        for b in 0..<r {
            for e in products.a22Start[b]..<products.a22Start[b + 1] {
                let i = Int(products.a22Rows[e]), v = products.a22Values[e]
                if blockBase[i] >= 0 { entries[i, default: []].append((b, v)) }
                if i != b && blockBase[b] >= 0 { entries[b, default: []].append((i, v)) }
            }
        }
        blocks = bases.map { block in
            var met = Set<Int>()
            for x in 0..<block.q {
                for entry in entries[block.base + x] ?? [] {
                    let other = Int(blockBase[entry.column])
                    if other >= 0 {
                        let q = Self.width(of: other, bases: blockBase)
                        for y in 0..<q { met.insert(other + y) }
                    } else {
                        met.insert(entry.column)
                    }
                }
            }
            let columns = met.sorted()
            var position = [Int: Int]()
            for (m, c) in columns.enumerated() { position[c] = m }
            var values = [Double](repeating: 0, count: columns.count * block.q)
            for x in 0..<block.q {
                for entry in entries[block.base + x] ?? [] { values[position[entry.column]! * block.q + x] = entry.value }
            }
            return Block(base: block.base, q: block.q, term: block.term, columns: columns.map(Int32.init), values: values)
        }
        self.blockBase = blockBase
    }

    /// The width of the vector block starting at rest row `base`.
    private static func width(of base: Int, bases: [Int32]) -> Int {
        var q = 1
        while base + q < bases.count && bases[base + q] == Int32(base) { q += 1 }
        return q
    }

    /// Adds Λ'A₂₂Λ − DA₂₂D to the lower triangle of `l22` (r × r, column-major) on the vector blocks'
    /// rows and columns, where D is `scale` (a scalar term's λ on its rows, 1 elsewhere) and Λ the
    /// block diagonal of `lambdas[t + 1]` (q × q lower, column-major) on vector term t's blocks.
    func correct(_ l22: UnsafeMutablePointer<Double>, r: Int, scale: [Double], lambdas: [[Double]]) {
        var left = [Double](), product = [Double]()
        for block in blocks {
            let q = block.q, count = block.columns.count, lambda = lambdas[block.term + 1]
            // left = Λ_g' A[block rows, columns]: q × count.
            if left.count < q * count { left = [Double](repeating: 0, count: q * count); product = left }
            for m in 0..<count {
                for x in 0..<q {
                    var sum = 0.0
                    for k in x..<q { sum += lambda[k + x * q] * block.values[m * q + k] }
                    left[m * q + x] = sum
                }
            }
            // product = left · Λ on the columns: a scalar column times its scale, a vector block's by its Λ.
            var m = 0
            while m < count {
                let c = Int(block.columns[m]), other = Int(blockBase[c])
                if other < 0 {
                    let s = scale[c]
                    for x in 0..<q { product[m * q + x] = left[m * q + x] * s }
                    m += 1
                    continue
                }
                let otherBlock = blocks[blockIndex(other)]
                let w = otherBlock.q, otherLambda = lambdas[otherBlock.term + 1]
                for y in 0..<w {
                    for x in 0..<q {
                        var sum = 0.0
                        for l in y..<w { sum += left[(m + l) * q + x] * otherLambda[l + y * w] }
                        product[(m + y) * q + x] = sum
                    }
                }
                m += w
            }
            // The difference into the lower triangle, each pair of vector rows once (from the lower one).
            for m in 0..<count {
                let c = Int(block.columns[m]), s = blockBase[c] < 0 ? scale[c] : 1
                for x in 0..<q {
                    let i = block.base + x
                    let difference = product[m * q + x] - block.values[m * q + x] * s
                    if c <= i {
                        l22[i + c * r] += difference
                    } else if blockBase[c] < 0 {
                        l22[c + i * r] += difference
                    }
                }
            }
        }
    }

    /// The index in `blocks` of the block starting at rest row `base` (blocks are in ascending order).
    private func blockIndex(_ base: Int) -> Int {
        var low = 0, high = blocks.count - 1
        while low < high {
            let middle = (low + high) / 2
            if blocks[middle].base < base { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

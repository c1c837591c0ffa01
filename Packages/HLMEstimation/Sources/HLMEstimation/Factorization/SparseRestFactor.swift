import Foundation
import _CCHOLMOD

/// The rest block of the factor when it is sparse: partially crossed factors (students × teachers ×
/// schools) leave most of the block over the further terms zero after the first term is eliminated.
///
/// The block S = [S_zz S_zx; S_xz S_xx] (random effects of the further terms, then X and y) is factored
/// in two parts, as lme4 keeps L and R_X apart: S_zz = P'LL'P by CHOLMOD (symbolic analysis once per fit,
/// the numeric factorisation per evaluation), then W = L⁻¹P S_zx and the dense (p+1)×(p+1) factor
/// L_xx L_xx' = S_xx − W'W, whose last diagonal entry is √(penalised RSS) as in the dense path.
final class SparseRestFactor: @unchecked Sendable {
    /// Dimension of S_zz (the further terms' random effects) and of the X, y part.
    let zRest: Int
    let xy: Int
    /// S_zz's lower triangle by column (CHOLMOD's compressed columns), fixed for the fit.
    let columnStart: [Int32]
    let rowIndex: [Int32]
    /// Per first-term group, the positions among the nonzeros of its panel's pairs of further-term rows
    /// (row a ≥ row b, by b then a): `panelPairs[panelPairStart[j]..<panelPairStart[j+1]]`.
    let panelPairStart: [Int]
    let panelPairs: [Int32]
    /// The positions of A₂₂'s further-term entries (by column, as the products list them, rows < zRest).
    let fillPositions: [Int32]
    /// S_zx, zRest × (p+1) column-major: the rows of X and y in each column of S_zz.
    var szx: [Double]
    /// S_xx (lower triangle), then L_xx after the update.
    var lxx: [Double]
    /// W = L⁻¹ P S_zx after the update, zRest × (p+1).
    private(set) var w: [Double]
    /// Σ log of L's diagonal after the update.
    private(set) var logDiagonal = 0.0
    /// Predicted nonzeros of L and flops of one numeric factorisation (CHOLMOD's analysis).
    let factorNonzeros: Double
    let factorFlops: Double

    private var common: UnsafeMutablePointer<cholmod_common>
    private var matrix: UnsafeMutablePointer<cholmod_sparse>
    private var factor: UnsafeMutablePointer<cholmod_factor>

    /// The pattern of S_zz's lower triangle: A₂₂'s nonzeros, every pair of rows that one first-term
    /// group's panel holds (its downdate), and the diagonal. Nil when CHOLMOD cannot analyse it.
    init?(products: CrossProducts) {
        let zRest = products.xOffset, r = products.restCount
        self.zRest = zRest
        xy = r - zRest
        var start: [Int32] = [0], rows: [Int32] = []
        var marked = [Bool](repeating: false, count: zRest)
        var column: [Int32] = []
        for b in 0..<zRest {
            column.removeAll(keepingCapacity: true)
            func mark(_ a: Int) { if a < zRest && !marked[a] { marked[a] = true; column.append(Int32(a)) } }
            mark(b)
            if !products.a22Start.isEmpty {
                for e in products.a22Start[b]..<products.a22Start[b + 1] { mark(Int(products.a22Rows[e])) }
            }
            for e in products.rowEntryStart[b]..<products.rowEntryStart[b + 1] {
                let j = Int(products.rowEntryGroup[e]), k = Int(products.rowEntryPosition[e])
                for a in (products.panelStart[j] + k)..<products.panelStart[j + 1] {
                    let row = Int(products.panelRows[a])
                    if row >= zRest { break }
                    mark(row)
                }
            }
            column.sort()
            for a in column { marked[Int(a)] = false }
            rows += column
            start.append(Int32(rows.count))
        }
        columnStart = start
        rowIndex = rows
        // Where each panel's pairs of further-term rows, and each of A₂₂'s further-term entries, sit among the nonzeros.
        func position(_ row: Int, _ column: Int) -> Int32 { Int32(Self.lowerBound(row, in: rows, Int(start[column])..<Int(start[column + 1]))) }
        var pairStart = [0], pairs: [Int32] = []
        for j in 0..<(products.panelStart.count - 1) {
            let first = products.panelStart[j], height = products.panelStart[j + 1] - first, m = height - (r - zRest)
            for b in 0..<m {
                for a in b..<m { pairs.append(position(Int(products.panelRows[first + a]), Int(products.panelRows[first + b]))) }
            }
            pairStart.append(pairs.count)
        }
        panelPairStart = pairStart
        panelPairs = pairs
        var fill: [Int32] = []
        if !products.a22Start.isEmpty {
            for b in 0..<zRest {
                for e in products.a22Start[b]..<products.a22Start[b + 1] where Int(products.a22Rows[e]) < zRest {
                    fill.append(position(Int(products.a22Rows[e]), b))
                }
            }
        }
        fillPositions = fill
        szx = [Double](repeating: 0, count: zRest * xy)
        lxx = [Double](repeating: 0, count: xy * xy)
        w = szx

        common = .allocate(capacity: 1)
        cholmod_start(common)
        common.pointee.print = 0
        common.pointee.final_asis = 0
        common.pointee.final_ll = 1
        guard let a = cholmod_allocate_sparse(zRest, zRest, rows.count, 1, 1, -1, CHOLMOD_REAL, common) else {
            cholmod_finish(common); common.deallocate(); return nil
        }
        matrix = a
        let p = a.pointee.p.assumingMemoryBound(to: Int32.self), i = a.pointee.i.assumingMemoryBound(to: Int32.self)
        for (k, value) in start.enumerated() { p[k] = value }
        for (k, value) in rows.enumerated() { i[k] = value }
        let x = a.pointee.x.assumingMemoryBound(to: Double.self)
        // Values for the analysis only (the pattern is what it reads).
        for b in 0..<zRest { for e in Int(start[b])..<Int(start[b + 1]) { x[e] = Int(rows[e]) == b ? 1 : 0 } }
        guard let l = cholmod_analyze(a, common) else {
            var m: UnsafeMutablePointer<cholmod_sparse>? = a
            cholmod_free_sparse(&m, common)
            cholmod_finish(common); common.deallocate(); return nil
        }
        factor = l
        factorNonzeros = common.pointee.lnz
        factorFlops = common.pointee.fl
    }

    /// The first index in `range` of `rows` (ascending there) not below `row`.
    static func lowerBound(_ row: Int, in rows: [Int32], _ range: Range<Int>) -> Int {
        var (low, high) = (range.lowerBound, range.upperBound)
        while low < high {
            let middle = (low + high) / 2
            if Int(rows[middle]) < row { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The index among the nonzeros of S_zz's entry (row ≥ column), nil off the pattern.
    func position(row: Int, column: Int) -> Int? {
        let end = Int(columnStart[column + 1])
        let k = Self.lowerBound(row, in: rowIndex, Int(columnStart[column])..<end)
        return k < end && Int(rowIndex[k]) == row ? k : nil
    }

    deinit {
        var l: UnsafeMutablePointer<cholmod_factor>? = factor
        cholmod_free_factor(&l, common)
        var a: UnsafeMutablePointer<cholmod_sparse>? = matrix
        cholmod_free_sparse(&a, common)
        cholmod_finish(common)
        common.deallocate()
    }

    /// Whether the sparse factorisation is worth it against a dense one of S_zz: its predicted flops a
    /// quarter or less of the dense n³/3, on a block large enough for the difference to matter.
    var beatsDense: Bool {
        let n = Double(zRest)
        return zRest >= 256 && factorFlops * 4 < n * n * n / 3
    }

    /// The values of S_zz's nonzeros (CHOLMOD's storage, laid out as `rowIndex`).
    var values: UnsafeMutablePointer<Double> { matrix.pointee.x.assumingMemoryBound(to: Double.self) }

    /// Factors S_zz (values already stored), then W and L_xx from `szx` and `lxx` (S_xx's lower triangle).
    /// False when a part is not positive definite.
    func factorize() -> Bool {
        guard cholmod_factorize(matrix, factor, common) == 1, common.pointee.status == CHOLMOD_OK,
              factor.pointee.minor == factor.pointee.n else { return false }
        logDiagonal = diagonalLogSum()
        var permuted = w
        guard solve(CHOLMOD_P, &szx, into: &permuted, columns: xy), solve(CHOLMOD_L, &permuted, into: &w, columns: xy) else { return false }
        // S_xx − W'W, lower triangle.
        let n = zRest, m = xy
        w.withUnsafeBufferPointer { wp in
            for b in 0..<m {
                for a in b..<m {
                    var s = 0.0
                    let ca = wp.baseAddress! + a * n, cb = wp.baseAddress! + b * n
                    for k in 0..<n { s += ca[k] * cb[k] }
                    lxx[a + b * m] -= s
                }
            }
        }
        return DenseCholesky.factor(&lxx, n: m)
    }

    /// Σ log diag(L), from a supernodal or a simplicial LL' factor.
    private func diagonalLogSum() -> Double {
        let l = factor.pointee
        let x = l.x.assumingMemoryBound(to: Double.self)
        var sum = LogProduct()
        if l.is_super != 0 {
            let superStart = l.super.assumingMemoryBound(to: Int32.self)
            let rowStart = l.pi.assumingMemoryBound(to: Int32.self), valueStart = l.px.assumingMemoryBound(to: Int32.self)
            for s in 0..<Int(l.nsuper) {
                let k1 = Int(superStart[s]), k2 = Int(superStart[s + 1])
                let height = Int(rowStart[s + 1] - rowStart[s]), base = Int(valueStart[s])
                for k in 0..<(k2 - k1) { sum.add(x[base + k + k * height]) }
            }
        } else {
            let p = l.p.assumingMemoryBound(to: Int32.self)
            for j in 0..<Int(l.n) { sum.add(x[Int(p[j])]) }
        }
        return sum.value
    }

    /// `target` ← CHOLMOD's solve `system` (CHOLMOD_L, _Lt, _P, _Pt, _A) with `source` (zRest × columns).
    func solve(_ system: Int32, _ source: inout [Double], into target: inout [Double], columns: Int) -> Bool {
        guard columns > 0, zRest > 0 else { return true }
        var dense = cholmod_dense(nrow: zRest, ncol: columns, nzmax: zRest * columns, d: zRest, x: nil, z: nil,
                                  xtype: CHOLMOD_REAL, dtype: CHOLMOD_DOUBLE)
        let result: UnsafeMutablePointer<cholmod_dense>? = source.withUnsafeMutableBufferPointer { s in
            dense.x = UnsafeMutableRawPointer(s.baseAddress!)
            return cholmod_solve(system, factor, &dense, common)
        }
        guard let result else { return false }
        let count = zRest * columns
        if target.count != count { target = [Double](repeating: 0, count: count) }
        let x = result.pointee.x.assumingMemoryBound(to: Double.self)
        target.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: x, count: count) }
        var pointer: UnsafeMutablePointer<cholmod_dense>? = result
        cholmod_free_dense(&pointer, common)
        return true
    }

    /// The further terms' spherical random effects u and β: β from L_xx, then u = P'L⁻ᵀ(w_y − W_X β).
    func restSolution(p: Int) -> [Double] {
        let m = xy
        var beta = (0..<p).map { lxx[(m - 1) + $0 * m] }
        TriangularSolve.backward(lxx, offset: 0, stride: m, n: p, &beta)
        var rhs = [Double](repeating: 0, count: zRest)
        for i in 0..<zRest {
            var s = w[i + p * zRest]
            for c in 0..<p { s -= w[i + c * zRest] * beta[c] }
            rhs[i] = s
        }
        var u = rhs
        _ = solve(CHOLMOD_Lt, &rhs, into: &u, columns: 1)
        var v = u
        _ = solve(CHOLMOD_Pt, &u, into: &v, columns: 1)
        return v + beta
    }

    /// Entries of S_zz⁻¹ on S_zz's own pattern (lower triangle, laid out as `rowIndex`): every entry the
    /// conditional covariances read. Solved in panels of columns against the factor.
    func inverseOnPattern() -> [Double] {
        var result = [Double](repeating: 0, count: rowIndex.count)
        let width = 64
        var column0 = 0
        while column0 < zRest {
            let count = min(width, zRest - column0)
            var e = [Double](repeating: 0, count: zRest * count)
            for c in 0..<count { e[(column0 + c) + c * zRest] = 1 }
            var x = e
            guard solve(CHOLMOD_A, &e, into: &x, columns: count) else { return result }
            for c in 0..<count {
                let b = column0 + c
                for k in Int(columnStart[b])..<Int(columnStart[b + 1]) { result[k] = x[Int(rowIndex[k]) + c * zRest] }
            }
            column0 += count
        }
        return result
    }

    /// Bytes this factor needs: S_zz's pattern and values (twice: the products' A₂₂ too), L (CHOLMOD's
    /// prediction, with its row indices), W and the X part, the workspaces.
    var memoryEstimate: Double {
        Double(rowIndex.count) * 24 + factorNonzeros * 12 + Double(3 * zRest * xy + xy * xy + 2 * (zRest + xy)) * 8
    }
}

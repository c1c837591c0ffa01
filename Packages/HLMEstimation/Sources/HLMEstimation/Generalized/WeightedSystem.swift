import Foundation
import HLMFormula
import _COpenBLAS

/// Which columns after the first term each of its groups touches: the other terms' levels its rows
/// meet (sorted), then X's p columns. Fixed by the design, found once; each row's entries keep their
/// places in their group's list, so a step adds into a compact coupling instead of a dense one.
struct CouplingPattern: Sendable {
    let otherColumns: Int, p: Int
    /// Per group: where its list starts in `columns` (groups + 1 entries); its lists' length with X.
    let start: [Int]
    let columns: [Int]
    /// Per row, per other-term entry: its place in the row's group's list.
    let rowPlaces: [Int]
    /// The other terms' leading columns with nothing off the diagonal among themselves after the first
    /// term's elimination (``WeightedSystem/diagonalLead(_:_:)`` on the structure, found once).
    let diagonalLead: Int
    /// The first column of the one run every group's list is (a crossed factor every group meets, then
    /// X's columns: VerbAgg's subjects each meet all 24 items); nil otherwise. Then the couplings are one
    /// matrix, `width` × groups, and the factor and solve use BLAS on it (``WeightedSystem/factor()``).
    let sharedRun: Int?

    init(groups: Int, codes: [Int32], perRow: Int, restIndex: [Int], otherColumns: Int, p: Int) {
        self.otherColumns = otherColumns
        self.p = p
        var touched = [Set<Int>](repeating: [], count: groups)
        for i in codes.indices { for s in 0..<perRow { touched[Int(codes[i])].insert(restIndex[i * perRow + s]) } }
        var start = [0], columns: [Int] = []
        var place = [[Int: Int]](repeating: [:], count: groups)
        for g in 0..<groups {
            let sorted = touched[g].sorted()
            for (k, c) in sorted.enumerated() { place[g][c] = k }
            columns += sorted + (0..<p).map { otherColumns + $0 }
            start.append(columns.count)
        }
        self.start = start
        self.columns = columns
        let firstList = Array(columns[0..<start[1]])
        let isRun = zip(firstList, firstList.dropFirst()).allSatisfy { $1 == $0 + 1 }
        let shared = groups > 0 && isRun && (1..<groups).allSatisfy { g in columns[start[g]..<start[g + 1]].elementsEqual(firstList) }
        sharedRun = shared ? firstList.first : nil
        // The first structurally nonzero row below each column, from the groups' lists and the rows' entries.
        var below = [Int](repeating: otherColumns, count: otherColumns)
        func meet(_ sorted: [Int]) { for (a, b) in zip(sorted, sorted.dropFirst()) where b != a { below[a] = min(below[a], b) } }
        for g in 0..<groups { meet(touched[g].sorted()) }
        if perRow > 1 { for i in codes.indices { meet((0..<perRow).map { restIndex[i * perRow + $0] }.sorted()) } }
        var lead = otherColumns, c = 0
        while c < lead { lead = min(lead, below[c]); c += 1 }
        diagonalLead = lead >= 16 ? lead : 0
        var rowPlaces = [Int](repeating: 0, count: codes.count * perRow)
        for i in codes.indices { for s in 0..<perRow { rowPlaces[i * perRow + s] = place[Int(codes[i])][restIndex[i * perRow + s]]! } }
        self.rowPlaces = rowPlaces
    }

    /// Group g's list length: its other-term columns, and X's when β is in the system.
    @inline(__always)
    func length(_ g: Int, joint: Bool) -> Int { start[g + 1] - start[g] - (joint ? 0 : p) }
}

/// The penalised weighted least-squares system of one PIRLS step, [Λ'Z'WZΛ + I, Λ'Z'WX; X'WZΛ, X'WX]
/// (the X part only when β is solved with u), factored as the linear model's is: the first random-effects
/// term block by block (one q₁×q₁ block per group), everything after it (the other terms, then X) dense
/// after the first term is eliminated (LAPACK's dpotrf), the coupling between the two kept per group on
/// the columns it touches (``CouplingPattern``). Rebuilt from the rows at every step: the weights change.
struct WeightedSystem {
    let q1: Int, groups1: Int
    /// Columns after the first term: the other terms' (r) and, when β is solved too, X's (p).
    let rest: Int
    let otherTerms: Int
    let joint: Bool
    let pattern: CouplingPattern
    /// Per group of the first term: its q₁×q₁ block (then its Cholesky factor), column-major.
    var blocks: [Double]
    /// Per group: its touched columns × q₁ (then L₂₁ there), column-major within the group, at
    /// q₁ × (the group's list start) (the lists include X's columns whether used or not).
    var couplings: [Double]
    /// The rest × rest block (then its Cholesky factor after the elimination), lower triangle.
    var restBlock: [Double]
    /// The right-hand side: q₁ per group, then the rest.
    var rhs: [Double]
    /// log|L|² of the random-effects part: the first-term pivots² and the other terms' ones.
    var logDeterminant = 0.0
    /// After the factor: each diagonal-lead column's rows below the lead that are not zero (column c's
    /// at `leadStarts[c]..<leadStarts[c + 1]` in `leadRows`), so that the solve visits only those.
    var leadRows: [Int] = [], leadStarts: [Int] = []

    init(q1: Int, groups1: Int, pattern: CouplingPattern, joint: Bool) {
        self.q1 = q1
        self.groups1 = groups1
        self.pattern = pattern
        self.joint = joint
        otherTerms = pattern.otherColumns
        rest = pattern.otherColumns + (joint ? pattern.p : 0)
        blocks = [Double](repeating: 0, count: groups1 * q1 * q1)
        couplings = [Double](repeating: 0, count: pattern.columns.count * q1)
        restBlock = [Double](repeating: 0, count: rest * rest)
        rhs = [Double](repeating: 0, count: groups1 * q1 + rest)
    }

    /// Zeros the sums, for another pass.
    mutating func reset() {
        for k in blocks.indices { blocks[k] = 0 }
        for k in couplings.indices { couplings[k] = 0 }
        for k in restBlock.indices { restBlock[k] = 0 }
        for k in rhs.indices { rhs[k] = 0 }
        logDeterminant = 0
    }

    /// Factors the system (adding I to the random effects' diagonal). False when not positive definite.
    mutating func factor() -> Bool {
        var logDet = 0.0
        // Scalar pivots' log|L|² as the log of their squares' product (``LogProduct``), not a logarithm per group.
        var pivots = LogProduct()
        let q1 = q1, rest = rest, joint = joint
        let pattern = pattern
        let ok = blocks.withUnsafeMutableBufferPointer { blocks -> Bool in
            couplings.withUnsafeMutableBufferPointer { couplings -> Bool in
                restBlock.withUnsafeMutableBufferPointer { s -> Bool in
                pattern.columns.withUnsafeBufferPointer { columns -> Bool in
                pattern.start.withUnsafeBufferPointer { starts -> Bool in
                    let p = pattern.p
                    if q1 == 1, let first = pattern.sharedRun {
                        // Every group's list is the same run: pivots and scaled couplings, then S −= L₂₁L₂₁' at once.
                        let width = starts[1], t = width - (joint ? 0 : p)
                        for g in 0..<groups1 {
                            let d = blocks[g] + 1
                            guard d > 0 else { return false }
                            let l = d.squareRoot()
                            blocks[g] = l
                            pivots.add(d)
                            let column = couplings.baseAddress! + g * width
                            for e in 0..<t { column[e] = column[e] / l }
                        }
                        guard t > 0 else { return true }
                        var uplo = CChar(UInt8(ascii: "L")), trans = CChar(UInt8(ascii: "N"))
                        var n = Int32(t), k = Int32(groups1), lda = Int32(width), ldc = Int32(rest), alpha = -1.0, beta = 1.0
                        dsyrk_(&uplo, &trans, &n, &k, &alpha, couplings.baseAddress!, &lda, &beta, s.baseAddress! + first + first * rest, &ldc)
                        return true
                    }
                    for g in 0..<groups1 {
                        let start = g * q1 * q1
                        for a in 0..<q1 { blocks[start + a + a * q1] += 1 }
                        let scalar = blocks[start]
                        guard SmallCholesky.factor(blocks.baseAddress! + start, n: q1) else { return false }
                        if q1 == 1 {
                            pivots.add(scalar)
                        } else {
                            for a in 0..<q1 { logDet += 2 * log(blocks[start + a + a * q1]) }
                        }
                        // L₂₁ = A₂₁ L₁₁⁻ᵀ on the group's columns, then S −= L₂₁ L₂₁' there.
                        let listStart = starts[g], width = starts[g + 1] - listStart, t = width - (joint ? 0 : p)
                        let c0 = listStart * q1
                        for a in 0..<q1 {
                            let pivot = blocks[start + a + a * q1]
                            for e in 0..<t {
                                var value = couplings[c0 + e + a * width]
                                for b in 0..<a { value -= couplings[c0 + e + b * width] * blocks[start + a + b * q1] }
                                couplings[c0 + e + a * width] = value / pivot
                            }
                        }
                        if q1 == 1 && t > 0 && columns[listStart + t - 1] - columns[listStart] == t - 1 {
                            // The group's columns in one run (a crossed factor every group meets, X): no lookups.
                            let first = columns[listStart], l = couplings.baseAddress! + c0
                            for e in 0..<t {
                                let column = s.baseAddress! + (first + e) * rest + first, le = l[e]
                                for f in e..<t { column[f] -= le * l[f] }
                            }
                        } else if q1 == 1 {
                            for e in 0..<t {
                                let column = s.baseAddress! + columns[listStart + e] * rest, le = couplings[c0 + e]
                                for f in e..<t { column[columns[listStart + f]] -= le * couplings[c0 + f] }
                            }
                        } else {
                            for e in 0..<t {
                                let ce = columns[listStart + e]
                                for f in e..<t {
                                    var sum = 0.0
                                    for a in 0..<q1 { sum += couplings[c0 + e + a * width] * couplings[c0 + f + a * width] }
                                    s[columns[listStart + f] + ce * rest] -= sum
                                }
                            }
                        }
                    }
                    return true
                }
                }
                }
            }
        }
        guard ok else { return false }
        logDet += pivots.value
        for c in 0..<otherTerms { restBlock[c + c * rest] += 1 }
        guard rest > 0 else { logDeterminant = logDet; return true }
        guard Self.factorRest(&restBlock, rest, lead: pattern.diagonalLead, rows: &leadRows, starts: &leadStarts) else { return false }
        for c in 0..<otherTerms { logDet += 2 * log(restBlock[c + c * rest]) }
        logDeterminant = logDet
        return true
    }

    /// Cholesky of the rest block (lower triangle, rest × rest) in place: its diagonal lead by
    /// ``eliminateDiagonalLead(_:_:_:)``, the columns after it by LAPACK. False when not positive definite.
    static func factorRest(_ restBlock: inout [Double], _ rest: Int, lead known: Int? = nil) -> Bool {
        var rows: [Int] = [], starts: [Int] = []
        return factorRest(&restBlock, rest, lead: known, rows: &rows, starts: &starts)
    }

    /// ``factorRest(_:_:lead:)``, keeping the lead columns' nonzero rows below the lead (``leadRows``).
    static func factorRest(_ restBlock: inout [Double], _ rest: Int, lead known: Int?, rows: inout [Int], starts: inout [Int]) -> Bool {
        let lead = known ?? diagonalLead(restBlock, rest)
        guard eliminateDiagonalLead(&restBlock, rest, lead, rows: &rows, starts: &starts) else { return false }
        guard lead < rest else { return true }
        var uplo = CChar(UInt8(ascii: "L")), n = Int32(rest - lead), lda = Int32(rest), info: Int32 = 0
        restBlock.withUnsafeMutableBufferPointer { s in dpotrf_(&uplo, &n, s.baseAddress! + lead + lead * rest, &lda, &info) }
        return info == 0
    }

    /// How many leading columns of the rest block (lower triangle, rest × rest) have nothing off the diagonal
    /// among themselves: a term nested in the first (grouseticks' broods, each index in one) after the first
    /// is eliminated. Zero below 16 columns, where LAPACK alone is as quick.
    static func diagonalLead(_ s: [Double], _ rest: Int) -> Int {
        var lead = rest, c = 0
        while c < lead {
            var j = c + 1
            while j < lead && s[j + c * rest] == 0 { j += 1 }
            lead = j
            c += 1
        }
        return lead >= 16 ? lead : 0
    }

    /// Cholesky's first `lead` columns where their block is diagonal: each pivot a square root, its column
    /// below the block scaled, and the trailing block updated on that column's nonzeros only (grouseticks:
    /// one each, where LAPACK would factor all 181 columns densely at every PIRLS step).
    static func eliminateDiagonalLead(_ s: inout [Double], _ rest: Int, _ lead: Int, rows: inout [Int], starts: inout [Int]) -> Bool {
        rows.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        guard lead > 0 else { return true }
        starts.append(0)
        return s.withUnsafeMutableBufferPointer { s -> Bool in
            for c in 0..<lead {
                let pivot = s[c + c * rest]
                guard pivot > 0 else { return false }
                let l = pivot.squareRoot()
                s[c + c * rest] = l
                let first = rows.count
                for j in lead..<rest where s[j + c * rest] != 0 {
                    s[j + c * rest] /= l
                    rows.append(j)
                }
                for position in first..<rows.count {
                    let a = rows[position], la = s[a + c * rest]
                    for b in rows[position...] { s[b + a * rest] -= s[b + c * rest] * la }
                }
                starts.append(rows.count)
            }
            return true
        }
    }

    /// The solution of the factored system for its right-hand side: u (first term's, then the other
    /// terms'), then β when the system has X.
    func solve() -> [Double] {
        var x = rhs
        let base = groups1 * q1
        let shared = q1 == 1 ? pattern.sharedRun : nil
        let sharedWidth = pattern.start.count > 1 ? pattern.start[1] : 0, sharedLength = sharedWidth - (joint ? 0 : pattern.p)
        // Forward: L₁₁ y₁ = b₁ per group; then b₂ − Σ L₂₁ y₁ (one matrix-vector product when the lists are shared).
        if let first = shared {
            for g in 0..<groups1 { x[g] /= blocks[g] }
            if sharedLength > 0 { Self.multiplyCouplings(couplings, sharedLength, groups1, sharedWidth, transposed: false, &x, from: 0, into: base + first) }
        }
        for g in 0..<groups1 where shared == nil {
            let start = g * q1 * q1, at = g * q1
            for a in 0..<q1 {
                var value = x[at + a]
                for b in 0..<a { value -= blocks[start + a + b * q1] * x[at + b] }
                x[at + a] = value / blocks[start + a + a * q1]
            }
            let listStart = pattern.start[g], t = pattern.length(g, joint: joint), width = pattern.start[g + 1] - listStart
            let c0 = listStart * q1
            for a in 0..<q1 {
                let y = x[at + a]
                if y != 0 { for e in 0..<t { x[base + pattern.columns[listStart + e]] -= couplings[c0 + e + a * width] * y } }
            }
        }
        // L₂₂ y₂ = that, then L₂₂' x₂ = y₂ (BLAS from 32 rows: grouseticks' 181 took 15% of its fit by loops).
        if rest >= 32 {
            // The diagonal lead's columns by hand on their entries below it, the rest by dtrsv.
            let lead = pattern.diagonalLead, trailing = rest - lead
            var uplo = CChar(UInt8(ascii: "L")), unit = CChar(UInt8(ascii: "N")), n = Int32(trailing), lda = Int32(rest), one: Int32 = 1
            var no = CChar(UInt8(ascii: "N")), yes = CChar(UInt8(ascii: "T"))
            // The lead columns' nonzero rows, as the factor's elimination found them.
            x.withUnsafeMutableBufferPointer { x in
                restBlock.withUnsafeBufferPointer { l in
                leadRows.withUnsafeBufferPointer { leadRows in
                    let v = x.baseAddress! + base
                    func below(_ c: Int) -> UnsafeBufferPointer<Int> {
                        UnsafeBufferPointer(rebasing: leadRows[leadStarts[c]..<leadStarts[c + 1]])
                    }
                    for c in 0..<lead {
                        let value = v[c] / l[c + c * rest]
                        v[c] = value
                        if value != 0 { for j in below(c) { v[j] -= l[j + c * rest] * value } }
                    }
                    if trailing > 0 {
                        dtrsv_(&uplo, &no, &unit, &n, l.baseAddress! + lead + lead * rest, &lda, v + lead, &one)
                        dtrsv_(&uplo, &yes, &unit, &n, l.baseAddress! + lead + lead * rest, &lda, v + lead, &one)
                    }
                    for c in 0..<lead {
                        var value = v[c]
                        for j in below(c) { value -= l[j + c * rest] * v[j] }
                        v[c] = value / l[c + c * rest]
                    }
                }
                }
            }
        } else {
            for c in 0..<rest {
                var value = x[base + c]
                for d in 0..<c { value -= restBlock[c + d * rest] * x[base + d] }
                x[base + c] = value / restBlock[c + c * rest]
            }
            for c in stride(from: rest - 1, through: 0, by: -1) {
                var value = x[base + c]
                for d in (c + 1)..<max(c + 1, rest) { value -= restBlock[d + c * rest] * x[base + d] }
                x[base + c] = value / restBlock[c + c * rest]
            }
        }
        // Then L₁₁' x₁ = y₁ − L₂₁' x₂ per group.
        if let first = shared {
            if sharedLength > 0 { Self.multiplyCouplings(couplings, sharedLength, groups1, sharedWidth, transposed: true, &x, from: base + first, into: 0) }
            for g in 0..<groups1 { x[g] /= blocks[g] }
        }
        for g in 0..<groups1 where shared == nil {
            let start = g * q1 * q1, at = g * q1
            let listStart = pattern.start[g], t = pattern.length(g, joint: joint), width = pattern.start[g + 1] - listStart
            let c0 = listStart * q1
            for a in 0..<q1 {
                var value = x[at + a]
                for e in 0..<t { value -= couplings[c0 + e + a * width] * x[base + pattern.columns[listStart + e]] }
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

    /// x[into…] −= C x[from…] (or Cᵀ, `transposed`) for the shared-run couplings C, rows × columns with
    /// leading dimension `leading` (dgemv; the two parts of x are the first term's and the rest's: disjoint).
    static func multiplyCouplings(_ couplings: [Double], _ rows: Int, _ columns: Int, _ leading: Int, transposed: Bool,
                                  _ x: inout [Double], from: Int, into: Int) {
        var trans = CChar(UInt8(ascii: transposed ? "T" : "N")), m = Int32(rows), n = Int32(columns), lda = Int32(leading)
        var alpha = -1.0, beta = 1.0, one: Int32 = 1
        couplings.withUnsafeBufferPointer { c in
            x.withUnsafeMutableBufferPointer { x in
                dgemv_(&trans, &m, &n, &alpha, c.baseAddress!, &lda, x.baseAddress! + from, &one, &beta, x.baseAddress! + into, &one)
            }
        }
    }

    /// diag(S⁻¹) of the factored system's last m rows and columns (S = L L' there): with β in the system,
    /// the unscaled vcov(β)'s diagonal.
    func trailingInverseDiagonal(_ m: Int) -> [Double] {
        guard m > 0, m <= rest else { return [] }
        let start = rest - m
        var inverse = [Double](repeating: 0, count: m * m)
        for j in 0..<m {
            inverse[j + j * m] = 1 / restBlock[(start + j) + (start + j) * rest]
            for i in (j + 1)..<max(j + 1, m) {
                var sum = 0.0
                for k in j..<i { sum += restBlock[(start + i) + (start + k) * rest] * inverse[k + j * m] }
                inverse[i + j * m] = -sum / restBlock[(start + i) + (start + i) * rest]
            }
        }
        return (0..<m).map { j in (0..<m).reduce(0.0) { $0 + inverse[$1 + j * m] * inverse[$1 + j * m] } }
    }

    /// The first term's diagonal pivot of group g (its L₁₁ entry), for quadrature with one scalar term.
    func pivot(group g: Int) -> Double { blocks[g * q1 * q1] }
}

import HLMFormula

/// The blocks of A = [Z X y]'[Z X y], formed once in one pass over the rows.
///
/// The random-effects term with the most coefficients comes first; its Z'Z is block diagonal (one
/// q₁×q₁ block per group). Everything else — the other terms' Z, then X, then y — is the "rest", of
/// dimension R. Its cross product with group j of the first term is kept as a compact panel over the
/// rest rows that group meets (X and y always; for crossed factors, the levels that co-occur with j),
/// and the rest's own cross product R × R is dense.
struct CrossProducts: Sendable {
    /// Term order used: `order[0]` is the design's index of the first (block-diagonal) term.
    let order: [Int]
    let q1: Int
    let groups1: Int
    /// J₁ blocks of q₁×q₁, column-major each.
    var a11: [Double]
    /// Group j's panel: rows `panelRows[panelStart[j]..<panelStart[j+1]]` (ascending rest indices);
    /// values column-major m_j × q₁ from `panelValueStart[j]`.
    let panelStart: [Int]
    let panelRows: [Int32]
    let panelValueStart: [Int]
    var panelValues: [Double]
    /// The panels by rest row: the entries of row b are `rowEntries[rowEntryStart[b]..<rowEntryStart[b+1]]`,
    /// each a group j whose panel has row b, and b's position in it (for downdating L₂₂ column by column).
    let rowEntryStart: [Int]
    let rowEntryGroup: [Int32]
    let rowEntryPosition: [Int32]
    /// A₂₂'s lower triangle by column, nonzeros only (column b's are `a22Rows/a22Values[a22Start[b]..<a22Start[b+1]]`):
    /// the blocks of crossed factors are diagonal, so most of a large A₂₂ is zero.
    let a22Start: [Int]
    let a22Rows: [Int32]
    let a22Values: [Double]
    /// R × R, column-major, lower triangle filled.
    var a22: [Double]
    /// Offsets of each further term's block within the rest, then of X and y.
    let restOffsets: [Int]
    /// For each rest index below `xOffset`: the further term it belongs to (position in `order` − 1) and its coefficient.
    let restTerm: [Int32]
    let restCoefficient: [Int32]
    let xOffset: Int
    let p: Int
    let restCount: Int
    let n: Int

    /// `yShift` is subtracted from y first (the mean, when X has an intercept: it spares y'y the
    /// cancellation that data around 1e8 would suffer, and changes nothing but β₀).
    /// Rest blocks larger than this are accumulated sparsely (`a22` left empty): a dense one of 20,000
    /// rows would be 3.2 GB.
    static let denseAccumulationLimit = 4096

    /// `sparseAccumulation` forces (true) or forbids (false) the sparse accumulation of A₂₂; nil chooses
    /// by ``denseAccumulationLimit``.
    init(_ design: ModelDesign, yShift: Double = 0, sparseAccumulation: Bool? = nil) {
        let terms = design.randomTerms
        if terms.count == 1 {
            // One term: every group's panel is X and y; one pass, no grouping of rows needed.
            let term = terms[0], p = design.x.columns
            let (a11, a22, panels) = Self.singleTerm(design, term, q1: term.termCount, r: p + 1, yShift: yShift)
            self = CrossProducts(oneTerm: term.termCount, groups: term.groupCount, p: p, n: design.observationCount,
                                 a11: a11, a22: a22, panels: panels)
            return
        }
        order = terms.indices.sorted { (terms[$0].groupCount * terms[$0].termCount, -$0) > (terms[$1].groupCount * terms[$1].termCount, -$1) }
        let first = terms[order[0]]
        q1 = first.termCount
        groups1 = first.groupCount
        n = design.observationCount
        p = design.x.columns
        var offsets: [Int] = []
        var offset = 0
        var restTerm: [Int32] = [], restCoefficient: [Int32] = []
        for (t, k) in order.dropFirst().enumerated() {
            offsets.append(offset)
            offset += terms[k].termCount * terms[k].groupCount
            for _ in 0..<terms[k].groupCount { for c in 0..<terms[k].termCount { restTerm.append(Int32(t)); restCoefficient.append(Int32(c)) } }
        }
        restOffsets = offsets
        self.restTerm = restTerm
        self.restCoefficient = restCoefficient
        xOffset = offset
        restCount = offset + p + 1
        let r = restCount

        // Rows grouped by the first term's group (a counting sort).
        let codes1 = first.codes
        var start = [Int](repeating: 0, count: groups1 + 1)
        for code in codes1 { start[Int(code) + 1] += 1 }
        for j in 0..<groups1 { start[j + 1] += start[j] }
        var next = start
        var rowsByGroup = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let j = Int(codes1[i])
            rowsByGroup[next[j]] = i
            next[j] += 1
        }

        let restTerms = order.dropFirst().map { terms[$0] }
        let x = design.x.values, y = design.y.map { $0 - yShift }, z1 = first.z.values
        var a11 = [Double](repeating: 0, count: q1 * q1 * groups1)
        let accumulatesSparsely = sparseAccumulation ?? (r > Self.denseAccumulationLimit)
        var a22 = [Double](repeating: 0, count: accumulatesSparsely ? 0 : r * r)
        // The sparse accumulation: pairs of further-term rows hashed, their X, y rows and X, y's own block dense.
        let xy = p + 1
        var pairs = PairAccumulator(expected: accumulatesSparsely ? 4 * n : 0)
        var zx = [Double](repeating: 0, count: accumulatesSparsely ? xOffset * xy : 0)
        var xx = [Double](repeating: 0, count: accumulatesSparsely ? xy * xy : 0)
        var panelStart = [0], panelRows: [Int32] = [], panelValueStart = [0], panelValues: [Double] = []
        var position = [Int32](repeating: -1, count: r)
        var indices = [Int](repeating: 0, count: r), values = [Double](repeating: 0, count: r)
        var z1Row = [Double](repeating: 0, count: q1)
        for j in 0..<groups1 {
            let rows = rowsByGroup[start[j]..<start[j + 1]]
            // The rest rows this group meets: further terms' levels seen with it, then X and y.
            var seen: [Int] = []
            for i in rows {
                for (t, term) in restTerms.enumerated() {
                    let base = restOffsets[t] + Int(term.codes[i]) * term.termCount
                    if position[base] < 0 {
                        for c in 0..<term.termCount { position[base + c] = 0; seen.append(base + c) }
                    }
                }
            }
            seen.sort()
            seen += Array(xOffset..<r)
            for (m, index) in seen.enumerated() { position[index] = Int32(m) }
            let height = seen.count
            let valueBase = panelValues.count
            panelValues += [Double](repeating: 0, count: height * q1)
            for i in rows {
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

                for c in 0..<q1 { z1Row[c] = z1[i + c * n] }
                let block = j * q1 * q1
                for b in 0..<q1 { for a in b..<q1 { a11[block + a + b * q1] += z1Row[a] * z1Row[b] } }
                for c in 0..<q1 {
                    let zc = z1Row[c]
                    if zc == 0 { continue }
                    for k in 0..<nonzeros { panelValues[valueBase + c * height + Int(position[indices[k]])] += values[k] * zc }
                }
                if accumulatesSparsely {
                    for a in 0..<nonzeros {
                        let va = values[a], ia = indices[a]
                        if va == 0 { continue }
                        for b in 0..<nonzeros where indices[b] <= ia {
                            let ib = indices[b], v = va * values[b]
                            if ib >= xOffset {
                                xx[(ia - xOffset) + (ib - xOffset) * xy] += v
                            } else if ia >= xOffset {
                                zx[ib + (ia - xOffset) * xOffset] += v
                            } else {
                                pairs.add(row: ia, column: ib, v)
                            }
                        }
                    }
                } else {
                    for a in 0..<nonzeros {
                        let va = values[a], ia = indices[a]
                        if va == 0 { continue }
                        for b in 0..<nonzeros where indices[b] <= ia { a22[ia + indices[b] * r] += va * values[b] }
                    }
                }
            }
            for index in seen { position[index] = -1 }
            panelRows += seen.map { Int32($0) }
            panelStart.append(panelRows.count)
            panelValueStart.append(panelValues.count)
        }
        self.a11 = a11
        self.a22 = a22
        self.panelStart = panelStart
        self.panelRows = panelRows
        self.panelValueStart = panelValueStart
        self.panelValues = panelValues
        (rowEntryStart, rowEntryGroup, rowEntryPosition) = Self.rowIndex(panelStart: panelStart, panelRows: panelRows, restCount: r)
        var nonzeroStart = [0], nonzeroRows: [Int32] = [], nonzeroValues: [Double] = []
        if accumulatesSparsely {
            let entries = pairs.sortedEntries()
            var e = 0
            for b in 0..<r {
                if b < xOffset {
                    while e < entries.count && Int(entries[e].column) == b {
                        if entries[e].value != 0 { nonzeroRows.append(entries[e].row); nonzeroValues.append(entries[e].value) }
                        e += 1
                    }
                    for c in 0..<xy where zx[b + c * xOffset] != 0 {
                        nonzeroRows.append(Int32(xOffset + c))
                        nonzeroValues.append(zx[b + c * xOffset])
                    }
                } else {
                    for a in b..<r where xx[(a - xOffset) + (b - xOffset) * xy] != 0 {
                        nonzeroRows.append(Int32(a))
                        nonzeroValues.append(xx[(a - xOffset) + (b - xOffset) * xy])
                    }
                }
                nonzeroStart.append(nonzeroRows.count)
            }
        } else {
            for b in 0..<r {
                for i in b..<r where a22[i + b * r] != 0 {
                    nonzeroRows.append(Int32(i))
                    nonzeroValues.append(a22[i + b * r])
                }
                nonzeroStart.append(nonzeroRows.count)
            }
        }
        (a22Start, a22Rows, a22Values) = (nonzeroStart, nonzeroRows, nonzeroValues)
    }

    /// A₂₂ as a dense R × R matrix (lower triangle): as accumulated, or expanded from its nonzeros.
    func denseA22() -> [Double] {
        if !a22.isEmpty || restCount == 0 { return a22 }
        let r = restCount
        var dense = [Double](repeating: 0, count: r * r)
        for b in 0..<r { for e in a22Start[b]..<a22Start[b + 1] { dense[Int(a22Rows[e]) + b * r] = a22Values[e] } }
        return dense
    }

    /// Inverts the panels' row lists: for each rest row, the groups whose panels contain it and where.
    static func rowIndex(panelStart: [Int], panelRows: [Int32], restCount: Int) -> ([Int], [Int32], [Int32]) {
        var start = [Int](repeating: 0, count: restCount + 1)
        for row in panelRows { start[Int(row) + 1] += 1 }
        for b in 0..<restCount { start[b + 1] += start[b] }
        var next = start
        var groups = [Int32](repeating: 0, count: panelRows.count), positions = groups
        for j in 0..<(panelStart.count - 1) {
            for k in panelStart[j]..<panelStart[j + 1] {
                let b = Int(panelRows[k])
                groups[next[b]] = Int32(j)
                positions[next[b]] = Int32(k - panelStart[j])
                next[b] += 1
            }
        }
        return (start, groups, positions)
    }
}

import Foundation
import HLMFormula
import _HLMSupport

/// PIRLS's pass over the rows: at one (u, β), η, Σ −2 log p(y | η) and the weighted system of the next step
/// in one read of the rows (two halves on two threads for many rows).
extension LaplaceDeviance {
    /// Rows from which the pass is split between two threads (the fit's ``SecondThread``, handed each half
    /// by a polled flag): VerbAgg's 7,584 rows, a pass of 0.1 ms, gain.
    static let parallelRows = 2_000

    /// η = fixed + ZΛu (into `eta`), the deviance there, and the system at its weights with the working
    /// response η − fixed + (y − μ)/(dμ/dη); fixed = Xβ + offset, from `fixed` when given, else worked out
    /// row by row in the pass (cheaper for a few columns than a separate pass). With `joint` the system has
    /// X's columns and the working response keeps Xβ (η − offset + …).
    func linearise(_ u: [Double], beta: [Double], fixed: [Double]?, _ rows: RowValues, joint: Bool, eta: inout [Double]) -> Linearisation {
        guard splitsPasses, let second = secondThread else {
            return eta.withUnsafeMutableBufferPointer { linearise(u, beta: beta, fixed: fixed, rows, joint: joint, eta: $0, rowRange: 0..<n) }
        }
        // Two halves of the rows into two systems, then one sum.
        let halves = [0..<(n / 2), (n / 2)..<n]
        let slots = WorkSlots<Linearisation>(2)
        let this = UncheckedSelf(deviance: self)
        eta.withUnsafeMutableBufferPointer { buffer in
            let out = SharedRows(buffer)
            second.run { part in
                slots.set(part, this.deviance.linearise(u, beta: beta, fixed: fixed, rows, joint: joint, eta: out.buffer, rowRange: halves[part]))
            }
        }
        // Taken out of the slots, so that adding into the first half's arrays does not copy them.
        var result = slots.take(0)!
        let other = slots.take(1)!
        result.deviance += other.deviance
        Self.add(other.system.blocks, into: &result.system.blocks)
        Self.add(other.system.couplings, into: &result.system.couplings)
        Self.add(other.system.restBlock, into: &result.system.restBlock)
        Self.add(other.system.rhs, into: &result.system.rhs)
        spareSystems.give(other.system)
        return result
    }

    /// total += part, element by element (same lengths).
    static func add(_ part: [Double], into total: inout [Double]) {
        precondition(part.count == total.count)
        part.withUnsafeBufferPointer { part in
            total.withUnsafeMutableBufferPointer { total in
                guard let t = total.baseAddress, let q = part.baseAddress else { return }
                for i in 0..<total.count { t[i] += q[i] }
            }
        }
    }

    /// The pass over the rows in `rowRange` (the deviance without the constant part when not all rows).
    func linearise(_ u: [Double], beta: [Double], fixed: [Double]?, _ rows: RowValues, joint: Bool, eta: UnsafeMutableBufferPointer<Double>,
                   rowRange: Range<Int>) -> Linearisation {
        let firstTerm = design.randomTerms[order[0]]
        let q1 = firstTerm.termCount, groups1 = firstTerm.groupCount
        var system = spareSystems.take(joint: joint) ?? WeightedSystem(q1: q1, groups1: groups1, pattern: self.pattern, joint: joint)
        let rest = system.rest, perRow = rows.perRow, pp = joint ? p : 0, others = otherColumns, n = n
        let family = family, p = p, hasFixed = fixed != nil
        let pattern: CouplingPattern = self.pattern
        // ZΛ's values are the rows' times these (all 1 unless the values are θ-free, ``unitRows``).
        let scale1 = rows.scales[0], scales = Array(rows.scales.dropFirst()) + [0]
        // Σ −2 log p compensated (Neumaier): over a million rows plain sums wander by 1e-7, above the
        // optimiser's tolerance, and it would chase that noise for dozens of evaluations.
        var deviance = 0.0, compensation = 0.0
        system.blocks.withUnsafeMutableBufferPointer { blocks in
        system.couplings.withUnsafeMutableBufferPointer { couplings in
        system.restBlock.withUnsafeMutableBufferPointer { restBlock in
        system.rhs.withUnsafeMutableBufferPointer { rhs in
        rows.first.withUnsafeBufferPointer { first in
        rows.restIndex.withUnsafeBufferPointer { restIndex in
        rows.restValue.withUnsafeBufferPointer { restValue in
        pattern.rowPlaces.withUnsafeBufferPointer { places in
        pattern.start.withUnsafeBufferPointer { starts in
        design.x.values.withUnsafeBufferPointer { xv in
        firstTerm.codes.withUnsafeBufferPointer { codes in
        u.withUnsafeBufferPointer { uv in
        (fixed ?? []).withUnsafeBufferPointer { fixed in
        beta.withUnsafeBufferPointer { beta in
        scales.withUnsafeBufferPointer { scales in
        offset.withUnsafeBufferPointer { offset in
        y.withUnsafeBufferPointer { y in
        trials.withUnsafeBufferPointer { trials in
            let base1 = groups1 * q1
            // Rows in blocks: η for the block, the family's parts for it, then the sums.
            let blockRows = 256
            var parts = [Double](repeating: 0, count: 6 * blockRows + perRow)
            parts.withUnsafeMutableBufferPointer { parts in
            let variables = parts.baseAddress!, weights = variables + blockRows, residuals = weights + blockRows
            let fixedValues = residuals + blockRows, rowRest = fixedValues + blockRows
            let localEta = rowRest + perRow, ones = localEta + blockRows
            for j in 0..<blockRows { ones[j] = 1 }
            let reads = self.rowReads
            for blockStart in stride(from: rowRange.lowerBound, to: rowRange.upperBound, by: blockRows) {
            let blockEnd = min(blockStart + blockRows, rowRange.upperBound)
            if q1 == 1 {
                // A scalar first term (most models): the same sums, each a loop over the block of its own.
                let count = blockEnd &- blockStart
                Self.scalarFirstBlock(count: count, start: blockStart, n: n, p: p, pp: pp, perRow: perRow, rest: rest, others: others,
                                      base1: base1, joint: joint, scale1: scale1, family: family,
                                      first: first.baseAddress!, restIndex: restIndex.baseAddress, restValue: restValue.baseAddress,
                                      places: places.baseAddress, starts: starts.baseAddress!, x: xv.baseAddress, codes: codes.baseAddress!,
                                      u: uv.baseAddress!, fixed: hasFixed ? fixed.baseAddress : nil, beta: beta.baseAddress, scales: scales.baseAddress!,
                                      offset: reads.zeroOffset ? nil : offset.baseAddress!, y: y.baseAddress!,
                                      trials: reads.unitTrials ? UnsafePointer(ones) : trials.baseAddress! + blockStart, unitFirst: reads.unitFirst,
                                      eta: reads.keepsEta ? eta.baseAddress! + blockStart : localEta,
                                      variables: variables, weights: weights, residuals: residuals, fixedValues: fixedValues,
                                      deviance: &deviance, compensation: &compensation,
                                      blocks: blocks.baseAddress!, couplings: couplings.baseAddress, restBlock: restBlock.baseAddress,
                                      rhs: rhs.baseAddress!)
                continue
            }
            for i in blockStart..<blockEnd {
                let g = Int(codes[i])
                var value: Double
                if hasFixed {
                    value = fixed[i]
                } else {
                    value = offset[i]
                    for c in 0..<p where beta[c] != 0 { value += xv[i &+ c &* n] * beta[c] }
                }
                fixedValues[i &- blockStart] = value
                if q1 == 1 {
                    value += first[i] * scale1 * uv[g]
                } else {
                    for a in 0..<q1 { value += first[i &* q1 &+ a] * uv[g &* q1 &+ a] }
                }
                for s in 0..<perRow { value += restValue[i &* perRow &+ s] * scales[s] * uv[base1 &+ restIndex[i &* perRow &+ s]] }
                eta[i] = value
            }
            family.rowParts(count: blockEnd - blockStart, y: y.baseAddress! + blockStart, trials: trials.baseAddress! + blockStart,
                            eta: UnsafePointer(eta.baseAddress! + blockStart), variable: variables, weight: weights, residual: residuals)
            for i in blockStart..<blockEnd {
                let j = i - blockStart, g = Int(codes[i]), value = eta[i], variable = variables[j]
                let sum = deviance + variable
                compensation += abs(deviance) >= abs(variable) ? (deviance - sum) + variable : (variable - sum) + deviance
                deviance = sum
                let w = weights[j], r = value - (joint ? offset[i] : fixedValues[j]) + residuals[j]
                for s in 0..<perRow { rowRest[s] = restValue[i &* perRow &+ s] * scales[s] }
                let listStart = starts[g], width = starts[g &+ 1] &- listStart
                let c0 = listStart &* q1
                // The first term's block, its right-hand side and its coupling to the row's other columns.
                if q1 == 1 {
                    let z = first[i] * scale1, wz = w * z
                    rhs[g] += wz * r
                    blocks[g] += wz * z
                    for s in 0..<perRow { couplings[c0 &+ places[i &* perRow &+ s]] += wz * rowRest[s] }
                    for c in 0..<pp { couplings[c0 &+ width &- pp &+ c] += wz * xv[i &+ c &* n] }
                } else {
                    let blockStart = g &* q1 &* q1, rhsStart = g &* q1
                    for bb in 0..<q1 {
                        let wb = w * first[i &* q1 &+ bb], column = c0 &+ bb &* width
                        rhs[rhsStart &+ bb] += wb * r
                        for a in bb..<q1 { blocks[blockStart &+ a &+ bb &* q1] += wb * first[i &* q1 &+ a] }
                        for s in 0..<perRow { couplings[column &+ places[i &* perRow &+ s]] += wb * rowRest[s] }
                        for c in 0..<pp { couplings[column &+ width &- pp &+ c] += wb * xv[i &+ c &* n] }
                    }
                }
                // The other terms' columns and X's among themselves (lower triangle).
                for s in 0..<perRow {
                    let c = restIndex[i &* perRow &+ s], wc = w * rowRest[s]
                    rhs[base1 &+ c] += wc * r
                    for t in 0..<perRow where restIndex[i &* perRow &+ t] >= c { restBlock[restIndex[i &* perRow &+ t] &+ c &* rest] += wc * rowRest[t] }
                    for d in 0..<pp { restBlock[others &+ d &+ c &* rest] += wc * xv[i &+ d &* n] }
                }
                for c in 0..<pp {
                    let wc = w * xv[i &+ c &* n], column = (others &+ c) &* rest
                    rhs[base1 &+ others &+ c] += wc * r
                    for d in c..<pp { restBlock[others &+ d &+ column] += wc * xv[i &+ d &* n] }
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
        }
        }
        deviance += compensation
        if rowRange.lowerBound == 0 { deviance += constantSum }
        return Linearisation(deviance: deviance, system: system)
    }
}

extension LaplaceDeviance {
    /// One block of the pass for a scalar first term: Xβ + offset column by column, η, the family's parts,
    /// then each kind of sum (the first term's block and right-hand side; its couplings; the other terms'
    /// and X's block) in a loop of its own. Every sum takes the rows in the same order as the general loop,
    /// so the results are the same to the last bit; the loops are only simpler for the compiler.
    @inline(__always)
    static func scalarFirstBlock(count: Int, start: Int, n: Int, p: Int, pp: Int, perRow: Int, rest: Int, others: Int, base1: Int,
                                 joint: Bool, scale1: Double, family: GLMFamily,
                                 first: UnsafePointer<Double>, restIndex: UnsafePointer<Int>?, restValue: UnsafePointer<Double>?,
                                 places: UnsafePointer<Int>?, starts: UnsafePointer<Int>, x: UnsafePointer<Double>?,
                                 codes: UnsafePointer<Int32>, u: UnsafePointer<Double>, fixed: UnsafePointer<Double>?,
                                 beta: UnsafePointer<Double>?, scales: UnsafePointer<Double>, offset: UnsafePointer<Double>?,
                                 y: UnsafePointer<Double>, trials blockTrials: UnsafePointer<Double>, unitFirst: Bool,
                                 eta blockEta: UnsafeMutablePointer<Double>,
                                 variables: UnsafeMutablePointer<Double>, weights: UnsafeMutablePointer<Double>,
                                 residuals: UnsafeMutablePointer<Double>, fixedValues: UnsafeMutablePointer<Double>,
                                 deviance: inout Double, compensation: inout Double,
                                 blocks: UnsafeMutablePointer<Double>, couplings: UnsafeMutablePointer<Double>?,
                                 restBlock: UnsafeMutablePointer<Double>?, rhs: UnsafeMutablePointer<Double>) {
        if let fixed {
            for j in 0..<count { fixedValues[j] = fixed[start &+ j] }
        } else {
            if let offset { for j in 0..<count { fixedValues[j] = offset[start &+ j] } } else { for j in 0..<count { fixedValues[j] = 0 } }
            for c in 0..<p where beta![c] != 0 {
                let b = beta![c], column = x! + (start &+ c &* n)
                for j in 0..<count { fixedValues[j] += column[j] * b }
            }
        }
        // z = ZΛ's first-term value per row, into `variables` until the family's parts need them.
        if unitFirst { for j in 0..<count { variables[j] = scale1 } } else { for j in 0..<count { variables[j] = first[start &+ j] * scale1 } }
        for j in 0..<count { blockEta[j] = fixedValues[j] + variables[j] * u[Int(codes[start &+ j])] }
        if perRow > 0, let restIndex, let restValue {
            for j in 0..<count {
                let i = start &+ j
                var value = blockEta[j]
                for s in 0..<perRow { value += restValue[i &* perRow &+ s] * scales[s] * u[base1 &+ restIndex[i &* perRow &+ s]] }
                blockEta[j] = value
            }
        }
        family.rowParts(count: count, y: y + start, trials: blockTrials, eta: UnsafePointer(blockEta),
                        variable: variables, weight: weights, residual: residuals)
        // The deviance (compensated), the working residual r, and z again (into the deviance parts' place).
        var sum = deviance, lost = compensation
        for j in 0..<count {
            let variable = variables[j]
            let next = sum + variable
            lost += abs(sum) >= abs(variable) ? (sum - next) + variable : (variable - next) + sum
            sum = next
            residuals[j] = blockEta[j] - (joint ? offset?[start &+ j] ?? 0 : fixedValues[j]) + residuals[j]
        }
        if unitFirst { for j in 0..<count { variables[j] = scale1 } } else { for j in 0..<count { variables[j] = first[start &+ j] * scale1 } }
        deviance = sum
        compensation = lost
        for j in 0..<count {
            let g = Int(codes[start &+ j]), z = variables[j], wz = weights[j] * z
            rhs[g] += wz * residuals[j]
            blocks[g] += wz * z
        }
        guard perRow > 0 || pp > 0, let couplings else { return }
        for j in 0..<count {
            let i = start &+ j, g = Int(codes[i]), wz = weights[j] * variables[j]
            let c0 = starts[g], width = starts[g &+ 1] &- c0
            for s in 0..<perRow { couplings[c0 &+ places![i &* perRow &+ s]] += wz * (restValue![i &* perRow &+ s] * scales[s]) }
            for c in 0..<pp { couplings[c0 &+ width &- pp &+ c] += wz * x![i &+ c &* n] }
        }
        guard let restBlock else { return }
        if perRow > 0, let restIndex, let restValue {
            for j in 0..<count {
                let i = start &+ j, w = weights[j], r = residuals[j], row = i &* perRow
                for s in 0..<perRow {
                    let c = restIndex[row &+ s], wc = w * (restValue[row &+ s] * scales[s])
                    rhs[base1 &+ c] += wc * r
                    for t in 0..<perRow where restIndex[row &+ t] >= c {
                        restBlock[restIndex[row &+ t] &+ c &* rest] += wc * (restValue[row &+ t] * scales[t])
                    }
                    for d in 0..<pp { restBlock[others &+ d &+ c &* rest] += wc * x![i &+ d &* n] }
                }
            }
        }
        guard pp > 0 else { return }
        for j in 0..<count {
            let i = start &+ j, w = weights[j], r = residuals[j]
            for c in 0..<pp {
                let wc = w * x![i &+ c &* n], column = (others &+ c) &* rest
                rhs[base1 &+ others &+ c] += wc * r
                for d in c..<pp { restBlock[others &+ d &+ column] += wc * x![i &+ d &* n] }
            }
        }
    }
}

/// What a pass can skip reading, found once per design: trials all 1 (0/1 responses), no offset, a first
/// term whose z is 1 on every row (a random intercept with every term scalar), η not needed after the
/// pass (the Laplace approximation; quadrature needs it). Over 1M rows that is 32 of 60 MB a pass.
struct RowReads {
    var unitTrials: Bool
    var zeroOffset: Bool
    var unitFirst: Bool
    var keepsEta: Bool
}

/// One (u, β)'s pass: Σ −2 log p(y | η) (with the constant part) and the weighted system at its weights.
struct Linearisation {
    var deviance: Double
    var system: WeightedSystem
}

/// Systems whose passes were done with, kept for the next passes: a fresh one per pass (grouseticks' rest block
/// is 260 kB) cost a page fault per page, 6% of the fit.
final class SpareSystems: @unchecked Sendable {
    private var systems: [WeightedSystem] = []
    private let lock = NSLock()

    /// One with `joint`'s columns, zeroed; nil when none is kept.
    func take(joint: Bool) -> WeightedSystem? {
        lock.lock()
        let index = systems.firstIndex { $0.joint == joint }
        var system = index.map { systems.remove(at: $0) }
        lock.unlock()
        system?.reset()
        return system
    }

    func give(_ system: WeightedSystem) {
        lock.lock()
        if systems.count < 4 { systems.append(system) }
        lock.unlock()
    }
}

/// The η buffer the two halves write (disjoint rows).
private struct SharedRows: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Double>
    init(_ buffer: UnsafeMutableBufferPointer<Double>) { self.buffer = buffer }
}

/// The deviance handed to a worker thread (its build reads, never writes, the shared state).
private struct UncheckedSelf: @unchecked Sendable {
    let deviance: LaplaceDeviance
}

import Foundation
import HLMFormula
import _HLMSupport

/// The PIRLS step's weighted system, summed over the rows (in two halves on two threads for many rows).
extension LaplaceDeviance {
    /// The system at η (weights and working response from μ); `fixed` is Xβ + offset (the offset alone
    /// when β is solved too).
    func build(_ rows: RowValues, eta: [Double], fixed: [Double], joint: Bool) -> WeightedSystem {
        guard n >= Self.parallelRows else { return build(rows, eta: eta, fixed: fixed, joint: joint, rowRange: 0..<n) }
        // Two halves of the rows into two systems, then one sum.
        let halves = [0..<(n / 2), (n / 2)..<n]
        let slots = SystemSlots(2)
        let this = UncheckedSelf(deviance: self)
        ParallelWork.run(2) { part in
            slots.set(part, this.deviance.build(rows, eta: eta, fixed: fixed, joint: joint, rowRange: halves[part]))
        }
        var system = slots.get(0)!
        let other = slots.get(1)!
        for i in system.blocks.indices { system.blocks[i] += other.blocks[i] }
        for i in system.couplings.indices { system.couplings[i] += other.couplings[i] }
        for i in system.restBlock.indices { system.restBlock[i] += other.restBlock[i] }
        for i in system.rhs.indices { system.rhs[i] += other.rhs[i] }
        return system
    }

    /// The system's sums over the rows in `rowRange`.
    func build(_ rows: RowValues, eta: [Double], fixed: [Double], joint: Bool, rowRange: Range<Int>) -> WeightedSystem {
        let firstTerm = design.randomTerms[order[0]]
        let q1 = firstTerm.termCount, groups1 = firstTerm.groupCount
        var system = WeightedSystem(q1: q1, groups1: groups1, pattern: self.pattern, joint: joint)
        let rest = system.rest, perRow = rows.perRow, pp = joint ? p : 0, others = otherColumns, n = n
        let family = family
        let pattern: CouplingPattern = self.pattern
        let m = perRow + pp
        system.blocks.withUnsafeMutableBufferPointer { blocks in
        system.couplings.withUnsafeMutableBufferPointer { couplings in
        system.restBlock.withUnsafeMutableBufferPointer { restBlock in
        system.rhs.withUnsafeMutableBufferPointer { rhs in
        rows.first.withUnsafeBufferPointer { first in
        rows.restIndex.withUnsafeBufferPointer { restIndex in
        rows.restValue.withUnsafeBufferPointer { restValue in
        pattern.rowPlaces.withUnsafeBufferPointer { places in
        design.x.values.withUnsafeBufferPointer { xv in
        firstTerm.codes.withUnsafeBufferPointer { codes in
            var indices = [Int](repeating: 0, count: m), values = [Double](repeating: 0, count: m), local = [Int](repeating: 0, count: m)
            indices.withUnsafeMutableBufferPointer { idx in
            values.withUnsafeMutableBufferPointer { val in
            local.withUnsafeMutableBufferPointer { loc in
                for c in 0..<pp { idx[perRow + c] = others + c }
                let base1 = groups1 * q1
                for i in rowRange {
                    let (mu, d, weight) = family.meanDerivativeWeight(eta[i])
                    let w = trials[i] * weight
                    let r = eta[i] - fixed[i] + (y[i] - mu) / d
                    let g = Int(codes[i])
                    let listStart = pattern.start[g], width = pattern.start[g + 1] - listStart
                    for s in 0..<perRow { idx[s] = restIndex[i * perRow + s]; val[s] = restValue[i * perRow + s]; loc[s] = places[i * perRow + s] }
                    for c in 0..<pp { val[perRow + c] = xv[i + c * n]; loc[perRow + c] = width - pp + c }
                    let blockStart = g * q1 * q1, c0 = listStart * q1, rhsStart = g * q1
                    for bb in 0..<q1 {
                        let wb = w * first[i * q1 + bb]
                        rhs[rhsStart + bb] += wb * r
                        for a in bb..<q1 { blocks[blockStart + a + bb * q1] += wb * first[i * q1 + a] }
                        for k in 0..<m { couplings[c0 + loc[k] + bb * width] += wb * val[k] }
                    }
                    for k in 0..<m {
                        let c = idx[k], wc = w * val[k]
                        rhs[base1 + c] += wc * r
                        for l in 0..<m where idx[l] >= c { restBlock[idx[l] + c * rest] += wc * val[l] }
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
        return system
    }
}

/// Two systems built on two threads.
private final class SystemSlots: @unchecked Sendable {
    private var slots: [WeightedSystem?]
    private let lock = NSLock()
    init(_ count: Int) { slots = [WeightedSystem?](repeating: nil, count: count) }
    func set(_ index: Int, _ value: WeightedSystem) { lock.lock(); slots[index] = value; lock.unlock() }
    func get(_ index: Int) -> WeightedSystem? { lock.lock(); defer { lock.unlock() }; return slots[index] }
}

/// The deviance handed to a worker thread (its build reads, never writes, the shared state).
private struct UncheckedSelf: @unchecked Sendable {
    let deviance: LaplaceDeviance
}

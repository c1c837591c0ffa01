import Foundation
import HLMFormula
import _HLMSupport

/// The Laplace (or adaptive Gauss–Hermite) approximation to −2 log L of a generalized linear mixed model,
/// as lme4's `glmer`: for θ (and β), penalised iteratively reweighted least squares finds the conditional
/// mode u* of the spherical random effects; then −2 log L ≈ Σ −2 log p(yᵢ | μᵢ) + ‖u*‖² + log|L|², L L' =
/// Λ'Z'WZΛ + I at the mode. `joint` solves β with u (glmer's first stage, nAGQ = 0); otherwise β is given
/// (the second stage, which optimises θ and β together).
public final class LaplaceDeviance: @unchecked Sendable {
    public let design: ModelDesign
    public let family: GLMFamily
    public let parameters: CovarianceParameters
    /// Gauss–Hermite points for one scalar term (1: the Laplace approximation).
    public let quadraturePoints: Int
    let n: Int, p: Int
    /// y as a proportion (binomial) or count, the prior weights (binomial trials), the offset.
    let y: [Double], trials: [Double], offset: [Double]
    /// The first term in the system's order (the largest), then the others.
    let order: [Int]
    let restStarts: [Int]
    let otherColumns: Int
    let nodes: GaussHermite
    /// Rows of each group of the first term (quadrature).
    let rowsByGroup: [[Int]]
    /// The columns each first-term group touches (fixed by the design).
    var pattern: CouplingPattern!
    /// Σ of the rows' −2 log p parts that do not depend on μ (binomial coefficients, log y!).
    let constantSum: Double
    /// The last conditional modes (system order), warm start of the next solve.
    public private(set) var modes: [Double]
    /// β of the last joint solve, and its approximate SEs (from the system's β block, as lme4's RX).
    public private(set) var jointBeta: [Double]
    public private(set) var jointBetaScale: [Double] = []
    public private(set) var evaluations = 0
    /// PIRLS iterations over all evaluations.
    public private(set) var pirlsIterations = 0
    /// Set when PIRLS stopped without converging (the report says so).
    public private(set) var pirlsFailed = false

    public init(_ design: ModelDesign, family: GLMFamily, quadraturePoints: Int = 1) {
        self.design = design
        self.family = family
        self.quadraturePoints = quadraturePoints
        parameters = CovarianceParameters(design.randomTerms)
        n = design.observationCount
        p = design.x.columns
        let m = design.binomialTrials ?? [Double](repeating: 1, count: n)
        trials = m
        y = family.family == .binomial ? zip(design.y, m).map { $1 > 0 ? $0 / $1 : 0 } : design.y
        offset = design.offset ?? [Double](repeating: 0, count: n)
        var constants = 0.0
        for i in 0..<n { constants += family.constantPart(y[i], trials: m[i]) }
        constantSum = constants
        let sizes = design.randomTerms.map { $0.termCount * $0.groupCount }
        let first = sizes.indices.max { sizes[$0] < sizes[$1] } ?? 0
        order = [first] + design.randomTerms.indices.filter { $0 != first }
        var starts: [Int] = [], total = 0
        for k in order.dropFirst() { starts.append(total); total += sizes[k] }
        restStarts = starts
        otherColumns = total
        nodes = GaussHermite(points: quadraturePoints)
        let firstTerm = design.randomTerms[first]
        var byGroup = [[Int]](repeating: [], count: firstTerm.groupCount)
        for i in 0..<n { byGroup[Int(firstTerm.codes[i])].append(i) }
        rowsByGroup = byGroup
        modes = [Double](repeating: 0, count: sizes.reduce(0, +))
        jointBeta = [Double](repeating: 0, count: p)
        let layout = rowValues(parameters.initial)!
        pattern = CouplingPattern(groups: firstTerm.groupCount, codes: firstTerm.codes, perRow: layout.perRow, restIndex: layout.restIndex,
                                  otherColumns: otherColumns, p: p)
    }

    /// The number of θ parameters.
    public var thetaCount: Int { parameters.count }

    /// ZΛ's values per row for θ: the first term's q₁ per row, and the other terms' (indices, values).
    struct RowValues {
        var first: [Double]
        var restIndex: [Int]
        var restValue: [Double]
        var perRow: Int
    }

    func rowValues(_ theta: [Double]) -> RowValues? {
        var lambdas: [[Double]] = []
        for k in order { guard let l = parameters.lambda(theta, term: k) else { return nil }; lambdas.append(l) }
        let terms = design.randomTerms
        let q1 = terms[order[0]].termCount
        var first = [Double](repeating: 0, count: n * q1)
        let perRow = order.dropFirst().reduce(0) { $0 + terms[$1].termCount }
        var restIndex = [Int](repeating: 0, count: n * perRow), restValue = [Double](repeating: 0, count: n * perRow)
        for (position, k) in order.enumerated() {
            let term = terms[k], q = term.termCount, lambda = lambdas[position]
            var slot = 0
            if position > 0 { slot = order[1..<position].reduce(0) { $0 + terms[$1].termCount } }
            term.z.values.withUnsafeBufferPointer { z in
                for i in 0..<n {
                    let g = Int(term.codes[i])
                    for a in 0..<q {
                        var value = 0.0
                        for b in a..<q { value += z[i + b * n] * lambda[b + a * q] }
                        if position == 0 {
                            first[i * q1 + a] = value
                        } else {
                            restIndex[i * perRow + slot + a] = restStarts[position - 1] + g * q + a
                            restValue[i * perRow + slot + a] = value
                        }
                    }
                }
            }
        }
        return RowValues(first: first, restIndex: restIndex, restValue: restValue, perRow: perRow)
    }

    /// Xβ + offset.
    func fixedPart(_ beta: [Double]) -> [Double] {
        var eta = offset
        design.x.values.withUnsafeBufferPointer { x in
            for c in 0..<p where beta[c] != 0 { let b = beta[c]; for i in 0..<n { eta[i] += x[i + c * n] * b } }
        }
        return eta
    }

    /// ZΛu per row.
    func randomPart(_ u: [Double], _ rows: RowValues) -> [Double] {
        let q1 = design.randomTerms[order[0]].termCount, codes = design.randomTerms[order[0]].codes
        var result = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var value = 0.0
            let g = Int(codes[i])
            for a in 0..<q1 { value += rows.first[i * q1 + a] * u[g * q1 + a] }
            let base = i * rows.perRow, offset1 = design.randomTerms[order[0]].groupCount * q1
            for s in 0..<rows.perRow { value += rows.restValue[base + s] * u[offset1 + rows.restIndex[base + s]] }
            result[i] = value
        }
        return result
    }

    /// Rows from which the per-row passes are split between two threads.
    static let parallelRows = 50_000

    /// η = fixed + ZΛu and Σ −2 log p(y | η) in one pass (two threads for many rows).
    func linearPredictor(_ u: [Double], fixed: [Double], _ rows: RowValues) -> ([Double], Double) {
        let first = design.randomTerms[order[0]]
        let q1 = first.termCount, offset1 = first.groupCount * q1, perRow = rows.perRow
        var eta = [Double](repeating: 0, count: n)
        let parts = n >= Self.parallelRows ? 2 : 1
        let sums = UnsafeMutableBufferPointer<Double>.allocate(capacity: parts)
        defer { sums.deallocate() }
        let family = family, n = n
        eta.withUnsafeMutableBufferPointer { etaOut in
            let out = etaOut
            u.withUnsafeBufferPointer { uv in
            fixed.withUnsafeBufferPointer { fv in
            rows.first.withUnsafeBufferPointer { fr in
            rows.restIndex.withUnsafeBufferPointer { ri in
            rows.restValue.withUnsafeBufferPointer { rv in
            first.codes.withUnsafeBufferPointer { codes in
            y.withUnsafeBufferPointer { yv in
            trials.withUnsafeBufferPointer { tv in
                let pointers = RowPointers(eta: out, u: uv, fixed: fv, first: fr, restIndex: ri, restValue: rv, codes: codes, y: yv, trials: tv, sums: sums)
                let work: @Sendable (Int) -> Void = { part in
                    let start = n * part / parts, end = n * (part + 1) / parts
                    var sum = 0.0
                    for i in start..<end {
                        let g = Int(pointers.codes[i])
                        var value = pointers.fixed[i]
                        for a in 0..<q1 { value += pointers.first[i * q1 + a] * pointers.u[g * q1 + a] }
                        for s in 0..<perRow { value += pointers.restValue[i * perRow + s] * pointers.u[offset1 + pointers.restIndex[i * perRow + s]] }
                        pointers.eta[i] = value
                        sum += family.variablePart(pointers.y[i], eta: value, trials: pointers.trials[i])
                    }
                    pointers.sums[part] = sum
                }
                if parts == 1 { work(0) } else { ParallelWork.run(parts, work) }
            }
            }
            }
            }
            }
            }
            }
            }
        }
        return (eta, sums.reduce(constantSum, +))
    }

    func minusTwoLogLikelihood(_ eta: [Double]) -> Double {
        var sum = constantSum
        for i in 0..<n { sum += family.variablePart(y[i], family.mean(eta[i]), trials: trials[i]) }
        return sum
    }

    /// The approximation to −2 log L at θ and β (β ignored with `joint`, which solves it); +∞ where the
    /// system cannot be factored.
    public func evaluate(theta: [Double], beta: [Double], joint: Bool) -> Double {
        evaluations += 1
        guard let rows = rowValues(theta) else { return .infinity }
        let firstTerm = design.randomTerms[order[0]]
        let q1 = firstTerm.termCount, groups1 = firstTerm.groupCount
        let qTotal = modes.count
        var u = modes, b = joint ? jointBeta : beta
        if !u.allSatisfy(\.isFinite) { u = [Double](repeating: 0, count: qTotal) }
        let givenFixed = joint ? nil : fixedPart(b)
        func penalised(_ u: [Double], _ b: [Double]) -> (Double, [Double]) {
            let (eta, value) = linearPredictor(u, fixed: givenFixed ?? fixedPart(b), rows)
            return (value + u.reduce(0) { $0 + $1 * $1 }, eta)
        }
        var (current, eta) = penalised(u, b)
        var system = WeightedSystem(q1: q1, groups1: groups1, pattern: pattern, joint: joint)
        var converged = false
        for _ in 0..<60 {
            pirlsIterations += 1
            system = build(rows, eta: eta, fixed: givenFixed ?? offset, joint: joint)
            guard system.factor() else { return .infinity }
            let solution = system.solve()
            let newU = Array(solution[0..<qTotal]), newB = joint ? Array(solution[qTotal...]) : b
            // Step halving on the penalised deviance.
            var step = 1.0, accepted = false
            var candidateU = newU, candidateB = newB
            var value = 0.0, candidateEta = eta
            for _ in 0..<12 {
                candidateU = zip(u, newU).map { $0 + step * ($1 - $0) }
                candidateB = zip(b, newB).map { $0 + step * ($1 - $0) }
                (value, candidateEta) = penalised(candidateU, candidateB)
                if value.isFinite && value <= current + 1e-10 * abs(current) { accepted = true; break }
                step /= 2
            }
            guard accepted else { break }
            let change = abs(current - value)
            let moved = max(zip(u, candidateU).reduce(0.0) { max($0, abs($1.0 - $1.1)) }, zip(b, candidateB).reduce(0.0) { max($0, abs($1.0 - $1.1)) })
            u = candidateU
            b = candidateB
            eta = candidateEta
            current = value
            // Converged to rounding: the log-determinant is not stationary in u, so a mode found only
            // roughly would put noise into the Hessian's differences.
            if change < 1e-13 * (abs(value) + 1) && moved < 1e-9 { converged = true; break }
        }
        pirlsFailed = !converged
        modes = u
        if joint {
            jointBeta = b
            jointBetaScale = system.trailingInverseDiagonal(p).map { $0.squareRoot() }
        }
        // The determinant at the mode's weights.
        system = build(rows, eta: eta, fixed: givenFixed ?? fixedPart(b), joint: false)
        guard system.factor() else { return .infinity }
        if quadraturePoints > 1 && order.count == 1 && q1 == 1 {
            return quadrature(system: system, u: u, eta: eta, rows: rows)
        }
        return current + system.logDeterminant
    }

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

    /// Adaptive Gauss–Hermite quadrature for one scalar term (lme4's nAGQ > 1): per group j, with û its mode
    /// and s = 1/L_jj, −2 log ∫ ≈ 2 log L_jj − 2 log Σₖ wₖ exp(−½[g(û + s zₖ) − zₖ²]), g(u) = −2 log p(y_j | u) + u².
    func quadrature(system: WeightedSystem, u: [Double], eta: [Double], rows: RowValues) -> Double {
        var total = 0.0
        for (g, members) in rowsByGroup.enumerated() where !members.isEmpty {
            let pivot = system.pivot(group: g), s = 1 / pivot
            var terms: [Double] = []
            for (z, w) in zip(nodes.nodes, nodes.weights) {
                let value = u[g] + s * z
                var deviance = value * value
                for i in members {
                    let shifted = eta[i] + rows.first[i] * (value - u[g])
                    deviance += family.variablePart(y[i], family.mean(shifted), trials: trials[i])
                }
                terms.append(log(w) - (deviance - z * z) / 2)
            }
            let largest = terms.max() ?? 0
            let sum = terms.reduce(0) { $0 + exp($1 - largest) }
            total += 2 * log(pivot) - 2 * (largest + log(sum))
        }
        return total + constantSum
    }

    /// The conditional modes b = Λu per term (formula order), groups × q.
    public func conditionalModes(theta: [Double]) -> [[[Double]]] {
        var result = [[[Double]]](repeating: [], count: design.randomTerms.count)
        var start = 0
        for k in order {
            let term = design.randomTerms[k], q = term.termCount
            let lambda = parameters.lambda(theta, term: k) ?? [Double](repeating: 0, count: q * q)
            result[k] = (0..<term.groupCount).map { g in
                (0..<q).map { a in (0..<q).reduce(0.0) { $0 + lambda[a + $1 * q] * modes[start + g * q + $1] } }
            }
            start += term.groupCount * q
        }
        return result
    }
}

/// Gauss–Hermite points and weights for the standard normal density (Σ w = 1), by Golub and Welsch:
/// the eigenvalues of the Jacobi matrix of the probabilists' Hermite polynomials, and the squared first
/// components of its eigenvectors.
public struct GaussHermite: Sendable {
    public let nodes: [Double]
    public let weights: [Double]

    public init(points: Int) {
        guard points > 1 else { nodes = [0]; weights = [1]; return }
        var jacobi = [Double](repeating: 0, count: points * points)
        for k in 1..<points {
            let value = Double(k).squareRoot()
            jacobi[k + (k - 1) * points] = value
            jacobi[(k - 1) + k * points] = value
        }
        let (values, vectors) = SymmetricEigen.decompose(jacobi, n: points)
        nodes = values
        weights = (0..<points).map { vectors[0 + $0 * points] * vectors[0 + $0 * points] }
    }
}

/// The buffers of one pass over the rows, handed to the threads that split it.
private struct RowPointers: @unchecked Sendable {
    let eta: UnsafeMutableBufferPointer<Double>
    let u: UnsafeBufferPointer<Double>, fixed: UnsafeBufferPointer<Double>, first: UnsafeBufferPointer<Double>
    let restIndex: UnsafeBufferPointer<Int>, restValue: UnsafeBufferPointer<Double>, codes: UnsafeBufferPointer<Int32>
    let y: UnsafeBufferPointer<Double>, trials: UnsafeBufferPointer<Double>
    let sums: UnsafeMutableBufferPointer<Double>
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

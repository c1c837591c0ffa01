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
    /// With every term scalar, ZΛ's values at Λ = 1 (z itself), made once: each θ only rescales them.
    var unitRows: RowValues?
    /// Σ of the rows' −2 log p parts that do not depend on μ (binomial coefficients, log y!).
    let constantSum: Double
    /// What the pass may leave unread (``RowReads``).
    var rowReads = RowReads(unitTrials: false, zeroOffset: false, unitFirst: false, keepsEta: true)
    /// The thread that takes half of each pass over the rows, from ``parallelRows`` rows, while `splitsPasses`
    /// (turned off while the Hessian's points run on two deviances instead).
    lazy var secondThread: SecondThread? = n >= Self.parallelRows ? SecondThread() : nil
    var splitsPasses = true
    let spareSystems = SpareSystems()
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
        if design.randomTerms.allSatisfy({ $0.termCount == 1 }) {
            unitRows = rowValues(lambdas: order.map { _ in [1.0] })
        }
        rowReads = RowReads(unitTrials: m.allSatisfy { $0 == 1 }, zeroOffset: offset.allSatisfy { $0 == 0 },
                            unitFirst: unitRows.map { $0.first.allSatisfy { $0 == 1 } } ?? false, keepsEta: quadraturePoints > 1)
        let layout = rowValues(parameters.initial)!
        pattern = CouplingPattern(groups: firstTerm.groupCount, codes: firstTerm.codes, perRow: layout.perRow, restIndex: layout.restIndex,
                                  otherColumns: otherColumns, p: p)
    }

    /// Newton's step in u (and in β relative to max(1, |β|)) below which PIRLS stops where it is.
    static let modeTolerance = 1e-12

    /// Rows used.
    public var observationCount: Int { n }

    /// Starts the next evaluation's PIRLS from these modes (system order).
    func restart(from modes: [Double]) { self.modes = modes }

    /// The number of θ parameters.
    public var thetaCount: Int { parameters.count }

    /// ZΛ's values per row for θ: the first term's q₁ per row, and the other terms' (indices, values).
    struct RowValues {
        var first: [Double]
        var restIndex: [Int]
        var restValue: [Double]
        var perRow: Int
        /// Multipliers of the first term's values and of each other-term slot's (1 unless `unitRows`).
        var scales: [Double]
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
        // Xβ + offset in the pass for a few columns; else once per evaluation (per pass when β moves too).
        let inlineFixed = p <= 4
        let givenFixed = joint || inlineFixed ? nil : fixedPart(b)
        // Each pass at a (u, β) gives its deviance and the system of the step from there; a step's pass is
        // kept when the step is taken (η in two buffers, the current one and the candidate's).
        var eta = [Double](repeating: 0, count: n), candidateEta = eta
        func linearised(_ u: [Double], _ b: [Double], eta: inout [Double]) -> Linearisation {
            var pass = linearise(u, beta: b, fixed: inlineFixed ? nil : givenFixed ?? fixedPart(b), rows, joint: joint, eta: &eta)
            pass.deviance += u.reduce(0) { $0 + $1 * $1 }
            return pass
        }
        let start = linearised(u, b, eta: &eta)
        var current = start.deviance, system = start.system
        var converged = false, factored = false
        for _ in 0..<60 {
            pirlsIterations += 1
            guard system.factor() else { return .infinity }
            factored = true
            let solution = system.solve()
            let newU = Array(solution[0..<qTotal]), newB = joint ? Array(solution[qTotal...]) : b
            // At the mode when Newton's step from here is below rounding's reach on the determinant: this
            // pass's factor is the mode's (a step that small moves log|L|² by less than the sums' rounding).
            let newton = max(zip(u, newU).reduce(0.0) { max($0, abs($1.0 - $1.1)) },
                             zip(b, newB).reduce(0.0) { max($0, abs($1.0 - $1.1) / max(1, abs($1.0))) })
            if newton < Self.modeTolerance { converged = true; break }
            // Step halving on the penalised deviance.
            var step = 1.0
            var candidateU = newU, candidateB = newB
            var candidate: Linearisation?
            for _ in 0..<12 {
                candidateU = zip(u, newU).map { $0 + step * ($1 - $0) }
                candidateB = zip(b, newB).map { $0 + step * ($1 - $0) }
                let trial = linearised(candidateU, candidateB, eta: &candidateEta)
                if trial.deviance.isFinite && trial.deviance <= current + 1e-10 * abs(current) { candidate = trial; break }
                spareSystems.give(trial.system)
                step /= 2
            }
            guard let candidate else { break }
            let change = abs(current - candidate.deviance)
            let moved = max(zip(u, candidateU).reduce(0.0) { max($0, abs($1.0 - $1.1)) }, zip(b, candidateB).reduce(0.0) { max($0, abs($1.0 - $1.1)) })
            u = candidateU
            b = candidateB
            swap(&eta, &candidateEta)
            current = candidate.deviance
            spareSystems.give(system)
            system = candidate.system
            factored = false
            // Converged to rounding: the log-determinant is not stationary in u, so a mode found only
            // roughly would put noise into the Hessian's differences.
            if change < 1e-13 * (abs(candidate.deviance) + 1) && moved < 1e-9 { converged = true; break }
        }
        pirlsFailed = !converged
        modes = u
        // The determinant at the mode's weights (the system's β columns, when it has them, come last and
        // leave the random effects' pivots as they are).
        if factored && !converged {
            spareSystems.give(system)
            (current, system) = { ($0.deviance, $0.system) }(linearised(u, b, eta: &eta))
        }
        if !factored || !converged { guard system.factor() else { return .infinity } }
        if joint {
            jointBeta = b
            jointBetaScale = system.trailingInverseDiagonal(p).map { $0.squareRoot() }
        }
        defer { spareSystems.give(system) }
        if quadraturePoints > 1 && order.count == 1 && q1 == 1 {
            return quadrature(system: system, u: u, eta: eta, rows: rows)
        }
        return current + system.logDeterminant
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

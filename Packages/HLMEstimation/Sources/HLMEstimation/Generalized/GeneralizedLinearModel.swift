import Foundation
import HLMFormula

/// The GLM of the fixed part alone (R's `glm`), by iteratively reweighted least squares: the start of
/// the mixed model's β and the null model of its likelihood-ratio test.
public struct GeneralizedLinearModel: Sendable {
    public var beta: [Double]
    /// log L with the binomial coefficients and Poisson's y! (as `logLik(glm(...))`).
    public var logLikelihood: Double
    public var converged: Bool

    public init(_ design: ModelDesign, family: GLMFamily) {
        let n = design.observationCount, p = design.x.columns
        let trials = design.binomialTrials ?? [Double](repeating: 1, count: n)
        let y = family.family == .binomial ? zip(design.y, trials).map { $1 > 0 ? $0 / $1 : 0 } : design.y
        let offset = design.offset ?? [Double](repeating: 0, count: n)
        var constant = 0.0
        for i in 0..<n { constant += family.constantPart(y[i], trials: trials[i]) }
        let x = design.x.values
        func linearPredictor(_ beta: [Double]) -> [Double] {
            var eta = offset
            for c in 0..<p where beta[c] != 0 { for i in 0..<n { eta[i] += x[i + c * n] * beta[c] } }
            return eta
        }
        // Each pass at η: the deviance there and the next IRLS system, X'WX and X'Wz.
        let start = (0..<n).map { family.linkValue(family.startingMean(y[$0], trials: trials[$0])) }
        var current = Self.pass(start, y: y, trials: trials, offset: offset, x: x, p: p, family: family, constant: constant)
        var beta = [Double](repeating: 0, count: p)
        var previous = Double.infinity, converged = false
        for _ in 0..<50 {
            guard let next = SymmetricSolve.solve(current.crossProduct, current.rightSide, n: p) else { break }
            var step = 1.0, trial = next
            var evaluated = Self.pass(linearPredictor(trial), y: y, trials: trials, offset: offset, x: x, p: p, family: family, constant: constant)
            // Step halving while the deviance rises (not for the first step, from the starting means).
            while !(evaluated.deviance <= previous + 1e-10 * abs(previous)) && step > 1e-4 && previous.isFinite {
                step /= 2
                trial = zip(beta, next).map { $0 + step * ($1 - $0) }
                evaluated = Self.pass(linearPredictor(trial), y: y, trials: trials, offset: offset, x: x, p: p, family: family, constant: constant)
            }
            beta = trial
            current = evaluated
            let value = evaluated.deviance
            if abs(previous - value) < 1e-10 * (abs(value) + 0.1) { converged = true; break }
            previous = value
        }
        self.beta = beta
        logLikelihood = -current.deviance / 2
        self.converged = converged
    }

    /// One IRLS pass at η: Σ −2 log p (with `constant`, the parts without μ) and the weighted system for the
    /// working response z = η − offset + (y − μ)/(dμ/dη), from the family's row parts in blocks of rows.
    private static func pass(_ eta: [Double], y: [Double], trials: [Double], offset: [Double], x: [Double], p: Int,
                             family: GLMFamily, constant: Double) -> (deviance: Double, crossProduct: [Double], rightSide: [Double]) {
        let n = eta.count, blockRows = 256
        var crossProduct = [Double](repeating: 0, count: p * p), rightSide = [Double](repeating: 0, count: p)
        var deviance = 0.0
        var parts = [Double](repeating: 0, count: 3 * blockRows)
        parts.withUnsafeMutableBufferPointer { parts in
        eta.withUnsafeBufferPointer { eta in
        y.withUnsafeBufferPointer { y in
        trials.withUnsafeBufferPointer { trials in
        offset.withUnsafeBufferPointer { offset in
        x.withUnsafeBufferPointer { x in
            let variable = parts.baseAddress!, weight = variable + blockRows, residual = weight + blockRows
            for blockStart in stride(from: 0, to: n, by: blockRows) {
                let count = min(blockRows, n - blockStart)
                family.rowParts(count: count, y: y.baseAddress! + blockStart, trials: trials.baseAddress! + blockStart,
                                eta: eta.baseAddress! + blockStart, variable: variable, weight: weight, residual: residual)
                var blockDeviance = 0.0
                for j in 0..<count {
                    let i = blockStart + j, w = weight[j], z = eta[i] - offset[i] + residual[j]
                    blockDeviance += variable[j]
                    for a in 0..<p {
                        let wa = w * x[i + a * n]
                        rightSide[a] += wa * z
                        for b in 0...a { crossProduct[a + b * p] += wa * x[i + b * n] }
                    }
                }
                deviance += blockDeviance
            }
        }
        }
        }
        }
        }
        }
        for a in 0..<p { for b in 0..<a { crossProduct[b + a * p] = crossProduct[a + b * p] } }
        return (deviance + constant, crossProduct, rightSide)
    }
}

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
        var eta = (0..<n).map { family.linkValue(family.startingMean(y[$0], trials: trials[$0])) }
        var beta = [Double](repeating: 0, count: p)
        var previous = Double.infinity, converged = false
        let x = design.x.values
        func deviance(_ eta: [Double]) -> Double {
            (0..<n).reduce(0.0) { $0 + family.minusTwoLogDensity(y[$1], family.mean(eta[$1]), trials: trials[$1]) }
        }
        for _ in 0..<50 {
            var xtwx = [Double](repeating: 0, count: p * p), xtwz = [Double](repeating: 0, count: p)
            for i in 0..<n {
                let mu = family.mean(eta[i]), d = family.meanDerivative(eta[i])
                let w = trials[i] * d * d / max(family.variance(mu), 1e-300)
                let z = eta[i] - offset[i] + (y[i] - mu) / d
                for a in 0..<p {
                    let wa = w * x[i + a * n]
                    xtwz[a] += wa * z
                    for b in 0...a { xtwx[a + b * p] += wa * x[i + b * n] }
                }
            }
            for a in 0..<p { for b in 0..<a { xtwx[b + a * p] = xtwx[a + b * p] } }
            guard let next = SymmetricSolve.solve(xtwx, xtwz, n: p) else { break }
            var candidate = offset
            for c in 0..<p { for i in 0..<n { candidate[i] += x[i + c * n] * next[c] } }
            var value = deviance(candidate)
            var step = 1.0, trial = next
            while !(value <= previous + 1e-10 * abs(previous)) && step > 1e-4 && previous.isFinite {
                step /= 2
                trial = zip(beta, next).map { $0 + step * ($1 - $0) }
                candidate = offset
                for c in 0..<p { for i in 0..<n { candidate[i] += x[i + c * n] * trial[c] } }
                value = deviance(candidate)
            }
            beta = trial
            eta = candidate
            if abs(previous - value) < 1e-10 * (abs(value) + 0.1) { converged = true; previous = value; break }
            previous = value
        }
        self.beta = beta
        logLikelihood = -deviance(eta) / 2
        self.converged = converged
    }
}

import Foundation
import HLMFormula

/// Ordinary least squares on the design's X and y: the linear regression a mixed model is tested against.
public struct OrdinaryLeastSquares: Sendable {
    public var coefficients: [Double]
    public var residualSumOfSquares: Double
    public var observationCount: Int

    public init(_ design: ModelDesign) {
        let n = design.observationCount, p = design.x.columns
        var xtx = [Double](repeating: 0, count: p * p), xty = [Double](repeating: 0, count: p)
        let x = design.x.values
        for a in 0..<p {
            for b in 0...a {
                var s = 0.0
                for i in 0..<n { s += x[i + a * n] * x[i + b * n] }
                xtx[a + b * p] = s
                xtx[b + a * p] = s
            }
            var s = 0.0
            for i in 0..<n { s += x[i + a * n] * design.y[i] }
            xty[a] = s
        }
        coefficients = p == 0 ? [] : (SymmetricSolve.solve(xtx, xty, n: p) ?? [Double](repeating: .nan, count: p))
        var rss = 0.0
        for i in 0..<n {
            var fitted = 0.0
            for a in 0..<p { fitted += x[i + a * n] * coefficients[a] }
            rss += (design.y[i] - fitted) * (design.y[i] - fitted)
        }
        residualSumOfSquares = rss
        observationCount = n
    }

    /// The maximised normal log-likelihood, −n/2 (1 + log(2π RSS / n)).
    public var maximumLogLikelihood: Double {
        let n = Double(observationCount)
        return -n / 2 * (1 + log(2 * Double.pi * residualSumOfSquares / n))
    }
}

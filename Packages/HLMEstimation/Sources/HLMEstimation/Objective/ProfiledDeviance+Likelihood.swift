import Foundation

extension ProfiledDeviance {
    /// The log-likelihood (ML) or restricted log-likelihood (REML) at θ and an explicit residual SD σ,
    /// with β at its GLS value for θ: −½[log|L_Z|² (+ log|L_X|²) + m log(2πσ²) + r²(θ)/σ²], m = n (or n − p).
    func logLikelihood(theta: [Double], sigma: Double) -> Double {
        guard sigma > 0, let parts = likelihoodParts(theta) else { return -.infinity }
        return -(parts.logDeterminant + likelihoodDegrees * log(2 * Double.pi * sigma * sigma)
            + parts.residualSumOfSquares / (sigma * sigma)) / 2
    }

    /// The two pieces of −2 log-likelihood that depend on θ: log|L_Z|² (+ log|L_X|² for REML) and the
    /// penalised residual sum of squares r²(θ). nil where the factorisation fails.
    func likelihoodParts(_ theta: [Double]) -> (logDeterminant: Double, residualSumOfSquares: Double)? {
        guard evaluate(theta).isFinite else { return nil }
        let logDeterminant = factor.logDeterminantZ + (criterion == .reml ? factor.logDeterminantX : 0)
        return (logDeterminant, factor.penalizedResidualSumOfSquares)
    }

    /// (L_X L_X')⁻¹ at the θ last evaluated: vcov(β) / σ², p×p column-major.
    func unscaledBetaCovariance() -> [Double] {
        factor.betaCovariance(scale: 1)
    }

    /// m in m log(2πσ²): n for ML, n − p for REML (σ̂² = r²/m at the optimum).
    var likelihoodDegrees: Double {
        criterion == .ml ? Double(products.n) : Double(products.n - products.p)
    }
}

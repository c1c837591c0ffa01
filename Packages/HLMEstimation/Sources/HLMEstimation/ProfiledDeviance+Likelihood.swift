import Foundation

extension ProfiledDeviance {
    /// The log-likelihood (ML) or restricted log-likelihood (REML) at θ and an explicit residual SD σ,
    /// with β at its GLS value for θ: −½[log|L_Z|² (+ log|L_X|²) + m log(2πσ²) + r²(θ)/σ²], m = n (or n − p).
    func logLikelihood(theta: [Double], sigma: Double) -> Double {
        guard sigma > 0, evaluate(theta).isFinite else { return -.infinity }
        let n = Double(products.n), p = Double(products.p)
        let m = criterion == .ml ? n : n - p
        var twice = factor.logDeterminantZ + m * log(2 * Double.pi * sigma * sigma)
            + factor.penalizedResidualSumOfSquares / (sigma * sigma)
        if criterion == .reml { twice += factor.logDeterminantX }
        return -twice / 2
    }
}

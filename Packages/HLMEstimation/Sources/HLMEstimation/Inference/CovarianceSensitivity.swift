import Foundation

/// How vcov(β) moves with the variance parameters, and how well those are known: what Satterthwaite's
/// degrees of freedom need (lmerTest). At the optimum: C = vcov(β), its derivatives ∂C/∂ψₖ, and
/// A = 2 H⁻¹, the asymptotic covariance of ψ from the Hessian H of the criterion (−2 log L, or the REML
/// criterion) in ψ.
///
/// ψ = (t, s): t scales θ (θᵢ = θ̂ᵢ + cᵢ tᵢ, cᵢ the size of θ̂ᵢ) and s = log σ. The degrees of freedom do not
/// depend on the parameterisation (lmerTest uses (θ, σ)); this one keeps the differences well scaled.
/// As in ``LikelihoodCurvature``, −2ℓ = a(θ) + m(log 2π + 2s) + b(θ) e^{−2s} with a the log-determinants
/// and b = r², and C = e^{2s} M(θ) with M = (L_X L_X')⁻¹: one stencil of factorisations in t gives a, b and
/// M with their derivatives, and s enters analytically. Nothing n×n is formed: each point is one
/// factorisation of the blocked (or sparse) factor.
public struct CovarianceSensitivity: Sendable {
    /// vcov(β), p×p column-major.
    public let covariance: [Double]
    /// ∂ vcov(β) / ∂ψₖ for each of the d parameters, each p×p column-major.
    public let derivatives: [[Double]]
    /// A = 2 H⁻¹ (d×d): the covariance of ψ̂.
    public let parameterCovariance: [Double]
    public let p: Int

    /// The step in t: a relative change of 1e-3 in each θᵢ (as ``LikelihoodCurvature``'s on the log scale).
    static let step = 1e-3

    /// nil when a stencil point cannot be factored or the Hessian is not positive definite.
    public init?(deviance: ProfiledDeviance, theta: [Double]) {
        guard let parts = deviance.likelihoodParts(theta) else { return nil }
        let m = deviance.likelihoodDegrees
        let sigma2 = parts.residualSumOfSquares / m
        guard sigma2 > 0 else { return nil }
        let parameters = deviance.parameters
        // cᵢ: |θ̂ᵢ|, at least a tenth of the largest diagonal of its term (off-diagonals near 0), at least 1e-4.
        var scales = theta.map { abs($0) }
        for k in parameters.terms.indices {
            let layout = parameters.terms[k]
            let largest = parameters.diagonalIndices(term: k).map { abs(theta[$0]) }.max() ?? 0
            for i in layout.offset..<(layout.offset + layout.count) { scales[i] = max(scales[i], 0.1 * largest, 1e-4) }
        }
        // Fixed structures (exchangeable's correlation) stay inside their bounds.
        let upper = parameters.upperBounds
        for i in theta.indices where upper[i].isFinite { scales[i] = min(scales[i], (upper[i] - theta[i]) / (2 * Self.step)) }
        let k = theta.count, p = deviance.design.x.columns
        // a, b and M at θ̂ + c∘t.
        let point: ([Double]) -> [Double] = { t in
            let at = zip(theta, zip(scales, t)).map { $0 + $1.0 * $1.1 }
            guard let parts = deviance.likelihoodParts(at) else { return [Double](repeating: .nan, count: 2 + p * p) }
            return [parts.logDeterminant, parts.residualSumOfSquares] + deviance.unscaledBetaCovariance()
        }
        let zero = [Double](repeating: 0, count: k)
        let center = point(zero)
        guard center.allSatisfy(\.isFinite) else { return nil }
        let (values, gradients, hessians) = FiniteDifferences.secondOrder(point, at: zero, step: Self.step, center: center)
        guard (gradients.flatMap { $0 } + hessians[0] + hessians[1]).allSatisfy(\.isFinite) else { return nil }
        // The Hessian of −2ℓ in (t, s) at s = log σ̂: H_tt = a'' + b'' e^{−2s}, H_ts = −2 b' e^{−2s}, H_ss = 4 b e^{−2s}.
        let d = k + 1, inverseVariance = 1 / sigma2
        var hessian = [Double](repeating: 0, count: d * d)
        for i in 0..<k {
            for j in 0..<k { hessian[i + j * d] = hessians[0][i + j * k] + hessians[1][i + j * k] * inverseVariance }
            hessian[i + k * d] = -2 * gradients[1][i] * inverseVariance
            hessian[k + i * d] = hessian[i + k * d]
        }
        hessian[k + k * d] = 4 * values[1] * inverseVariance
        guard let inverse = DenseCholesky.symmetricInverse(hessian, n: d) else { return nil }
        parameterCovariance = inverse.map { 2 * $0 }
        covariance = values[2...].map { $0 * sigma2 }
        var derivatives: [[Double]] = (0..<k).map { i in (0..<(p * p)).map { gradients[2 + $0][i] * sigma2 } }
        derivatives.append(covariance.map { 2 * $0 })
        self.derivatives = derivatives
        self.p = p
        _ = deviance.evaluate(theta)
    }

    /// L C L' for one contrast and its gradient in ψ.
    func variance(of contrast: [Double]) -> (value: Double, gradient: [Double]) {
        (Self.quadraticForm(contrast, covariance, p), derivatives.map { Self.quadraticForm(contrast, $0, p) })
    }

    /// Satterthwaite's degrees of freedom of one contrast: 2 (L C L')² / (g' A g).
    public func degreesOfFreedom(_ contrast: [Double]) -> Double {
        let (value, gradient) = variance(of: contrast)
        let d = gradient.count
        let spread = Self.quadraticForm(gradient, parameterCovariance, d)
        return spread > 0 ? 2 * value * value / spread : .infinity
    }

    /// x' M x for a column-major n×n M.
    static func quadraticForm(_ x: [Double], _ matrix: [Double], _ n: Int) -> Double {
        var sum = 0.0
        for j in 0..<n where x[j] != 0 {
            var column = 0.0
            for i in 0..<n { column += matrix[i + j * n] * x[i] }
            sum += x[j] * column
        }
        return sum
    }
}

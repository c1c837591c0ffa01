import Foundation

/// The likelihood's derivatives at the optimum from one stencil of factorisations: the Hessian of ℓ in
/// the working scale (for the variance components' standard errors) and the gradient of the profiled
/// criterion in θ (for the convergence check), so that the two cost one set of evaluations.
///
/// Differencing in φ = (log SDs, atanh correlations, log σ) directly would refactor at every stencil
/// point, σ's included. Instead it works in ψ = (log(SD/σ), atanh correlation) with s = log σ apart:
/// θ depends on ψ alone, and −2ℓ = a(ψ) + m(log 2π + 2s) + b(ψ) e^{−2s} with a the log-determinants
/// and b = r². So only ψ is differenced (a and b come from the same factorisations) and s enters
/// analytically; φ is linear in (ψ, s). The profiled criterion a + m log b has, at the optimum, the same
/// gradient; its central differences at the stencil's axis points, carried to θ, check convergence.
struct LikelihoodCurvature {
    /// Where the derivatives were taken.
    let theta: [Double]
    let scale: WorkingScale
    /// The Hessian of ℓ in φ, d×d column-major; nil when a stencil point could not be factored.
    let hessian: [Double]?
    /// The gradient of the profiled criterion in θ; nil when it cannot be carried from ψ to θ.
    let thetaGradient: [Double]?

    /// Step on the log/atanh scale: the log-likelihood carries rounding noise of about 1e-12 of its size,
    /// which a smaller step would magnify into the second differences (measured: 1e-4 moved SEs by 1e-4).
    static let step = 1e-3

    /// nil on the boundary (a variance at zero, a correlation at ±1), where the working scale is undefined.
    init?(deviance: ProfiledDeviance, theta: [Double]) {
        guard let parts = deviance.likelihoodParts(theta) else { return nil }
        let m = deviance.likelihoodDegrees
        let sigma = (parts.residualSumOfSquares / m).squareRoot()
        guard sigma > 0, let scale = WorkingScale(theta: theta, sigma: sigma, deviance: deviance) else { return nil }
        self.theta = theta
        self.scale = scale
        let phi = scale.phi, d = phi.count, r = d - 1, s = phi[r]
        let isLogSD = scale.list.dropLast().map { if case .logSD = $0 { true } else { false } }
        let working: ([Double]) -> [Double] = { psi in psi.indices.map { isLogSD[$0] ? psi[$0] + s : psi[$0] } + [s] }
        let psi0 = (0..<r).map { isLogSD[$0] ? phi[$0] - s : phi[$0] }
        let inverseVariance = exp(-2 * s)
        // Outputs: a + b e^{−2s} (−2ℓ at fixed σ, less constants), b, and the profiled criterion a + m log b.
        func outputs(_ logDeterminant: Double, _ residual: Double) -> [Double] {
            [logDeterminant + residual * inverseVariance, residual, logDeterminant + m * log(residual)]
        }
        let (values, gradients, hessians) = FiniteDifferences.secondOrder({ psi in
            guard let (point, _) = scale.theta(from: working(psi)), let parts = deviance.likelihoodParts(point) else {
                return [.nan, .nan, .nan]
            }
            return outputs(parts.logDeterminant, parts.residualSumOfSquares)
        }, at: psi0, step: Self.step, center: outputs(parts.logDeterminant, parts.residualSumOfSquares))
        thetaGradient = gradients[2].allSatisfy(\.isFinite)
            ? Self.carried(gradients[2], at: psi0, to: theta.count, through: { scale.theta(from: working($0))?.0 }) : nil
        guard (values + gradients[0] + gradients[1] + hessians[0]).allSatisfy(\.isFinite) else {
            hessian = nil
            return
        }
        // The Hessian of ℓ in (ψ, s).
        var inner = [Double](repeating: 0, count: d * d)
        for i in 0..<r {
            for j in 0..<r { inner[i + j * d] = -hessians[0][i + j * r] / 2 }
            inner[i + r * d] = gradients[1][i] * inverseVariance
            inner[r + i * d] = gradients[1][i] * inverseVariance
        }
        inner[r + r * d] = -2 * values[1] * inverseVariance
        // φ = M (ψ, s): log SDs add s. The Hessian in φ is M⁻ᵀ H M⁻¹; M⁻¹ subtracts s again.
        var inverseMap = [Double](repeating: 0, count: d * d)
        for i in 0..<d { inverseMap[i + i * d] = 1 }
        for i in 0..<r where isLogSD[i] { inverseMap[i + r * d] = -1 }
        var result = [Double](repeating: 0, count: d * d)
        for a in 0..<d {
            for b in 0..<d {
                var sum = 0.0
                for k in 0..<d { for l in 0..<d { sum += inverseMap[k + a * d] * inner[k + l * d] * inverseMap[l + b * d] } }
                result[a + b * d] = sum
            }
        }
        hessian = result
    }

    /// A gradient in ψ carried to θ: g_θ solves Jᵀ g_θ = g_ψ with J = ∂θ/∂ψ (the map is cheap, so J is
    /// differenced finely). nil when the two have different sizes or J is singular.
    static func carried(_ gradient: [Double], at psi: [Double], to count: Int, through map: ([Double]) -> [Double]?) -> [Double]? {
        let n = psi.count
        guard count == n else { return nil }
        let h = 1e-6
        var jacobianTransposed = [Double](repeating: 0, count: n * n)  // row i = ∂θ/∂ψ_i
        for i in 0..<n {
            var plus = psi, minus = psi
            plus[i] += h
            minus[i] -= h
            guard let up = map(plus), let down = map(minus) else { return nil }
            for k in 0..<n { jacobianTransposed[i * n + k] = (up[k] - down[k]) / (2 * h) }
        }
        return solve(jacobianTransposed, gradient, n: n)
    }

    /// x with A x = b for a small row-major A (Gaussian elimination, partial pivoting); nil if singular.
    static func solve(_ matrix: [Double], _ rhs: [Double], n: Int) -> [Double]? {
        var a = matrix, b = rhs
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { abs(a[$0 * n + column]) < abs(a[$1 * n + column]) }),
                  abs(a[pivot * n + column]) > 1e-12 else { return nil }
            if pivot != column {
                for k in 0..<n { a.swapAt(pivot * n + k, column * n + k) }
                b.swapAt(pivot, column)
            }
            for row in (column + 1)..<max(column + 1, n) {
                let factor = a[row * n + column] / a[column * n + column]
                for k in column..<n { a[row * n + k] -= factor * a[column * n + k] }
                b[row] -= factor * b[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = b[row]
            for k in (row + 1)..<max(row + 1, n) { sum -= a[row * n + k] * x[k] }
            x[row] = sum / a[row * n + row]
        }
        return x
    }
}

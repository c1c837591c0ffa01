import Foundation

/// Standard errors and confidence intervals of the variance components, as Stata's `mixed` reports
/// them: the observed information of the (restricted) log-likelihood in the metric of log SDs and
/// atanh correlations, inverted, then carried to SDs and correlations by the delta method. Intervals
/// are formed on the log and atanh scales and transformed back.
public struct VarianceComponentInference: Sendable, Codable, Equatable {
    /// Per term: SEs of the SDs, in term order.
    public var sdStdError: [[Double]]
    /// Per term: 95% (or `level`) intervals of the SDs.
    public var sdCI: [[[Double]]]
    /// Per term: SEs of the correlations (q×q, 0 on the diagonal and where not estimated).
    public var correlationStdError: [[[Double]]]
    public var correlationCI: [[[[Double]]]]
    public var residualSDStdError: Double
    public var residualSDCI: [Double]

    /// One free variance parameter on its working scale.
    enum Parameter {
        case logSD(term: Int, index: Int)
        case atanhCorrelation(term: Int, a: Int, b: Int)
        case logResidualSD
    }

    /// nil when a variance is on its boundary (the log metric is undefined there) or the information is singular.
    static func compute(fit: LinearMixedModel, deviance: ProfiledDeviance, level: Double = 0.95) -> VarianceComponentInference? {
        let parameters = deviance.parameters
        var list: [Parameter] = []
        var phi: [Double] = []
        for (k, component) in fit.components.enumerated() {
            let layout = parameters.terms[k]
            switch layout.structure {
            case .identity:
                list.append(.logSD(term: k, index: 0))
            case .exchangeable:
                list.append(.logSD(term: k, index: 0))
                if layout.q > 1 { list.append(.atanhCorrelation(term: k, a: 1, b: 0)) }
            case .independent:
                for i in 0..<layout.q { list.append(.logSD(term: k, index: i)) }
            case .unstructured:
                for i in 0..<layout.q { list.append(.logSD(term: k, index: i)) }
                for b in 0..<layout.q { for a in (b + 1)..<max(b + 1, layout.q) { list.append(.atanhCorrelation(term: k, a: a, b: b)) } }
            }
            guard component.sd.allSatisfy({ $0 > 1e-8 * fit.sigma }) else { return nil }
        }
        list.append(.logResidualSD)
        for parameter in list {
            switch parameter {
            case .logSD(let k, let i): phi.append(log(fit.components[k].sd[i]))
            case .atanhCorrelation(let k, let a, let b):
                let r = fit.components[k].correlation[a][b]
                guard abs(r) < 1 - 1e-10 else { return nil }
                phi.append(atanh(r))
            case .logResidualSD: phi.append(log(fit.sigma))
            }
        }
        // The factor is left at the last stencil point: readers of it evaluate at their θ first.
        let hessian = Self.informationHessian(list: list, phi: phi, fit: fit, deviance: deviance, parameters: parameters)
        // The inverse of the observed information: the covariance of the working-scale estimates.
        let d = phi.count
        guard let hessian, let covariance = DenseCholesky.symmetricInverse(hessian.map { -$0 }, n: d) else { return nil }
        let z = Distributions.normalQuantile(0.5 + level / 2)
        var result = VarianceComponentInference(
            sdStdError: fit.components.map { [Double](repeating: .nan, count: $0.sd.count) },
            sdCI: fit.components.map { Array(repeating: [Double.nan, .nan], count: $0.sd.count) },
            correlationStdError: fit.components.map { c in c.sd.map { _ in [Double](repeating: 0, count: c.sd.count) } },
            correlationCI: fit.components.map { c in c.sd.indices.map { a in c.sd.indices.map { b in a == b ? [1, 1] : [Double.nan, .nan] } } },
            residualSDStdError: .nan, residualSDCI: [.nan, .nan])
        for (index, parameter) in list.enumerated() {
            let se = covariance[index + index * d].squareRoot()
            let value = phi[index]
            switch parameter {
            case .logSD(let k, let i):
                let sd = exp(value)
                let interval = [exp(value - z * se), exp(value + z * se)]
                // Identity and exchangeable terms share one SD across their terms.
                let shared = parameters.terms[k].structure == .identity || parameters.terms[k].structure == .exchangeable
                for j in (shared ? Array(fit.components[k].sd.indices) : [i]) {
                    result.sdStdError[k][j] = sd * se
                    result.sdCI[k][j] = interval
                }
            case .atanhCorrelation(let k, let a, let b):
                let r = tanh(value)
                let interval = [tanh(value - z * se), tanh(value + z * se)]
                let q = fit.components[k].sd.count
                let pairs = parameters.terms[k].structure == .exchangeable
                    ? (0..<q).flatMap { x in (0..<q).filter { $0 != x }.map { (x, $0) } } : [(a, b), (b, a)]
                for (x, y) in pairs {
                    result.correlationStdError[k][x][y] = (1 - r * r) * se
                    result.correlationCI[k][x][y] = interval
                }
            case .logResidualSD:
                result.residualSDStdError = exp(value) * se
                result.residualSDCI = [exp(value - z * se), exp(value + z * se)]
            }
        }
        return result
    }

    /// The Hessian of the log-likelihood in the working parameters φ (log SDs, atanh correlations, log σ).
    ///
    /// Differencing in φ directly would refactor at every stencil point, σ's included. Instead it works
    /// in ψ = (log(SD/σ), atanh correlation) with s = log σ apart: θ depends on ψ alone, and
    /// −2ℓ = a(ψ) + m(log 2π + 2s) + b(ψ) e^{−2s} with a = log-determinants, b = r². So only ψ is
    /// differenced (a and b from the same factorisations) and s enters analytically; φ is linear in (ψ, s).
    static func informationHessian(
        list: [Parameter], phi: [Double], fit: LinearMixedModel, deviance: ProfiledDeviance, parameters: CovarianceParameters
    ) -> [Double]? {
        let s = phi[phi.count - 1], d = phi.count, r = d - 1
        let isLogSD = list.dropLast().map { if case .logSD = $0 { true } else { false } }
        func working(_ psi: [Double]) -> [Double] { psi.indices.map { isLogSD[$0] ? psi[$0] + s : psi[$0] } + [s] }
        let psi0 = (0..<r).map { isLogSD[$0] ? phi[$0] - s : phi[$0] }
        let inverseVariance = exp(-2 * s)
        // Step 1e-3 on the log/atanh scale: the log-likelihood carries rounding noise of about 1e-12 of its
        // size, which a smaller step would magnify into the second differences (measured: 1e-4 moved SEs by 1e-4).
        let (values, gradients, hessians) = FiniteDifferences.secondOrder({ psi in
            guard let (theta, _) = Self.theta(from: working(psi), list, fit: fit, parameters: parameters),
                  let parts = deviance.likelihoodParts(theta) else { return [.nan, .nan] }
            return [parts.logDeterminant + parts.residualSumOfSquares * inverseVariance, parts.residualSumOfSquares]
        }, at: psi0, step: 1e-3)
        guard (values + gradients.joined() + hessians.joined()).allSatisfy(\.isFinite) else { return nil }
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
        return result
    }

    /// θ and σ for a point on the working scale; nil where the implied covariance is not positive definite.
    static func theta(from point: [Double], _ list: [Parameter], fit: LinearMixedModel, parameters: CovarianceParameters) -> ([Double], Double)? {
        var sds = fit.components.map { $0.sd }
        var correlations = fit.components.map { $0.correlation }
        var sigma = fit.sigma
        for (value, parameter) in zip(point, list) {
            switch parameter {
            case .logSD(let k, let i):
                let structure = parameters.terms[k].structure
                if structure == .identity || structure == .exchangeable {
                    for j in sds[k].indices { sds[k][j] = exp(value) }
                } else {
                    sds[k][i] = exp(value)
                }
            case .atanhCorrelation(let k, let a, let b):
                if parameters.terms[k].structure == .exchangeable {
                    for x in correlations[k].indices { for y in correlations[k].indices where x != y { correlations[k][x][y] = tanh(value) } }
                } else {
                    correlations[k][a][b] = tanh(value)
                    correlations[k][b][a] = tanh(value)
                }
            case .logResidualSD:
                sigma = exp(value)
            }
        }
        var theta = [Double](repeating: 0, count: parameters.count)
        for (k, layout) in parameters.terms.enumerated() {
            let q = layout.q
            switch layout.structure {
            case .identity:
                theta[layout.offset] = sds[k][0] / sigma
            case .independent:
                for i in 0..<q { theta[layout.offset + i] = sds[k][i] / sigma }
            case .exchangeable:
                theta[layout.offset] = sds[k][0] / sigma
                theta[layout.offset + 1] = q > 1 ? correlations[k][1][0] : 0
            case .unstructured:
                var relative = [Double](repeating: 0, count: q * q)
                for a in 0..<q { for b in 0..<q { relative[a + b * q] = correlations[k][a][b] * sds[k][a] * sds[k][b] / (sigma * sigma) } }
                guard SmallCholesky.factor(&relative, n: q) else { return nil }
                var index = layout.offset
                for j in 0..<q { for i in j..<q { theta[index] = relative[i + j * q]; index += 1 } }
            }
        }
        return (theta, sigma)
    }
}

/// Derivatives by central differences.
enum FiniteDifferences {
    /// f's value, gradient and Hessian (column-major d×d) at x with step h, from 1 + 2d + d(d−1)
    /// evaluations: the axis points ±h eᵢ, and ±h(eᵢ + eⱼ) for each pair (error O(h²) throughout).
    /// `f` returns several functions at once; each gets its own derivatives from the same points.
    static func secondOrder(
        _ f: ([Double]) -> [Double], at x: [Double], step h: Double
    ) -> (values: [Double], gradients: [[Double]], hessians: [[Double]]) {
        let d = x.count
        let f0 = f(x), outputs = f0.count
        func shifted(_ steps: [(Int, Double)]) -> [Double] {
            var point = x
            for (i, sign) in steps { point[i] += sign * h }
            return f(point)
        }
        let plus = (0..<d).map { shifted([($0, 1)]) }, minus = (0..<d).map { shifted([($0, -1)]) }
        var gradients = [[Double]](repeating: [Double](repeating: 0, count: d), count: outputs)
        var hessians = [[Double]](repeating: [Double](repeating: 0, count: d * d), count: outputs)
        for k in 0..<outputs {
            for i in 0..<d {
                gradients[k][i] = (plus[i][k] - minus[i][k]) / (2 * h)
                hessians[k][i + i * d] = (plus[i][k] - 2 * f0[k] + minus[i][k]) / (h * h)
            }
        }
        for i in 0..<d {
            for j in 0..<i {
                let both = shifted([(i, 1), (j, 1)]), neither = shifted([(i, -1), (j, -1)])
                for k in 0..<outputs {
                    // f(+i+j) + f(−i−j) − f(±i) − f(±j) + 2 f₀ = 2h² ∂ᵢ∂ⱼf + O(h⁴).
                    let value = (both[k] + neither[k] - plus[i][k] - minus[i][k] - plus[j][k] - minus[j][k] + 2 * f0[k]) / (2 * h * h)
                    hessians[k][i + j * d] = value
                    hessians[k][j + i * d] = value
                }
            }
        }
        return (f0, gradients, hessians)
    }
}

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
        let logLikelihood: ([Double]) -> Double = { point in
            guard let (theta, sigma) = Self.theta(from: point, list, fit: fit, parameters: parameters) else { return -.infinity }
            return deviance.logLikelihood(theta: theta, sigma: sigma)
        }
        let d = phi.count
        // Step 1e-3 on the log/atanh scale: the log-likelihood carries rounding noise of about 1e-12 of its
        // size, which a smaller step would magnify into the second differences (measured: 1e-4 moved SEs by 1e-4).
        let hessian = FiniteDifferences.hessian(logLikelihood, at: phi, step: 1e-3)
        _ = deviance.evaluate(fit.theta)
        // The inverse of the observed information: the covariance of the working-scale estimates.
        guard let covariance = DenseCholesky.symmetricInverse(hessian.map { -$0 }, n: d) else { return nil }
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
    /// The Hessian (column-major d×d) of f at x with step h (in x's own units).
    static func hessian(_ f: ([Double]) -> Double, at x: [Double], step h: Double) -> [Double] {
        let d = x.count
        var result = [Double](repeating: 0, count: d * d)
        let f0 = f(x)
        for i in 0..<d {
            var plus = x, minus = x
            plus[i] += h
            minus[i] -= h
            result[i + i * d] = (f(plus) - 2 * f0 + f(minus)) / (h * h)
            for j in 0..<i {
                var pp = x, pm = x, mp = x, mm = x
                pp[i] += h; pp[j] += h
                pm[i] += h; pm[j] -= h
                mp[i] -= h; mp[j] += h
                mm[i] -= h; mm[j] -= h
                let value = (f(pp) - f(pm) - f(mp) + f(mm)) / (4 * h * h)
                result[i + j * d] = value
                result[j + i * d] = value
            }
        }
        return result
    }
}

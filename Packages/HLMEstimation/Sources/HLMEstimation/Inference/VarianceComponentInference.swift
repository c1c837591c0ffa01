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
    /// Per term: SEs of the covariances σ_ab = ρ_ab σ_a σ_b (q×q, 0 where not estimated), by the delta
    /// method from the joint covariance of the log SDs and atanh correlations (Stata's `variance` table).
    public var covarianceStdError: [[[Double]]]?
    /// Per intraclass correlation (``LinearMixedModel/intraclassCorrelations``' order): the SE of its logit,
    /// by the delta method (Stata's `estat icc`); the interval is logit⁻¹(logit ρ ± z SE).
    public var iccLogitStdError: [Double]?

    /// From the curvature at the fit's θ (`curvature` when it was taken there already, as the fit's
    /// convergence check does). nil when a variance is on its boundary (the log metric is undefined
    /// there) or the information is singular.
    static func compute(fit: LinearMixedModel, deviance: ProfiledDeviance, curvature known: LikelihoodCurvature? = nil,
                        level: Double = 0.95) -> VarianceComponentInference? {
        guard let curvature = known.flatMap({ $0.theta == fit.theta ? $0 : nil }) ?? LikelihoodCurvature(deviance: deviance, theta: fit.theta)
        else { return nil }
        let parameters = deviance.parameters
        let list = curvature.scale.list, phi = curvature.scale.phi
        let d = phi.count
        // The inverse of the observed information: the covariance of the working-scale estimates.
        guard let hessian = curvature.hessian, let covariance = DenseCholesky.symmetricInverse(hessian.map { -$0 }, n: d) else { return nil }
        let z = Distributions.normalQuantile(0.5 + level / 2)
        var result = VarianceComponentInference(
            sdStdError: fit.components.map { [Double](repeating: .nan, count: $0.sd.count) },
            sdCI: fit.components.map { Array(repeating: [Double.nan, .nan], count: $0.sd.count) },
            correlationStdError: fit.components.map { c in c.sd.map { _ in [Double](repeating: 0, count: c.sd.count) } },
            correlationCI: fit.components.map { c in c.sd.indices.map { a in c.sd.indices.map { b in a == b ? [1, 1] : [Double.nan, .nan] } } },
            residualSDStdError: .nan, residualSDCI: [.nan, .nan], covarianceStdError: nil)
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
        result.covarianceStdError = covarianceErrors(fit: fit, list: list, phi: phi, covariance: covariance)
        result.iccLogitStdError = iccErrors(fit: fit, list: list, covariance: covariance)
        return result
    }

    /// ρ_k = v_k / (Σ_j v_j + σ²) over the intercept variances v_j: logit ρ_k = log v_k − log(T − v_k), whose
    /// gradient in the log SDs is 2 at k's and −2 v_j / (T − v_k) at every other intercept's and σ's.
    private static func iccErrors(fit: LinearMixedModel, list: [WorkingScale.Parameter], covariance: [Double]) -> [Double] {
        let d = list.count
        let intercepts = fit.components.enumerated().compactMap { k, c in c.terms.firstIndex(of: "(Intercept)").map { (k, $0, c.covarianceMatrix[$0][$0]) } }
        let residual = fit.sigma * fit.sigma
        let total = intercepts.reduce(residual) { $0 + $1.2 }
        func index(_ k: Int, _ i: Int) -> Int? {
            list.firstIndex { if case .logSD(k, i) = $0 { true } else { false } } ?? list.firstIndex { if case .logSD(k, _) = $0 { true } else { false } }
        }
        guard let sigmaIndex = list.firstIndex(where: { if case .logResidualSD = $0 { true } else { false } }) else {
            return intercepts.map { _ in .nan }
        }
        return intercepts.map { k, i, v in
            var g = [Double](repeating: 0, count: d)
            let rest = total - v
            for (j, jj, w) in intercepts {
                guard let position = index(j, jj) else { return .nan }
                g[position] += j == k ? 2 : -2 * w / rest
            }
            g[sigmaIndex] += -2 * residual / rest
            var variance = 0.0
            for a in 0..<d { for b in 0..<d { variance += g[a] * covariance[a + b * d] * g[b] } }
            return variance.squareRoot()
        }
    }

    /// SE(σ_ab)² = g' V g with g the gradient of ρ σ_a σ_b in (log σ_a, log σ_b, atanh ρ).
    private static func covarianceErrors(fit: LinearMixedModel, list: [WorkingScale.Parameter], phi: [Double],
                                         covariance: [Double]) -> [[[Double]]] {
        let d = phi.count
        return fit.components.enumerated().map { k, component in
            let q = component.sd.count
            var errors = [[Double]](repeating: [Double](repeating: 0, count: q), count: q)
            for a in 0..<q { for b in 0..<q where a != b {
                guard let ia = list.firstIndex(where: { if case .logSD(k, a) = $0 { true } else { false } }) ?? list.firstIndex(where: { if case .logSD(k, _) = $0 { true } else { false } }),
                      let ib = list.firstIndex(where: { if case .logSD(k, b) = $0 { true } else { false } }) ?? list.firstIndex(where: { if case .logSD(k, _) = $0 { true } else { false } }),
                      let ir = list.firstIndex(where: {
                          if case .atanhCorrelation(k, let x, let y) = $0 { (x == a && y == b) || (x == b && y == a) || component.covariance == .exchangeable } else { false }
                      })
                else { continue }
                let sa = component.sd[a], sb = component.sd[b], r = component.correlation[a][b]
                let cov = r * sa * sb
                var g = [Double](repeating: 0, count: d)
                g[ia] += cov
                g[ib] += cov
                g[ir] += (1 - r * r) * sa * sb
                var v = 0.0
                for i in 0..<d { for j in 0..<d { v += g[i] * covariance[i + j * d] * g[j] } }
                errors[a][b] = v.squareRoot()
            } }
            return errors
        }
    }
}

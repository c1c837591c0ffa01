import Foundation

/// The variance parameters on the scale where Stata computes their standard errors: log SDs, atanh
/// correlations and log σ (φ), with the way back to the optimiser's θ and σ.
struct WorkingScale {
    /// One free variance parameter on its working scale.
    enum Parameter {
        case logSD(term: Int, index: Int)
        case atanhCorrelation(term: Int, a: Int, b: Int)
        case logResidualSD
    }

    /// The free parameters, log σ last.
    let list: [Parameter]
    /// Their values at the point the scale was built at.
    let phi: [Double]
    private let sds: [[Double]]
    private let correlations: [[[Double]]]
    private let sigma: Double
    private let layout: CovarianceParameters

    /// nil when a variance is on its boundary or a correlation at ±1 (the scale is undefined there).
    init?(components: [VarianceComponent], sigma: Double, layout: CovarianceParameters) {
        var list: [Parameter] = []
        for (k, component) in components.enumerated() {
            let term = layout.terms[k]
            switch term.structure {
            case .identity:
                list.append(.logSD(term: k, index: 0))
            case .exchangeable:
                list.append(.logSD(term: k, index: 0))
                if term.q > 1 { list.append(.atanhCorrelation(term: k, a: 1, b: 0)) }
            case .independent:
                for i in 0..<term.q { list.append(.logSD(term: k, index: i)) }
            case .unstructured:
                for i in 0..<term.q { list.append(.logSD(term: k, index: i)) }
                for b in 0..<term.q { for a in (b + 1)..<max(b + 1, term.q) { list.append(.atanhCorrelation(term: k, a: a, b: b)) } }
            }
            guard component.sd.allSatisfy({ $0 > 1e-8 * sigma }) else { return nil }
        }
        list.append(.logResidualSD)
        var phi: [Double] = []
        for parameter in list {
            switch parameter {
            case .logSD(let k, let i): phi.append(log(components[k].sd[i]))
            case .atanhCorrelation(let k, let a, let b):
                let r = components[k].correlation[a][b]
                guard abs(r) < 1 - 1e-10 else { return nil }
                phi.append(atanh(r))
            case .logResidualSD: phi.append(log(sigma))
            }
        }
        self.list = list
        self.phi = phi
        sds = components.map(\.sd)
        correlations = components.map(\.correlation)
        self.sigma = sigma
        self.layout = layout
    }

    /// The variance components at θ and σ, and their working scale.
    init?(theta: [Double], sigma: Double, deviance: ProfiledDeviance) {
        let design = deviance.design, layout = deviance.parameters
        var components: [VarianceComponent] = []
        for (k, term) in design.randomTerms.enumerated() {
            guard let lambda = layout.lambda(theta, term: k) else { return nil }
            components.append(LinearMixedModel.component(term, lambda: lambda, sigma2: sigma * sigma, structure: term.covariance))
        }
        self.init(components: components, sigma: sigma, layout: layout)
    }

    /// θ and σ for a point on the working scale; nil where the implied covariance is not positive definite.
    func theta(from point: [Double]) -> ([Double], Double)? {
        var sds = self.sds
        var correlations = self.correlations
        var sigma = self.sigma
        for (value, parameter) in zip(point, list) {
            switch parameter {
            case .logSD(let k, let i):
                let structure = layout.terms[k].structure
                if structure == .identity || structure == .exchangeable {
                    for j in sds[k].indices { sds[k][j] = exp(value) }
                } else {
                    sds[k][i] = exp(value)
                }
            case .atanhCorrelation(let k, let a, let b):
                if layout.terms[k].structure == .exchangeable {
                    for x in correlations[k].indices { for y in correlations[k].indices where x != y { correlations[k][x][y] = tanh(value) } }
                } else {
                    correlations[k][a][b] = tanh(value)
                    correlations[k][b][a] = tanh(value)
                }
            case .logResidualSD:
                sigma = exp(value)
            }
        }
        var theta = [Double](repeating: 0, count: layout.count)
        for (k, term) in layout.terms.enumerated() {
            let q = term.q
            switch term.structure {
            case .identity:
                theta[term.offset] = sds[k][0] / sigma
            case .independent:
                for i in 0..<q { theta[term.offset + i] = sds[k][i] / sigma }
            case .exchangeable:
                theta[term.offset] = sds[k][0] / sigma
                theta[term.offset + 1] = q > 1 ? correlations[k][1][0] : 0
            case .unstructured:
                var relative = [Double](repeating: 0, count: q * q)
                for a in 0..<q { for b in 0..<q { relative[a + b * q] = correlations[k][a][b] * sds[k][a] * sds[k][b] / (sigma * sigma) } }
                guard SmallCholesky.factor(&relative, n: q) else { return nil }
                var index = term.offset
                for j in 0..<q { for i in j..<q { theta[index] = relative[i + j * q]; index += 1 } }
            }
        }
        return (theta, sigma)
    }
}

import Foundation
import HLMFormula

/// Profile-likelihood intervals, as lme4's `confint(method = "profile")`: for each parameter, the values
/// x where the signed root ζ(x) = sign(x − x̂) √(D(x) − D̂) of the profiled criterion reaches ±z, D(x)
/// being the criterion minimised over every other parameter with this one held at x.
///
/// Variance parameters are profiled on the scale they are reported on, ψ = (each term's SDs and
/// correlations, σ), with the others re-optimised by BOBYQA from the last point; fixed effects
/// by refitting θ with βⱼ held at x (y − x·Xⱼ on the other columns). Each limit is found by bracketing
/// and then the Illinois variant of regula falsi on ζ, to 1e-6 in ζ.
public struct ProfileIntervals: Sendable, Codable, Equatable {
    /// Per term, per SD: [lower, upper].
    public var sd: [[[Double]]]
    /// Per term, q×q: [lower, upper] of each correlation ([1, 1] on the diagonal, NaN where not estimated).
    public var correlation: [[[[Double]]]]
    public var sigma: [Double]
    /// Per fixed effect, [lower, upper].
    public var fixed: [[Double]]?
    /// Whether the fit was REML and the profiles are of its refit by ML (as lme4's, which profiles the ML
    /// deviance whatever the fit).
    public var refittedByML = false

    /// The intervals at `level`. A REML fit is refitted by ML first and the ML deviance profiled, as lme4 does.
    public static func compute(fit given: LinearMixedModel, level: Double = 0.95) throws(EstimationError) -> ProfileIntervals {
        guard given.estimator.maximisesLikelihood, given.profiledDeviance != nil, !given.theta.isEmpty else {
            throw EstimationError.unsupported("--ci profile needs variance components estimated by ML or REML")
        }
        let fit = given.criterion == .ml ? given : try LinearMixedModel.fit(given.design, criterion: .ml)
        guard let deviance = fit.profiledDeviance else { throw EstimationError.cannotFactor }
        let z = Distributions.normalQuantile(0.5 + level / 2)
        let scale = ReportingScale(fit: fit, parameters: deviance.parameters)
        let psiHat = scale.psi
        let best = fit.objective + fit.design.logWeightSum
        var result = ProfileIntervals(
            sd: fit.components.map { c in c.sd.map { _ in [Double.nan, .nan] } },
            correlation: fit.components.map { c in c.sd.indices.map { a in c.sd.indices.map { b in a == b ? [1.0, 1.0] : [Double.nan, .nan] } } },
            sigma: [.nan, .nan], fixed: nil, refittedByML: given.criterion == .reml)
        for i in psiHat.indices {
            var warm = psiHat
            let zeta: (Double) -> Double = { x in
                let value = scale.profiled(deviance, holding: i, at: x, from: &warm)
                return (x < psiHat[i] ? -1 : 1) * max(0, value - best).squareRoot()
            }
            let step = scale.typicalStep(i, fit: fit)
            let lower = Self.limit(zeta, from: psiHat[i], step: -step, target: -z, bound: scale.lowerBound(i))
            warm = psiHat
            let upper = Self.limit(zeta, from: psiHat[i], step: step, target: z, bound: scale.upperBound(i))
            switch scale.coordinates[i] {
            case .sd(let k, let indices): for a in indices { result.sd[k][a] = [lower, upper] }
            case .correlation(let k, let pairs): for (a, b) in pairs { result.correlation[k][a][b] = [lower, upper]; result.correlation[k][b][a] = [lower, upper] }
            case .sigma: result.sigma = [lower, upper]
            }
        }
        do {
            result.fixed = try fit.beta.indices.map { j throws(EstimationError) in
                let refit = FixedEffectProfile(fit: fit, column: j)
                let se = fit.standardErrors[j]
                let zeta: (Double) -> Double = { x in
                    (x < fit.beta[j] ? -1 : 1) * max(0, refit.criterion(at: x) - best).squareRoot()
                }
                return [Self.limit(zeta, from: fit.beta[j], step: -se, target: -z, bound: -.infinity),
                        Self.limit(zeta, from: fit.beta[j], step: se, target: z, bound: .infinity)]
            }
        }
        return result
    }

    /// Where ζ reaches `target`, going from x̂ in steps of `step` (doubling) until it is bracketed or the
    /// bound is met (then the bound, as lme4 reports 0 for an SD whose profile never reaches −z).
    static func limit(_ zeta: (Double) -> Double, from center: Double, step: Double, target: Double, bound: Double) -> Double {
        var inside = (x: center, f: -target)  // ζ(x̂) = 0, so f = ζ − target is −target there
        var stride = step
        var outside: (x: Double, f: Double)?
        for _ in 0..<40 {
            var x = inside.x + stride
            var atBound = false
            if (step < 0 && x <= bound) || (step > 0 && x >= bound) { x = bound; atBound = true }
            let f = zeta(x) - target
            guard f.isFinite else { stride /= 2; continue }
            if (f > 0) == (target > 0) { outside = (x, f); break }
            if atBound { return bound }
            inside = (x, f)
            stride *= 2
        }
        guard var out = outside else { return .nan }
        // Illinois regula falsi between inside and out.
        var side = 0
        for _ in 0..<60 {
            let x = out.x - out.f * (out.x - inside.x) / (out.f - inside.f)
            let f = zeta(x) - target
            if abs(f) < 1e-6 || abs(out.x - inside.x) < 1e-10 * max(1, abs(x)) { return x }
            if (f > 0) == (target > 0) {
                out = (x, f)
                if side == -1 { inside.f /= 2 }
                side = -1
            } else {
                inside = (x, f)
                if side == 1 { out.f /= 2 }
                side = 1
            }
        }
        return out.x - out.f * (out.x - inside.x) / (out.f - inside.f)
    }
}

/// The variance parameters as reports give them: each term's SDs and correlations, then σ; and the
/// criterion as a function of them (θ from a Cholesky factor of each term's covariance over σ²).
struct ReportingScale {
    enum Coordinate {
        /// The SD of these entries of term k (identity and exchangeable terms share one).
        case sd(term: Int, indices: [Int])
        /// The correlation of these pairs (exchangeable terms share one).
        case correlation(term: Int, pairs: [(Int, Int)])
        case sigma
    }

    let coordinates: [Coordinate]
    let psi: [Double]
    let parameters: CovarianceParameters

    init(fit: LinearMixedModel, parameters: CovarianceParameters) {
        var coordinates: [Coordinate] = [], psi: [Double] = []
        for (k, term) in parameters.terms.enumerated() {
            let component = fit.components[k], q = term.q
            switch term.structure {
            case .unstructured:
                for a in 0..<q { coordinates.append(.sd(term: k, indices: [a])); psi.append(component.sd[a]) }
                for a in 0..<q { for b in (a + 1)..<max(a + 1, q) {
                    coordinates.append(.correlation(term: k, pairs: [(a, b)])); psi.append(component.correlation[a][b])
                } }
            case .independent:
                for a in 0..<q { coordinates.append(.sd(term: k, indices: [a])); psi.append(component.sd[a]) }
            case .identity:
                coordinates.append(.sd(term: k, indices: Array(0..<q))); psi.append(component.sd[0])
            case .exchangeable:
                coordinates.append(.sd(term: k, indices: Array(0..<q))); psi.append(component.sd[0])
                let pairs = (0..<q).flatMap { a in ((a + 1)..<q).map { (a, $0) } }
                coordinates.append(.correlation(term: k, pairs: pairs)); psi.append(q > 1 ? component.correlation[0][1] : 0)
            }
        }
        coordinates.append(.sigma)
        psi.append(fit.sigma)
        self.coordinates = coordinates
        self.psi = psi
        self.parameters = parameters
    }

    func lowerBound(_ i: Int) -> Double {
        switch coordinates[i] {
        case .sd: 0
        case .correlation: -1 + 1e-9
        case .sigma: psi[i] * 1e-6
        }
    }

    func upperBound(_ i: Int) -> Double {
        if case .correlation = coordinates[i] { return 1 - 1e-9 }
        return .infinity
    }

    /// A first step for the search: the SE where the fit has one, else a tenth of the value (or 0.1).
    func typicalStep(_ i: Int, fit: LinearMixedModel) -> Double {
        let inference = fit.varianceInference
        switch coordinates[i] {
        case .sd(let k, let indices):
            if let se = inference?.sdStdError[k][indices[0]], se.isFinite, se > 0 { return se }
        case .correlation(let k, let pairs):
            if let se = inference?.correlationStdError[k][pairs[0].0][pairs[0].1], se.isFinite, se > 0 { return se }
        case .sigma:
            if let se = inference?.residualSDStdError, se.isFinite, se > 0 { return se }
        }
        return max(0.1 * abs(psi[i]), 0.05)
    }

    /// θ and σ for ψ; nil where a term's correlation matrix is not positive definite.
    func theta(_ psi: [Double]) -> ([Double], Double)? {
        let sigma = psi[psi.count - 1]
        guard sigma > 0 else { return nil }
        var theta: [Double] = []
        var index = 0
        for term in parameters.terms {
            let q = term.q
            switch term.structure {
            case .unstructured:
                let sds = Array(psi[index..<(index + q)])
                var matrix = [Double](repeating: 0, count: q * q)
                for a in 0..<q { matrix[a + a * q] = sds[a] * sds[a] }
                var position = index + q
                for a in 0..<q { for b in (a + 1)..<max(a + 1, q) {
                    let value = psi[position] * sds[a] * sds[b]
                    matrix[b + a * q] = value
                    matrix[a + b * q] = value
                    position += 1
                } }
                for e in matrix.indices { matrix[e] /= sigma * sigma }
                // SDs at zero: their rows of λ are zero, the others the Cholesky factor of their block.
                let positive = (0..<q).filter { sds[$0] > 0 }
                var block = [Double](repeating: 0, count: positive.count * positive.count)
                for (a, i) in positive.enumerated() { for (b, j) in positive.enumerated() { block[a + b * positive.count] = matrix[i + j * q] } }
                guard positive.isEmpty || SmallCholesky.factor(&block, n: positive.count) else { return nil }
                matrix = [Double](repeating: 0, count: q * q)
                for (a, i) in positive.enumerated() { for (b, j) in positive.enumerated() where b <= a { matrix[i + j * q] = block[a + b * positive.count] } }
                for j in 0..<q { for i in j..<q { theta.append(matrix[i + j * q]) } }
                index = position
            case .independent:
                for a in 0..<q { theta.append(psi[index + a] / sigma) }
                index += q
            case .identity:
                theta.append(psi[index] / sigma)
                index += 1
            case .exchangeable:
                theta += [psi[index] / sigma, psi[index + 1]]
                index += 2
            }
        }
        return (theta, sigma)
    }

    /// The criterion (−2ℓ, or the REML criterion) at ψ, β profiled out: a(θ) + m log(2πσ²) + r²(θ)/σ².
    func criterion(_ deviance: ProfiledDeviance, _ psi: [Double]) -> Double {
        guard let (theta, sigma) = theta(psi), let parts = deviance.likelihoodParts(theta) else { return .infinity }
        return parts.logDeterminant + deviance.likelihoodDegrees * log(2 * Double.pi * sigma * sigma) + parts.residualSumOfSquares / (sigma * sigma)
    }

    /// The criterion minimised over every coordinate but `i`, held at x; `warm` is the start and receives
    /// the minimiser.
    func profiled(_ deviance: ProfiledDeviance, holding i: Int, at x: Double, from warm: inout [Double]) -> Double {
        let free = psi.indices.filter { $0 != i }
        var point = warm
        point[i] = x
        let lower = free.map { lowerBound($0) }, upper = free.map { upperBound($0) }
        let start = free.map { min(max(point[$0], lowerBound($0)), upperBound($0)) }
        let steps = free.map { j in
            let room = upperBound(j) - start[free.firstIndex(of: j)!]
            return min(max(0.1 * abs(psi[j]), 0.01), room.isFinite && room > 0 ? room / 2 : .infinity)
        }
        let objective: ([Double]) -> Double = { values in
            var full = point
            for (k, j) in free.enumerated() { full[j] = values[k] }
            return criterion(deviance, full)
        }
        let summary = BOBYQA.minimize(objective, start: start, lower: lower, upper: upper, initialSteps: steps)
        for (k, j) in free.enumerated() { point[j] = summary.finalTheta[k] }
        warm = point
        return summary.finalObjective
    }
}

/// The ML criterion with one fixed effect held at a value: θ refitted for y − x·Xⱼ on X's other columns.
struct FixedEffectProfile {
    let fit: LinearMixedModel
    let column: Int

    func criterion(at value: Double) -> Double {
        var design = fit.design
        let n = design.observationCount, p = design.x.columns
        let x = design.x.values
        for i in 0..<n { design.y[i] -= value * x[i + column * n] }
        var kept: [Double] = []
        kept.reserveCapacity(n * (p - 1))
        for c in 0..<p where c != column { kept += x[(c * n)..<((c + 1) * n)] }
        design.x = Matrix(rows: n, columns: p - 1, values: kept)
        design.fixedNames.remove(at: column)
        let deviance = ProfiledDeviance(design, criterion: .ml)
        let parameters = deviance.parameters
        let summary = BOBYQA.minimize({ deviance.evaluate($0) }, start: fit.theta, lower: parameters.lowerBounds, upper: parameters.upperBounds,
                                      initialSteps: [Double](repeating: 0.05, count: fit.theta.count))
        return summary.finalObjective
    }
}

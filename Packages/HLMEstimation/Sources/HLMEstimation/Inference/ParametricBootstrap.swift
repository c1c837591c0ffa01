import Foundation
import HLMFormula
import Synchronization
import _HLMSupport

/// Percentile intervals from a parametric bootstrap, as lme4's `confint(method = "boot")`: responses
/// simulated from the fit (y* = Xβ̂ + Zb* + ε*, b* ~ N(0, Σ̂), ε* ~ N(0, σ̂²)), each refitted from θ̂ by
/// the same criterion. Replicate r draws from its own generator, seeded from (seed, r), so the result is
/// the same for a seed on one thread or two. Replicates that end singular or unconverged are counted
/// (and kept, as lme4 keeps them); those that cannot be fitted at all are counted and left out.
public struct BootstrapIntervals: Sendable, Codable, Equatable {
    public var replicates: Int
    public var seed: UInt64
    public var singular: Int
    public var notConverged: Int
    public var failed: Int
    /// Same shapes as ``ProfileIntervals``: per term per SD, per term q×q per correlation, σ, per β.
    public var sd: [[[Double]]]
    public var correlation: [[[[Double]]]]
    public var sigma: [Double]
    public var fixed: [[Double]]
    /// Per intraclass correlation (``LinearMixedModel/intraclassCorrelations``' order).
    public var icc: [[Double]]
}

public enum ParametricBootstrap {
    /// One replicate's estimates.
    struct Replicate: Sendable {
        var beta: [Double]
        var components: [VarianceComponent]
        var sigma: Double
        var icc: [Double]
        var singular: Bool
        var converged: Bool
    }

    /// `progress` is called (from any thread) with the number of replicates done.
    public static func intervals(fit: LinearMixedModel, replicates: Int, seed: UInt64, level: Double = 0.95, threads: Int = 2,
                                 progress: (@Sendable (Int) -> Void)? = nil) throws(EstimationError) -> BootstrapIntervals {
        guard fit.estimator.maximisesLikelihood, fit.profiledDeviance != nil, !fit.theta.isEmpty else {
            throw EstimationError.unsupported("--ci bootstrap needs variance components estimated by ML or REML")
        }
        guard replicates >= 2 else { throw EstimationError.unsupported("--bootstrap needs at least 2 replicates") }
        let results = WorkSlots<Replicate>(replicates)
        let done = Atomic<Int>(0)
        let parts = max(1, min(threads, replicates))
        ParallelWork.run(parts) { part in
            for r in stride(from: part, to: replicates, by: parts) {
                results.set(r, refit(fit, replicate: r, seed: seed))
                let count = done.add(1, ordering: .relaxed).newValue
                progress?(count)
            }
        }
        let all = (0..<replicates).map { results.get($0) }
        let kept = all.compactMap { $0 }
        let lowerQ = (1 - level) / 2, upperQ = 1 - lowerQ
        func interval(_ values: [Double]) -> [Double] {
            let sorted = values.filter(\.isFinite).sorted()
            guard !sorted.isEmpty else { return [.nan, .nan] }
            return [quantile(sorted, lowerQ), quantile(sorted, upperQ)]
        }
        return BootstrapIntervals(
            replicates: replicates, seed: seed, singular: kept.filter(\.singular).count, notConverged: kept.filter { !$0.converged }.count,
            failed: replicates - kept.count,
            sd: fit.components.indices.map { k in fit.components[k].sd.indices.map { a in interval(kept.map { $0.components[k].sd[a] }) } },
            correlation: fit.components.indices.map { k in
                let q = fit.components[k].sd.count
                return (0..<q).map { a in (0..<q).map { b in a == b ? [1, 1] : interval(kept.map { $0.components[k].correlation[a][b] }) } }
            },
            sigma: interval(kept.map(\.sigma)),
            fixed: fit.beta.indices.map { j in interval(kept.map { $0.beta[j] }) },
            icc: fit.intraclassCorrelations.indices.map { k in interval(kept.map { $0.icc[k] }) })
    }

    /// R's default (type 7) quantile of sorted values.
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let low = Int(h.rounded(.down)), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (h - Double(low)) * (sorted[high] - sorted[low])
    }

    /// The response simulated from the fit for replicate r (on the design's scale: rows already weighted).
    static func simulatedResponse(_ fit: LinearMixedModel, replicate r: Int, seed: UInt64) -> [Double] {
        var random = SeededRandom(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(r + 1))
        let design = fit.design
        let n = design.observationCount, p = design.x.columns
        var y = [Double](repeating: 0, count: n)
        design.x.values.withUnsafeBufferPointer { x in
            for c in 0..<p { let b = fit.beta[c]; for i in 0..<n { y[i] += x[i + c * n] * b } }
        }
        let parameters = CovarianceParameters(design.randomTerms)
        for (k, term) in design.randomTerms.enumerated() {
            let q = term.termCount
            let lambda = parameters.lambda(fit.theta, term: k) ?? [Double](repeating: 0, count: q * q)
            var effects = [Double](repeating: 0, count: term.groupCount * q)
            for g in 0..<term.groupCount {
                let draws = (0..<q).map { _ in random.normal() }
                for a in 0..<q { effects[g * q + a] = fit.sigma * (0..<q).reduce(0.0) { $0 + lambda[a + $1 * q] * draws[$1] } }
            }
            term.z.values.withUnsafeBufferPointer { z in
                for i in 0..<n {
                    let g = Int(term.codes[i])
                    for a in 0..<q { y[i] += z[i + a * n] * effects[g * q + a] }
                }
            }
        }
        for i in 0..<n { y[i] += fit.sigma * random.normal() }
        // The fit's y had the offset removed and, with weights, the rows scaled; X and Z carry both already.
        return y
    }

    /// Simulates replicate r and refits it from θ̂; nil when the refit cannot be factored.
    static func refit(_ fit: LinearMixedModel, replicate r: Int, seed: UInt64) -> Replicate? {
        var design = fit.design
        design.y = simulatedResponse(fit, replicate: r, seed: seed)
        let deviance = ProfiledDeviance(design, criterion: fit.criterion)
        let parameters = deviance.parameters
        let summary = BOBYQA.minimize({ deviance.evaluate($0) }, start: fit.theta, lower: parameters.lowerBounds, upper: parameters.upperBounds,
                                      initialSteps: [Double](repeating: 0.1, count: fit.theta.count))
        guard summary.finalObjective.isFinite, let solution = FactorSolution(deviance: deviance, theta: summary.finalTheta) else { return nil }
        let components = solution.components(deviance)
        let singular = !SingularityCheck.singularTerms(theta: summary.finalTheta, parameters: parameters, components: components).isEmpty
        let sigma2 = solution.sigma2
        let intercepts = components.compactMap { c in c.terms.firstIndex(of: "(Intercept)").map { c.covarianceMatrix[$0][$0] } }
        let total = intercepts.reduce(sigma2, +)
        return Replicate(beta: solution.beta, components: components, sigma: sigma2.squareRoot(), icc: intercepts.map { $0 / total },
                         singular: singular, converged: BOBYQA.succeeded(summary.returnCode))
    }
}

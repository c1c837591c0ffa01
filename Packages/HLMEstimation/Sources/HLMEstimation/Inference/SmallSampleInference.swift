import Foundation
import HLMFormula

/// How the denominator degrees of freedom of t and F tests are found (`--df`).
public enum DegreesOfFreedomMethod: String, Sendable, Codable, CaseIterable {
    /// Satterthwaite's approximation, as lmerTest.
    case satterthwaite
    /// Kenward and Roger's adjusted vcov(β) and degrees of freedom, as pbkrtest (REML fits).
    case kenwardRoger = "kenward-roger"
    /// n − p, as Stata's `dfmethod(residual)`.
    case residual
}

/// The F test of one model term (or of any set of linear hypotheses).
public struct TermTest: Sendable, Codable, Equatable {
    public var term: String
    public var numDF: Int
    public var denDF: Double
    public var F: Double
    public var pValue: Double
}

/// t and F tests with small-sample degrees of freedom for a fit: the vcov(β) the tests use (Kenward and
/// Roger's adjusted one, or the fit's) and the degrees of freedom of any contrast.
public struct SmallSampleInference: Sendable {
    public let method: DegreesOfFreedomMethod
    public let beta: [Double]
    /// vcov(β) for the tests, p×p column-major.
    public let covariance: [Double]
    let sensitivity: CovarianceSensitivity?
    let kenwardRoger: KenwardRoger?
    let residualDF: Double
    public var p: Int { beta.count }

    /// What a report should say about how the tests were made (a singular information matrix).
    public var remarks: [String] {
        kenwardRoger?.usesPseudoInverse == true
            ? ["the information about the variance parameters is singular (a term the others make redundant); Kenward-Roger used its pseudo-inverse, as pbkrtest does"]
            : []
    }

    /// The degrees of freedom of the t test of one contrast c'β.
    public func degreesOfFreedom(_ contrast: [Double]) -> Double {
        switch method {
        case .residual: residualDF
        case .satterthwaite: sensitivity!.degreesOfFreedom(contrast)
        case .kenwardRoger: kenwardRoger!.test([contrast], beta: beta).denDF
        }
    }

    /// The F test that every row of `contrasts` (each of length p) times β is zero, named `term`. Rows that
    /// are linearly dependent count once (the rank is the numerator df, as lmerTest's `contestMD`).
    public func test(_ contrasts: [[Double]], term: String) -> TermTest? {
        guard !contrasts.isEmpty else { return nil }
        if method == .kenwardRoger, let kenwardRoger {
            var result = kenwardRoger.test(contrasts, beta: beta)
            result.term = term
            return result
        }
        // Eigen-decompose L C L' and test each direction on its own (lmerTest's contestMD).
        let q = contrasts.count
        var lcl = [Double](repeating: 0, count: q * q)
        for a in 0..<q { for b in 0..<q { lcl[a + b * q] = Self.bilinear(contrasts[a], covariance, contrasts[b], p) } }
        let (values, vectors) = SymmetricEigen.decompose(lcl, n: q)
        let largest = values.max() ?? 0
        let kept = values.indices.filter { values[$0] > max(largest * 1e-8, 0) }
        guard !kept.isEmpty else { return nil }
        var statistic = 0.0, nus: [Double] = []
        for m in kept {
            var direction = [Double](repeating: 0, count: p)
            for a in 0..<q { for i in 0..<p { direction[i] += vectors[a + m * q] * contrasts[a][i] } }
            let estimate = zip(direction, beta).reduce(0) { $0 + $1.0 * $1.1 }
            statistic += estimate * estimate / values[m]
            nus.append(degreesOfFreedom(direction))
        }
        let rank = kept.count
        let f = statistic / Double(rank)
        let denominator = Self.combinedDegrees(nus)
        return TermTest(term: term, numDF: rank, denDF: denominator, F: f,
                        pValue: Distributions.fSurvival(f, d1: Double(rank), d2: denominator))
    }

    /// One F's denominator df from the directions' t dfs (lmerTest's `get_Fstat_ddf`, Fai and Cornelius):
    /// 2E / (E − q) with E = Σ ν/(ν − 2); 2 when any ν ≤ 2.
    static func combinedDegrees(_ nus: [Double]) -> Double {
        if nus.count == 1 { return nus[0] }
        if let first = nus.first, nus.allSatisfy({ abs($0 - first) < 1e-8 }) { return nus.reduce(0, +) / Double(nus.count) }
        if nus.contains(where: { $0 <= 2 }) { return 2 }
        let e = nus.reduce(0) { $0 + $1 / ($1 - 2) }
        return 2 * e / (e - Double(nus.count))
    }

    static func bilinear(_ x: [Double], _ matrix: [Double], _ y: [Double], _ n: Int) -> Double {
        var sum = 0.0
        for j in 0..<n where y[j] != 0 {
            var column = 0.0
            for i in 0..<n { column += x[i] * matrix[i + j * n] }
            sum += column * y[j]
        }
        return sum
    }
}

extension LinearMixedModel {
    /// Small-sample inference by `method`. Kenward–Roger needs a REML fit; Satterthwaite and KR need the
    /// variance parameters estimated by (restricted) likelihood.
    public func smallSampleInference(_ method: DegreesOfFreedomMethod) throws(EstimationError) -> SmallSampleInference {
        let residualDF = Double(observationCount - beta.count)
        switch method {
        case .residual:
            return SmallSampleInference(method: method, beta: beta, covariance: betaCovariance, sensitivity: nil, kenwardRoger: nil,
                                        residualDF: residualDF)
        case .satterthwaite, .kenwardRoger:
            guard estimator.maximisesLikelihood, let deviance = profiledDeviance, !theta.isEmpty else {
                throw EstimationError.unsupported("--df \(method.rawValue) needs variance components estimated by ML or REML")
            }
            if method == .kenwardRoger {
                guard criterion == .reml else { throw EstimationError.unsupported("--df kenward-roger needs a REML fit (as pbkrtest); drop --method ml") }
                guard let kr = KenwardRoger(fit: self, deviance: deviance) else {
                    throw EstimationError.unsupported("the Kenward-Roger adjustment could not be computed (the information about the variance parameters is singular)")
                }
                return SmallSampleInference(method: method, beta: beta, covariance: kr.adjustedCovariance, sensitivity: nil,
                                            kenwardRoger: kr, residualDF: residualDF)
            }
            guard let sensitivity = CovarianceSensitivity(deviance: deviance, theta: theta) else {
                throw EstimationError.unsupported("Satterthwaite's degrees of freedom could not be computed (the Hessian of the criterion is not positive definite)")
            }
            return SmallSampleInference(method: method, beta: beta, covariance: betaCovariance, sensitivity: sensitivity, kenwardRoger: nil,
                                        residualDF: residualDF)
        }
    }

    /// The fixed-effects table with t tests on `inference`'s degrees of freedom.
    public func fixedEffectTable(level: Double = 0.95, inference: SmallSampleInference) -> [FixedEffectEstimate] {
        let p = beta.count
        return design.fixedNames.indices.map { i in
            var contrast = [Double](repeating: 0, count: p)
            contrast[i] = 1
            return FixedEffectEstimate(name: design.fixedNames[i], estimate: beta[i], stdError: inference.covariance[i + i * p].squareRoot(),
                                       level: level, df: inference.degreesOfFreedom(contrast))
        }
    }

    /// The F test of every fixed term (type III, as lmerTest's `anova(m, type = 3)`).
    public func termTests(_ structure: FixedTermStructure, inference: SmallSampleInference) -> [TermTest] {
        TypeThreeContrasts.contrasts(structure, design: design).compactMap { inference.test($0.contrasts, term: $0.term) }
    }
}

import Foundation

/// The Wald test of linear hypotheses (Stata's `test`): χ²(q) without small-sample degrees of freedom,
/// F(q, ν) with them (`--df`).
public struct HypothesisTest: Sendable, Codable, Equatable {
    public var hypothesis: String
    public var numDF: Int
    /// The F test's denominator df; nil for the χ² test.
    public var denDF: Double?
    public var statistic: Double
    /// "chi2" or "F".
    public var distribution: String
    public var pValue: Double
}

/// A linear combination of the fixed effects with its SE, test and interval (Stata's `lincom`).
public struct LinearCombination: Sendable, Codable, Equatable {
    public var expression: String
    public var estimate: FixedEffectEstimate
}

extension LinearMixedModel {
    /// Tests `hypothesis` (rows · β = rhs), on `inference`'s degrees of freedom when given.
    public func test(_ hypothesis: LinearHypothesis, inference: SmallSampleInference? = nil) -> HypothesisTest {
        let shifted = Self.shifted(beta, hypothesis)
        if let inference, let f = SmallSampleInference(method: inference.method, beta: shifted, covariance: inference.covariance,
                                                       sensitivity: inference.sensitivity, kenwardRoger: inference.kenwardRoger,
                                                       residualDF: inference.residualDF).test(hypothesis.rows, term: hypothesis.text) {
            return HypothesisTest(hypothesis: hypothesis.text, numDF: f.numDF, denDF: f.denDF, statistic: f.F, distribution: "F", pValue: f.pValue)
        }
        // Wald χ²: (Lβ − r)'(L C L')⁻¹(Lβ − r) over L C L''s positive directions.
        let p = beta.count, q = hypothesis.rows.count
        var lcl = [Double](repeating: 0, count: q * q)
        for a in 0..<q { for b in 0..<q { lcl[a + b * q] = SmallSampleInference.bilinear(hypothesis.rows[a], betaCovariance, hypothesis.rows[b], p) } }
        let (values, vectors) = SymmetricEigen.decompose(lcl, n: q)
        let largest = values.max() ?? 0
        let residuals = (0..<q).map { a in zip(hypothesis.rows[a], beta).reduce(0) { $0 + $1.0 * $1.1 } - hypothesis.rhs[a] }
        var statistic = 0.0, rank = 0
        for m in 0..<q where values[m] > max(largest * 1e-8, 0) {
            let projection = (0..<q).reduce(0.0) { $0 + vectors[$1 + m * q] * residuals[$1] }
            statistic += projection * projection / values[m]
            rank += 1
        }
        return HypothesisTest(hypothesis: hypothesis.text, numDF: rank, denDF: nil, statistic: statistic, distribution: "chi2",
                              pValue: rank > 0 ? Distributions.chiSquareSurvival(statistic, df: Double(rank)) : .nan)
    }

    /// The combination c'β − (its constant) with its SE, z (or t on `inference`'s df) and interval.
    public func combination(_ expression: LinearHypothesis, level: Double = 0.95, inference: SmallSampleInference? = nil) -> LinearCombination {
        let row = expression.rows[0], p = beta.count
        let covariance = inference?.covariance ?? betaCovariance
        let value = zip(row, beta).reduce(0) { $0 + $1.0 * $1.1 } - expression.rhs[0]
        let se = SmallSampleInference.bilinear(row, covariance, row, p).squareRoot()
        return LinearCombination(expression: expression.text, estimate: FixedEffectEstimate(
            name: expression.text, estimate: value, stdError: se, level: level, df: inference?.degreesOfFreedom(row)))
    }

    /// β less a β₀ with L β₀ = r (least norm), so that testing L(β − β₀) = 0 tests L β = r.
    static func shifted(_ beta: [Double], _ hypothesis: LinearHypothesis) -> [Double] {
        guard hypothesis.rhs.contains(where: { $0 != 0 }) else { return beta }
        let q = hypothesis.rows.count, p = beta.count
        var llt = [Double](repeating: 0, count: q * q)
        for a in 0..<q { for b in 0..<q { llt[a + b * q] = zip(hypothesis.rows[a], hypothesis.rows[b]).reduce(0) { $0 + $1.0 * $1.1 } } }
        let (values, vectors) = SymmetricEigen.decompose(llt, n: q)
        let largest = values.max() ?? 0
        // (L L')⁺ r, then β₀ = L'(L L')⁺ r.
        var weights = [Double](repeating: 0, count: q)
        for m in 0..<q where values[m] > largest * 1e-10 {
            let projection = (0..<q).reduce(0.0) { $0 + vectors[$1 + m * q] * hypothesis.rhs[$1] } / values[m]
            for a in 0..<q { weights[a] += vectors[a + m * q] * projection }
        }
        var result = beta
        for a in 0..<q { for i in 0..<p { result[i] -= hypothesis.rows[a][i] * weights[a] } }
        return result
    }
}

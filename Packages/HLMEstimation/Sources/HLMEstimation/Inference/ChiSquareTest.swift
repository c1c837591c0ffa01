/// A χ² test: statistic, degrees of freedom, p-value, and which reference distribution was used.
public struct ChiSquareTest: Sendable, Codable, Equatable {
    public var statistic: Double
    public var df: Int
    public var pValue: Double
    /// "chi2", or "chibar2" for the 50:50 mixture used when one variance is tested on its boundary.
    public var distribution: String
}

extension ChiSquareTest {
    /// The Wald χ² that every coefficient but the intercept is zero, from β and its covariance (p×p,
    /// column-major); nil with no other coefficient or a covariance that cannot be solved.
    static func waldExceptIntercept(beta: [Double], covariance: [Double], names: [String]) -> ChiSquareTest? {
        let p = beta.count
        let indices = names.indices.filter { names[$0] != "(Intercept)" }
        guard !indices.isEmpty else { return nil }
        let k = indices.count
        var v = [Double](repeating: 0, count: k * k)
        for (a, i) in indices.enumerated() { for (b, j) in indices.enumerated() { v[a + b * k] = covariance[i + j * p] } }
        guard v.allSatisfy(\.isFinite), let solved = SymmetricSolve.solve(v, indices.map { beta[$0] }, n: k) else { return nil }
        let statistic = zip(indices.map { beta[$0] }, solved).reduce(0) { $0 + $1.0 * $1.1 }
        return ChiSquareTest(statistic: statistic, df: k, pValue: Distributions.chiSquareSurvival(statistic, df: Double(k)), distribution: "chi2")
    }
}

import Foundation
import HLMFormula

/// Each group's own least-squares regression on its random-coefficient columns (the slides'
/// `statsby` regressions, HLM's level-1 OLS): coefficients, the inverse cross-product matrix and the
/// group's residual variance. Groups whose Z_j'Z_j is singular (too few or constant rows) are left out.
public struct GroupwiseLeastSquares: Sendable {
    public struct Group: Sendable {
        public var index: Int
        public var size: Int
        public var coefficients: [Double]
        /// (Z_j'Z_j)⁻¹, q×q column-major.
        public var inverseCrossProduct: [Double]
        /// s²_j = RSS_j / (n_j − q); nil when n_j = q.
        public var residualVariance: Double?
    }

    public var termNames: [String]
    /// Groups with an estimable regression, by group index.
    public var groups: [Group]
    public var groupCount: Int

    public init(_ design: ModelDesign, term: Int = 0) {
        let t = design.randomTerms[term]
        let q = t.termCount, n = design.observationCount
        termNames = t.termNames
        groupCount = t.groupCount
        var ztz = [[Double]](repeating: [Double](repeating: 0, count: q * q), count: t.groupCount)
        var zty = [[Double]](repeating: [Double](repeating: 0, count: q), count: t.groupCount)
        var sizes = [Int](repeating: 0, count: t.groupCount)
        for i in 0..<n {
            let j = Int(t.codes[i])
            sizes[j] += 1
            let y = design.y[i]
            for a in 0..<q {
                zty[j][a] += t.z[i, a] * y
                for b in 0..<q { ztz[j][a + b * q] += t.z[i, a] * t.z[i, b] }
            }
        }
        var fits: [Int: ([Double], [Double])] = [:]
        for j in 0..<t.groupCount {
            guard sizes[j] >= q, let inverse = Self.inverse(ztz[j], q) else { continue }
            fits[j] = ((0..<q).map { a in (0..<q).reduce(0.0) { $0 + inverse[a + $1 * q] * zty[j][$1] } }, inverse)
        }
        // Residual sums of squares from the residuals themselves (no y'y − b'Z'y cancellation).
        var rss = [Double](repeating: 0, count: t.groupCount)
        for i in 0..<n {
            let j = Int(t.codes[i])
            guard let (coefficients, _) = fits[j] else { continue }
            var e = design.y[i]
            for a in 0..<q { e -= t.z[i, a] * coefficients[a] }
            rss[j] += e * e
        }
        groups = fits.keys.sorted().map { j in
            let (coefficients, inverse) = fits[j]!
            return Group(index: j, size: sizes[j], coefficients: coefficients, inverseCrossProduct: inverse,
                         residualVariance: sizes[j] > q ? rss[j] / Double(sizes[j] - q) : nil)
        }
    }

    /// The inverse, or nil when the matrix is (numerically) singular.
    static func inverse(_ a: [Double], _ q: Int) -> [Double]? {
        let scale = (0..<q).map { a[$0 + $0 * q] }.max() ?? 0
        guard scale > 0 else { return nil }
        var m = a
        guard DenseCholesky.factor(&m, n: q) else { return nil }
        // Refuse near-singular groups: the smallest pivot must not vanish against the largest diagonal.
        let pivots = (0..<q).map { m[$0 + $0 * q] * m[$0 + $0 * q] }
        guard (pivots.min() ?? 0) > 1e-10 * scale, DenseCholesky.invertFromFactor(&m, n: q) else { return nil }
        return m
    }
}

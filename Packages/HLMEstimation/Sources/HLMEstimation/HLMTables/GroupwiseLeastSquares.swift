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

    /// `residualVariances: false` skips the second pass over the rows that s²_j needs (the HLM tables do
    /// not use it); every group's `residualVariance` is then nil.
    /// `response`: the values regressed (default y; HLM's tables pass y less the fixed level-1 part).
    public init(_ design: ModelDesign, term: Int = 0, residualVariances: Bool = true, response: [Double]? = nil) {
        let t = design.randomTerms[term]
        let y = response ?? design.y
        let q = t.termCount, n = design.observationCount, groupCount = t.groupCount
        // Per group Z_j'Z_j (q×q) and Z_j'y (q), flat; one pass with plain pointers.
        var ztz = [Double](repeating: 0, count: q * q * groupCount)
        var zty = [Double](repeating: 0, count: q * groupCount)
        var sizes = [Int](repeating: 0, count: groupCount)
        t.z.values.withUnsafeBufferPointer { z in
            y.withUnsafeBufferPointer { y in
                t.codes.withUnsafeBufferPointer { codes in
                    ztz.withUnsafeMutableBufferPointer { ztz in
                        zty.withUnsafeMutableBufferPointer { zty in
                            for i in 0..<n {
                                let j = Int(codes[i])
                                sizes[j] += 1
                                let block = j * q * q
                                for a in 0..<q {
                                    let za = z[i + a * n]
                                    zty[j * q + a] += za * y[i]
                                    for b in 0...a { ztz[block + a + b * q] += za * z[i + b * n] }
                                }
                            }
                        }
                    }
                }
            }
        }
        self.init(termNames: t.termNames, lowerCrossProducts: ztz, zty: zty, sizes: sizes)
        guard residualVariances else { return }
        // Residual sums of squares from the residuals themselves (no y'y − b'Z'y cancellation).
        var coefficients = [Double](repeating: 0, count: q * groupCount)
        for group in groups { for a in 0..<q { coefficients[group.index * q + a] = group.coefficients[a] } }
        var rss = [Double](repeating: 0, count: groupCount)
        t.z.values.withUnsafeBufferPointer { z in
            y.withUnsafeBufferPointer { y in
                t.codes.withUnsafeBufferPointer { codes in
                    coefficients.withUnsafeBufferPointer { b in
                        for i in 0..<n {
                            let j = Int(codes[i])
                            var e = y[i]
                            for a in 0..<q { e -= z[i + a * n] * b[j * q + a] }
                            rss[j] += e * e
                        }
                    }
                }
            }
        }
        for k in groups.indices where groups[k].size > q {
            groups[k].residualVariance = rss[groups[k].index] / Double(groups[k].size - q)
        }
    }

    /// The regressions from cross products already formed: per group Z_j'Z_j (`lowerCrossProducts`, q×q
    /// column-major, lower triangle read), Z_j'y (`zty`, q each) and the group sizes. Residual variances
    /// need the rows, so every group's is nil.
    public init(termNames: [String], lowerCrossProducts ztz: [Double], zty: [Double], sizes: [Int]) {
        let q = termNames.count, groupCount = sizes.count
        precondition(ztz.count == q * q * groupCount && zty.count == q * groupCount, "GroupwiseLeastSquares: cross products of the wrong size")
        self.termNames = termNames
        self.groupCount = groupCount
        groups = (0..<groupCount).compactMap { j in
            guard sizes[j] >= q else { return nil }
            var block = Array(ztz[(j * q * q)..<((j + 1) * q * q)])
            for a in 0..<q { for b in 0..<a { block[b + a * q] = block[a + b * q] } }
            guard let inverse = Self.inverse(block, q) else { return nil }
            let coefficients = (0..<q).map { a in (0..<q).reduce(0.0) { $0 + inverse[a + $1 * q] * zty[j * q + $1] } }
            return Group(index: j, size: sizes[j], coefficients: coefficients, inverseCrossProduct: inverse, residualVariance: nil)
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

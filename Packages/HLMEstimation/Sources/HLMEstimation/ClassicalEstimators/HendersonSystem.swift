import Foundation
import HLMFormula

/// Henderson's mixed-model equations in dense form, for the classical estimators (EM, Fisher scoring):
/// with W = [X Z], C = W'W + diag(0, σ² G⁻¹), the solution of C [β; b] = W'y gives the GLS β and the
/// BLUPs b, and C⁻¹ gives their joint conditional covariance σ² C⁻¹. Everything is (p + Q)-dimensional,
/// Q = Σ q_k J_k; it is meant for models where that is at most a few thousand.
///
/// Why a second engine beside the blocked factor: EM's and Fisher scoring's updates need traces of
/// blocks of C⁻¹ (the BLUPs' conditional covariances for every term at once), which the profiled
/// factor, built to give a determinant and a back-substitution, does not hold without forming the
/// inverse. What they share with the profiled path: the checks (`LinearMixedModel.validate`), the
/// criterion they are monitored by (`ProfiledDeviance.logLikelihood`), and the extraction at their
/// answer (`LinearMixedModel(deviance:summary:)`), so every report is the same. The size cap is that
/// of a dense (p + Q)² system; y is centred here as in `ProfiledDeviance`, and for the same reason.
struct HendersonSystem {
    let design: ModelDesign
    let p: Int
    /// Offsets of each term's random effects within b (term k, group j, coefficient a: offset_k + j q_k + a).
    let offsets: [Int]
    let dimension: Int
    /// W'W (dimension²), W'y, y'y.
    let wtw: [Double]
    let wty: [Double]
    let yty: Double
    let n: Int

    static let maximumDimension = 4000

    init(_ design: ModelDesign) throws(EstimationError) {
        self.design = design
        p = design.x.columns
        n = design.observationCount
        var offsets: [Int] = []
        var q = p
        for term in design.randomTerms {
            offsets.append(q)
            q += term.termCount * term.groupCount
        }
        guard q <= Self.maximumDimension else { throw EstimationError.tooLargeForDenseMethod(q) }
        self.offsets = offsets
        dimension = q
        var wtw = [Double](repeating: 0, count: q * q), wty = [Double](repeating: 0, count: q)
        var yty = 0.0
        var indices = [Int](), values = [Double]()
        // y centred when X has an intercept (only β₀ moves; it is read from the profiled fit afterwards).
        let shift = design.fixedNames.contains("(Intercept)") && design.weights == nil ? design.y.reduce(0, +) / Double(max(1, n)) : 0
        for i in 0..<n {
            indices.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
            for c in 0..<p { indices.append(c); values.append(design.x[i, c]) }
            for (k, term) in design.randomTerms.enumerated() {
                let base = offsets[k] + Int(term.codes[i]) * term.termCount
                for a in 0..<term.termCount { indices.append(base + a); values.append(term.z[i, a]) }
            }
            let y = design.y[i] - shift
            yty += y * y
            for (a, ia) in indices.enumerated() {
                wty[ia] += values[a] * y
                for (b, ib) in indices.enumerated() { wtw[ia + ib * q] += values[a] * values[b] }
            }
        }
        self.wtw = wtw
        self.wty = wty
        self.yty = yty
    }

    /// The solution at given covariance matrices G_k (q_k×q_k, column-major) and residual variance σ².
    struct Solution {
        /// [β; b].
        var coefficients: [Double]
        /// C⁻¹ (dimension², column-major): σ² C⁻¹ is the covariance of [β̂; b − b̂].
        var inverse: [Double]
        /// e'e for e = y − W[β; b].
        var residualSumOfSquares: Double
    }

    /// Solves the equations; nil when a G_k is singular or C is not positive definite.
    func solve(_ g: [[Double]], sigma2: Double) -> Solution? {
        var c = wtw
        let q = dimension
        for (k, term) in design.randomTerms.enumerated() {
            let qk = term.termCount
            guard var inverse = Self.inverse(g[k], qk) else { return nil }
            for index in inverse.indices { inverse[index] *= sigma2 }
            for j in 0..<term.groupCount {
                let base = offsets[k] + j * qk
                for a in 0..<qk { for b in 0..<qk { c[(base + a) + (base + b) * q] += inverse[a + b * qk] } }
            }
        }
        guard DenseCholesky.factor(&c, n: q) else { return nil }
        // C⁻¹ from the factor, then the coefficients as C⁻¹ W'y.
        var inverse = c
        guard DenseCholesky.invertFromFactor(&inverse, n: q) else { return nil }
        var coefficients = [Double](repeating: 0, count: q)
        for a in 0..<q { var s = 0.0; for b in 0..<q { s += inverse[a + b * q] * wty[b] }; coefficients[a] = s }
        // e'e = y'y − 2 θ'W'y + θ'W'Wθ.
        var quadratic = 0.0
        for a in 0..<q { var s = 0.0; for b in 0..<q { s += wtw[a + b * q] * coefficients[b] }; quadratic += coefficients[a] * s }
        let cross = zip(coefficients, wty).reduce(0) { $0 + $1.0 * $1.1 }
        return Solution(coefficients: coefficients, inverse: inverse, residualSumOfSquares: max(0, yty - 2 * cross + quadratic))
    }

    /// Inverse of a small symmetric positive-definite matrix; nil when singular.
    static func inverse(_ a: [Double], _ n: Int) -> [Double]? {
        DenseCholesky.symmetricInverse(a, n: n)
    }

    /// θ for the profiled criterion from G_k and σ²: λ_k = chol(G_k / σ²), laid out per covariance structure.
    func theta(_ g: [[Double]], sigma2: Double, parameters: CovarianceParameters) -> [Double]? {
        var theta = [Double](repeating: 0, count: parameters.count)
        for (k, layout) in parameters.terms.enumerated() {
            let q = layout.q
            switch layout.structure {
            case .identity:
                theta[layout.offset] = (g[k][0] / sigma2).squareRoot()
            case .independent:
                for a in 0..<q { theta[layout.offset + a] = (g[k][a + a * q] / sigma2).squareRoot() }
            case .exchangeable:
                let variance = g[k][0]
                theta[layout.offset] = (variance / sigma2).squareRoot()
                theta[layout.offset + 1] = q > 1 && variance > 0 ? g[k][1] / variance : 0
            case .unstructured:
                var relative = g[k].map { $0 / sigma2 }
                guard SmallCholesky.factor(&relative, n: q) else { return nil }
                var index = layout.offset
                for j in 0..<q { for i in j..<q { theta[index] = relative[i + j * q]; index += 1 } }
            }
        }
        return theta
    }
}

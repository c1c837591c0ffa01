import Foundation

/// Kenward and Roger's (1997) small-sample inference for a REML fit, as pbkrtest's `vcovAdj` and
/// `KRmodcomp`: an adjusted vcov(β), Φ_A = Φ + 2Φ U Φ, and a scaled F with its denominator df.
///
/// The variance parameters σ are linear in Σ (each covariance entry of each term, then σ²), so every
/// piece is a derivative of two functions of σ that one factorisation gives, never an n×n matrix:
/// Φ⁻¹(σ) = X'Σ⁻¹X, with Pᵢ = ∂ᵢΦ⁻¹ and Qᵢⱼ + Qⱼᵢ = ∂ᵢ∂ⱼΦ⁻¹; and f(σ) = log|Σ| + log|X'Σ⁻¹X|, whose
/// Hessian is −tr(P̃GᵢP̃Gⱼ), the REML expected information doubled (so W = 2 (−∂²f)⁻¹ = pbkrtest's W).
/// Both come from one stencil of central differences in σ (scaled per parameter); σ → (θ, σ²) by a
/// Cholesky factor of each term's covariance.
struct KenwardRoger: Sendable {
    let p: Int
    /// Φ = vcov(β) and the adjusted Φ_A.
    let covariance: [Double]
    let adjustedCovariance: [Double]
    /// Pᵢ (p×p each) and W (d×d), in the scaled coordinates (KR's quantities are invariant to them).
    let pMatrices: [[Double]]
    let w: [Double]
    /// Whether the information about the variance parameters was singular and W its pseudo-inverse.
    let usesPseudoInverse: Bool

    static let step = 1e-3

    init?(fit: LinearMixedModel, deviance: ProfiledDeviance) {
        let parameters = deviance.parameters
        let theta = fit.theta, sigma2 = fit.sigma * fit.sigma
        let coordinates = VarianceCoordinates(parameters)
        let center = coordinates.values(theta: theta, sigma2: sigma2)
        let scales = coordinates.scales(center)
        let p = fit.beta.count, d = center.count
        let m = Double(fit.observationCount - p)
        // Outputs at σ̂ + c∘t: f, then Φ⁻¹'s entries.
        let point: ([Double]) -> [Double] = { t in
            let values = zip(center, zip(scales, t)).map { $0 + $1.0 * $1.1 }
            guard let (at, s2) = coordinates.theta(from: values), s2 > 0, let parts = deviance.likelihoodParts(at),
                  let precision = DenseCholesky.symmetricInverse(deviance.unscaledBetaCovariance(), n: p) else {
                return [Double](repeating: .nan, count: 1 + p * p)
            }
            return [parts.logDeterminant + m * log(s2)] + precision.map { $0 / s2 }
        }
        let zero = [Double](repeating: 0, count: d)
        let middle = point(zero)
        guard middle.allSatisfy(\.isFinite) else { return nil }
        let (values, gradients, hessians) = FiniteDifferences.secondOrder(point, at: zero, step: Self.step, center: middle)
        _ = deviance.evaluate(theta)
        guard (gradients.flatMap { $0 } + hessians.flatMap { $0 }).allSatisfy(\.isFinite),
              let phi = DenseCholesky.symmetricInverse(Array(values[1...]), n: p) else { return nil }
        // W = 2 (−∂²f)⁻¹; where the information is singular (a term that others make redundant), its
        // pseudo-inverse, as pbkrtest does (MASS::ginv).
        let (eigenvalues, eigenvectors) = SymmetricEigen.decompose(hessians[0].map { -$0 }, n: d)
        let largest = eigenvalues.map(abs).max() ?? 0
        guard largest > 0 else { return nil }
        // Differenced, an exact zero shows as rounding noise: below 1e-6 of the largest counts as zero.
        usesPseudoInverse = eigenvalues.contains { $0 <= 1e-6 * largest }
        let cutoff = usesPseudoInverse ? 1e-6 * largest : 0
        var w = [Double](repeating: 0, count: d * d)
        for m in 0..<d where abs(eigenvalues[m]) > cutoff {
            for i in 0..<d { for j in 0..<d { w[i + j * d] += 2 * eigenvectors[i + m * d] * eigenvectors[j + m * d] / eigenvalues[m] } }
        }
        // Pᵢ = ∂ᵢΦ⁻¹ and Hᵢⱼ = ∂ᵢ∂ⱼΦ⁻¹ per entry.
        let pMatrices = (0..<d).map { i in (0..<(p * p)).map { gradients[1 + $0][i] } }
        // U = ½ Σᵢⱼ Wᵢⱼ Hᵢⱼ − Σᵢⱼ Wᵢⱼ Pᵢ Φ Pⱼ.
        var u = [Double](repeating: 0, count: p * p)
        for e in 0..<(p * p) {
            var sum = 0.0
            for i in 0..<d { for j in 0..<d { sum += w[i + j * d] * hessians[1 + e][i + j * d] } }
            u[e] = sum / 2
        }
        let phiP = pMatrices.map { Self.product(phi, $0, p) }  // Φ Pⱼ
        for i in 0..<d {
            for j in 0..<d {
                let pPhiP = Self.product(pMatrices[i], phiP[j], p)
                for e in 0..<(p * p) { u[e] -= w[i + j * d] * pPhiP[e] }
            }
        }
        let adjustment = Self.product(Self.product(phi, u, p), phi, p)
        var adjusted = phi
        for e in 0..<(p * p) { adjusted[e] += 2 * adjustment[e] }
        for a in 0..<p { for b in 0..<a { let s = (adjusted[a + b * p] + adjusted[b + a * p]) / 2; adjusted[a + b * p] = s; adjusted[b + a * p] = s } }
        self.p = p
        covariance = phi
        adjustedCovariance = adjusted
        self.pMatrices = pMatrices
        self.w = w
    }

    /// The KR F test of L β = 0 (pbkrtest's `.KR_adjust`): rows of L made independent first.
    func test(_ contrasts: [[Double]], beta: [Double]) -> TermTest {
        let rows = Self.independentRows(contrasts, covariance: covariance, p: p)
        let q = rows.count
        let d = pMatrices.count
        // Θ = L'(LΦL')⁻¹L.
        var lpl = [Double](repeating: 0, count: q * q), lal = lpl
        for a in 0..<q {
            for b in 0..<q {
                lpl[a + b * q] = SmallSampleInference.bilinear(rows[a], covariance, rows[b], p)
                lal[a + b * q] = SmallSampleInference.bilinear(rows[a], adjustedCovariance, rows[b], p)
            }
        }
        guard q > 0, let lplInverse = DenseCholesky.symmetricInverse(lpl, n: q), let lalInverse = DenseCholesky.symmetricInverse(lal, n: q) else {
            return TermTest(term: "", numDF: 0, denDF: .nan, F: .nan, pValue: .nan)
        }
        var theta = [Double](repeating: 0, count: p * p)
        for i in 0..<p {
            for j in 0..<p {
                var sum = 0.0
                for a in 0..<q { for b in 0..<q { sum += rows[a][i] * lplInverse[a + b * q] * rows[b][j] } }
                theta[i + j * p] = sum
            }
        }
        let thetaPhi = Self.product(theta, covariance, p)
        let us = pMatrices.map { Self.product(Self.product(thetaPhi, $0, p), covariance, p) }
        let traces = us.map { u in (0..<p).reduce(0.0) { $0 + u[$1 + $1 * p] } }
        var a1 = 0.0, a2 = 0.0
        for i in 0..<d {
            for j in 0..<d {
                a1 += w[i + j * d] * traces[i] * traces[j]
                var inner = 0.0  // tr(uᵢ uⱼ)
                for x in 0..<p { for y in 0..<p { inner += us[i][x + y * p] * us[j][y + x * p] } }
                a2 += w[i + j * d] * inner
            }
        }
        let qd = Double(q)
        let b = (a1 + 6 * a2) / (2 * qd)
        let g = ((qd + 1) * a1 - (qd + 4) * a2) / ((qd + 2) * a2)
        let denominator = 3 * qd + 2 * (1 - g)
        let c1 = g / denominator, c2 = (qd - g) / denominator, c3 = (qd + 2 - g) / denominator
        var v0 = 1 + c1 * b
        let v1 = 1 - c2 * b, v2 = 1 - c3 * b
        if abs(v0) < 1e-10 { v0 = 0 }
        let ratio = abs(v1) < 1e-10 ? 0 : (1 - a2 / qd) / v1
        let rho = ratio * ratio * v0 / (qd * v2)
        let df2 = 4 + (qd + 2) / (qd * rho - 1)
        let scaling = abs(df2 - 2) < 1e-2 ? 1 : df2 * (1 - a2 / qd) / (df2 - 2)
        let estimates = rows.map { row in zip(row, beta).reduce(0) { $0 + $1.0 * $1.1 } }
        var wald = 0.0
        for a in 0..<q { for c in 0..<q { wald += estimates[a] * lalInverse[a + c * q] * estimates[c] } }
        let f = scaling * wald / qd
        return TermTest(term: "", numDF: q, denDF: df2, F: f, pValue: Distributions.fSurvival(f, d1: qd, d2: df2))
    }

    /// A basis of the contrasts' span: the directions of L Φ L' with positive eigenvalues.
    static func independentRows(_ contrasts: [[Double]], covariance: [Double], p: Int) -> [[Double]] {
        let q = contrasts.count
        guard q > 1 else { return contrasts }
        var lcl = [Double](repeating: 0, count: q * q)
        for a in 0..<q { for b in 0..<q { lcl[a + b * q] = SmallSampleInference.bilinear(contrasts[a], covariance, contrasts[b], p) } }
        let (values, vectors) = SymmetricEigen.decompose(lcl, n: q)
        let largest = values.max() ?? 0
        if values.allSatisfy({ $0 > largest * 1e-8 }) { return contrasts }
        return values.indices.filter { values[$0] > largest * 1e-8 }.map { m in
            (0..<p).map { i in (0..<q).reduce(0.0) { $0 + vectors[$1 + m * q] * contrasts[$1][i] } }
        }
    }

    /// A B for p×p column-major matrices.
    static func product(_ a: [Double], _ b: [Double], _ p: Int) -> [Double] {
        var c = [Double](repeating: 0, count: p * p)
        for j in 0..<p { for k in 0..<p { let bkj = b[k + j * p]; if bkj != 0 { for i in 0..<p { c[i + j * p] += a[i + k * p] * bkj } } } }
        return c
    }
}

/// The variance parameters on the linear scale of Σ: per term, the entries of its covariance matrix
/// that its structure frees (unstructured: the lower triangle; independent: the diagonal; identity: one
/// variance; exchangeable: a variance and a covariance), then σ².
struct VarianceCoordinates {
    let parameters: CovarianceParameters

    init(_ parameters: CovarianceParameters) {
        self.parameters = parameters
    }

    func values(theta: [Double], sigma2: Double) -> [Double] {
        var result: [Double] = []
        for (k, term) in parameters.terms.enumerated() {
            let q = term.q
            let lambda = parameters.lambda(theta, term: k) ?? [Double](repeating: 0, count: q * q)
            func covariance(_ i: Int, _ j: Int) -> Double { (0..<q).reduce(0.0) { $0 + lambda[i + $1 * q] * lambda[j + $1 * q] } * sigma2 }
            switch term.structure {
            case .unstructured: for j in 0..<q { for i in j..<q { result.append(covariance(i, j)) } }
            case .independent: for i in 0..<q { result.append(covariance(i, i)) }
            case .identity: result.append(covariance(0, 0))
            case .exchangeable: result += [covariance(0, 0), q > 1 ? covariance(1, 0) : 0]
            }
        }
        return result + [sigma2]
    }

    /// Differencing steps' scales: each variance itself, each covariance at least a tenth of its
    /// variances' geometric mean.
    func scales(_ values: [Double]) -> [Double] {
        var scales = values.map { abs($0) }
        var index = 0
        for term in parameters.terms {
            let q = term.q
            if term.structure == .unstructured {
                var diagonal = [Int](repeating: 0, count: q), position = index
                for j in 0..<q { diagonal[j] = position; position += q - j }
                position = index
                for j in 0..<q {
                    for i in j..<q {
                        if i != j { scales[position] = max(scales[position], 0.1 * (abs(values[diagonal[i]]) * abs(values[diagonal[j]])).squareRoot()) }
                        position += 1
                    }
                }
            } else if term.structure == .exchangeable {
                scales[index + 1] = max(scales[index + 1], 0.1 * abs(values[index]))
            }
            index += term.count
        }
        return scales.map { max($0, 1e-12) }
    }

    /// θ and σ² for linear parameters; nil where a term's covariance is not positive definite.
    func theta(from values: [Double]) -> ([Double], Double)? {
        guard let sigma2 = values.last, sigma2 > 0 else { return nil }
        var theta: [Double] = []
        var index = 0
        for term in parameters.terms {
            let q = term.q
            switch term.structure {
            case .unstructured:
                var matrix = [Double](repeating: 0, count: q * q)
                var position = index
                for j in 0..<q { for i in j..<q { matrix[i + j * q] = values[position] / sigma2; matrix[j + i * q] = matrix[i + j * q]; position += 1 } }
                guard SmallCholesky.factor(&matrix, n: q) else { return nil }
                for j in 0..<q { for i in j..<q { theta.append(matrix[i + j * q]) } }
            case .independent:
                for i in 0..<q { guard values[index + i] >= 0 else { return nil }; theta.append((values[index + i] / sigma2).squareRoot()) }
            case .identity:
                guard values[index] >= 0 else { return nil }
                theta.append((values[index] / sigma2).squareRoot())
            case .exchangeable:
                guard values[index] > 0 else { return nil }
                theta += [(values[index] / sigma2).squareRoot(), values[index + 1] / values[index]]
            }
            index += term.count
        }
        return (theta, sigma2)
    }
}

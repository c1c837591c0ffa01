import HLMFormula

/// Starting values for θ. lme4 starts at λ = I; a start near the optimum saves the optimiser
/// evaluations (the optimum does not depend on it).
///
/// One-term models start at a moment estimate read off the cross products (no pass over the rows):
/// the groups' own least-squares coefficients b_j on Z, after removing the pooled regression on X;
/// T = cov(b_j) − σ² mean (Z_j'Z_j)⁻¹ (their spread less what the noise explains, as HLM's starting
/// values), relative to σ², the pooled within-group variance. Models with several terms start a
/// random intercept alone, (1 | g), at the same moment estimate from the OLS residuals' group means.
public enum StartingValues {
    /// θ to start from and the optimiser's first step (its initial trust-region radius).
    public struct Start: Sendable {
        public var theta: [Double]
        public var initialStep: Double
    }

    /// The default first step: as lme4's, for a start that may be far from the optimum.
    static let defaultStep = 0.3

    /// The first step for a moment estimate from J groups: its error shrinks as 1/√J, and so does the
    /// step: 2/√J (0.3 up to 44 groups, 0.063 at 1,000, 0.02 from 10,000). The constant 2 took the
    /// fewest evaluations over the twelve reference models and the benchmarks (527, against 535 for
    /// 1.5 and 561 for 3).
    static func step(groups: Int) -> Double {
        min(defaultStep, max(0.02, 2 / Double(groups).squareRoot()))
    }

    /// One step for all parameters: BOBYQA rescales the parameters to equal steps when given several,
    /// which measured worse (90 evaluations instead of 48 on the crossed benchmark). Several terms take
    /// the smallest of their steps, so a large factor's precise start is not thrown away.
    static func start(_ design: ModelDesign, products: CrossProducts, parameters: CovarianceParameters) -> Start {
        if products.order.count == 1, let theta = oneTerm(products, parameters: parameters) {
            return Start(theta: theta, initialStep: step(groups: products.groups1))
        }
        // Sums without their rows (a fit from statistics) where the moment estimate cannot be formed: lme4's start.
        guard design.hasRows else { return Start(theta: parameters.initial, initialStep: defaultStep) }
        let (theta, estimated) = severalTerms(design, parameters: parameters)
        let steps = design.randomTerms.indices.filter { estimated[$0] }.map { step(groups: design.randomTerms[$0].groupCount) }
        return Start(theta: theta, initialStep: steps.min() ?? defaultStep)
    }

    /// Diagonal entries of λ start at least here: BOBYQA's first steps need room on both sides.
    static let smallestDiagonal = 0.1

    /// The moment estimate for a one-term model from its cross products; nil when it cannot be formed.
    static func oneTerm(_ products: CrossProducts, parameters: CovarianceParameters) -> [Double]? {
        let layout = parameters.terms[0]
        let q = products.q1, r = products.restCount, p = products.p, groups = products.groups1, n = products.n
        let a22 = products.a22
        // Pooled regression on X: β from X'X β = X'y (the rest block's leading p×p, lower triangle stored).
        var xtx = [Double](repeating: 0, count: p * p), xty = [Double](repeating: 0, count: p)
        for b in 0..<p {
            for a in b..<p { xtx[a + b * p] = a22[a + b * r]; xtx[b + a * p] = a22[a + b * r] }
            xty[b] = a22[p + b * r]
        }
        guard let beta = p == 0 ? [] : SymmetricSolve.solve(xtx, xty, n: p) else { return nil }
        let rss = a22[p + p * r] - zip(beta, xty).reduce(0) { $0 + $1.0 * $1.1 }
        // Each group's coefficients on Z for the residuals y − Xβ.
        var mean = [Double](repeating: 0, count: q), outer = [Double](repeating: 0, count: q * q)
        var meanInverse = [Double](repeating: 0, count: q * q)
        var explained = 0.0, used = 0
        var block = [Double](repeating: 0, count: q * q), zr = [Double](repeating: 0, count: q)
        for j in 0..<groups {
            let panel = j * r * q
            for c in 0..<q {
                var value = products.panelValues[panel + p + c * r]
                for k in 0..<p { value -= products.panelValues[panel + k + c * r] * beta[k] }
                zr[c] = value
            }
            for b in 0..<q { for a in b..<q { block[a + b * q] = products.a11[j * q * q + a + b * q]; block[b + a * q] = block[a + b * q] } }
            guard let inverse = GroupwiseLeastSquares.inverse(block, q) else { continue }
            let coefficients = (0..<q).map { a in (0..<q).reduce(0.0) { $0 + inverse[a + $1 * q] * zr[$1] } }
            used += 1
            explained += zip(coefficients, zr).reduce(0) { $0 + $1.0 * $1.1 }
            for a in 0..<q {
                mean[a] += coefficients[a]
                for b in 0..<q {
                    outer[a + b * q] += coefficients[a] * coefficients[b]
                    meanInverse[a + b * q] += inverse[a + b * q]
                }
            }
        }
        let within = Double(n - p - used * q)
        guard used > 1, within > 0 else { return nil }
        let sigma2 = (rss - explained) / within
        guard sigma2 > 0, sigma2.isFinite else { return nil }
        // T / σ², the relative covariance.
        var relative = [Double](repeating: 0, count: q * q)
        for a in 0..<q {
            for b in 0..<q {
                let covariance = (outer[a + b * q] - mean[a] * mean[b] / Double(used)) / Double(used - 1)
                relative[a + b * q] = (covariance - sigma2 * meanInverse[a + b * q] / Double(used)) / sigma2
            }
        }
        // Keep it positive definite: diagonals at least the floor², correlations shrunk if need be.
        for a in 0..<q { relative[a + a * q] = max(relative[a + a * q], smallestDiagonal * smallestDiagonal) }
        var factor = relative
        if !SmallCholesky.factor(&factor, n: q) {
            factor = relative
            for a in 0..<q { for b in 0..<q where a != b { factor[a + b * q] = 0 } }
            guard SmallCholesky.factor(&factor, n: q) else { return nil }
        }
        var theta = parameters.initial
        switch layout.structure {
        case .unstructured:
            var index = layout.offset
            for j in 0..<q { for i in j..<q { theta[index] = factor[i + j * q]; index += 1 } }
        case .independent:
            for i in 0..<q { theta[layout.offset + i] = relative[i + i * q].squareRoot() }
        case .identity:
            theta[layout.offset] = ((0..<q).reduce(0) { $0 + relative[$1 + $1 * q] } / Double(q)).squareRoot()
        case .exchangeable:
            return nil
        }
        guard theta.allSatisfy(\.isFinite) else { return nil }
        return theta
    }

    /// λ = I, except that a random intercept alone, (1 | g), starts at a moment estimate of its relative
    /// SD from the least-squares residuals (the between-group variance of their group means, less the
    /// part the within-group noise explains).
    /// Also says, per term, whether its start is such an estimate.
    static func severalTerms(_ design: ModelDesign, parameters: CovarianceParameters) -> ([Double], [Bool]) {
        var theta = parameters.initial
        var estimated = [Bool](repeating: false, count: design.randomTerms.count)
        let ols = OrdinaryLeastSquares(design)
        let n = design.observationCount, p = design.x.columns
        guard n > p + 1, ols.coefficients.allSatisfy(\.isFinite) else { return (theta, estimated) }
        var residuals = design.y
        design.x.values.withUnsafeBufferPointer { x in
            residuals.withUnsafeMutableBufferPointer { e in
                for c in 0..<p {
                    let coefficient = ols.coefficients[c]
                    for i in 0..<n { e[i] -= x[i + c * n] * coefficient }
                }
            }
        }
        let total = residuals.reduce(0) { $0 + $1 * $1 } / Double(n - p)
        var explainedByColumn: [Double] = []
        // Per term and column c: each group's regression of the residuals on that column alone,
        // b_jc = Σ z_ic e_i / Σ z_ic²; their spread less the noise's share, σ²_e mean(1 / Σ z_ic²).
        var between: [[Double]] = []
        for term in design.randomTerms {
            let q = term.termCount
            guard term.groupCount > 1, term.covariance != .exchangeable || q == 1 else { between.append([]); continue }
            var variances: [Double] = []
            for c in 0..<q {
                var sums = [Double](repeating: 0, count: term.groupCount), weights = sums
                var squares = 0.0
                term.z.values.withUnsafeBufferPointer { z in
                    for i in 0..<n {
                        let value = z[i + c * n], j = Int(term.codes[i])
                        sums[j] += value * residuals[i]
                        weights[j] += value * value
                    }
                    for i in 0..<n { squares += z[i + c * n] * z[i + c * n] }
                }
                let used = weights.indices.filter { weights[$0] > 0 }
                guard used.count > 1 else { variances.append(.nan); continue }
                let slopes = used.map { sums[$0] / weights[$0] }
                let mean = slopes.reduce(0, +) / Double(slopes.count)
                let spread = slopes.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(slopes.count - 1)
                let noise = total * used.reduce(0) { $0 + 1 / weights[$1] } / Double(used.count)
                variances.append(max(spread - noise, 0))
                explainedByColumn.append(max(spread - noise, 0) * squares / Double(n))
            }
            between.append(variances)
        }
        let explained = explainedByColumn.reduce(0, +)
        let residual = max(total - explained, 0.05 * total)
        for (k, variances) in between.enumerated() where !variances.isEmpty && variances.allSatisfy(\.isFinite) {
            let relative = variances.map { max(($0 / residual).squareRoot(), smallestDiagonal) }
            let diagonals = parameters.diagonalIndices(term: k)
            if parameters.terms[k].structure == .identity {
                theta[diagonals[0]] = relative.reduce(0, +) / Double(relative.count)
            } else {
                for (i, index) in diagonals.enumerated() { theta[index] = relative[i] }
            }
            estimated[k] = true
        }
        return (theta, estimated)
    }
}

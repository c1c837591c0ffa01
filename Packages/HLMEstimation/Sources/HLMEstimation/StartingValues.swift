import HLMFormula

/// Starting values for θ: lme4's λ = I, except that a random intercept alone, (1 | g), starts at a
/// moment estimate of its relative SD from the least-squares residuals (the between-group variance of
/// their group means, less the part the within-group noise explains). A start near the optimum saves
/// the optimiser evaluations; the optimum does not depend on it.
enum StartingValues {
    static func theta(_ design: ModelDesign, parameters: CovarianceParameters) -> [Double] {
        var theta = parameters.initial
        let ols = OrdinaryLeastSquares(design)
        let n = design.observationCount, p = design.x.columns
        guard n > p + 1, ols.coefficients.allSatisfy(\.isFinite) else { return theta }
        var residuals = design.y
        for i in 0..<n { for c in 0..<p { residuals[i] -= design.x[i, c] * ols.coefficients[c] } }
        let total = residuals.reduce(0) { $0 + $1 * $1 } / Double(n - p)
        var between: [Double] = []
        for term in design.randomTerms {
            guard term.termCount == 1, term.termNames == ["(Intercept)"], term.groupCount > 1 else { between.append(.nan); continue }
            var sums = [Double](repeating: 0, count: term.groupCount), counts = sums
            for i in 0..<n { sums[Int(term.codes[i])] += residuals[i]; counts[Int(term.codes[i])] += 1 }
            let means = zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 }
            let meanOfMeans = means.reduce(0, +) / Double(means.count)
            let spread = means.reduce(0) { $0 + ($1 - meanOfMeans) * ($1 - meanOfMeans) } / Double(means.count - 1)
            let noise = total * counts.reduce(0) { $0 + ($1 > 0 ? 1 / $1 : 0) } / Double(counts.count)
            between.append(max(spread - noise, 0))
        }
        let explained = between.filter(\.isFinite).reduce(0, +)
        let residual = max(total - explained, 0.05 * total)
        for (k, variance) in between.enumerated() where variance.isFinite {
            // Keep the start off the boundary: BOBYQA's first steps need room on both sides.
            theta[parameters.terms[k].offset] = max((variance / residual).squareRoot(), 0.1)
        }
        return theta
    }
}

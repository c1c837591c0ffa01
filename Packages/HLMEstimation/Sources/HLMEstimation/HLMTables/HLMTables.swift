import Foundation
import HLMFormula

/// What the HLM program prints beside the estimates, for each random coefficient of a two-level model:
/// its reliability and the χ² test that its variance is zero (Raudenbush & Bryk 2002, eqs 3.55 and 3.103).
public struct HLMTables: Sendable, Codable, Equatable {
    public struct VarianceTest: Sendable, Codable, Equatable {
        public var chi2: Double
        public var df: Int
        public var pValue: Double
        public var groupsUsed: Int
    }

    /// Per random coefficient: the mean over groups of τ_qq / (τ_qq + v_qqj), v_qqj = σ² [(Z_j'Z_j)⁻¹]_qq.
    public var reliability: [Double]
    /// Per random coefficient: Σ_j (β̂_qj − Σ_s γ_qs W_sj)² / v_qqj over groups with their own OLS fit,
    /// df = groups used − (level-2 predictors in the equation + 1). β̂_j is each group's OLS estimate
    /// from y − X_fixed γ̂: level-1 predictors whose slopes do not vary are held at their estimates
    /// (Raudenbush & Bryk 2002, sec. 3.6), so a fixed slope does not inflate the intercept's statistic.
    public var varianceTests: [VarianceTest]

    /// nil unless the model has one grouping factor (one random-effects term).
    public init?(_ fit: LinearMixedModel) {
        let design = fit.design
        guard design.hasRows, design.randomTerms.count == 1, let structure = LevelTwoStructure(design) else { return nil }
        let term = design.randomTerms[0], q = term.termCount
        // y less the fixed level-1 part: columns whose equation is not one of the random coefficients'.
        let randomNames = Set(term.termNames)
        let fixedColumns = structure.entries.filter { !randomNames.contains($0.equation) }.map(\.column)
        // From the fit's cross products when it kept them (no pass over the rows), else from the rows.
        let ols = fit.profiledDeviance.flatMap { GroupwiseLeastSquares($0, design: design, subtracting: fixedColumns, beta: fit.beta) }
            ?? GroupwiseLeastSquares(design, residualVariances: false, response: Self.response(design, subtracting: fixedColumns, beta: fit.beta))
        guard !ols.groups.isEmpty else { return nil }
        let sigma2 = fit.sigma * fit.sigma
        let tau = fit.components[0].covarianceMatrix
        reliability = (0..<q).map { a in
            ols.groups.reduce(0.0) { sum, group in
                let v = sigma2 * group.inverseCrossProduct[a + a * q]
                return sum + tau[a][a] / (tau[a][a] + v)
            } / Double(ols.groups.count)
        }
        varianceTests = (0..<q).map { a in
            let predicted = structure.fixedPart(term: term, q: a, design: design, beta: fit.beta)
            var chi2 = 0.0
            for group in ols.groups {
                let v = sigma2 * group.inverseCrossProduct[a + a * q]
                let difference = group.coefficients[a] - predicted[group.index]
                chi2 += difference * difference / v
            }
            let df = ols.groups.count - structure.equation(term.termNames[a]).count
            return VarianceTest(chi2: chi2, df: df, pValue: df > 0 ? Distributions.chiSquareSurvival(chi2, df: Double(df)) : .nan,
                                groupsUsed: ols.groups.count)
        }
    }

    /// y less Σ x_c β_c over `fixedColumns`.
    static func response(_ design: ModelDesign, subtracting fixedColumns: [Int], beta: [Double]) -> [Double] {
        var response = design.y
        guard !fixedColumns.isEmpty else { return response }
        let n = response.count
        response.withUnsafeMutableBufferPointer { response in
            design.x.values.withUnsafeBufferPointer { x in
                for c in fixedColumns {
                    let b = beta[c], column = x.baseAddress! + c * n
                    for i in 0..<n { response[i] -= b * column[i] }
                }
            }
        }
        return response
    }
}

import Foundation
import HLMData
import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// Random effects with conditional SDs, fitted values and residuals of binomial and Poisson fits against
/// glmer's (`Tools/crosscheck-glmm-postfit.R`): modes and fitted values within 2e-3 relative (hlm's Laplace
/// optimum is the exact one, a little away from glmer's), conditional SDs and residuals within 1e-2.
@Suite("Generalized fits: random effects and residuals")
struct GeneralizedPostFitTests {
    struct Golden: Decodable, CustomStringConvertible {
        struct Level: Decodable { var level: String; var mode: Double; var condSD: Double }
        struct Term: Decodable { var group: String; var levels: [Level] }
        var dataset: String
        var formula: String
        var family: String
        var ranef: [Term]
        var fitted: [Double]
        var response: [Double]
        var pearson: [Double]
        var deviance: [Double]
        var description: String { "\(dataset): \(formula)" }
    }

    static let references: [Golden] = {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: Fixtures.path("reference-glmm-postfit.json"))) else { return [] }
        return (try? JSONDecoder().decode([Golden].self, from: data)) ?? []
    }()

    @Test func referencesAreHere() { #expect(Self.references.count == 2) }

    @Test("matches glmer", arguments: references)
    func matchesGlmer(_ golden: Golden) throws {
        let frame = try DataLoading.load(dataPath: Fixtures.path("\(golden.dataset).csv")).0
        let family = ResponseFamily(rawValue: golden.family)!
        let fit = try GeneralizedLinearMixedModel.fit(try PreparedModel.prepare(golden.formula, frame: frame, family: family).design, family: GLMFamily(family))
        let tables = try fit.randomEffects()
        for term in golden.ranef {
            let table = try #require(tables.first { $0.group == term.group }, "\(term.group)")
            #expect(table.levels.count == term.levels.count)
            for expected in term.levels {
                let ours = try #require(table.levels.first { $0.level == expected.level }, "\(term.group) \(expected.level)")
                #expect(Tolerance.isClose(ours.mode[0], expected.mode, relative: 2e-3, absolute: 2e-3 * expected.condSD),
                        "\(Tolerance.describe("mode \(term.group) \(expected.level)", ours.mode[0], expected.mode))")
                #expect(Tolerance.isClose(ours.condSD[0], expected.condSD, relative: 1e-2), "\(Tolerance.describe("condSD \(expected.level)", ours.condSD[0], expected.condSD))")
            }
        }
        let rows = fit.fittedRows()
        #expect(rows.count == golden.fitted.count)
        for (i, row) in rows.enumerated() {
            #expect(Tolerance.isClose(row.fitted, golden.fitted[i], relative: 2e-3), "\(Tolerance.describe("fitted \(i)", row.fitted, golden.fitted[i]))")
            #expect(Tolerance.isClose(row.residual, golden.response[i], relative: 1e-2, absolute: 1e-3 * max(1, abs(golden.fitted[i]))))
            #expect(Tolerance.isClose(row.pearson, golden.pearson[i], relative: 1e-2, absolute: 1e-3), "\(Tolerance.describe("pearson \(i)", row.pearson, golden.pearson[i]))")
            #expect(Tolerance.isClose(row.deviance, golden.deviance[i], relative: 1e-2, absolute: 1e-3), "\(Tolerance.describe("deviance \(i)", row.deviance, golden.deviance[i]))")
        }
    }
}

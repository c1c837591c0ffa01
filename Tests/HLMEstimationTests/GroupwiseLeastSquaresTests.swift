import Testing
import HLMFormula
@testable import HLMEstimation

/// The groups' own regressions from a fit's cross products against the same regressions from the rows.
@Suite struct GroupwiseLeastSquaresTests {
    static func compare(_ formula: String, _ dataset: String, weights: String? = nil) throws {
        let fit = try FidelityTests.fit(formula, dataset, criterion: .reml, weights: weights)
        let deviance = try #require(fit.profiledDeviance)
        let design = fit.design
        // Every fixed column but the first (the intercept) held at its estimate, as HLM's tables hold fixed slopes.
        let fixed = Array(1..<design.x.columns)
        let fromProducts = try #require(GroupwiseLeastSquares(deviance, design: design, subtracting: fixed, beta: fit.beta))
        let fromRows = GroupwiseLeastSquares(design, residualVariances: false,
                                             response: HLMTables.response(design, subtracting: fixed, beta: fit.beta))
        #expect(fromProducts.groups.count == fromRows.groups.count)
        #expect(fromProducts.groups.count > 10)
        for (a, b) in zip(fromProducts.groups, fromRows.groups) {
            #expect(a.index == b.index && a.size == b.size)
            for (x, y) in zip(a.coefficients + a.inverseCrossProduct, b.coefficients + b.inverseCrossProduct) {
                #expect(abs(x - y) <= 1e-9 * max(1, abs(y)), "group \(a.index): \(x) against \(y)")
            }
        }
    }

    @Test func interceptAndFixedSlopes() throws {
        // y is shifted by its mean in the cross products (the intercept carries it back).
        try Self.compare("gcse ~ lrt + girl + (1 | school)", "gcse")
    }

    @Test func randomSlope() throws {
        try Self.compare("gcse ~ lrt + girl + (lrt | school)", "gcse")
    }

    @Test func weightedRows() throws {
        // Weighted rows are scaled by √w in the design and are not shifted.
        try Self.compare("Reaction ~ Days + (Days | Subject)", "sleepstudy-weights", weights: "w")
    }
}

import HLMEstimation
import HLMTestSupport
import Testing

/// Stata's standard errors and intervals of the variance components, from the slides.
/// Tolerance: 1e-4 relative (the slides' data differ from ours in the last digits; estimates differ by ~1e-5).
@Suite("Variance-component inference")
struct VarianceInferenceTests {
    /// (estimate, SE, CI low, CI high) per parameter, from the slides' tables.
    typealias Row = (Double, Double, Double, Double)

    static func check(_ actual: (Double, Double, [Double]), _ expected: Row, _ what: String) {
        let (estimate, se, interval) = actual
        #expect(Tolerance.isClose(estimate, expected.0, relative: 1e-4), "\(Tolerance.describe(what, estimate, expected.0))")
        #expect(Tolerance.isClose(se, expected.1, relative: 1e-4), "\(Tolerance.describe("SE " + what, se, expected.1))")
        #expect(Tolerance.isClose(interval[0], expected.2, relative: 1e-4), "\(Tolerance.describe("CI low " + what, interval[0], expected.2))")
        #expect(Tolerance.isClose(interval[1], expected.3, relative: 1e-4), "\(Tolerance.describe("CI high " + what, interval[1], expected.3))")
    }

    static func sd(_ fit: LinearMixedModel, _ term: String) throws -> (Double, Double, [Double]) {
        let inference = try #require(fit.varianceInference)
        let k = try #require(fit.components[0].terms.firstIndex(of: term))
        return (fit.components[0].sd[k], inference.sdStdError[0][k], inference.sdCI[0][k])
    }

    static func correlation(_ fit: LinearMixedModel) throws -> (Double, Double, [Double]) {
        let inference = try #require(fit.varianceInference)
        return (fit.components[0].correlation[0][1], inference.correlationStdError[0][0][1], inference.correlationCI[0][0][1])
    }

    static func residual(_ fit: LinearMixedModel) throws -> (Double, Double, [Double]) {
        let inference = try #require(fit.varianceInference)
        return (fit.sigma, inference.residualSDStdError, inference.residualSDCI)
    }

    @Test func randomInterceptModel() throws {
        let fit = try SlideModelTests.fit(SlideModelTests.slides[0].command)
        Self.check(try Self.sd(fit, "(Intercept)"), (3.042017, 0.3068659, 2.496296, 3.70704), "sd(_cons)")
        Self.check(try Self.residual(fit), (7.52272, 0.0842097, 7.35947, 7.689592), "sd(Residual)")
    }

    @Test func randomSlopeModel() throws {
        let fit = try SlideModelTests.fit(SlideModelTests.slides[1].command)
        Self.check(try Self.sd(fit, "lrt"), (0.1205424, 0.0189867, 0.0885252, 0.1641394), "sd(lrt)")
        Self.check(try Self.sd(fit, "(Intercept)"), (3.013474, 0.305867, 2.469851, 3.676752), "sd(_cons)")
        Self.check(try Self.correlation(fit), (0.4973, 0.1490473, 0.1563124, 0.7323728), "corr(lrt,_cons)")
        Self.check(try Self.residual(fit), (7.442053, 0.0839829, 7.279257, 7.608491), "sd(Residual)")
        // estat recovariance: .0145305 (lrt), .1806457 (cov), 9.081027 (_cons).
        let matrix = fit.components[0].covarianceMatrix
        #expect(Tolerance.isClose(matrix[1][1], 0.0145305, relative: 1e-4))
        #expect(Tolerance.isClose(matrix[0][1], 0.1806457, relative: 1e-4))
        #expect(Tolerance.isClose(matrix[0][0], 9.081027, relative: 1e-4))
    }

    @Test func crossLevelInteractionModel() throws {
        let fit = try SlideModelTests.fit(SlideModelTests.slides[2].command)
        Self.check(try Self.sd(fit, "lrt"), (0.1198846, 0.0189169, 0.0879934, 0.163334), "sd(lrt)")
        Self.check(try Self.sd(fit, "(Intercept)"), (2.801682, 0.2895906, 2.287895, 3.43085), "sd(_cons)")
        Self.check(try Self.correlation(fit), (0.5966466, 0.1383159, 0.2608112, 0.8036622), "corr(lrt,_cons)")
        Self.check(try Self.residual(fit), (7.442949, 0.0839984, 7.280122, 7.609417), "sd(Residual)")
    }

    @Test func singularFitHasNoStandardErrors() throws {
        let csv = "y,g\n1,a\n2,a\n3,a\n1,b\n2,b\n3,b\n1,c\n2,c\n3,c\n"
        let fit = try HardCaseTests.fitCSV(csv, "y ~ 1 + (1 | g)")
        #expect(fit.varianceInference == nil)
        #expect(fit.diagnostics.contains(.varianceStandardErrorsUnavailable))
    }
}

import HLMData
import HLMEstimation
import HLMFormula
import HLMTestSupport
import Testing

/// Boundary fits, tiny and lopsided groups, and collinear predictors: a correct fit with a diagnostic.
@Suite("Hard cases")
struct HardCaseTests {
    /// A deterministic pseudo-random stream (xorshift), so that tests need no seeds from elsewhere.
    struct Stream {
        var state: UInt64
        mutating func uniform() -> Double {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Double(state >> 11) / Double(1 << 53)
        }
        mutating func normal() -> Double {
            (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * .pi * uniform())
        }
    }

    private func frame(_ csv: String) throws -> DataFrame { try CSVReader().read(string: csv) }

    /// Fits a formula to CSV text by REML.
    static func fitCSV(_ csv: String, _ formula: String, criterion: ProfiledDeviance.Criterion = .reml) throws -> LinearMixedModel {
        try LinearMixedModel.fit(try ModelFormula.parse(formula).design(for: try CSVReader().read(string: csv)), criterion: criterion)
    }

    @Test func zeroVarianceIsASingularFitNotACrash() throws {
        // No group effect at all, and few groups: the ML estimate of the group variance is 0.
        var stream = Stream(state: 42)
        var csv = "y,x,g\n"
        for i in 0..<60 { csv += "\(stream.normal()),\(Double(i % 7)),g\(i % 4)\n" }
        let design = try ModelFormula.parse("y ~ x + (1 | g)").design(for: try frame(csv))
        let fit = try LinearMixedModel.fit(design, criterion: .ml)
        if fit.theta[0] < 1e-4 {
            #expect(fit.singular)
            #expect(fit.diagnostics.contains { $0.kind == .singularFit })
        }
        // Whatever θ is, it is the optimum: β is the GLS estimate and the log-likelihood is at least OLS's.
        #expect(fit.logLikelihood >= OrdinaryLeastSquares(design).maximumLogLikelihood - 1e-8)
    }

    @Test func exactBoundaryIsReported() throws {
        // y constant within... no: y identical across groups' means forces τ = 0 exactly.
        let csv = "y,g\n1,a\n2,a\n3,a\n1,b\n2,b\n3,b\n1,c\n2,c\n3,c\n"
        let fit = try LinearMixedModel.fit(try ModelFormula.parse("y ~ 1 + (1 | g)").design(for: try frame(csv)), criterion: .reml)
        #expect(fit.theta[0] < 1e-4)
        #expect(fit.singular)
        #expect(fit.components[0].sd[0] < 1e-3)
        #expect(abs(fit.beta[0] - 2) < 1e-9)
    }

    @Test func groupsWithOneObservationAndLopsidedSizes() throws {
        var stream = Stream(state: 7)
        var csv = "y,x,g\n"
        // One group of 500, then 40 groups of one observation each.
        for _ in 0..<500 { let x = stream.normal(); csv += "\(1 + 2 * x + 1.5 + stream.normal()),\(x),big\n" }
        for j in 0..<40 { let x = stream.normal(); csv += "\(1 + 2 * x + stream.normal() * 1.5 + stream.normal()),\(x),s\(j)\n" }
        let design = try ModelFormula.parse("y ~ x + (1 | g)").design(for: try frame(csv))
        let fit = try LinearMixedModel.fit(design, criterion: .reml)
        #expect(fit.converged)
        #expect(design.randomTerms[0].groupCount == 41)
        #expect(abs(fit.beta[1] - 2) < 0.2)
        #expect(fit.logLikelihood.isFinite)
    }

    @Test func collinearColumnIsDroppedWithADiagnostic() throws {
        var stream = Stream(state: 3)
        var csv = "y,x,x2,g\n"
        for i in 0..<100 { let x = stream.normal(); csv += "\(x + stream.normal()),\(x),\(2 * x),g\(i % 10)\n" }
        let fit = try LinearMixedModel.fit(try ModelFormula.parse("y ~ x + x2 + (1 | g)").design(for: try frame(csv)), criterion: .reml)
        #expect(fit.design.fixedNames == ["(Intercept)", "x"])
        #expect(fit.diagnostics.contains { if case .droppedColumns(let columns) = $0 { columns.contains("x2") } else { false } })
    }

    @Test func conditionalModesAndVariancesMatchLme4() throws {
        let fit = try ReferenceFitTests.fit(try #require(ReferenceFitTests.references.first { $0.dataset == "dyestuff" && $0.method == "REML" }))
        // lme4 1.1 (R): lmer(Yield ~ 1 + (1|Batch), REML = TRUE, bobyqa with rhoend = 1e-10);
        // ranef(fm)$Batch and attr(ranef(fm, condVar = TRUE)$Batch, "postVar").
        let expected = [-17.6068512235, 0.3912633605, 28.5622253181, -23.0845382708, 56.7331872756, -44.9952864600]
        for (mode, value) in zip(fit.conditionalModes[0].map { $0[0] }, expected) {
            #expect(Tolerance.isClose(mode, value, relative: 1e-4, absolute: 1e-4), "\(Tolerance.describe("mode", mode, value))")
        }
        for variance in try #require(fit.conditionalVariances?[0]) {
            #expect(Tolerance.isClose(variance[0], 383.6337267, relative: 1e-4))
        }
    }
}

import Foundation
